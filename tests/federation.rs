//! The inbox and the group rules in process: signatures, policy, deduplication, processing,
//! and members-only privacy, on a fresh database of either engine.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::TestApp;
use common::peer::{deliver, post_signed, remote_actor, remote_actor_at, sent_to, signed_get};
use insta::assert_json_snapshot;
use serde_json::{Value, json};
use staffroom::federation::signatures::{SigningKey, sign_request};
use staffroom::services::accounts::Role;
use staffroom::services::groups;
use staffroom::storage::actors::{self, ActorRow};
use staffroom::storage::{deliveries, follows, inbox as inbox_store, posts};

const AP: &str = "application/activity+json";

async fn make_group(app: &TestApp, name: &str, members_only: bool) -> ActorRow {
    let owner = app.create_user(&format!("{name}_owner"), Role::Member).await;
    app.create_group(name, Some(owner.actor.id), members_only).await
}

#[tokio::test]
async fn the_default_groups_exist_and_are_discoverable() {
    let app = TestApp::new().await;
    let r = app
        .get("/.well-known/webfinger?resource=acct:reception@staffroom.test")
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json()["properties"]["https://www.w3.org/ns/activitystreams#type"],
        "Group"
    );
    assert_eq!(r.json()["links"][1]["href"], "https://staffroom.test/groups/reception");
    let g = app.get_accept("/groups/reception", AP).await.json();
    assert_json_snapshot!("reception_group", g, { ".publicKey.publicKeyPem" => "[pem]", ".assertionMethod[].publicKeyMultibase" => "[multibase]", ".published" => "[time]" });
    assert_eq!(
        app.get_accept("/groups/coffeeshop", AP).await.json()["postingRestrictedToMods"],
        false
    );
    let mods = app.get_accept("/groups/reception/moderators", AP).await.json();
    assert_eq!(mods["type"], "OrderedCollection");
    assert_eq!(
        app.get_accept("/groups/reception/featured", AP).await.json()["totalItems"],
        0
    );
    assert!(
        app.get_accept("/@coffeeshop", "text/html")
            .await
            .text()
            .contains("Coffee shop")
    );
}

#[tokio::test]
async fn inbox_refuses_unsigned_malformed_and_foreign_activities() {
    let app = TestApp::with_config(|c| c.federation.blocked_domains = vec!["blocked.example".into()]).await;
    let (_, key) = remote_actor(&app, "rita", "remote.example").await;
    let follow = json!({ "id": "https://remote.example/f/1", "type": "Follow", "actor": "https://remote.example/users/rita", "object": "https://staffroom.test/groups/coffeeshop" });

    assert_eq!(post_signed(&app, "/inbox", &follow, None).await.status, 401, "unsigned");
    let r = app
        .request(
            Request::post("/inbox")
                .header("content-type", AP)
                .body(Body::from("{not json"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.json()["error"].is_string());
    let mut no_actor = follow.clone();
    no_actor.as_object_mut().unwrap().remove("actor");
    assert_eq!(post_signed(&app, "/inbox", &no_actor, Some(&key)).await.status, 400);
    let mut spoofed = follow.clone();
    spoofed["id"] = json!("https://elsewhere.example/f/1");
    assert_eq!(
        post_signed(&app, "/inbox", &spoofed, Some(&key)).await.status,
        400,
        "id on another host than the actor"
    );
    let mut blocked = follow.clone();
    blocked["actor"] = json!("https://blocked.example/users/x");
    blocked["id"] = json!("https://blocked.example/f/1");
    assert_eq!(
        post_signed(&app, "/inbox", &blocked, Some(&key)).await.status,
        403,
        "blocked domain"
    );

    // Signed by someone else's key: the signature is not the actor's.
    let (_, other_key) = remote_actor(&app, "mallory", "remote.example").await;
    assert_eq!(post_signed(&app, "/inbox", &follow, Some(&other_key)).await.status, 401);
    // A tampered body fails the digest.
    let body = serde_json::to_vec(&follow).unwrap();
    let url = url::Url::parse("https://staffroom.test/inbox").unwrap();
    let mut req = Request::post("/inbox").header("content-type", AP);
    for (k, v) in sign_request("POST", &url, Some(&body), &key).unwrap() {
        req = req.header(k, v);
    }
    let r = app
        .request(req.body(Body::from(b"{\"id\":\"x\"}".to_vec())).unwrap())
        .await;
    assert_eq!(r.status, 400, "not an activity any more");

    assert_eq!(
        inbox_store::counts(&app.state.db).await.unwrap(),
        (0, 0, 0),
        "nothing stored"
    );
}

#[tokio::test]
async fn a_follow_is_stored_once_processed_and_answered() {
    let app = TestApp::new().await;
    let (rita, key) = remote_actor(&app, "rita", "remote.example").await;
    let group = make_group(&app, "maths", false).await;
    let follow =
        json!({ "id": "https://remote.example/f/1", "type": "Follow", "actor": rita.ap_id, "object": group.ap_id });
    assert_eq!(
        post_signed(&app, "/groups/maths/inbox", &follow, Some(&key))
            .await
            .status,
        202
    );
    assert_eq!(
        post_signed(&app, "/inbox", &follow, Some(&key)).await.status,
        202,
        "redelivery is acknowledged"
    );
    assert_eq!(
        inbox_store::counts(&app.state.db).await.unwrap(),
        (1, 0, 0),
        "and stored once"
    );

    assert_eq!(staffroom::services::inbound::run_once(&app.state).await.unwrap(), 1);
    assert_eq!(inbox_store::counts(&app.state.db).await.unwrap(), (0, 1, 0));
    assert!(
        follows::is_member(&app.state.db, rita.id, group.id).await.unwrap(),
        "a public group accepts at once"
    );
    assert_eq!(
        deliveries::counts(&app.state.db).await.unwrap(),
        (1, 0, 0),
        "an Accept is queued for rita"
    );
    let payload: String = staffroom::with_db!(&app.state.db, p => sqlx::query_scalar("SELECT payload FROM outgoing_activities").fetch_one(p).await.unwrap());
    let accept: Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(accept["type"], "Accept");
    assert_eq!(accept["object"]["id"], "https://remote.example/f/1");
    let inbox: String = staffroom::with_db!(&app.state.db, p => sqlx::query_scalar("SELECT inbox_url FROM deliveries").fetch_one(p).await.unwrap());
    assert_eq!(
        inbox, "https://remote.example/users/rita/inbox",
        "answers go to the personal inbox"
    );

    // A Create addressed to the group from its new member is accepted and announced.
    let note = json!({
        "id": "https://remote.example/notes/1", "type": "Note", "attributedTo": rita.ap_id,
        "content": "<p>Hello <script>x</script>maths</p>", "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [group.ap_id], "published": "2026-11-20T10:00:00Z"
    });
    let create =
        json!({ "id": "https://remote.example/notes/1/create", "type": "Create", "actor": rita.ap_id, "object": note });
    assert_eq!(post_signed(&app, "/inbox", &create, Some(&key)).await.status, 202);
    staffroom::services::inbound::run_once(&app.state).await.unwrap();
    let stored = posts::find_by_ap_id(&app.state.db, "https://remote.example/notes/1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.group_id, Some(group.id));
    assert_eq!(stored.content_html, "<p>Hello maths</p>", "sanitised");
    assert_eq!(stored.visibility, staffroom::model::Visibility::Public);
    // Announced to the members, but not back to rita's own server, which has it.
    assert_eq!(deliveries::counts(&app.state.db).await.unwrap().0, 1);

    // An Undo of the Follow ends the membership.
    let undo = json!({ "id": "https://remote.example/u/1", "type": "Undo", "actor": rita.ap_id, "object": follow });
    assert_eq!(post_signed(&app, "/inbox", &undo, Some(&key)).await.status, 202);
    staffroom::services::inbound::run_once(&app.state).await.unwrap();
    assert!(!follows::is_member(&app.state.db, rita.id, group.id).await.unwrap());
}

#[tokio::test]
async fn members_only_groups_wait_for_a_steward_and_hide_their_posts() {
    let app = TestApp::new().await;
    let (rita, key) = remote_actor(&app, "rita", "remote.example").await;
    let group = make_group(&app, "staff", true).await;
    let g = app.get_accept("/groups/staff", AP).await.json();
    assert_eq!(g["manuallyApprovesFollowers"], true);
    assert_eq!(g["discoverable"], false);

    let follow =
        json!({ "id": "https://remote.example/f/2", "type": "Follow", "actor": rita.ap_id, "object": group.ap_id });
    post_signed(&app, "/inbox", &follow, Some(&key)).await;
    staffroom::services::inbound::run_once(&app.state).await.unwrap();
    assert!(
        !follows::is_member(&app.state.db, rita.id, group.id).await.unwrap(),
        "pending"
    );
    assert_eq!(
        deliveries::counts(&app.state.db).await.unwrap(),
        (0, 0, 0),
        "no answer yet"
    );

    // A non-member's post into the group is refused.
    let note = json!({ "id": "https://remote.example/notes/2", "type": "Note", "attributedTo": rita.ap_id, "content": "hi", "to": [group.ap_id] });
    post_signed(
        &app,
        "/inbox",
        &json!({ "id": "https://remote.example/c/2", "type": "Create", "actor": rita.ap_id, "object": note }),
        Some(&key),
    )
    .await;
    staffroom::services::inbound::run_once(&app.state).await.unwrap();
    assert!(
        posts::find_by_ap_id(&app.state.db, "https://remote.example/notes/2")
            .await
            .unwrap()
            .is_none()
    );

    let owner = actors::find_local(&app.state.db, "staff_owner").await.unwrap().unwrap();
    let post = staffroom::services::posts::create(
        &app.state,
        &owner,
        staffroom::services::posts::NewPost {
            title: None,
            text: "Members only".into(),
            group: Some(group.clone()),
            in_reply_to: None,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(post.visibility, staffroom::model::Visibility::Members);
    let path = format!("/posts/{}", post.id);
    assert_eq!(app.get_accept(&path, AP).await.status, 404, "unsigned");
    assert_eq!(app.get_accept("/groups/staff/followers", AP).await.status, 404);
    assert_eq!(app.get_accept("/groups/staff/outbox", AP).await.status, 404);

    assert_eq!(
        app.request(signed_get(path.clone(), &key)).await.status,
        404,
        "signed by a pending member"
    );
    groups::moderate(&app.state, &group, &rita, Some(&owner), groups::Moderation::Approve, "")
        .await
        .unwrap();
    let r = app.request(signed_get(path.clone(), &key)).await;
    assert_eq!(r.status, 200, "signed by a member");
    let note = r.json();
    assert_eq!(note["to"], json!([group.ap_id, group.followers_url]));
    assert!(!note.to_string().contains("#Public"));
    groups::moderate(&app.state, &group, &rita, Some(&owner), groups::Moderation::Remove, "")
        .await
        .unwrap();
    assert_eq!(app.request(signed_get(path, &key)).await.status, 404, "removed at once");
    let log = staffroom::storage::groups::log_entries(&app.state.db, group.id, 10)
        .await
        .unwrap();
    assert_eq!(
        log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        vec!["remove", "approve"]
    );
}

#[tokio::test]
async fn delivery_signs_retries_and_gives_up() {
    use std::sync::{Arc, Mutex};
    // A stub inbox on loopback: answers 503 first, then 202, and keeps what it received.
    let seen: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let answers = Arc::new(Mutex::new(vec![503u16, 202]));
    let stub = {
        let (seen, answers) = (seen.clone(), answers.clone());
        axum::Router::new().route(
            "/inbox",
            axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
                let (seen, answers) = (seen.clone(), answers.clone());
                async move {
                    seen.lock()
                        .unwrap()
                        .push((headers["signature"].to_str().unwrap().to_owned(), body));
                    let code = answers.lock().unwrap().remove(0);
                    axum::http::StatusCode::from_u16(code).unwrap()
                }
            }),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, stub).await.unwrap() });

    let app = TestApp::with_config(|c| {
        c.allow_private_addresses = true;
        c.delivery.retry_base_seconds = 1;
    })
    .await;
    let ada = app.create_user("ada", Role::Member).await;
    let inbox = format!("http://localhost:{port}/inbox");
    let activity = json!({ "id": "https://staffroom.test/activities/1", "type": "Follow", "actor": ada.actor.ap_id, "object": "x" });
    let mut tx = app.state.db.begin().await.unwrap();
    staffroom::federation::delivery::queue(
        &mut tx,
        &ada.actor,
        &activity,
        &[(inbox.clone(), format!("localhost:{port}"))],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let hosts = staffroom::federation::delivery::HostLimits::default();
    assert_eq!(
        staffroom::federation::delivery::run_once(&app.state, &hosts)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        deliveries::counts(&app.state.db).await.unwrap(),
        (1, 0, 0),
        "503: retry later"
    );
    assert_eq!(
        staffroom::federation::delivery::run_once(&app.state, &hosts)
            .await
            .unwrap(),
        0,
        "not due yet"
    );
    tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
    assert_eq!(
        staffroom::federation::delivery::run_once(&app.state, &hosts)
            .await
            .unwrap(),
        1
    );
    assert_eq!(deliveries::counts(&app.state.db).await.unwrap(), (0, 1, 0), "delivered");
    assert_eq!(
        staffroom::federation::delivery::run_once(&app.state, &hosts)
            .await
            .unwrap(),
        0,
        "and never sent again"
    );
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert!(
        seen[1]
            .0
            .contains("keyId=\"https://staffroom.test/users/ada#main-key\"")
    );
    assert!(seen[1].0.contains("headers=\"(request-target) host date digest\""));
    // What was queued arrives as it was, with ada's integrity proof (FEP-8b32).
    let mut received = serde_json::from_str::<Value>(&seen[1].1).unwrap();
    let proof = received.as_object_mut().unwrap().remove("proof").expect("a proof");
    assert_eq!(
        (&proof["cryptosuite"], &proof["verificationMethod"]),
        (
            &json!("eddsa-jcs-2022"),
            &json!("https://staffroom.test/users/ada#ed25519-key")
        )
    );
    assert_eq!(received, activity);

    // A private address is refused when the node does not allow them: final, nothing sent.
    let strict = TestApp::new().await;
    let bob = strict.create_user("bob", Role::Member).await;
    let mut tx = strict.state.db.begin().await.unwrap();
    staffroom::federation::delivery::queue(&mut tx, &bob.actor, &activity, &[(inbox, format!("localhost:{port}"))])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    staffroom::federation::delivery::run_once(&strict.state, &hosts)
        .await
        .unwrap();
    assert_eq!(deliveries::counts(&strict.state.db).await.unwrap(), (0, 0, 1));
}

#[test]
fn backoff_grows_with_jitter_and_a_ceiling() {
    use staffroom::federation::delivery::{MAX_BACKOFF, backoff};
    use std::time::Duration;
    let base = Duration::from_secs(30);
    for attempt in 1..=3u32 {
        let d = backoff(base, attempt).as_secs_f64();
        let nominal = 30.0 * 2f64.powi(attempt as i32 - 1);
        assert!(d >= nominal * 0.79 && d <= nominal * 1.21, "attempt {attempt}: {d}");
    }
    assert!(backoff(base, 40) <= MAX_BACKOFF.mul_f64(1.21));
}

#[tokio::test]
async fn the_owner_appoints_stewards_who_then_moderate() {
    let app = TestApp::new().await;
    let group = make_group(&app, "art", true).await;
    let owner = actors::find_local(&app.state.db, "art_owner").await.unwrap().unwrap();
    let steward = app.create_user("sam", Role::Member).await.actor;
    let member = app.create_user("mia", Role::Member).await.actor;
    staffroom::services::social::follow(&app.state, &member, &group)
        .await
        .unwrap();

    let e = groups::moderate(
        &app.state,
        &group,
        &member,
        Some(&steward),
        groups::Moderation::Approve,
        "",
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("not a steward"), "{e}");
    let e = groups::set_steward(&app.state, &group, &member, Some(&steward), true)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("only the owner"), "{e}");

    groups::set_steward(&app.state, &group, &steward, Some(&owner), true)
        .await
        .unwrap();
    let mods = app.get_accept("/groups/art/moderators", AP).await.json();
    assert_eq!(mods["orderedItems"], json!([owner.ap_id, steward.ap_id]));
    groups::moderate(
        &app.state,
        &group,
        &member,
        Some(&steward),
        groups::Moderation::Approve,
        "welcome",
    )
    .await
    .unwrap();
    assert!(follows::is_member(&app.state.db, member.id, group.id).await.unwrap());

    groups::set_steward(&app.state, &group, &steward, Some(&owner), false)
        .await
        .unwrap();
    let e = groups::moderate(
        &app.state,
        &group,
        &member,
        Some(&steward),
        groups::Moderation::Remove,
        "",
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("not a steward"), "{e}");
    let log = staffroom::storage::groups::log_entries(&app.state.db, group.id, 10)
        .await
        .unwrap();
    assert_eq!(
        log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        vec!["remove_steward", "approve", "add_steward"]
    );
}

#[tokio::test]
async fn event_rsvps_invitations_attendees_and_deletions_from_other_servers() {
    use staffroom::services::events::{self as ev, NewEvent};
    use staffroom::storage::events;
    let app = TestApp::new().await;
    let owner = app.create_user("olga", Role::Member).await;
    let group = app.create_group("fair", Some(owner.actor.id), false).await;
    let (fran, fran_key) = remote_actor(&app, "fran", "friendica.example").await;
    let (rita, rita_key) = remote_actor(&app, "rita", "remote.example").await;
    let (sam, sam_key) = remote_actor(&app, "sam", "remote.example").await;
    let new = |title: &str, join_mode: &str| NewEvent {
        title: title.into(),
        starts: Some("2027-05-04T10:00:00".parse().unwrap()),
        timezone: "Europe/Rome".into(),
        join_mode: join_mode.into(),
        attendees_visibility: "participants".into(),
        ..NewEvent::default()
    };
    let fair = ev::create(&app.state, &owner.actor, Some(&group), new("Fair", "free"))
        .await
        .unwrap();
    let jury = ev::create(&app.state, &owner.actor, Some(&group), new("Jury", "invite"))
        .await
        .unwrap();
    let standing = |who: i64, e: i64| {
        let app = &app;
        async move {
            events::participation(&app.state.db, e, who)
                .await
                .unwrap()
                .map(|p| p.state)
        }
    };

    // Friendica answers the event itself: Accept is going (and answered), TentativeAccept maybe,
    // Reject not going.
    deliver(
        &app,
        &fran_key,
        json!({ "id": "https://friendica.example/a/1", "type": "Accept", "actor": fran.ap_id, "object": fair.ap_id }),
    )
    .await;
    assert_eq!(standing(fran.id, fair.id).await.as_deref(), Some("going"));
    let answers = sent_to(&app, &fran.inbox_url).await;
    assert_eq!(
        (answers[0]["type"].as_str(), answers[0]["actor"].as_str()),
        (Some("Accept"), Some(group.ap_id.as_str()))
    );
    deliver(&app, &rita_key, json!({ "id": "https://remote.example/m/1", "type": "TentativeAccept", "actor": rita.ap_id, "object": fair.ap_id })).await;
    assert_eq!(standing(rita.id, fair.id).await.as_deref(), Some("interested"));
    assert_eq!(
        events::count(&app.state.db, fair.id, "going").await.unwrap(),
        1,
        "maybe takes no place"
    );

    // Attendees: participants only. Fran (going) sees the list; Sam, not taking part, the count.
    let path = format!("/events/{}/attendees", fair.id);
    let seen = app.request(signed_get(path.clone(), &fran_key)).await.json();
    assert_eq!(seen["orderedItems"], json!([fran.ap_id]));
    let counted = app.request(signed_get(path.clone(), &sam_key)).await.json();
    assert_eq!((&counted["totalItems"], counted.get("orderedItems")), (&json!(1), None));
    deliver(
        &app,
        &fran_key,
        json!({ "id": "https://friendica.example/r/1", "type": "Reject", "actor": fran.ap_id, "object": fair.ap_id }),
    )
    .await;
    assert_eq!(standing(fran.id, fair.id).await, None);

    // Invitation only: Sam's Join is refused until the organisers invite him; then it is accepted,
    // and the Invite itself went to his inbox in Mobilizon's shape.
    deliver(
        &app,
        &sam_key,
        json!({ "id": "https://remote.example/j/1", "type": "Join", "actor": sam.ap_id, "object": jury.ap_id }),
    )
    .await;
    assert_eq!(standing(sam.id, jury.id).await, None);
    assert_eq!(sent_to(&app, &sam.inbox_url).await.last().unwrap()["type"], "Reject");
    assert!(ev::invite(&app.state, &jury, &owner.actor, &sam).await.unwrap());
    assert!(
        !ev::invite(&app.state, &jury, &owner.actor, &sam).await.unwrap(),
        "once"
    );
    let invite = sent_to(&app, &sam.inbox_url).await.last().unwrap().clone();
    assert_eq!(
        (&invite["type"], &invite["object"], &invite["target"]),
        (&json!("Invite"), &json!(jury.ap_id), &json!(sam.ap_id))
    );
    deliver(
        &app,
        &sam_key,
        json!({ "id": "https://remote.example/a/2", "type": "Accept", "actor": sam.ap_id, "object": invite }),
    )
    .await;
    assert_eq!(
        standing(sam.id, jury.id).await.as_deref(),
        Some("going"),
        "accepting the invitation joins"
    );
    // Someone else cannot answer Sam's invitation for him.
    let mut forged = invite.clone();
    forged["target"] = json!(rita.ap_id);
    deliver(
        &app,
        &sam_key,
        json!({ "id": "https://remote.example/a/3", "type": "Accept", "actor": sam.ap_id, "object": forged }),
    )
    .await;
    assert_eq!(standing(rita.id, jury.id).await, None);
    // Rita, invited too, accepts by naming our Invite's id alone (and Sam cannot answer for her).
    assert!(ev::invite(&app.state, &jury, &owner.actor, &rita).await.unwrap());
    let rita_invite = sent_to(&app, &rita.inbox_url).await.last().unwrap()["id"].clone();
    deliver(
        &app,
        &sam_key,
        json!({ "id": "https://remote.example/a/4", "type": "Accept", "actor": sam.ap_id, "object": rita_invite }),
    )
    .await;
    assert_eq!(standing(rita.id, jury.id).await, None);
    deliver(
        &app,
        &rita_key,
        json!({ "id": "https://remote.example/a/5", "type": "Accept", "actor": rita.ap_id, "object": rita_invite }),
    )
    .await;
    assert_eq!(standing(rita.id, jury.id).await.as_deref(), Some("going"));

    // A remote organiser's event, an invitation to a member here, and its deletion.
    let remote_event = json!({
        "id": "https://remote.example/events/9", "type": "Event", "name": "Hackathon", "attributedTo": rita.ap_id,
        "startTime": "2027-06-01T08:00:00Z", "endTime": "2027-06-01T16:00:00Z", "timezone": "Europe/Berlin",
        "to": ["https://www.w3.org/ns/activitystreams#Public"], "tag": [{ "type": "Hashtag", "name": "#Code" }],
    });
    // Nobody here follows Sam: his event is not kept. Rita, followed by Olga, is.
    let mut unsolicited = remote_event.clone();
    unsolicited["id"] = json!("https://remote.example/events/10");
    unsolicited["attributedTo"] = json!(sam.ap_id);
    deliver(
        &app,
        &sam_key,
        json!({ "id": "https://remote.example/events/10/create", "type": "Create", "actor": sam.ap_id, "object": unsolicited }),
    )
    .await;
    assert!(
        events::find_by_ap_id(&app.state.db, "https://remote.example/events/10")
            .await
            .unwrap()
            .is_none()
    );
    follows::insert(&app.state.db, owner.actor.id, rita.id, None, true)
        .await
        .unwrap();
    deliver(&app, &rita_key, json!({ "id": "https://remote.example/events/9/create", "type": "Create", "actor": rita.ap_id, "object": remote_event })).await;
    let hack = events::find_by_ap_id(&app.state.db, "https://remote.example/events/9")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(hack.tags, "code");
    deliver(
        &app,
        &rita_key,
        json!({ "id": "https://remote.example/i/1", "type": "Invite", "actor": rita.ap_id,
        "object": hack.ap_id, "target": owner.actor.ap_id }),
    )
    .await;
    assert!(
        events::invitation(&app.state.db, hack.id, owner.actor.id)
            .await
            .unwrap()
            .is_some()
    );
    let token = app.token(&owner, "read").await;
    let notes = app.api("GET", "/api/v1/notifications", Some(&token), None).await.json();
    assert_eq!(
        (&notes[0]["type"], &notes[0]["status"]["uri"]),
        (&json!("mention"), &json!(hack.ap_id))
    );
    // Only its organiser deletes it.
    let delete = |actor: &ActorRow, id: &str| {
        json!({ "id": id, "type": "Delete", "actor": actor.ap_id,
        "object": { "id": "https://remote.example/events/9", "type": "Tombstone" } })
    };
    assert_eq!(
        post_signed(
            &app,
            "/inbox",
            &delete(&sam, "https://remote.example/d/1"),
            Some(&sam_key)
        )
        .await
        .status,
        202
    );
    staffroom::services::inbound::run_once(&app.state).await.unwrap();
    assert!(
        events::find(&app.state.db, hack.id).await.unwrap().is_some(),
        "not Sam's to delete"
    );
    deliver(&app, &rita_key, delete(&rita, "https://remote.example/d/2")).await;
    assert!(events::find(&app.state.db, hack.id).await.unwrap().is_none());
    assert!(
        events::invitation(&app.state.db, hack.id, owner.actor.id)
            .await
            .unwrap()
            .is_none()
    );

    // Our own deletion reaches the participants' servers as a Tombstone.
    ev::delete(&app.state, &jury, &owner.actor).await.unwrap();
    let gone = sent_to(&app, sam.shared_inbox_url.as_deref().unwrap())
        .await
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (&gone["type"], &gone["object"]["id"], &gone["object"]["formerType"]),
        (&json!("Delete"), &json!(jury.ap_id), &json!("Event"))
    );
}

/// A post by a local member, optionally into a local group.
async fn local_post(
    app: &TestApp,
    author: &ActorRow,
    group: Option<&ActorRow>,
    text: &str,
) -> staffroom::storage::posts::PostRow {
    staffroom::services::posts::create(
        &app.state,
        author,
        staffroom::services::posts::NewPost {
            title: None,
            text: text.into(),
            group: group.cloned(),
            in_reply_to: None,
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

/// Serves `/notes/1` (the genuine note of `zoe`) and 404 for anything else, on loopback.
async fn origin_server(content: &'static str) -> String {
    use axum::routing::get;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    let b = base.clone();
    let router = axum::Router::new().route(
        "/notes/1",
        get(move || async move {
            axum::Json(json!({
                "id": format!("{b}/notes/1"), "type": "Note", "attributedTo": format!("{b}/users/zoe"),
                "content": content, "to": ["https://www.w3.org/ns/activitystreams#Public", "https://evil.example/users/relay"]
            }))
        }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    base
}

#[tokio::test]
async fn a_group_relays_only_what_concerns_it_and_what_its_origin_confirms() {
    let app = TestApp::with_config(|c| c.allow_private_addresses = true).await;
    let origin = origin_server("genuine words").await;
    let admin = app.create_user("office", Role::Admin).await.actor;
    let mia = app.create_user("mia", Role::Member).await.actor;
    let maths = make_group(&app, "maths", false).await;
    let steward = actors::find_local(&app.state.db, "maths_owner").await.unwrap().unwrap();
    let staff = make_group(&app, "staff", true).await;
    follows::insert(&app.state.db, mia.id, maths.id, None, true)
        .await
        .unwrap();
    // A throwaway Group actor that one of our members joined, and a person on another host.
    let (relay, key) = remote_actor_at(&app, "Group", "https://evil.example", "relay").await;
    follows::insert(&app.state.db, mia.id, relay.id, None, true)
        .await
        .unwrap();
    let (pete, _) = remote_actor_at(&app, "Person", "https://evil.example", "pete").await;
    follows::insert(&app.state.db, pete.id, staff.id, None, false)
        .await
        .unwrap();
    let (zoe, _) = remote_actor_at(&app, "Person", &origin, "zoe").await;

    let admins_post = local_post(&app, &admin, None, "Welcome to the node").await;
    let mias_post = local_post(&app, &mia, Some(&maths), "Fractions with pizza").await;
    let announce = |n: u32, inner: Value| {
        json!({ "id": format!("https://evil.example/announces/{n}"), "type": "Announce", "actor": relay.ap_id,
                "to": [relay.followers_url], "object": inner })
    };
    let to = json!([relay.ap_id]);
    let forgeries = [
        json!({ "id": format!("{}#u", admin.ap_id), "type": "Update", "actor": admin.ap_id, "to": to,
                "object": { "id": admins_post.ap_id, "type": "Note", "attributedTo": admin.ap_id,
                            "content": "FORGED: the secretariat says send your password", "audience": relay.ap_id } }),
        json!({ "id": format!("{}#a", staff.ap_id), "type": "Accept", "actor": staff.ap_id, "to": to,
                "object": { "id": "https://evil.example/f/1", "type": "Follow", "actor": pete.ap_id, "object": staff.ap_id } }),
        json!({ "id": format!("{}#d", mia.ap_id), "type": "Delete", "actor": mia.ap_id, "to": to, "object": mias_post.ap_id }),
        json!({ "id": format!("{}#c", mia.ap_id), "type": "Create", "actor": mia.ap_id, "to": to,
                "object": { "id": format!("{}/forged", mia.ap_id), "type": "Note", "attributedTo": mia.ap_id, "content": "FORGED", "to": to } }),
        json!({ "id": format!("{}#b", maths.ap_id), "type": "Block", "actor": maths.ap_id, "to": to, "object": mia.ap_id }),
        json!({ "id": format!("{}#s", steward.ap_id), "type": "Delete", "actor": steward.ap_id, "to": to, "object": mias_post.ap_id }),
        json!({ "id": format!("{}#l", admin.ap_id), "type": "Like", "actor": admin.ap_id, "to": to, "object": mias_post.ap_id }),
        // From another host, and its origin does not serve it.
        json!({ "id": format!("{origin}/creates/2"), "type": "Create", "actor": zoe.ap_id, "to": to,
                "object": { "id": format!("{origin}/notes/2"), "type": "Note", "attributedTo": zoe.ap_id, "content": "FORGED", "to": to } }),
        // From another host, whose origin serves other words than the relayed copy: the origin's count.
        json!({ "id": format!("{origin}/creates/1"), "type": "Create", "actor": zoe.ap_id, "to": to,
                "object": { "id": format!("{origin}/notes/1"), "type": "Note", "attributedTo": zoe.ap_id, "content": "FORGED", "to": to } }),
        // Not about the relaying group at all.
        json!({ "id": "https://evil.example/creates/3", "type": "Create", "actor": pete.ap_id, "to": [maths.ap_id],
                "object": { "id": "https://evil.example/notes/3", "type": "Note", "attributedTo": pete.ap_id, "content": "FORGED", "to": [maths.ap_id] } }),
    ];
    for (n, inner) in forgeries.into_iter().enumerate() {
        deliver(&app, &key, announce(n as u32, inner)).await;
    }

    let db = &app.state.db;
    let p = posts::find_by_ap_id(db, &admins_post.ap_id).await.unwrap().unwrap();
    assert_eq!(
        p.content_html, admins_post.content_html,
        "the admin's post is untouched"
    );
    assert!(p.updated_at.is_none());
    assert!(
        !follows::is_member(db, pete.id, staff.id).await.unwrap(),
        "the pending member stays pending"
    );
    let p = posts::find_by_ap_id(db, &mias_post.ap_id).await.unwrap().unwrap();
    assert!(p.deleted_at.is_none(), "neither the member nor the steward deleted it");
    assert!(
        posts::find_by_ap_id(db, &format!("{}/forged", mia.ap_id))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        follows::is_member(db, mia.id, maths.id).await.unwrap(),
        "not kicked out"
    );
    assert_eq!(
        posts::reaction_count(db, p.id, "like").await.unwrap(),
        0,
        "no like as the admin"
    );
    assert!(
        posts::find_by_ap_id(db, &format!("{origin}/notes/2"))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        posts::find_by_ap_id(db, "https://evil.example/notes/3")
            .await
            .unwrap()
            .is_none()
    );
    let confirmed = posts::find_by_ap_id(db, &format!("{origin}/notes/1"))
        .await
        .unwrap()
        .unwrap();
    assert!(
        confirmed.content_html.contains("genuine words"),
        "{}",
        confirmed.content_html
    );
    assert_eq!(confirmed.group_id, Some(relay.id));

    // The group's own members (same host) are relayed as sent.
    let own = json!({ "id": "https://evil.example/creates/4", "type": "Create", "actor": pete.ap_id, "to": to,
        "object": { "id": "https://evil.example/notes/4", "type": "Note", "attributedTo": pete.ap_id,
                    "content": "Hello from the group's host", "to": to, "audience": relay.ap_id } });
    deliver(&app, &key, announce(20, own.clone())).await;
    assert!(
        posts::find_by_ap_id(db, "https://evil.example/notes/4")
            .await
            .unwrap()
            .is_some()
    );

    // A group none of our members belongs to relays nothing.
    let (stranger, skey) = remote_actor_at(&app, "Group", "https://other.example", "g").await;
    let inner = json!({ "id": "https://other.example/creates/5", "type": "Create", "actor": format!("https://other.example/users/x"),
        "to": [stranger.ap_id], "object": { "id": "https://other.example/notes/5", "type": "Note",
        "attributedTo": "https://other.example/users/x", "content": "hi", "to": [stranger.ap_id] } });
    deliver(
        &app,
        &skey,
        json!({ "id": "https://other.example/a/5", "type": "Announce", "actor": stranger.ap_id, "object": inner }),
    )
    .await;
    assert!(
        posts::find_by_ap_id(db, "https://other.example/notes/5")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn signatures_are_bound_to_our_host_and_401s_say_nothing_of_our_network() {
    let app = TestApp::new().await;
    let (rita, key) = remote_actor(&app, "rita", "remote.example").await;
    let follow = |n: u32| json!({ "id": format!("https://remote.example/f/{n}"), "type": "Follow", "actor": rita.ap_id, "object": "https://staffroom.test/groups/reception" });
    // Signed for another server (its Host is covered by the signature), replayed here.
    let body = serde_json::to_vec(&follow(1)).unwrap();
    let url = url::Url::parse("https://evil.example/inbox").unwrap();
    let mut req = Request::post("/inbox").header("content-type", AP);
    for (k, v) in sign_request("POST", &url, Some(&body), &key).unwrap() {
        req = req.header(k, v);
    }
    let r = app.request(req.body(Body::from(body)).unwrap()).await;
    assert_eq!(r.status, 401, "{}", r.text());
    assert!(r.text().contains("another host"), "{}", r.text());
    assert_eq!(post_signed(&app, "/inbox", &follow(2), Some(&key)).await.status, 202);

    // A key on a loopback address: refused, without telling which addresses we refuse.
    let ghost = SigningKey::from_pem(
        "https://localhost/users/ghost#main-key",
        &staffroom::federation::keys::generate().unwrap().private_pem,
    )
    .unwrap();
    let act = json!({ "id": "https://localhost/f/3", "type": "Follow", "actor": "https://localhost/users/ghost", "object": "https://staffroom.test/groups/reception" });
    let r = post_signed(&app, "/inbox", &act, Some(&ghost)).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"], "the signing key could not be fetched");
}

#[tokio::test]
async fn a_members_only_file_is_served_to_a_remote_members_signed_fetch() {
    let app = TestApp::new().await;
    let group = make_group(&app, "staff", true).await;
    let owner = actors::find_local(&app.state.db, "staff_owner").await.unwrap().unwrap();
    let (rita, rita_key) = remote_actor(&app, "rita", "remote.example").await;
    let (_, stranger_key) = remote_actor(&app, "sam", "remote.example").await;
    follows::insert(&app.state.db, rita.id, group.id, None, true)
        .await
        .unwrap();
    let file = staffroom::services::media::upload(&app.state, owner.id, &common::png(), "Plan")
        .await
        .unwrap();
    staffroom::services::posts::create(
        &app.state,
        &owner,
        staffroom::services::posts::NewPost {
            title: None,
            text: "With a plan".into(),
            group: Some(group.clone()),
            in_reply_to: None,
            media: vec![file.clone()],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let path = format!("/media/{}", file.file_name);
    assert_eq!(app.get(&path).await.status, 404, "unsigned");
    assert_eq!(
        app.request(signed_get(path.clone(), &stranger_key)).await.status,
        404,
        "a non-member"
    );
    let r = app.request(signed_get(path, &rita_key)).await;
    assert_eq!(r.status, 200, "a member on another node");
    assert_eq!(r.body, common::png());
}

#[tokio::test]
async fn a_slow_host_does_not_hold_up_activities_from_others() {
    use axum::routing::get;
    let app = TestApp::with_config(|c| c.allow_private_addresses = true).await;
    // A server whose objects answer only when the test lets them.
    let gate = std::sync::Arc::new(tokio::sync::Notify::new());
    let g = gate.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let slow = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    let router = axum::Router::new().route(
        "/slow/{n}",
        get(move || {
            let g = g.clone();
            async move {
                g.notified().await;
                axum::http::StatusCode::NOT_FOUND
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let (booster, bkey) = remote_actor(&app, "booster", "booster.example").await;
    for n in 0..5 {
        let boost = json!({ "id": format!("https://booster.example/boosts/{n}"), "type": "Announce",
                            "actor": booster.ap_id, "object": format!("{slow}/slow/{n}") });
        assert_eq!(post_signed(&app, "/inbox", &boost, Some(&bkey)).await.status, 202);
    }
    let (rita, rkey) = remote_actor(&app, "rita", "remote.example").await;
    let follow = json!({ "id": "https://remote.example/f/9", "type": "Follow", "actor": rita.ap_id, "object": "https://staffroom.test/groups/reception" });
    assert_eq!(post_signed(&app, "/inbox", &follow, Some(&rkey)).await.status, 202);

    let state = app.state.clone();
    let worker = tokio::spawn(async move { staffroom::services::inbound::run_once(&state).await.unwrap() });
    let reception = actors::find_local(&app.state.db, "reception").await.unwrap().unwrap();
    let mut followed = false;
    for _ in 0..100 {
        if follows::is_member(&app.state.db, rita.id, reception.id).await.unwrap() {
            followed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        followed,
        "the Follow was processed while the slow host still held its five boosts"
    );
    assert!(!worker.is_finished(), "the boosts were still waiting on the slow host");
    for _ in 0..10 {
        gate.notify_waiters();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(worker.await.unwrap(), 6);
}

#[tokio::test]
async fn bad_signatures_refetch_a_known_actor_at_most_once_a_minute() {
    use axum::routing::get;
    let app = TestApp::with_config(|c| c.allow_private_addresses = true).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    let (kim, _) = remote_actor_at(&app, "Person", &base, "kim").await;
    let fetches = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (count, doc) = (
        fetches.clone(),
        json!({ "id": kim.ap_id, "type": "Person", "preferredUsername": "kim", "inbox": kim.inbox_url,
                "publicKey": { "id": kim.key_id, "owner": kim.ap_id, "publicKeyPem": kim.public_key_pem } }),
    );
    let router = axum::Router::new().route(
        "/users/kim",
        get(move || {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let doc = doc.clone();
            async move { ([("content-type", AP)], doc.to_string()) }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    // Kim was fetched yesterday: a key rotation would be worth one look.
    actors::touch_fetched(
        &app.state.db,
        kim.id,
        staffroom::storage::now() - chrono::Duration::days(1),
    )
    .await
    .unwrap();
    // Someone else's key, under kim's key id.
    let forger = SigningKey::from_pem(
        &kim.key_id,
        &staffroom::federation::keys::generate().unwrap().private_pem,
    )
    .unwrap();
    for n in 0..20 {
        let follow = json!({ "id": format!("{base}/f/{n}"), "type": "Follow", "actor": kim.ap_id, "object": "https://staffroom.test/groups/reception" });
        assert_eq!(post_signed(&app, "/inbox", &follow, Some(&forger)).await.status, 401);
    }
    assert_eq!(
        fetches.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "one look, not twenty"
    );
}

/// Backpressure: beyond `federation.inbox_queue_limit` waiting activities the inbox answers 503
/// with `Retry-After` and stores nothing; once the queue is worked off it accepts again.
#[tokio::test]
async fn a_full_inbox_queue_asks_senders_to_come_back_later() {
    let app = TestApp::with_config(|c| c.federation.inbox_queue_limit = 10).await;
    let (bob, key) = remote_actor(&app, "bob", "remote.test").await;
    let like = |i: usize| json!({ "id": format!("{}/likes/{i}", bob.ap_id), "type": "Like", "actor": bob.ap_id, "object": "https://staffroom.test/posts/1" });
    for i in 0..10 {
        let r = post_signed(&app, "/inbox", &like(i), Some(&key)).await;
        assert_eq!(r.status, 202, "{}", r.text());
    }
    // The eleventh meets a full queue, whether counted or counted up since.
    let r = post_signed(&app, "/inbox", &like(10), Some(&key)).await;
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(!r.header("retry-after").is_empty());
    assert!(r.json()["error"].as_str().unwrap().contains("try again"));
    assert_eq!(
        inbox_store::counts(&app.state.db).await.unwrap().0,
        10,
        "nothing stored"
    );
    // Worked off (the liked post does not exist: each is done with), it accepts again.
    while staffroom::services::inbound::run_once(&app.state).await.unwrap() > 0 {}
    assert_eq!(inbox_store::pending(&app.state.db).await.unwrap(), 0);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let r = post_signed(&app, "/inbox", &like(10), Some(&key)).await;
    assert_eq!(r.status, 202, "{}", r.text());
}

/// Lemmy takes an upvote back with an Undo whose Like has a new id: the favourite is found by
/// its actor, type and object and goes; so does a boost undone the same way.
#[tokio::test]
async fn an_undo_finds_the_reaction_by_actor_and_object_whatever_the_inner_id() {
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    let token = app.token(&ada, "read write").await;
    let r = app
        .api(
            "POST",
            "/api/v1/statuses",
            Some(&token),
            Some(json!({ "status": "Fractions with pizza" })),
        )
        .await;
    let post_id: i64 = r.json()["id"].as_str().unwrap().parse().unwrap();
    let post = posts::find_by_id(&app.state.db, post_id).await.unwrap().unwrap();
    let (bob, key) = remote_actor(&app, "bob", "lemmy.test").await;
    for (kind, count) in [("Like", "like"), ("Announce", "announce")] {
        deliver(
            &app,
            &key,
            json!({ "id": format!("{}/activities/{kind}/1", bob.ap_id), "type": kind, "actor": bob.ap_id, "object": post.ap_id }),
        )
        .await;
        assert_eq!(
            posts::reaction_count(&app.state.db, post.id, count).await.unwrap(),
            1,
            "{kind}"
        );
        deliver(
            &app,
            &key,
            json!({ "id": format!("{}/activities/undo/{kind}", bob.ap_id), "type": "Undo", "actor": bob.ap_id,
                    "object": { "id": format!("{}/activities/{kind}/2", bob.ap_id), "type": kind, "actor": bob.ap_id, "object": post.ap_id } }),
        )
        .await;
        assert_eq!(
            posts::reaction_count(&app.state.db, post.id, count).await.unwrap(),
            0,
            "{kind} undone"
        );
    }
}

/// `tag` holding one object rather than an array (as many servers send a lone mention or
/// hashtag): the mention notifies, and the hashtag files the post under it.
#[tokio::test]
async fn a_single_tag_object_is_read_like_an_array_of_one() {
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    let token = app.token(&ada, "read").await;
    let (bob, key) = remote_actor(&app, "bob", "pasture.test").await;
    let public = "https://www.w3.org/ns/activitystreams#Public";
    let note = |n: u32, tag: Value| {
        json!({ "id": format!("{}/creates/{n}", bob.ap_id), "type": "Create", "actor": bob.ap_id, "to": [public],
                "object": { "id": format!("{}/notes/{n}", bob.ap_id), "type": "Note", "attributedTo": bob.ap_id,
                            "to": [public, ada.actor.ap_id], "content": "<p>Hello @ada, see #fractions</p>", "tag": tag } })
    };
    deliver(
        &app,
        &key,
        note(
            1,
            json!({ "type": "Mention", "href": ada.actor.ap_id, "name": "@ada@staffroom.test" }),
        ),
    )
    .await;
    deliver(
        &app,
        &key,
        note(
            2,
            json!({ "type": "Hashtag", "href": "https://pasture.test/tags/fractions", "name": "#fractions" }),
        ),
    )
    .await;

    let r = app.api("GET", "/api/v1/notifications", Some(&token), None).await;
    let notifications = r.json();
    let mentions: Vec<&Value> = notifications
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["type"] == "mention")
        .collect();
    assert_eq!(mentions.len(), 1, "{}", r.text());
    assert_eq!(mentions[0]["status"]["uri"], format!("{}/notes/1", bob.ap_id));
    assert_eq!(mentions[0]["status"]["mentions"][0]["acct"], "ada");
    let r = app
        .api("GET", "/api/v1/timelines/tag/fractions", Some(&token), None)
        .await;
    let statuses = r.json();
    let uris: Vec<&str> = statuses
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["uri"].as_str())
        .collect();
    assert_eq!(uris, vec![format!("{}/notes/2", bob.ap_id)], "{}", r.text());
}

/// A post whose text comes only in `contentMap` (no `content`) is stored with that text.
#[tokio::test]
async fn content_given_only_by_language_is_read() {
    let app = TestApp::new().await;
    let (bob, key) = remote_actor(&app, "bob", "pasture.test").await;
    let public = "https://www.w3.org/ns/activitystreams#Public";
    deliver(
        &app,
        &key,
        json!({ "id": format!("{}/creates/1", bob.ap_id), "type": "Create", "actor": bob.ap_id, "to": [public],
                "object": { "id": format!("{}/notes/1", bob.ap_id), "type": "Note", "attributedTo": bob.ap_id, "to": [public],
                            "contentMap": { "de": "<p>Bruchrechnen mit Pizza</p>" } } }),
    )
    .await;
    let post = posts::find_by_ap_id(&app.state.db, &format!("{}/notes/1", bob.ap_id))
        .await
        .unwrap()
        .expect("stored");
    assert!(
        post.content_html.contains("Bruchrechnen mit Pizza"),
        "{}",
        post.content_html
    );
}
