//! The `staffroom` binary as the secretariat uses it.

mod common;

use std::process::{Command, Output};

struct Node {
    dir: tempfile::TempDir,
    database_url: String,
}

impl Node {
    async fn new() -> Node {
        let dir = tempfile::tempdir().unwrap();
        let database_url = common::fresh_database_url(dir.path()).await;
        Node { dir, database_url }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_staffroom"))
            .args(args)
            .current_dir(self.dir.path())
            .env("STAFFROOM_DATABASE_URL", &self.database_url)
            .env("STAFFROOM_DOMAIN", "cli.test")
            .env_remove("STAFFROOM_CONFIG")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test]
async fn secretariat_manages_members_from_the_command_line() {
    let node = Node::new().await;
    let o = node.run(&["migrate"]);
    assert!(o.status.success(), "{}", stderr(&o));

    let o = node.run(&[
        "admin",
        "create-user",
        "secretary",
        "--email",
        "sec@school.example",
        "--role",
        "admin",
        "--password",
        "a long enough passphrase",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Created admin @secretary@cli.test"),
        "{}",
        stdout(&o)
    );

    // Without --password and without a terminal, a password is generated and shown once.
    let o = node.run(&["admin", "create-user", "ada", "--email", "ada@school.example"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let password = out
        .lines()
        .find_map(|l| l.strip_prefix("Password: "))
        .expect("generated password printed");
    assert_eq!(password.len(), 20);

    let o = node.run(&["admin", "list-users"]);
    let out = stdout(&o);
    assert!(
        out.contains("secretary") && out.contains("admin") && out.contains("ada") && out.contains("member"),
        "{out}"
    );

    // A registration awaiting approval (as the API creates it in `approval` mode) is approved here.
    staffroom::with_db!(&staffroom::storage::Db::connect(&node.database_url, 1).await.unwrap(), p => sqlx::query(
        "UPDATE users SET approved = FALSE WHERE id = (SELECT id FROM actors WHERE username = 'ada')").execute(p).await.map(|_| ()).unwrap());
    assert!(stdout(&node.run(&["admin", "pending"])).contains("ada@school.example"));
    let o = node.run(&["admin", "approve", "ada"]);
    assert!(o.status.success() && stdout(&o).contains("approved"), "{}", stderr(&o));
    assert!(stdout(&node.run(&["admin", "pending"])).contains("No registrations"));

    let o = node.run(&["admin", "set-role", "ada", "moderator"]);
    assert!(
        o.status.success() && stdout(&o).contains("@ada is now moderator"),
        "{}",
        stderr(&o)
    );
    let o = node.run(&["admin", "suspend", "ada"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&node.run(&["admin", "list-users"])).contains("suspended"));
    let o = node.run(&["admin", "suspend", "ada", "--undo"]);
    assert!(o.status.success() && stdout(&o).contains("no longer suspended"));
}

#[tokio::test]
async fn errors_are_clear_and_exit_non_zero() {
    let node = Node::new().await;
    let create = |name: &str, email: &str| {
        node.run(&[
            "admin",
            "create-user",
            name,
            "--email",
            email,
            "--password",
            "a long enough passphrase",
        ])
    };
    assert!(create("ada", "ada@school.example").status.success());

    let o = create("Ada", "other@school.example");
    assert!(!o.status.success());
    assert!(stderr(&o).contains("already taken"), "{}", stderr(&o));

    let o = create("no spaces", "x@school.example");
    assert!(!o.status.success());
    assert!(stderr(&o).contains("invalid username"), "{}", stderr(&o));

    let o = node.run(&["admin", "set-role", "ghost", "admin"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("no local account named \"ghost\""),
        "{}",
        stderr(&o)
    );

    let o = node.run(&["admin", "set-role", "ada", "king"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("king"), "{}", stderr(&o));

    let o = Command::new(env!("CARGO_BIN_EXE_staffroom"))
        .args(["migrate"])
        .env("STAFFROOM_REGISTRATIONS", "sometimes")
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(stderr(&o).contains("STAFFROOM_REGISTRATIONS"), "{}", stderr(&o));

    let o = Command::new(env!("CARGO_BIN_EXE_staffroom"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(o.status.success());
    assert_eq!(stdout(&o).trim(), format!("staffroom {}", env!("CARGO_PKG_VERSION")));
}

#[tokio::test]
async fn a_reader_that_goes_away_ends_a_command_quietly() {
    let node = Node::new().await;
    node.run(&["migrate"]);
    for n in 0..3 {
        node.run(&[
            "admin",
            "create-user",
            &format!("member{n}"),
            "--email",
            &format!("m{n}@cli.test"),
            "--password",
            "correct horse battery staple",
        ]);
    }
    // `staffroom admin list-users | head -0`: the pipe is closed before the command writes.
    let mut child = Command::new(env!("CARGO_BIN_EXE_staffroom"))
        .args(["admin", "list-users"])
        .current_dir(node.dir.path())
        .env("STAFFROOM_DATABASE_URL", &node.database_url)
        .env("STAFFROOM_DOMAIN", "cli.test")
        .env_remove("STAFFROOM_CONFIG")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    assert_ne!(out.status.code(), Some(101), "no panic exit");
}

/// `group approve` takes the person as `group requests` prints them, by handle or by id.
#[tokio::test]
async fn join_requests_are_approved_as_they_are_listed() {
    let node = Node::new().await;
    assert!(node.run(&["migrate"]).status.success());
    for name in ["owner", "bob", "cai"] {
        let email = format!("{name}@school.example");
        let o = node.run(&[
            "admin",
            "create-user",
            name,
            "--email",
            &email,
            "--password",
            "a long enough passphrase",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = node.run(&["group", "create", "board", "--owner", "owner", "--members-only"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for name in ["bob", "cai"] {
        let o = node.run(&["member", name, "follow", "board"]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let listed = stdout(&node.run(&["group", "requests", "board"]));
    let lines: Vec<(&str, &str)> = listed.lines().filter_map(|l| l.split_once('\t')).collect();
    assert_eq!(lines.len(), 2, "{listed}");
    let (bob_handle, _) = lines.iter().find(|(h, _)| h.starts_with("@bob")).unwrap();
    let (_, cai_id) = lines.iter().find(|(h, _)| h.starts_with("@cai")).unwrap();
    assert_eq!(*bob_handle, "@bob@cli.test");
    assert_eq!(*cai_id, "https://cli.test/users/cai");
    for who in [bob_handle, cai_id] {
        let o = node.run(&["group", "approve", "board", who]);
        assert!(o.status.success(), "{who}: {}", stderr(&o));
    }
    assert_eq!(stdout(&node.run(&["group", "requests", "board"])), "");
}

/// The secretariat lists open reports and resolves them.
#[tokio::test]
async fn reports_are_listed_and_resolved() {
    let node = Node::new().await;
    assert!(node.run(&["migrate"]).status.success());
    for name in ["ada", "bob"] {
        let email = format!("{name}@school.example");
        let o = node.run(&[
            "admin",
            "create-user",
            name,
            "--email",
            &email,
            "--password",
            "a long enough passphrase",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    assert_eq!(stdout(&node.run(&["admin", "reports"])), "No open reports.\n");
    let db = staffroom::storage::Db::connect(&node.database_url, 1).await.unwrap();
    let ada = staffroom::storage::actors::find_local(&db, "ada")
        .await
        .unwrap()
        .unwrap();
    let bob = staffroom::storage::actors::find_local(&db, "bob")
        .await
        .unwrap()
        .unwrap();
    let now = staffroom::storage::now();
    let report = staffroom::storage::reports::ReportRow {
        id: staffroom::ids::id_at(now),
        reporter_id: ada.id,
        target_id: bob.id,
        group_id: None,
        post_ids: "[]".into(),
        comment: "rude in the coffee shop".into(),
        category: "violation".into(),
        forwarded: false,
        ap_id: None,
        resolved_at: None,
        created_at: now,
    };
    assert!(staffroom::storage::reports::insert(&db, &report).await.unwrap());
    let listed = stdout(&node.run(&["admin", "reports"]));
    assert!(
        listed.starts_with(&report.id.to_string())
            && listed.contains("open violation: @bob reported by @ada, 0 post(s): rude in the coffee shop"),
        "{listed}"
    );
    let o = node.run(&["admin", "resolve-report", &report.id.to_string()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&node.run(&["admin", "reports"])), "No open reports.\n");
    assert!(stdout(&node.run(&["admin", "reports", "--all"])).contains("resolved violation"));
    let o = node.run(&["admin", "resolve-report", &report.id.to_string()]);
    assert!(!o.status.success(), "a report is resolved once");
}
