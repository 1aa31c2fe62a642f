//! Groups across three real nodes on loopback: following, posting by mention and by reply,
//! the group's announcements reaching every member's node, and members-only privacy.

use federation_tests::{Node, eventually};

async fn three_nodes() -> (Node, Node, Node) {
    let (a, b, c) = tokio::join!(Node::start("a"), Node::start("b"), Node::start("c"));
    (a, b, c)
}

async fn accepted(node: &Node, member: &str, group_id: &str) -> bool {
    node.count(&format!(
        "SELECT COUNT(*) FROM follows f JOIN actors m ON m.id = f.follower_id JOIN actors g ON g.id = f.followed_id \
         WHERE m.username = '{member}' AND m.domain IS NULL AND g.ap_id = '{group_id}' AND f.accepted"
    ))
    .await
        > 0
}

#[tokio::test]
async fn a_public_group_federates_posts_mentions_and_replies() {
    let (a, b, c) = three_nodes().await;
    a.create_user("anna");
    b.create_user("bob");
    c.create_user("cleo");
    a.run(&[
        "group",
        "create",
        "maths",
        "--owner",
        "anna",
        "--display-name",
        "Maths teachers",
    ]);
    let group = format!("http://{}/groups/maths", a.domain);

    // Members of B and C join the public group on A: accepted at once.
    assert!(
        b.run(&["member", "bob", "follow", &a.handle("maths")])
            .contains("pending")
    );
    c.run(&["member", "cleo", "follow", &a.handle("maths")]);
    eventually(20, "bob's membership accepted on B", || accepted(&b, "bob", &group)).await;
    eventually(20, "cleo's membership accepted on C", || accepted(&c, "cleo", &group)).await;

    // A post in the group reaches both members' nodes.
    let first = a.run(&[
        "member",
        "anna",
        "post",
        "--group",
        "maths",
        "--title",
        "Fractions",
        "Ideas for #fractions?",
    ]);
    eventually(20, "anna's post on B", || b.has_post(&first)).await;
    eventually(20, "anna's post on C", || c.has_post(&first)).await;

    // Bob posts into the group by mentioning it (as a Mastodon user would)…
    let by_mention = b.run(&[
        "member",
        "bob",
        "post",
        &format!("@{} pizza slices work well", a.handle("maths")),
    ]);
    eventually(20, "bob's post accepted into the group on A", || {
        a.has_post(&by_mention)
    })
    .await;
    eventually(20, "A's announcement of bob's post on C", || c.has_post(&by_mention)).await;
    // …and by replying in a thread.
    let reply = b.run(&["member", "bob", "post", "--reply-to", &first, "Try paper folding too."]);
    eventually(20, "bob's reply on A", || a.has_post(&reply)).await;
    eventually(20, "A's announcement of bob's reply on C", || c.has_post(&reply)).await;

    let in_group = c
        .count(&format!(
            "SELECT COUNT(*) FROM posts p JOIN actors g ON g.id = p.group_id WHERE g.ap_id = '{group}'"
        ))
        .await;
    assert_eq!(in_group, 3, "C files all three posts under the group");
    let boosts = c
        .count(&format!("SELECT COUNT(*) FROM reactions r JOIN actors g ON g.id = r.actor_id WHERE r.kind = 'announce' AND g.ap_id = '{group}'"))
        .await;
    assert!(
        boosts >= 1,
        "C also received the group's Announce of the object (for Mastodon-style followers)"
    );

    // The author edits: the Update reaches C through the group.
    a.run(&[
        "member",
        "anna",
        "edit",
        &first,
        "Ideas for teaching #fractions, please!",
    ]);
    eventually(20, "the edit on C", || async {
        c.count(&format!("SELECT COUNT(*) FROM posts WHERE ap_id = '{first}' AND content_html LIKE '%teaching%' AND updated_at IS NOT NULL")).await == 1
    })
    .await;
    // Bob likes anna's post from B: A records it.
    b.run(&["member", "bob", "like", &first]);
    eventually(20, "bob's like on A", || async {
        a.count(&format!("SELECT COUNT(*) FROM reactions r JOIN posts p ON p.id = r.post_id WHERE p.ap_id = '{first}' AND r.kind = 'like'")).await == 1
    })
    .await;
    // A steward pins the post and locks its thread: members' nodes learn both.
    a.run(&["group", "pin", "maths", &first, "--by", "anna"]);
    a.run(&["group", "lock", "maths", &first, "--by", "anna"]);
    eventually(20, "pinned and locked on B", || async {
        b.count(&format!(
            "SELECT COUNT(*) FROM posts WHERE ap_id = '{first}' AND pinned_at IS NOT NULL AND locked"
        ))
        .await
            == 1
    })
    .await;
    let (_, featured) = a.get_json("/groups/maths/featured", "application/activity+json").await;
    assert_eq!(featured["orderedItems"][0]["id"], first.as_str());
    let o = b.try_cli(&["member", "bob", "post", "--reply-to", &first, "One more idea"]);
    assert!(
        !o.status.success() && String::from_utf8_lossy(&o.stderr).contains("locked"),
        "no replies in a locked thread"
    );
    a.run(&["group", "lock", "maths", &first, "--by", "anna", "--undo"]);
    eventually(20, "unlocked on B", || async {
        b.count(&format!(
            "SELECT COUNT(*) FROM posts WHERE ap_id = '{first}' AND NOT locked"
        ))
        .await
            == 1
    })
    .await;
    // Bob deletes his reply: gone on A and, through the group, on C.
    b.run(&["member", "bob", "delete", &reply]);
    eventually(20, "the reply deleted on C", || async { !c.has_post(&reply).await }).await;
    assert!(!a.has_post(&reply).await);
    let log = a.run(&["member", "anna", "fetch", &format!("{group}/modlog")]);
    assert!(
        log.contains("\"pin\"") && log.contains("\"lock\"") && log.contains("\"unlock\""),
        "{log}"
    );

    // The group page and outbox show the thread publicly.
    let (status, outbox) = a
        .get_json("/groups/maths/outbox?page=1", "application/activity+json")
        .await;
    assert_eq!(status, 200);
    assert_eq!(outbox["totalItems"], 2, "two posts remain after bob deleted his reply");
    // Content was sanitised and linked on the way.
    let (_, note) = a
        .get_json(
            &first.replace(&format!("http://{}", a.domain), ""),
            "application/activity+json",
        )
        .await;
    assert_eq!(note["type"], "Page");
    assert_eq!(note["name"], "Fractions");
    assert_eq!(note["audience"], group);
    assert!(note["content"].as_str().unwrap().contains("class=\"mention hashtag\""));
}

#[tokio::test]
async fn a_members_only_group_keeps_its_posts_to_its_members() {
    let (a, b, c) = three_nodes().await;
    a.create_user("anna");
    b.create_user("bob");
    c.create_user("cleo");
    a.run(&["group", "create", "staffroom_fr", "--owner", "anna", "--members-only"]);
    let group = format!("http://{}/groups/staffroom_fr", a.domain);
    let secret = a.run(&[
        "member",
        "anna",
        "post",
        "--group",
        "staffroom_fr",
        "Training plan for the spring",
    ]);

    // Nobody outside sees it: unsigned, or signed by a non-member.
    let r = a
        .http
        .get(&secret)
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "unsigned fetch of a members-only post");
    let r = a
        .http
        .get(format!("{group}/followers"))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "unsigned fetch of the member list");
    assert!(
        !c.try_cli(&["member", "cleo", "fetch", &secret]).status.success(),
        "a non-member's signed fetch"
    );
    let (_, g) = c.get_json("/groups/staffroom_fr", "application/activity+json").await;
    assert_eq!(g["type"], serde_json::Value::Null, "C does not host the group");
    let (_, g) = a.get_json("/groups/staffroom_fr", "application/activity+json").await;
    assert_eq!(g["manuallyApprovesFollowers"], true);

    // Bob asks to join; until a steward approves, he sees nothing.
    b.run(&["member", "bob", "follow", &a.handle("staffroom_fr")]);
    eventually(20, "bob's request reaches A", || async {
        a.run(&["group", "requests", "staffroom_fr"]).contains("/users/bob")
    })
    .await;
    assert!(!accepted(&b, "bob", &group).await);
    assert!(
        !b.try_cli(&["member", "bob", "fetch", &secret]).status.success(),
        "a pending member's signed fetch"
    );

    a.run(&["group", "approve", "staffroom_fr", &b.handle("bob"), "--by", "anna"]);
    eventually(20, "bob's membership accepted on B", || accepted(&b, "bob", &group)).await;
    let fetched = b.run(&["member", "bob", "fetch", &secret]);
    assert!(fetched.contains("Training plan"), "a member's signed fetch: {fetched}");
    assert!(
        !fetched.contains("https://www.w3.org/ns/activitystreams#Public"),
        "never public: {fetched}"
    );

    let second = a.run(&["member", "anna", "post", "--group", "staffroom_fr", "Rooms are booked"]);
    eventually(20, "the next post reaches bob's node", || b.has_post(&second)).await;
    assert_eq!(
        b.count(&format!(
            "SELECT COUNT(*) FROM posts WHERE ap_id = '{second}' AND visibility = 'members'"
        ))
        .await,
        1
    );

    // Removed: nothing more, at once.
    a.run(&[
        "group",
        "remove",
        "staffroom_fr",
        &b.handle("bob"),
        "--by",
        "anna",
        "--reason",
        "left the school",
    ]);
    eventually(20, "bob's membership ended on B", || async {
        !accepted(&b, "bob", &group).await
    })
    .await;
    assert!(
        !b.try_cli(&["member", "bob", "fetch", &secret]).status.success(),
        "a removed member's signed fetch"
    );
    let third = a.run(&[
        "member",
        "anna",
        "post",
        "--group",
        "staffroom_fr",
        "Only for current members",
    ]);
    let third_deliveries_to_b = a
        .count(&format!(
            "SELECT COUNT(*) FROM deliveries d JOIN outgoing_activities o ON o.id = d.activity_id \
             WHERE o.payload LIKE '%{third}%' AND d.host = '{}'",
            b.domain
        ))
        .await;
    assert_eq!(third_deliveries_to_b, 0, "nothing is queued for the removed member");
    assert!(!b.has_post(&third).await);

    // The moderation log records the steward's decisions, for members to read.
    let log = a.run(&["member", "anna", "fetch", &format!("{group}/modlog")]);
    assert!(
        log.contains("\"approve\"") && log.contains("\"remove\"") && log.contains("left the school"),
        "{log}"
    );
}

#[tokio::test]
async fn a_members_post_reaches_members_on_a_third_node_through_a_members_only_group() {
    let (a, b, c) = three_nodes().await;
    a.create_user("anna");
    b.create_user("bob");
    c.create_user("cleo");
    a.run(&["group", "create", "staffroom_fr", "--owner", "anna", "--members-only"]);
    let group = format!("http://{}/groups/staffroom_fr", a.domain);
    for (node, name) in [(&b, "bob"), (&c, "cleo")] {
        node.run(&["member", name, "follow", &a.handle("staffroom_fr")]);
        eventually(20, "the request reaches A", || async {
            a.run(&["group", "requests", "staffroom_fr"])
                .contains(&format!("/users/{name}"))
        })
        .await;
        a.run(&["group", "approve", "staffroom_fr", &node.handle(name), "--by", "anna"]);
        eventually(20, "membership accepted", || accepted(node, name, &group)).await;
    }
    // Bob posts into the group from B; A relays it; C confirms it at B, which asks A whether
    // C's member is in the group.
    let post = b.run(&[
        "member",
        "bob",
        "post",
        &format!("@{} The timetable for the spring course", a.handle("staffroom_fr")),
    ]);
    eventually(20, "bob's post accepted into the group on A", || a.has_post(&post)).await;
    eventually(30, "A's relay of bob's post confirmed on C", || c.has_post(&post)).await;
    assert_eq!(
        c.count(&format!(
            "SELECT COUNT(*) FROM posts WHERE ap_id = '{post}' AND visibility = 'members'"
        ))
        .await,
        1
    );
    // Nobody else reads it at B: unsigned, or signed by someone outside the group.
    let r = b
        .http
        .get(&post)
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    c.create_user("carl");
    assert!(
        !c.try_cli(&["member", "carl", "fetch", &post]).status.success(),
        "a non-member on C"
    );
}
