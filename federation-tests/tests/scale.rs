//! One node as several processes on one PostgreSQL database, behind one address (a proxy hands
//! connections to each process in turn): members of another node post into its group and
//! receive its posts, each activity processed once and each delivery sent once.

use federation_tests::{Node, engine, eventually};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_of_one_node_process_and_deliver_everything_once() {
    if engine() != "postgres" {
        eprintln!("PostgreSQL only: a SQLite node runs as one process");
        return;
    }
    let (a, b) = tokio::join!(Node::start_processes("a", 2), Node::start("b"));
    a.create_user("anna");
    b.create_user("bob");
    a.run(&["group", "create", "physics", "--owner", "anna"]);
    let group = format!("http://{}/groups/physics", a.domain);
    b.run(&["member", "bob", "follow", &a.handle("physics")]);
    eventually(30, "bob's membership accepted", || async {
        b.count(&format!(
            "SELECT COUNT(*) FROM follows f JOIN actors g ON g.id = f.followed_id WHERE g.ap_id = '{group}' AND f.accepted"
        ))
        .await
            > 0
    })
    .await;
    let delivered_to_b = || async {
        a.count(&format!(
            "SELECT COUNT(*) FROM deliveries WHERE status = 'delivered' AND host = '{}'",
            b.domain
        ))
        .await as usize
    };
    eventually(30, "A settles the Accept", || async {
        a.count("SELECT COUNT(*) FROM deliveries WHERE status = 'pending'")
            .await
            == 0
    })
    .await;
    let (received_before, delivered_before) = (b.posts_received("/inbox"), delivered_to_b().await);

    // Bob's posts reach the group through either process, and each becomes one post.
    let mut bobs = Vec::new();
    for i in 0..8 {
        bobs.push(b.run(&[
            "member",
            "bob",
            "post",
            &format!("@{} Experiment {i}", a.handle("physics")),
        ]));
    }
    for p in &bobs {
        eventually(60, "bob's post in the group on A", || a.has_post(p)).await;
    }
    // Anna's posts: the Announces are claimed by either process's worker and sent once.
    let mut annas = Vec::new();
    for i in 0..8 {
        annas.push(a.run(&["member", "anna", "post", "--group", "physics", &format!("Lesson {i}")]));
    }
    for p in &annas {
        eventually(60, "anna's post on B", || b.has_post(p)).await;
    }
    eventually(60, "A settles every delivery", || async {
        a.count("SELECT COUNT(*) FROM deliveries WHERE status = 'pending'")
            .await
            == 0
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;

    assert_eq!(
        a.count("SELECT COUNT(*) FROM posts WHERE content_html LIKE '%Experiment%'")
            .await,
        8,
        "each of bob's posts stored once"
    );
    assert_eq!(
        a.count("SELECT COUNT(*) FROM inbox_activities WHERE status <> 'done'")
            .await,
        0,
        "every received activity processed"
    );
    let to_b = delivered_to_b().await - delivered_before;
    assert!(to_b >= 16, "two Announces per post of anna's at least: {to_b}");
    assert_eq!(
        b.posts_received("/inbox") - received_before,
        to_b,
        "every delivery to B arrived exactly once"
    );
    assert_eq!(
        a.count("SELECT COUNT(*) FROM deliveries WHERE attempts > 1").await,
        0,
        "nothing sent twice"
    );
    // Both processes served the node's traffic.
    for i in 0..2 {
        let served = a
            .process_log(i)
            .lines()
            .filter(|l| l.contains("finished processing request"))
            .count();
        assert!(served > 0, "process {i} served no request");
        eprintln!("process {i} of A served {served} requests");
    }
}
