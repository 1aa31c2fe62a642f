//! Reports, on either engine: a member's report reaches the node's moderators, a local group's
//! stewards, the reported person's server (`Flag` from the node, when forwarded) and a remote
//! group's stewards (`Flag` from the reporter, one per post); `Flag`s from other servers reach
//! the people who handle them here. Bad reports are refused with a reason.

mod common;

use common::TestApp;
use common::peer::{deliver, remote_actor, remote_actor_at, sent_to};
use serde_json::{Value, json};
use staffroom::services::accounts::Role;
use staffroom::storage::follows;

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

async fn reports_seen(app: &TestApp, token: &str) -> Vec<Value> {
    let r = app.api("GET", "/api/v1/notifications", Some(token), None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["type"] == "admin.report")
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_members_report_reaches_moderators_stewards_and_other_servers() {
    let app = TestApp::new().await;
    let admin = app.create_user("sec", Role::Admin).await;
    let admin_token = app.token(&admin, "read").await;
    let ada = app.create_user("ada", Role::Member).await;
    let ada_token = app.token(&ada, "read write follow").await;
    let bob = app.create_user("bob", Role::Member).await;
    let bob_token = app.token(&bob, "read write follow").await;
    let steward = app.create_user("stew", Role::Member).await;
    let steward_token = app.token(&steward, "read").await;
    let group = app.create_group("maths", Some(steward.actor.id), false).await;
    let r = app
        .api(
            "POST",
            &format!("/api/v1/accounts/{}/follow", group.id),
            Some(&bob_token),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = app
        .api(
            "POST",
            "/api/v1/statuses",
            Some(&bob_token),
            Some(json!({ "status": "@maths buy my pills" })),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let pills = r.json()["id"].as_str().unwrap().to_owned();
    let r = app
        .api(
            "POST",
            "/api/v1/statuses",
            Some(&ada_token),
            Some(json!({ "status": "ada's own" })),
        )
        .await;
    let adas = r.json()["id"].as_str().unwrap().to_owned();

    // Refused, each with a reason: herself, a post that is not his, a long comment, a category.
    let bad = [
        json!({ "account_id": ada.actor.id.to_string() }),
        json!({ "account_id": bob.actor.id.to_string(), "status_ids": [adas] }),
        json!({ "account_id": bob.actor.id.to_string(), "comment": "x".repeat(1001) }),
        json!({ "account_id": bob.actor.id.to_string(), "category": "boring" }),
    ];
    for body in bad {
        let r = app
            .api("POST", "/api/v1/reports", Some(&ada_token), Some(body.clone()))
            .await;
        assert_eq!(r.status, 422, "{body}: {}", r.text());
        assert!(r.json()["error"].is_string());
    }
    // A form body with `status_ids[]`, as apps send it.
    let r = app
        .form(
            "/api/v1/reports",
            Some(&ada_token),
            &[
                ("account_id", &bob.actor.id.to_string()),
                ("status_ids[]", &pills),
                ("comment", "spam in the maths group"),
                ("category", "spam"),
                ("forward", "true"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let report = r.json();
    assert_eq!(
        (
            &report["category"],
            &report["comment"],
            &report["status_ids"],
            &report["target_account"]["username"]
        ),
        (
            &json!("spam"),
            &json!("spam in the maths group"),
            &json!([pills]),
            &json!("bob")
        ),
        "{report}"
    );
    assert_eq!(report["forwarded"], false, "bob is local: nothing to forward");
    // The secretariat and the group's steward are told; the reported and other members are not.
    for token in [&admin_token, &steward_token] {
        let seen = reports_seen(&app, token).await;
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(seen[0]["report"]["id"], report["id"]);
        assert_eq!(seen[0]["account"]["username"], "ada");
    }
    assert!(reports_seen(&app, &bob_token).await.is_empty());

    // A post by someone on another server, in a group on a third: forwarded to his server from
    // the node's actor (Mastodon's shape), and to the group from Ada (Lemmy's shape).
    let (lemmy_group, group_key) = remote_actor_at(&app, "Group", "https://lemmy.test", "c").await;
    let (lu, _) = remote_actor_at(&app, "Person", "https://lemmy.test", "lu").await;
    follows::insert(&app.state.db, ada.actor.id, lemmy_group.id, None, true)
        .await
        .unwrap();
    let create = json!({ "id": format!("{}/creates/1", lu.ap_id), "type": "Create", "actor": lu.ap_id,
        "to": [lemmy_group.ap_id, PUBLIC],
        "object": { "id": format!("{}/post/1", lu.ap_id), "type": "Page", "attributedTo": lu.ap_id, "name": "Cheap essays",
            "content": "<p>buy essays</p>", "audience": lemmy_group.ap_id, "to": [lemmy_group.ap_id, PUBLIC] } });
    let announce = json!({ "id": format!("{}/announces/1", lemmy_group.ap_id), "type": "Announce",
        "actor": lemmy_group.ap_id, "to": [PUBLIC], "object": create });
    deliver(&app, &group_key, announce).await;
    let post = staffroom::storage::posts::find_by_ap_id(&app.state.db, &format!("{}/post/1", lu.ap_id))
        .await
        .unwrap()
        .expect("the relayed post");
    let r = app
        .api(
            "POST",
            "/api/v1/reports",
            Some(&ada_token),
            Some(json!({ "account_id": lu.id, "status_ids": [post.id.to_string()], "comment": "essay mill", "forward": true })),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["forwarded"], true);
    let to_author = sent_to(&app, &lu.inbox_url).await;
    let flag = to_author
        .iter()
        .find(|a| a["type"] == "Flag")
        .expect("a Flag to his server");
    assert_eq!(
        flag["actor"],
        format!("https://staffroom.test/actor"),
        "from the node, not from Ada"
    );
    assert_eq!(flag["object"], json!([lu.ap_id, post.ap_id]));
    assert_eq!(flag["content"], "essay mill");
    let to_group = sent_to(&app, &lemmy_group.inbox_url).await;
    let flag = to_group
        .iter()
        .find(|a| a["type"] == "Flag")
        .expect("a Flag to the group");
    assert_eq!(
        (&flag["actor"], &flag["object"], &flag["to"], &flag["summary"]),
        (
            &json!(ada.actor.ap_id),
            &json!(post.ap_id),
            &json!([lemmy_group.ap_id]),
            &json!("essay mill")
        )
    );
}

#[tokio::test]
async fn flags_from_other_servers_reach_the_people_who_handle_them() {
    let app = TestApp::new().await;
    let admin = app.create_user("sec", Role::Moderator).await;
    let admin_token = app.token(&admin, "read").await;
    let steward = app.create_user("stew", Role::Member).await;
    let steward_token = app.token(&steward, "read").await;
    let bob = app.create_user("bob", Role::Member).await;
    let bob_token = app.token(&bob, "read write").await;
    let group = app.create_group("maths", Some(steward.actor.id), false).await;
    let r = app
        .api(
            "POST",
            "/api/v1/statuses",
            Some(&bob_token),
            Some(json!({ "status": "bob's rant" })),
        )
        .await;
    let rant = r.json()["uri"].as_str().unwrap().to_owned();

    // Mastodon's shape: the server's actor, the person and a post.
    let (masto, key) = remote_actor_at(&app, "Application", "https://masto.test", "actor").await;
    let flag = json!({ "id": "https://masto.test/flags/1", "type": "Flag", "actor": masto.ap_id,
        "content": "harassment", "object": [bob.actor.ap_id, rant], "to": bob.actor.ap_id });
    deliver(&app, &key, flag.clone()).await;
    deliver(&app, &key, flag).await;
    let seen = reports_seen(&app, &admin_token).await;
    assert_eq!(seen.len(), 1, "once, however often it arrives: {seen:?}");
    assert_eq!(
        (
            &seen[0]["report"]["comment"],
            &seen[0]["report"]["target_account"]["username"],
            &seen[0]["report"]["forwarded"]
        ),
        (&json!("harassment"), &json!("bob"), &json!(true))
    );
    assert_eq!(seen[0]["report"]["status_ids"].as_array().unwrap().len(), 1);
    assert!(reports_seen(&app, &steward_token).await.is_empty(), "not in a group");

    // Lemmy's shape: a person reports a post in our group by someone on a third server.
    let (rick, rick_key) = remote_actor(&app, "rick", "remote.test").await;
    follows::insert(&app.state.db, rick.id, group.id, None, true)
        .await
        .unwrap();
    let note = json!({ "id": "https://remote.test/creates/1", "type": "Create", "actor": rick.ap_id,
        "to": [group.ap_id, PUBLIC],
        "object": { "id": "https://remote.test/notes/1", "type": "Note", "attributedTo": rick.ap_id,
            "content": "<p>off topic</p>", "audience": group.ap_id, "to": [group.ap_id, PUBLIC] } });
    deliver(&app, &rick_key, note).await;
    let (lu, lu_key) = remote_actor(&app, "lu", "lemmy.test").await;
    let flag = json!({ "id": "https://lemmy.test/activities/flag/1", "type": "Flag", "actor": lu.ap_id,
        "object": "https://remote.test/notes/1", "to": [group.ap_id], "audience": group.ap_id, "summary": "off topic" });
    deliver(&app, &lu_key, flag).await;
    let seen = reports_seen(&app, &steward_token).await;
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0]["report"]["target_account"]["username"], "rick");
    assert_eq!(reports_seen(&app, &admin_token).await.len(), 2);

    // A Flag about nobody and nothing of ours is not ours to handle.
    let flag = json!({ "id": "https://lemmy.test/activities/flag/2", "type": "Flag", "actor": lu.ap_id,
        "object": "https://elsewhere.test/notes/9", "summary": "?" });
    deliver(&app, &lu_key, flag).await;
    assert_eq!(reports_seen(&app, &admin_token).await.len(), 2);
}
