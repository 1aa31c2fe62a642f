//! The delivery queue and the federation policy across real processes: a node killed with
//! SIGKILL delivers everything after restart, exactly once; an allowlist node refuses others.

use federation_tests::{Node, eventually};

#[tokio::test]
async fn deliveries_survive_a_crash_and_arrive_exactly_once() {
    let (mut a, mut b) = tokio::join!(Node::start("a"), Node::start("b"));
    a.create_user("anna");
    b.create_user("bob");
    a.run(&["group", "create", "physics", "--owner", "anna"]);
    let group = format!("http://{}/groups/physics", a.domain);
    b.run(&["member", "bob", "follow", &a.handle("physics")]);
    eventually(20, "bob's membership accepted", || async {
        b.count(&format!("SELECT COUNT(*) FROM follows f JOIN actors g ON g.id = f.followed_id WHERE g.ap_id = '{group}' AND f.accepted")).await > 0
    })
    .await;
    let received_before = b.posts_received("/inbox");

    // B goes down; A queues five posts for it (two Announces each) and keeps failing.
    assert!(b.terminate());
    let mut posts = Vec::new();
    for i in 0..5 {
        posts.push(a.run(&["member", "anna", "post", "--group", "physics", &format!("Lesson {i}")]));
    }
    eventually(20, "A tried and scheduled retries", || async {
        a.count("SELECT COUNT(*) FROM deliveries WHERE status = 'pending' AND attempts > 0")
            .await
            >= 1
    })
    .await;
    // A is killed outright, with all ten deliveries still pending.
    a.kill();
    assert_eq!(
        a.count("SELECT COUNT(*) FROM deliveries WHERE status = 'pending'")
            .await,
        10
    );

    b.spawn().await;
    a.spawn().await;
    for p in &posts {
        eventually(90, "every post reaches B after A restarts", || b.has_post(p)).await;
    }
    eventually(30, "A marks every delivery delivered", || async {
        a.count("SELECT COUNT(*) FROM deliveries WHERE status = 'delivered'")
            .await
            == a.count("SELECT COUNT(*) FROM deliveries").await
    })
    .await;
    // Give a duplicate the chance to show, then count what B actually received.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(
        b.posts_received("/inbox") - received_before,
        10,
        "each of the ten deliveries arrived exactly once"
    );
    assert_eq!(
        b.count("SELECT COUNT(*) FROM posts WHERE content_html LIKE '%Lesson%'")
            .await,
        5
    );
}

#[tokio::test]
async fn an_allowlist_node_refuses_others_and_sends_them_nothing() {
    let (mut a, b, c) = tokio::join!(Node::new("a"), Node::start("b"), Node::start("c"));
    a.env("STAFFROOM_FEDERATION_MODE", &format!("allowlist:{}", b.domain));
    a.spawn().await;
    a.create_user("anna");
    b.create_user("bob");
    c.create_user("cleo");
    a.run(&["group", "create", "history", "--owner", "anna"]);
    let group = format!("http://{}/groups/history", a.domain);

    // The partner on the list federates.
    b.run(&["member", "bob", "follow", &a.handle("history")]);
    eventually(20, "bob (allowed) is accepted", || async {
        b.count(&format!("SELECT COUNT(*) FROM follows f JOIN actors g ON g.id = f.followed_id WHERE g.ap_id = '{group}' AND f.accepted")).await > 0
    })
    .await;

    // C is not on A's list: its Follow is refused with 403, which C records as final.
    c.run(&["member", "cleo", "follow", &a.handle("history")]);
    eventually(20, "C's delivery to A refused for good", || async {
        c.count("SELECT COUNT(*) FROM deliveries WHERE status = 'failed' AND last_error LIKE '%403%'")
            .await
            == 1
    })
    .await;
    let from_c = format!(
        "SELECT COUNT(*) FROM follows f JOIN actors m ON m.id = f.follower_id WHERE m.domain = '{}'",
        c.domain
    );
    assert_eq!(a.count(&from_c).await, 0, "A recorded nothing from C");

    // And A sends C nothing: it will not even look C's members up.
    let o = a.try_cli(&["member", "anna", "follow", &c.handle("cleo")]);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("federation policy"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    a.run(&[
        "member",
        "anna",
        "post",
        "--group",
        "history",
        "Sources for the 1848 revolutions",
    ]);
    eventually(20, "the post is delivered to B", || async {
        a.count("SELECT COUNT(*) FROM deliveries WHERE status = 'delivered'")
            .await
            >= 3
    })
    .await;
    assert_eq!(
        a.count(&format!("SELECT COUNT(*) FROM deliveries WHERE host = '{}'", c.domain))
            .await,
        0
    );
    assert_eq!(c.posts_received("/inbox"), 0);
    assert_eq!(c.posts_received("/users/cleo/inbox"), 0);
}
