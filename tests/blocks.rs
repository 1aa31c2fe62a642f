//! Blocks, mutes and domain blocks, on either engine: what each hides and from whom (feeds,
//! threads, notifications, direct fetches), what ends (follows both ways), what goes on the wire
//! (`Block`, its `Undo`, `Reject` of removed followers), and what a remote `Block` does here.

mod common;

use common::TestApp;
use common::peer::{deliver, remote_actor, sent_to};
use serde_json::{Value, json};
use staffroom::services::accounts::Role;
use staffroom::storage::actors::ActorRow;
use staffroom::storage::follows;

struct Member {
    actor: ActorRow,
    token: String,
}

async fn member(app: &TestApp, name: &str) -> Member {
    let a = app.create_user(name, Role::Member).await;
    Member {
        token: app.token(&a, "read write follow").await,
        actor: a.actor,
    }
}

async fn post(app: &TestApp, who: &Member, text: &str) -> String {
    let r = app
        .api(
            "POST",
            "/api/v1/statuses",
            Some(&who.token),
            Some(json!({ "status": text })),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_owned()
}

async fn call(app: &TestApp, who: &Member, method: &str, uri: &str, body: Option<Value>) -> Value {
    let r = app.api(method, uri, Some(&who.token), body).await;
    assert_eq!(r.status, 200, "{method} {uri}: {}", r.text());
    r.json()
}

fn texts(page: &Value) -> Vec<String> {
    page.as_array()
        .unwrap_or_else(|| panic!("not a list: {page}"))
        .iter()
        .map(|s| {
            let s = if s["reblog"].is_object() { &s["reblog"] } else { s };
            s["content"].as_str().unwrap_or_default().to_owned()
        })
        .collect()
}

fn shows(page: &Value, needle: &str) -> bool {
    texts(page).iter().any(|t| t.contains(needle))
}

async fn notification_kinds(app: &TestApp, who: &Member) -> Vec<String> {
    call(app, who, "GET", "/api/v1/notifications", None)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            format!(
                "{} from {}",
                n["type"].as_str().unwrap(),
                n["account"]["username"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test]
async fn a_block_ends_follows_hides_both_ways_and_refuses_a_new_follow() {
    let app = TestApp::new().await;
    let ada = member(&app, "ada").await;
    let bob = member(&app, "bob").await;
    for (a, b) in [(&ada, &bob), (&bob, &ada)] {
        call(
            &app,
            a,
            "POST",
            &format!("/api/v1/accounts/{}/follow", b.actor.id),
            None,
        )
        .await;
    }
    let from_bob = post(&app, &bob, "@ada hello from bob").await;
    let from_ada = post(&app, &ada, "ada writes to everyone").await;
    assert!(
        notification_kinds(&app, &ada)
            .await
            .contains(&"mention from bob".to_owned())
    );

    let rel = call(
        &app,
        &ada,
        "POST",
        &format!("/api/v1/accounts/{}/block", bob.actor.id),
        None,
    )
    .await;
    assert_eq!(
        (&rel["blocking"], &rel["following"], &rel["followed_by"]),
        (&json!(true), &json!(false), &json!(false)),
        "{rel}"
    );
    let theirs = call(
        &app,
        &bob,
        "GET",
        &format!("/api/v1/accounts/relationships?id[]={}", ada.actor.id),
        None,
    )
    .await;
    assert_eq!(theirs[0]["blocked_by"], true, "{theirs}");
    assert!(
        follows::find(&app.state.db, bob.actor.id, ada.actor.id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        follows::find(&app.state.db, ada.actor.id, bob.actor.id)
            .await
            .unwrap()
            .is_none()
    );
    // Bob's mention no longer notifies her, old or new.
    post(&app, &bob, "@ada are you there?").await;
    assert!(
        notification_kinds(&app, &ada)
            .await
            .iter()
            .all(|k| !k.ends_with("from bob"))
    );
    // Her feeds leave him out.
    for feed in ["/api/v1/timelines/public", "/api/v1/timelines/home"] {
        let page = call(&app, &ada, "GET", feed, None).await;
        assert!(!shows(&page, "bob"), "{feed}: {page}");
    }
    // He cannot read her posts, nor follow her again.
    assert_eq!(
        app.api("GET", &format!("/api/v1/statuses/{from_ada}"), Some(&bob.token), None)
            .await
            .status,
        404
    );
    let public = call(&app, &bob, "GET", "/api/v1/timelines/public", None).await;
    assert!(!shows(&public, "ada writes"), "{public}");
    let r = app
        .api(
            "POST",
            &format!("/api/v1/accounts/{}/follow", ada.actor.id),
            Some(&bob.token),
            None,
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    // She still opens his post when she asks for it, and finds him in her blocks.
    assert_eq!(
        app.api("GET", &format!("/api/v1/statuses/{from_bob}"), Some(&ada.token), None)
            .await
            .status,
        200
    );
    let blocked = call(&app, &ada, "GET", "/api/v1/blocks", None).await;
    assert_eq!(blocked[0]["id"], bob.actor.id.to_string(), "{blocked}");

    let rel = call(
        &app,
        &ada,
        "POST",
        &format!("/api/v1/accounts/{}/unblock", bob.actor.id),
        None,
    )
    .await;
    assert_eq!(rel["blocking"], false);
    assert_eq!(call(&app, &ada, "GET", "/api/v1/blocks", None).await, json!([]));
    let public = call(&app, &bob, "GET", "/api/v1/timelines/public", None).await;
    assert!(shows(&public, "ada writes"), "{public}");
}

#[tokio::test]
async fn blocking_someone_elsewhere_sends_block_and_undo_and_a_received_block_is_kept() {
    let app = TestApp::new().await;
    let ada = member(&app, "ada").await;
    let (rick, key) = remote_actor(&app, "rick", "remote.test").await;
    follows::insert(
        &app.state.db,
        rick.id,
        ada.actor.id,
        Some("https://remote.test/follows/1"),
        true,
    )
    .await
    .unwrap();
    call(&app, &ada, "POST", &format!("/api/v1/accounts/{}/block", rick.id), None).await;
    let sent = sent_to(&app, &rick.inbox_url).await;
    let kinds: Vec<&str> = sent.iter().map(|a| a["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["Reject", "Block"], "{sent:?}");
    assert_eq!(sent[0]["object"]["id"], "https://remote.test/follows/1");
    let block = &sent[1];
    assert_eq!(
        (&block["actor"], &block["object"]),
        (&json!(ada.actor.ap_id), &json!(rick.ap_id))
    );
    call(
        &app,
        &ada,
        "POST",
        &format!("/api/v1/accounts/{}/unblock", rick.id),
        None,
    )
    .await;
    let sent = sent_to(&app, &rick.inbox_url).await;
    let undo = sent.last().unwrap();
    assert_eq!(
        (&undo["type"], &undo["object"]["id"]),
        (&json!("Undo"), &block["id"]),
        "{undo}"
    );

    // Rick blocks her from his server: his follow ends here and she sees she is blocked; his
    // Undo (a new Block id, as Lemmy sends for likes) is matched by actor and object.
    let (mia, mia_key) = remote_actor(&app, "mia", "far.test").await;
    call(&app, &ada, "POST", &format!("/api/v1/accounts/{}/follow", mia.id), None).await;
    follows::set_accepted(&app.state.db, ada.actor.id, mia.id)
        .await
        .unwrap();
    let b =
        json!({ "id": "https://far.test/blocks/1", "type": "Block", "actor": mia.ap_id, "object": ada.actor.ap_id });
    deliver(&app, &mia_key, b.clone()).await;
    assert!(
        follows::find(&app.state.db, ada.actor.id, mia.id)
            .await
            .unwrap()
            .is_none()
    );
    let rel = call(
        &app,
        &ada,
        "GET",
        &format!("/api/v1/accounts/relationships?id[]={}", mia.id),
        None,
    )
    .await;
    assert_eq!(rel[0]["blocked_by"], true, "{rel}");
    let r = app
        .api(
            "POST",
            &format!("/api/v1/accounts/{}/follow", mia.id),
            Some(&ada.token),
            None,
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    let undo = json!({ "id": "https://far.test/undo/1", "type": "Undo", "actor": mia.ap_id,
        "object": { "id": "https://far.test/blocks/other", "type": "Block", "actor": mia.ap_id, "object": ada.actor.ap_id } });
    deliver(&app, &mia_key, undo).await;
    let rel = call(
        &app,
        &ada,
        "GET",
        &format!("/api/v1/accounts/relationships?id[]={}", mia.id),
        None,
    )
    .await;
    assert_eq!(rel[0]["blocked_by"], false, "{rel}");
    // A Block by someone else's key is not theirs to send.
    let forged =
        json!({ "id": "https://remote.test/blocks/9", "type": "Block", "actor": mia.ap_id, "object": ada.actor.ap_id });
    let r = common::peer::post_signed(&app, "/inbox", &forged, Some(&key)).await;
    assert_ne!(r.status, 202, "{}", r.text());
}

#[tokio::test]
async fn a_mute_hides_feeds_and_optionally_notifications_until_it_ends() {
    let app = TestApp::new().await;
    let ada = member(&app, "ada").await;
    let bob = member(&app, "bob").await;
    let cy = member(&app, "cy").await;
    call(
        &app,
        &ada,
        "POST",
        &format!("/api/v1/accounts/{}/follow", bob.actor.id),
        None,
    )
    .await;
    call(
        &app,
        &ada,
        "POST",
        &format!("/api/v1/accounts/{}/follow", cy.actor.id),
        None,
    )
    .await;
    // Bob's posts leave her feeds; his mentions still notify her (notifications: false).
    let rel = call(
        &app,
        &ada,
        "POST",
        &format!("/api/v1/accounts/{}/mute", bob.actor.id),
        Some(json!({ "notifications": false })),
    )
    .await;
    assert_eq!(
        (&rel["muting"], &rel["muting_notifications"]),
        (&json!(true), &json!(false))
    );
    let bobs = post(&app, &bob, "@ada bob again").await;
    for feed in ["/api/v1/timelines/home", "/api/v1/timelines/public"] {
        let page = call(&app, &ada, "GET", feed, None).await;
        assert!(!shows(&page, "bob again"), "{feed}: {page}");
    }
    assert!(
        notification_kinds(&app, &ada)
            .await
            .contains(&"mention from bob".to_owned())
    );
    // His profile still shows them (she opened it), and a thread leaves his reply out.
    let profile = call(
        &app,
        &ada,
        "GET",
        &format!("/api/v1/accounts/{}/statuses", bob.actor.id),
        None,
    )
    .await;
    assert!(shows(&profile, "bob again"), "{profile}");
    let mine = post(&app, &ada, "a question").await;
    let r = app
        .api(
            "POST",
            "/api/v1/statuses",
            Some(&bob.token),
            Some(json!({ "status": "bob's answer", "in_reply_to_id": mine })),
        )
        .await;
    assert_eq!(r.status, 200);
    let ctx = call(&app, &ada, "GET", &format!("/api/v1/statuses/{mine}/context"), None).await;
    assert_eq!(ctx["descendants"], json!([]), "{ctx}");
    let ctx = call(&app, &cy, "GET", &format!("/api/v1/statuses/{mine}/context"), None).await;
    assert_eq!(ctx["descendants"].as_array().unwrap().len(), 1, "{ctx}");

    // Cy muted with notifications, for an hour.
    let rel = call(
        &app,
        &ada,
        "POST",
        &format!("/api/v1/accounts/{}/mute", cy.actor.id),
        Some(json!({ "notifications": "true", "duration": "3600" })),
    )
    .await;
    assert_eq!(rel["muting_notifications"], true, "{rel}");
    post(&app, &cy, "@ada cy here").await;
    assert!(
        !notification_kinds(&app, &ada)
            .await
            .contains(&"mention from cy".to_owned())
    );
    let mutes = call(&app, &ada, "GET", "/api/v1/mutes", None).await;
    let names: Vec<&str> = mutes
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["cy", "bob"], "{mutes}");
    assert!(
        mutes[0]["mute_expires_at"].is_string() && mutes[1]["mute_expires_at"].is_null(),
        "{mutes}"
    );
    // When a mute has ended, everything is back.
    staffroom::storage::blocks::mute(
        &app.state.db,
        ada.actor.id,
        cy.actor.id,
        true,
        Some(staffroom::storage::now() - chrono::Duration::seconds(1)),
    )
    .await
    .unwrap();
    let home = call(&app, &ada, "GET", "/api/v1/timelines/home", None).await;
    assert!(shows(&home, "cy here"), "{home}");
    assert_eq!(
        call(&app, &ada, "GET", "/api/v1/mutes", None)
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Unmuting Bob brings his posts back; a negative duration is refused.
    call(
        &app,
        &ada,
        "POST",
        &format!("/api/v1/accounts/{}/unmute", bob.actor.id),
        None,
    )
    .await;
    let home = call(&app, &ada, "GET", "/api/v1/timelines/home", None).await;
    assert!(shows(&home, "bob again"), "{home}");
    let _ = bobs;
    let r = app
        .api(
            "POST",
            &format!("/api/v1/accounts/{}/mute", bob.actor.id),
            Some(&ada.token),
            Some(json!({ "duration": -5 })),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text());
}

#[tokio::test]
async fn a_domain_block_hides_its_posts_and_removes_its_followers() {
    let app = TestApp::new().await;
    let ada = member(&app, "ada").await;
    let (rick, rick_key) = remote_actor(&app, "rick", "remote.test").await;
    let (zed, _) = remote_actor(&app, "zed", "sub.remote.test").await;
    let (mia, _) = remote_actor(&app, "mia", "far.test").await;
    for f in [&rick, &zed, &mia] {
        follows::insert(&app.state.db, f.id, ada.actor.id, None, true)
            .await
            .unwrap();
    }
    call(
        &app,
        &ada,
        "POST",
        &format!("/api/v1/accounts/{}/follow", rick.id),
        None,
    )
    .await;
    follows::set_accepted(&app.state.db, ada.actor.id, rick.id)
        .await
        .unwrap();
    let note = json!({
        "id": "https://remote.test/create/1", "type": "Create", "actor": rick.ap_id,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": { "id": "https://remote.test/notes/1", "type": "Note", "attributedTo": rick.ap_id,
            "content": "<p>rick from remote</p>", "to": ["https://www.w3.org/ns/activitystreams#Public"] }
    });
    deliver(&app, &rick_key, note).await;
    let home = call(&app, &ada, "GET", "/api/v1/timelines/home", None).await;
    assert!(shows(&home, "rick from remote"), "{home}");

    let r = app
        .form(
            "/api/v1/domain_blocks",
            Some(&ada.token),
            &[("domain", "https://Remote.TEST/")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        call(&app, &ada, "GET", "/api/v1/domain_blocks", None).await,
        json!(["remote.test"])
    );
    let home = call(&app, &ada, "GET", "/api/v1/timelines/home", None).await;
    assert!(!shows(&home, "rick from remote"), "{home}");
    // Followers there and on its subdomains are removed (each told with a Reject); others stay.
    for (who, gone) in [(&rick, true), (&zed, true), (&mia, false)] {
        let f = follows::find(&app.state.db, who.id, ada.actor.id).await.unwrap();
        assert_eq!(f.is_none(), gone, "{}", who.ap_id);
        let sent = sent_to(&app, &who.inbox_url).await;
        assert_eq!(sent.iter().any(|a| a["type"] == "Reject"), gone, "{sent:?}");
    }
    let rel = call(
        &app,
        &ada,
        "GET",
        &format!("/api/v1/accounts/relationships?id[]={}", zed.id),
        None,
    )
    .await;
    assert_eq!(rel[0]["domain_blocking"], true, "{rel}");
    // Nonsense and our own domain are refused; unblocking brings the posts back.
    for bad in ["not a domain", "staffroom.test"] {
        let r = app
            .form("/api/v1/domain_blocks", Some(&ada.token), &[("domain", bad)])
            .await;
        assert_eq!(r.status, 422, "{bad}: {}", r.text());
    }
    let r = app
        .api(
            "DELETE",
            "/api/v1/domain_blocks?domain=remote.test",
            Some(&ada.token),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let home = call(&app, &ada, "GET", "/api/v1/timelines/home", None).await;
    assert!(shows(&home, "rick from remote"), "{home}");
}

/// "Remove follower": their follow ends (a remote follower's server gets a Reject); they may
/// follow again.
#[tokio::test]
async fn a_member_removes_a_follower() {
    let app = TestApp::new().await;
    let ada = member(&app, "ada").await;
    let bob = member(&app, "bob").await;
    call(
        &app,
        &bob,
        "POST",
        &format!("/api/v1/accounts/{}/follow", ada.actor.id),
        None,
    )
    .await;
    let (rick, _) = remote_actor(&app, "rick", "remote.test").await;
    follows::insert(
        &app.state.db,
        rick.id,
        ada.actor.id,
        Some("https://remote.test/follows/7"),
        true,
    )
    .await
    .unwrap();
    for who in [bob.actor.id, rick.id] {
        let rel = call(
            &app,
            &ada,
            "POST",
            &format!("/api/v1/accounts/{who}/remove_from_followers"),
            None,
        )
        .await;
        assert_eq!(rel["followed_by"], false, "{rel}");
        assert!(follows::find(&app.state.db, who, ada.actor.id).await.unwrap().is_none());
    }
    let sent = sent_to(&app, &rick.inbox_url).await;
    assert_eq!(
        (&sent[0]["type"], &sent[0]["object"]["id"]),
        (&json!("Reject"), &json!("https://remote.test/follows/7"))
    );
    // Bob may follow again.
    let rel = call(
        &app,
        &bob,
        "POST",
        &format!("/api/v1/accounts/{}/follow", ada.actor.id),
        None,
    )
    .await;
    assert_eq!(rel["following"], true);
}
