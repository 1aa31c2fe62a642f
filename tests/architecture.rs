//! The layering rules of ARCHITECTURE.md, checked on the source: `federation/` (the protocol)
//! imports nothing from `services/` (the domain), SQL is written only in `storage/`, and the
//! HTTP inbox stays a thin verify-and-store handler.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The code lines of a file (comments and doc comments left out).
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(i, l)| (i + 1, l.to_owned()))
        .collect()
}

fn src(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(rel)
}

#[test]
fn federation_does_not_import_services() {
    let mut files = Vec::new();
    sources(&src("federation"), &mut files);
    assert!(files.len() > 10);
    let offending: Vec<String> = files
        .iter()
        .flat_map(|f| {
            code_lines(f)
                .into_iter()
                .filter(|(_, l)| l.contains("services::"))
                .map(move |(n, l)| format!("{}:{n}: {}", f.display(), l.trim()))
        })
        .collect();
    assert!(
        offending.is_empty(),
        "federation/ imports services/:\n{}",
        offending.join("\n")
    );
}

#[test]
fn sql_only_in_storage() {
    let mut files = Vec::new();
    sources(&src(""), &mut files);
    let offending: Vec<String> = files
        .iter()
        .filter(|f| !f.starts_with(src("storage")))
        .flat_map(|f| {
            code_lines(f)
                .into_iter()
                .filter(|(_, l)| l.contains("sqlx::query") || l.contains("query_as::<") || l.contains("query_scalar"))
                // The statement counter matches sqlx's log target by name.
                .filter(|(_, l)| !l.contains("target() != \"sqlx::query\""))
                .map(move |(n, l)| format!("{}:{n}: {}", f.display(), l.trim()))
        })
        .collect();
    assert!(offending.is_empty(), "SQL outside storage/:\n{}", offending.join("\n"));
}

#[test]
fn the_http_inbox_stays_thin() {
    let lines = std::fs::read_to_string(src("federation/inbox.rs"))
        .unwrap()
        .lines()
        .count();
    assert!(lines < 300, "src/federation/inbox.rs has {lines} lines");
}
