//! The web interface in a real browser: Debian's Chromium, headless, driven by Selenium (from its
//! registry, in the virtualenv `scripts/test` makes) through Debian's chromedriver, with
//! axe-core (from its npm package, under `STAFFROOM_NODE_CLIENTS`) checking every page. Two
//! nodes: one with open registrations, one where the secretariat approves them. Without the
//! browser or the libraries the test says so loudly, and passes only when
//! `STAFFROOM_REQUIRE_BROWSER` is unset.

use std::path::PathBuf;
use std::process::Command;

use federation_tests::{Node, staffroom_bin};

fn missing(what: &str) {
    assert!(
        std::env::var("STAFFROOM_REQUIRE_BROWSER").is_err(),
        "{what} is required here (scripts/test and .ci/run install it)"
    );
    eprintln!("\n!!! {what} is missing: the browser suite is SKIPPED !!!\n");
}

#[tokio::test]
async fn browser_suite() {
    let Ok(python) = std::env::var("STAFFROOM_PYTHON") else {
        return missing("STAFFROOM_PYTHON");
    };
    let has_selenium = Command::new(&python)
        .args(["-c", "import selenium"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_selenium {
        return missing("Selenium in STAFFROOM_PYTHON");
    }
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let chromedriver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    if !PathBuf::from(&chromium).exists() || !PathBuf::from(&chromedriver).exists() {
        return missing("Chromium and chromedriver");
    }
    let Some(axe) = std::env::var("STAFFROOM_NODE_CLIENTS")
        .ok()
        .map(|d| PathBuf::from(d).join("node_modules/axe-core/axe.min.js"))
        .filter(|p| p.exists())
    else {
        return missing("axe-core (under STAFFROOM_NODE_CLIENTS)");
    };

    let (mut open, mut approval) = tokio::join!(Node::new("open"), Node::new("approval"));
    // Every scenario signs up from the same address, more often than the default allows.
    for node in [&open, &approval] {
        std::fs::write(
            node.dir().join("staffroom.toml"),
            "[delivery]\nretry_base_seconds = 1\n[api]\nregistrations_per_hour = 200\n",
        )
        .unwrap();
    }
    open.env("STAFFROOM_REGISTRATIONS", "open");
    approval.env("STAFFROOM_REGISTRATIONS", "approval");
    tokio::join!(open.spawn(), approval.spawn());
    let mut prefix = vec!["env".to_owned()];
    for (k, v) in approval.env_vars() {
        prefix.push(format!("{k}={v}"));
    }
    prefix.push(staffroom_bin().display().to_string());
    let screenshots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/browser-screenshots");
    let suite = concat!(env!("CARGO_MANIFEST_DIR"), "/browser");
    let out = Command::new(&python)
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", suite])
        .env("NODE_OPEN", format!("http://{}", open.domain))
        .env("NODE_APPROVAL", format!("http://{}", approval.domain))
        .env(
            "STAFFROOM_BIN_CMD_APPROVAL",
            prefix
                .iter()
                .map(|p| format!("'{}'", p.replace('\'', "'\\''")))
                .collect::<Vec<_>>()
                .join(" "),
        )
        .env("AXE_JS", &axe)
        .env("CHROMIUM", &chromium)
        .env("CHROMEDRIVER", &chromedriver)
        .env("SCREENSHOTS", &screenshots)
        .current_dir(approval.dir())
        .output()
        .expect("run pytest");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "the browser suite failed (screenshots in {}):\n{stdout}\n--- open node ---\n{}\n--- approval node ---\n{}",
        screenshots.display(),
        open.log(),
        approval.log()
    );
}
