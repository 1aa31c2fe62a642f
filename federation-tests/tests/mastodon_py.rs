//! Drives two real nodes with the real Mastodon.py client library (installed from its registry
//! into a virtualenv by `scripts/test`; its Python is `STAFFROOM_PYTHON`). Without that Python
//! the test says so loudly and passes only when `STAFFROOM_REQUIRE_PYTHON` is unset.

use std::process::Command;

use federation_tests::{Node, eventually, staffroom_bin};

#[tokio::test]
async fn mastodon_py_suite() {
    let Ok(python) = std::env::var("STAFFROOM_PYTHON") else {
        assert!(
            std::env::var("STAFFROOM_REQUIRE_PYTHON").is_err(),
            "STAFFROOM_PYTHON is required here"
        );
        eprintln!("\n!!! STAFFROOM_PYTHON is not set: the Mastodon.py suite is SKIPPED (scripts/test sets it) !!!\n");
        return;
    };
    let (mut a, b) = tokio::join!(Node::new("a"), Node::start("b"));
    a.env("STAFFROOM_REGISTRATIONS", "open");
    a.spawn().await;
    b.create_user("bob");
    b.run(&[
        "group",
        "create",
        "maths",
        "--owner",
        "bob",
        "--display-name",
        "Maths teachers",
    ]);
    let group = format!("http://{}/groups/maths", b.domain);
    // The command that runs staffroom against node B, for the suite's B-side actions.
    let mut prefix = vec!["env".to_owned()];
    for (k, v) in b.env_vars() {
        prefix.push(format!("{k}={v}"));
    }
    prefix.push(staffroom_bin().display().to_string());
    let suite = concat!(env!("CARGO_MANIFEST_DIR"), "/mastodon_py");
    let out = Command::new(&python)
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", suite])
        .env("NODE_A", format!("http://{}", a.domain))
        .env("NODE_B", format!("http://{}", b.domain))
        .env("GROUP_B", "maths")
        .env("BOB_B", "bob")
        .env(
            "STAFFROOM_BIN_CMD_B",
            prefix.iter().map(|p| shell_quote(p)).collect::<Vec<_>>().join(" "),
        )
        .current_dir(b.dir())
        .output()
        .expect("run pytest");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "the Mastodon.py suite failed:\n{stdout}\n--- node A ---\n{}\n--- node B ---\n{}",
        a.log(),
        b.log()
    );
    // B's side agrees: ada from A is a member of the group.
    eventually(5, "ada from A is a member on B", || async {
        b.count(&format!(
            "SELECT COUNT(*) FROM follows f JOIN actors g ON g.id = f.followed_id JOIN actors m ON m.id = f.follower_id \
             WHERE g.ap_id = '{group}' AND f.accepted AND m.username = 'ada' AND m.domain = '{}'",
            a.domain
        ))
        .await
            == 1
    })
    .await;
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}
