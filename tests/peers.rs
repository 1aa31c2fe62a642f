//! Shapes today's peers send and expect that the rest of the suite does not cover, each built
//! from the peer that showed it (bovine, Lemmy), on either engine.

mod common;

use common::TestApp;
use common::peer::{AP, deliver, remote_actor, sent_to, signed_get};
use serde_json::json;
use staffroom::services::accounts::Role;
use staffroom::services::social::{self, FollowState};
use staffroom::storage::follows;

/// bovine answers a Follow with an Accept naming it by its id alone, and looks the Follow up
/// first: our Follow must dereference (for the followee's server only) and such an Accept must
/// complete it.
#[tokio::test]
async fn an_accept_naming_our_follow_by_id_completes_it_and_the_follow_dereferences() {
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    let (bob, bob_key) = remote_actor(&app, "bob", "bovine.test").await;
    let (_, eve_key) = remote_actor(&app, "eve", "else.test").await;
    let state = social::follow(&app.state, &ada.actor, &bob).await.unwrap();
    assert_eq!(state, FollowState::Pending);
    let sent = sent_to(&app, "https://bovine.test/users/bob/inbox").await;
    let follow = sent.iter().find(|a| a["type"] == "Follow").expect("a Follow was sent");
    let follow_id = follow["id"].as_str().unwrap().to_owned();
    let path = url::Url::parse(&follow_id).unwrap().path().to_owned();

    // Looked up: the followee's server gets it; nobody else does.
    let r = app.request(signed_get(path.clone(), &bob_key)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.header("content-type").starts_with(AP));
    assert_eq!(
        (&r.json()["id"], &r.json()["object"]),
        (&json!(follow_id), &json!(bob.ap_id))
    );
    assert_eq!(app.request(signed_get(path.clone(), &eve_key)).await.status, 404);
    assert_eq!(app.get_accept(&path, AP).await.status, 404);
    assert_eq!(app.get_accept("/activities/12345", AP).await.status, 404);

    // Another actor cannot accept it for bob.
    deliver(
        &app,
        &eve_key,
        json!({ "id": "https://else.test/accepts/1", "type": "Accept", "actor": "https://else.test/users/eve", "object": follow_id }),
    )
    .await;
    let f = follows::find(&app.state.db, ada.actor.id, bob.id)
        .await
        .unwrap()
        .unwrap();
    assert!(!f.accepted, "accepted by someone else");

    deliver(
        &app,
        &bob_key,
        json!({ "id": "https://bovine.test/accepts/1", "type": "Accept", "actor": bob.ap_id, "object": follow_id }),
    )
    .await;
    let f = follows::find(&app.state.db, ada.actor.id, bob.id)
        .await
        .unwrap()
        .unwrap();
    assert!(f.accepted, "the Accept by id completed the follow");
}

/// A public activity of ours (a public post's Create) is served to anyone.
#[tokio::test]
async fn our_public_activities_dereference_for_anyone() {
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    let (rick, _) = remote_actor(&app, "rick", "remote.test").await;
    follows::insert(&app.state.db, rick.id, ada.actor.id, None, true)
        .await
        .unwrap();
    let token = app.token(&ada, "read write").await;
    let r = app
        .api(
            "POST",
            "/api/v1/statuses",
            Some(&token),
            Some(json!({ "status": "Hello" })),
        )
        .await;
    assert_eq!(r.status, 200);
    let sent = sent_to(&app, "https://remote.test/inbox").await;
    let create = sent.iter().find(|a| a["type"] == "Create").expect("sent");
    let path = url::Url::parse(create["id"].as_str().unwrap())
        .unwrap()
        .path()
        .to_owned();
    let fetched = app.get_accept(&path, AP).await;
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.json()["object"]["content"], create["object"]["content"]);
}

/// Lemmy answers 400 to a group's Announce of a bare object id, and to anything about its own
/// objects sent back to it: the group learns the first, and never does the second.
#[tokio::test]
async fn a_group_sends_nothing_back_to_its_origin_and_learns_who_refuses_bare_announces() {
    use std::sync::{Arc, Mutex};
    let seen: Arc<Mutex<Vec<serde_json::Value>>> = Arc::default();
    let stub = {
        let seen = seen.clone();
        axum::Router::new().route(
            "/inbox",
            axum::routing::post(move |body: String| {
                let seen = seen.clone();
                async move {
                    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
                    let bare = v["object"].is_string();
                    seen.lock().unwrap().push(v);
                    if bare {
                        (axum::http::StatusCode::BAD_REQUEST, "missing field `actor`")
                    } else {
                        (axum::http::StatusCode::OK, "")
                    }
                }
            }),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, stub).await.unwrap() });

    let app = TestApp::with_config(|c| c.allow_private_addresses = true).await;
    let owner = app.create_user("owner", Role::Member).await;
    let group = app.create_group("teachers_lounge", Some(owner.actor.id), false).await;
    let lemmy = format!("http://localhost:{port}");
    let (lem, lem_key) = common::peer::remote_actor_at(&app, "Person", &lemmy, "lem").await;
    let (mas, _) = remote_actor(&app, "mas", "masto.test").await;
    for m in [&lem, &mas] {
        follows::insert(&app.state.db, m.id, group.id, None, true)
            .await
            .unwrap();
    }
    let token = app.token(&owner, "read write").await;
    let post = |text: &'static str| {
        let (app, token) = (&app, token.clone());
        async move {
            let r = app
                .api(
                    "POST",
                    "/api/v1/statuses",
                    Some(&token),
                    Some(json!({ "status": format!("@teachers_lounge {text}") })),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.text());
            r.json()["uri"].as_str().unwrap().to_owned()
        }
    };
    let announces_of = |sent: &[serde_json::Value], uri: &str| -> Vec<&'static str> {
        sent.iter()
            .filter(|a| a["type"] == "Announce")
            .filter_map(|a| {
                if a["object"] == uri {
                    Some("object")
                } else if a["object"]["object"]["id"] == uri {
                    Some("activity")
                } else {
                    None
                }
            })
            .collect()
    };
    let lemmy_inbox = format!("{lemmy}/inbox");
    let first = post("first").await;
    assert_eq!(
        announces_of(&sent_to(&app, &lemmy_inbox).await, &first),
        ["activity", "object"]
    );
    let hosts = staffroom::federation::delivery::HostLimits::default();
    staffroom::federation::delivery::run_once(&app.state, &hosts)
        .await
        .unwrap();
    assert_eq!(seen.lock().unwrap().len(), 2, "both reached the stub");

    // Refused once: from now on Lemmy gets the activity's Announce only; Mastodon both.
    let second = post("second").await;
    assert_eq!(announces_of(&sent_to(&app, &lemmy_inbox).await, &second), ["activity"]);
    assert_eq!(
        announces_of(&sent_to(&app, "https://masto.test/inbox").await, &second),
        ["activity", "object"]
    );

    // A post from Lemmy into the group is relayed to the others, never back to Lemmy.
    let note = format!("{lemmy}/post/1");
    deliver(
        &app,
        &lem_key,
        json!({ "id": format!("{lemmy}/activities/create/1"), "type": "Create", "actor": lem.ap_id,
                "to": [group.ap_id, "https://www.w3.org/ns/activitystreams#Public"],
                "object": { "id": note, "type": "Page", "attributedTo": lem.ap_id, "name": "From Lemmy",
                            "content": "<p>hello</p>", "audience": group.ap_id,
                            "to": [group.ap_id, "https://www.w3.org/ns/activitystreams#Public"] } }),
    )
    .await;
    assert_eq!(
        announces_of(&sent_to(&app, "https://masto.test/inbox").await, &note),
        ["activity", "object"]
    );
    assert_eq!(
        announces_of(&sent_to(&app, &lemmy_inbox).await, &note),
        Vec::<&str>::new()
    );
}

/// A group's post reaches its members' home timelines as the group's boost, with an id of its
/// own (apps key statuses by id: the same id for the boost and the post merged them), which
/// opens, acts on the post, and pages like any other.
#[tokio::test]
async fn a_groups_boost_at_home_has_its_own_id() {
    let app = TestApp::new().await;
    let owner = app.create_user("owner", Role::Member).await;
    let fay = app.create_user("fay", Role::Member).await;
    let group = app.create_group("physics", Some(owner.actor.id), false).await;
    follows::insert(&app.state.db, fay.actor.id, group.id, None, true)
        .await
        .unwrap();
    let (owner_token, fay_token) = (
        app.token(&owner, "read write").await,
        app.token(&fay, "read write").await,
    );
    let post = app
        .api(
            "POST",
            "/api/v1/statuses",
            Some(&owner_token),
            Some(json!({ "status": "@physics Lab at 3" })),
        )
        .await
        .json();
    let post_id = post["id"].as_str().unwrap().to_owned();
    let home = app
        .api("GET", "/api/v1/timelines/home", Some(&fay_token), None)
        .await
        .json();
    let boost = &home[0];
    assert_eq!(
        (&boost["account"]["username"], &boost["reblog"]["id"]),
        (&json!("physics"), &json!(post_id))
    );
    let boost_id = boost["id"].as_str().unwrap().to_owned();
    assert_ne!(boost_id, post_id, "the boost has its own id");

    let opened = app
        .api("GET", &format!("/api/v1/statuses/{boost_id}"), Some(&fay_token), None)
        .await
        .json();
    assert_eq!(
        (&opened["id"], &opened["reblog"]["id"]),
        (&json!(boost_id), &json!(post_id))
    );
    let liked = app
        .api(
            "POST",
            &format!("/api/v1/statuses/{boost_id}/favourite"),
            Some(&fay_token),
            None,
        )
        .await;
    assert_eq!(liked.status, 200, "{}", liked.text());
    let original = app
        .api("GET", &format!("/api/v1/statuses/{post_id}"), Some(&fay_token), None)
        .await
        .json();
    assert_eq!(
        original["favourited"], true,
        "favouriting the boost favourites the post"
    );
    let below = app
        .api(
            "GET",
            &format!("/api/v1/timelines/home?max_id={boost_id}"),
            Some(&fay_token),
            None,
        )
        .await
        .json();
    assert_eq!(below, json!([]), "nothing below the only entry");
    let outsider = app.create_user("oli", Role::Member).await;
    let oli_token = app.token(&outsider, "read").await;
    assert_eq!(
        app.api("GET", &format!("/api/v1/statuses/{boost_id}"), Some(&oli_token), None)
            .await
            .status,
        200,
        "a public group's boost is public"
    );
}

/// What fediverse-pasture's input sets and PeerTube send that was dropped or shown wrong: media
/// objects (Video, Audio, Image), a type given as an array, link and `data:` attachments, and a
/// Note's `name`.
#[tokio::test]
async fn objects_of_every_shape_arrive_as_apps_expect() {
    let app = TestApp::new().await;
    let (bob, key) = remote_actor(&app, "bob", "pasture.test").await;
    let public = "https://www.w3.org/ns/activitystreams#Public";
    let objects = [
        json!({ "type": "Video", "name": "Fractions explained", "content": "<p>A short lesson</p>",
                "url": [{ "type": "Link", "mediaType": "text/html", "href": "https://pasture.test/w/1" },
                        { "type": "Link", "mediaType": "video/mp4", "href": "https://pasture.test/v/1.mp4", "width": 1280 }] }),
        json!({ "type": "Audio", "name": "Podcast 3", "url": "https://pasture.test/a/3.ogg", "mediaType": "audio/ogg" }),
        json!({ "type": "Image", "name": "Our lab", "url": "https://pasture.test/i/lab.png", "mediaType": "image/png" }),
        json!({ "type": ["Note", "Article"], "content": "<p>Two types</p>" }),
        json!({ "type": "Note", "name": "Not a title", "content": "<p>Body</p>",
                "attachment": [
                    { "type": "Link", "href": "payto://iban/DE75512108001245126199", "name": "Tip" },
                    { "type": "Document", "mediaType": "image/png", "url": "data:image/png;base64,iVBORw0KGgo=" },
                    { "type": "Document", "mediaType": "image/jpeg", "url": "https://pasture.test/i/ok.jpg", "name": "ok" }] }),
    ];
    for (n, o) in objects.iter().enumerate() {
        let mut o = o.clone();
        o["id"] = json!(format!("{}/objects/{n}", bob.ap_id));
        o["attributedTo"] = json!(bob.ap_id);
        o["to"] = json!([public]);
        deliver(
            &app,
            &key,
            json!({ "id": format!("{}/creates/{n}", bob.ap_id), "type": "Create", "actor": bob.ap_id, "to": [public], "object": o }),
        )
        .await;
    }
    let status = |n: usize| {
        let app = &app;
        let id = format!("{}/objects/{n}", bob.ap_id);
        async move {
            let row = staffroom::storage::posts::find_by_ap_id(&app.state.db, &id)
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("object {n} stored"));
            app.api("GET", &format!("/api/v1/statuses/{}", row.id), None, None)
                .await
                .json()
        }
    };
    let video = status(0).await;
    assert_eq!(
        (
            &video["media_attachments"][0]["type"],
            &video["media_attachments"][0]["url"]
        ),
        (&json!("video"), &json!("https://pasture.test/v/1.mp4")),
        "{video}"
    );
    assert!(
        video["content"].as_str().unwrap().contains("Fractions explained"),
        "{video}"
    );
    assert_eq!(status(1).await["media_attachments"][0]["type"], "audio");
    assert_eq!(status(2).await["media_attachments"][0]["type"], "image");
    assert!(status(3).await["content"].as_str().unwrap().contains("Two types"));
    let note = status(4).await;
    let files: Vec<&str> = note["media_attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        ["https://pasture.test/i/ok.jpg"],
        "links and data: URLs are no media"
    );
    assert_eq!(note["content"], "<p>Body</p>", "a Note's name is no title");
}

/// Test and lab networks run nodes that speak plain http under names of their own: where private
/// addresses are allowed, WebFinger falls back to http; and a document that is not there is
/// reported as not found, not as gone.
#[tokio::test]
async fn handles_resolve_over_plain_http_on_lab_networks_and_a_404_is_not_found() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let keys = staffroom::federation::keys::generate().unwrap();
    let actor = json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": format!("{base}/users/lab"), "type": "Group", "preferredUsername": "lab",
        "inbox": format!("{base}/users/lab/inbox"), "followers": format!("{base}/users/lab/followers"),
        "publicKey": { "id": format!("{base}/users/lab#main-key"), "owner": format!("{base}/users/lab"),
                       "publicKeyPem": keys.public_pem },
    });
    let jrd = json!({ "subject": format!("acct:lab@127.0.0.1:{port}"),
                      "links": [{ "rel": "self", "type": "application/activity+json", "href": format!("{base}/users/lab") }] });
    let stub = axum::Router::new()
        .route(
            "/.well-known/webfinger",
            axum::routing::get(move || async move { axum::Json(jrd) }),
        )
        .route(
            "/users/lab",
            axum::routing::get(move || async move { axum::Json(actor) }),
        );
    tokio::spawn(async move { axum::serve(listener, stub).await.unwrap() });

    let app = TestApp::with_config(|c| c.allow_private_addresses = true).await;
    let found = staffroom::federation::remote::resolve_handle(&app.state, &format!("lab@127.0.0.1:{port}"))
        .await
        .expect("resolved over http");
    assert_eq!(found.ap_id, format!("{base}/users/lab"));

    let ada = app.create_user("ada", Role::Member).await;
    let signer = staffroom::federation::remote::signer_of(&ada.actor).unwrap();
    let missing = url::Url::parse(&format!("{base}/users/nobody")).unwrap();
    let e = staffroom::federation::fetch::fetch_json(&app.state, &missing, &signer)
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), format!("{missing} was not found"));
}

/// The verifier in tests/python, run with the test virtualenv's Python (`STAFFROOM_PYTHON`):
/// one verdict per document.
fn verify_independently(items: &serde_json::Value) -> Option<Vec<String>> {
    let Ok(python) = std::env::var("STAFFROOM_PYTHON") else {
        assert!(
            std::env::var("STAFFROOM_REQUIRE_PYTHON").is_err(),
            "STAFFROOM_PYTHON is required here (scripts/test sets it)"
        );
        eprintln!("\n!!! STAFFROOM_PYTHON is not set: the independent proof check is SKIPPED !!!\n");
        return None;
    };
    use std::io::Write;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/verify_proof.py");
    let mut child = std::process::Command::new(python)
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(items.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect(),
    )
}

/// Actors publish Ed25519 keys (FEP-521a), and what a group relays carries integrity proofs
/// (FEP-8b32): the group's on its Announce, the author's on the activity inside. A verifier
/// built only from registry libraries checks both with the keys the actor documents publish,
/// and refuses a tampered copy.
#[tokio::test]
async fn relayed_group_activities_carry_proofs_that_verify_independently() {
    let app = TestApp::new().await;
    let owner = app.create_user("owner", Role::Member).await;
    let group = app.create_group("chemistry", Some(owner.actor.id), false).await;
    let (rick, _) = remote_actor(&app, "rick", "remote.test").await;
    follows::insert(&app.state.db, rick.id, group.id, None, true)
        .await
        .unwrap();
    let token = app.token(&owner, "read write").await;
    let r = app
        .api(
            "POST",
            "/api/v1/statuses",
            Some(&token),
            Some(json!({ "status": "@chemistry Titration on Friday" })),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let sent = sent_to(&app, "https://remote.test/inbox").await;
    let announce = sent
        .iter()
        .find(|a| a["type"] == "Announce" && a["object"]["type"] == "Create")
        .expect("the group relayed the Create")
        .clone();
    let create = announce["object"].clone();

    let key_of = |path: &'static str| {
        let app = &app;
        async move {
            let doc = app.get_accept(path, AP).await.json();
            let method = &doc["assertionMethod"][0];
            assert_eq!(method["type"], "Multikey", "{doc}");
            assert_eq!(method["controller"], doc["id"]);
            (
                method["id"].as_str().unwrap().to_owned(),
                method["publicKeyMultibase"].as_str().unwrap().to_owned(),
            )
        }
    };
    let (group_key_id, group_key) = key_of("/groups/chemistry").await;
    let (owner_key_id, owner_key) = key_of("/users/owner").await;
    assert_eq!(announce["proof"]["verificationMethod"], group_key_id);
    assert_eq!(create["proof"]["verificationMethod"], owner_key_id);

    // Our own verifier agrees, and the keys stay the same from one fetch to the next.
    let verifying = |k: &str| staffroom::federation::integrity::verifying_key(k).unwrap();
    staffroom::federation::integrity::verify(&announce, &verifying(&group_key)).unwrap();
    staffroom::federation::integrity::verify(&create, &verifying(&owner_key)).unwrap();
    assert_eq!(key_of("/groups/chemistry").await.1, group_key);

    let mut tampered = create.clone();
    tampered["object"]["content"] = json!("<p>Titration cancelled</p>");
    let items = json!([
        { "document": announce, "publicKeyMultibase": group_key },
        { "document": create, "publicKeyMultibase": owner_key },
        { "document": tampered, "publicKeyMultibase": owner_key },
        { "document": create, "publicKeyMultibase": group_key },
    ]);
    if let Some(verdicts) = verify_independently(&items) {
        assert_eq!(
            verdicts,
            [
                "valid",
                "valid",
                "invalid: the signature does not match",
                "invalid: the signature does not match"
            ]
        );
    }
}

/// A group on another server relays a third server's post: with a valid integrity proof by its
/// author's published key it is taken as sent (no fetch from its origin, which is unreachable
/// here); a tampered one is refused; one without a proof waits for its origin to confirm it.
#[tokio::test]
async fn a_relayed_activity_with_a_valid_proof_by_its_author_needs_no_fetch() {
    use staffroom::federation::integrity;
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    let (group, group_key) = common::peer::remote_actor_at(&app, "Group", "https://lemmy.test", "g").await;
    follows::insert(&app.state.db, ada.actor.id, group.id, None, true)
        .await
        .unwrap();
    let (zed, _) = remote_actor(&app, "zed", "far.test").await;
    let (public, secret) = integrity::generate();
    let key_id = format!("{}#ed25519-key", zed.ap_id);
    staffroom::storage::actor_keys::upsert_remote(&app.state.db, zed.id, &key_id, &public)
        .await
        .unwrap();
    let signing = integrity::signing_key(&secret).unwrap();
    let public_address = "https://www.w3.org/ns/activitystreams#Public";
    let create = |n: u32| {
        json!({ "@context": "https://www.w3.org/ns/activitystreams",
                "id": format!("{}/creates/{n}", zed.ap_id), "type": "Create", "actor": zed.ap_id,
                "to": [group.ap_id, public_address],
                "object": { "id": format!("{}/notes/{n}", zed.ap_id), "type": "Note", "attributedTo": zed.ap_id,
                            "content": format!("<p>Note {n}</p>"), "audience": group.ap_id,
                            "to": [group.ap_id, public_address] } })
    };
    let relay = |n: u32, inner: serde_json::Value| {
        json!({ "id": format!("{}/announces/{n}", group.ap_id), "type": "Announce", "actor": group.ap_id,
                "to": [public_address], "object": inner })
    };
    let signed = integrity::sign(&create(1), &signing, &key_id, "2026-12-01T10:00:00Z").unwrap();
    let mut tampered = integrity::sign(&create(2), &signing, &key_id, "2026-12-01T10:00:00Z").unwrap();
    tampered["object"]["content"] = json!("<p>Something else</p>");
    for (n, inner) in [(1, signed), (2, tampered), (3, create(3))] {
        deliver(&app, &group_key, relay(n, inner)).await;
    }
    let stored = |n: u32| {
        let app = &app;
        let id = format!("{}/notes/{n}", zed.ap_id);
        async move {
            staffroom::storage::posts::find_by_ap_id(&app.state.db, &id)
                .await
                .unwrap()
        }
    };
    let first = stored(1).await.expect("proven: taken as sent");
    assert_eq!(
        (first.group_id, first.content_html.as_str()),
        (Some(group.id), "<p>Note 1</p>")
    );
    assert!(stored(2).await.is_none(), "a tampered activity is refused");
    assert!(stored(3).await.is_none(), "unproven: waits for its unreachable origin");
}

/// How a test peer signs the RFC 9421 way: the signature base written out here from the RFC's
/// rules (not by the node's code), signed by `sign`.
fn rfc9421_request(
    method: &str,
    path: &str,
    body: Option<&[u8]>,
    key_id: &str,
    alg: &str,
    sign: impl Fn(&[u8]) -> Vec<u8>,
) -> axum::http::Request<axum::body::Body> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let created = chrono::Utc::now().timestamp();
    let target = format!("https://staffroom.test{path}");
    let mut components = vec![("@method", method.to_owned()), ("@target-uri", target)];
    let mut req = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", "staffroom.test");
    if let Some(body) = body {
        let digest = format!("sha-256=:{}:", b64.encode(openssl::sha::sha256(body)));
        components.push(("content-digest", digest.clone()));
        req = req.header("content-digest", digest).header("content-type", AP);
    } else {
        req = req.header("accept", AP);
    }
    let names: Vec<String> = components.iter().map(|(n, _)| format!("\"{n}\"")).collect();
    let params = format!(
        "({});created={created};keyid=\"{key_id}\";alg=\"{alg}\"",
        names.join(" ")
    );
    let mut base: Vec<String> = components.iter().map(|(n, v)| format!("\"{n}\": {v}")).collect();
    base.push(format!("\"@signature-params\": {params}"));
    let signature = sign(base.join("\n").as_bytes());
    req.header("signature-input", format!("sig1={params}"))
        .header("signature", format!("sig1=:{}:", b64.encode(signature)))
        .body(axum::body::Body::from(body.map(<[u8]>::to_vec).unwrap_or_default()))
        .unwrap()
}

fn rsa_signer(pem: &str, pss: bool) -> impl Fn(&[u8]) -> Vec<u8> + use<> {
    let key = openssl::pkey::PKey::private_key_from_pem(pem.as_bytes()).unwrap();
    move |data| {
        let digest = if pss {
            openssl::hash::MessageDigest::sha512()
        } else {
            openssl::hash::MessageDigest::sha256()
        };
        let mut s = openssl::sign::Signer::new(digest, &key).unwrap();
        if pss {
            s.set_rsa_padding(openssl::rsa::Padding::PKCS1_PSS).unwrap();
            s.set_rsa_pss_saltlen(openssl::sign::RsaPssSaltlen::custom(64)).unwrap();
            s.set_rsa_mgf1_md(openssl::hash::MessageDigest::sha512()).unwrap();
        }
        s.update(data).unwrap();
        s.sign_to_vec().unwrap()
    }
}

/// Mastodon 4.5+ and Fedify sign with RFC 9421 HTTP Message Signatures: a request signed only
/// that way (rsa-v1_5-sha256, rsa-pss-sha512, or ed25519 with a Multikey) is accepted on the
/// inbox and for authorized fetch; a body that does not match its digest, or a signature by
/// another key, is refused.
#[tokio::test]
async fn requests_signed_only_with_rfc9421_are_accepted() {
    use staffroom::federation::integrity;
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    let token = app.token(&ada, "read write").await;
    let (bob, _, bob_pem) = common::peer::remote_actor_with_pem(&app, "Person", "https://mastodon.test", "bob").await;
    let (public, secret) = integrity::generate();
    let multikey_id = format!("{}#ed25519-key", bob.ap_id);
    staffroom::storage::actor_keys::upsert_remote(&app.state.db, bob.id, &multikey_id, &public)
        .await
        .unwrap();
    let ed = integrity::signing_key(&secret).unwrap();
    let ed_signer = move |data: &[u8]| {
        use ed25519_dalek::Signer;
        ed.sign(data).to_bytes().to_vec()
    };
    let follow = |n: u32| {
        serde_json::to_vec(&json!({ "id": format!("{}/follows/{n}", bob.ap_id), "type": "Follow",
                                    "actor": bob.ap_id, "object": ada.actor.ap_id }))
        .unwrap()
    };
    type Sign = Box<dyn Fn(&[u8]) -> Vec<u8>>;
    let cases: [(&str, &str, Sign); 3] = [
        ("rsa-v1_5-sha256", &bob.key_id, Box::new(rsa_signer(&bob_pem, false))),
        ("rsa-pss-sha512", &bob.key_id, Box::new(rsa_signer(&bob_pem, true))),
        ("ed25519", &multikey_id, Box::new(ed_signer)),
    ];
    for (n, (alg, key_id, sign)) in cases.iter().enumerate() {
        let body = follow(n as u32);
        let r = app
            .request(rfc9421_request("POST", "/inbox", Some(&body), key_id, alg, sign))
            .await;
        assert_eq!(r.status, 202, "{alg}: {}", r.text());
    }
    // A body other than the one signed, and a signature by a key that is not the one named.
    let mut req = rfc9421_request(
        "POST",
        "/inbox",
        Some(&follow(7)),
        &bob.key_id,
        "rsa-v1_5-sha256",
        rsa_signer(&bob_pem, false),
    );
    *req.body_mut() = axum::body::Body::from(follow(8));
    assert_eq!(app.request(req).await.status, 401, "the digest must match the body");
    let other = staffroom::federation::keys::generate().unwrap();
    let forged = rfc9421_request(
        "POST",
        "/inbox",
        Some(&follow(9)),
        &bob.key_id,
        "rsa-v1_5-sha256",
        rsa_signer(&other.private_pem, false),
    );
    assert_eq!(app.request(forged).await.status, 401, "signed by another key");

    // Authorized fetch of a followers-only post: bob follows ada.
    follows::insert(&app.state.db, bob.id, ada.actor.id, None, true)
        .await
        .unwrap();
    let post = app
        .api(
            "POST",
            "/api/v1/statuses",
            Some(&token),
            Some(json!({ "status": "For my followers", "visibility": "private" })),
        )
        .await
        .json();
    let path = format!("/posts/{}", post["id"].as_str().unwrap());
    let fetched = app
        .request(rfc9421_request(
            "GET",
            &path,
            None,
            &bob.key_id,
            "rsa-v1_5-sha256",
            rsa_signer(&bob_pem, false),
        ))
        .await;
    assert_eq!(fetched.status, 200, "{}", fetched.text());
    assert_eq!(app.get_accept(&path, AP).await.status, 404);
}

/// A server that takes RFC 9421 signatures only (as Mastodon may from 4.7) answers our
/// draft-cavage request 401: the same request goes again at once signed the RFC 9421 way, and
/// the host gets only those from then on.
#[tokio::test]
async fn a_host_that_refuses_draft_cavage_gets_rfc9421_signatures() {
    use std::sync::{Arc, Mutex};
    let app = TestApp::with_config(|c| c.allow_private_addresses = true).await;
    let ada = app.create_user("ada", Role::Member).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen: Arc<Mutex<Vec<&'static str>>> = Arc::default();
    let stub = {
        let (seen, pem) = (seen.clone(), ada.actor.public_key_pem.clone());
        axum::Router::new().route(
            "/inbox",
            axum::routing::post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let (seen, pem) = (seen.clone(), pem.clone());
                async move {
                    use staffroom::federation::rfc9421;
                    if !rfc9421::is_signed(&headers) {
                        seen.lock().unwrap().push("draft-cavage");
                        return axum::http::StatusCode::UNAUTHORIZED;
                    }
                    seen.lock().unwrap().push("rfc9421");
                    let uri = url::Url::parse(&format!("http://localhost:{port}/inbox")).unwrap();
                    let req = rfc9421::Request {
                        method: "POST",
                        target_uri: &uri,
                        headers: &headers,
                    };
                    let sig = rfc9421::parse(&headers).unwrap();
                    match rfc9421::verify(
                        &req,
                        Some(&body),
                        &sig,
                        &rfc9421::Key::Pem(&pem),
                        chrono::Utc::now().timestamp(),
                    ) {
                        Ok(()) => axum::http::StatusCode::ACCEPTED,
                        Err(_) => axum::http::StatusCode::UNAUTHORIZED,
                    }
                }
            }),
        )
    };
    tokio::spawn(async move { axum::serve(listener, stub).await.unwrap() });
    let inbox = format!("http://localhost:{port}/inbox");
    let hosts = staffroom::federation::delivery::HostLimits::default();
    for n in 1..=2 {
        let activity = json!({ "id": format!("https://staffroom.test/activities/{n}"), "type": "Follow",
                               "actor": ada.actor.ap_id, "object": "https://elsewhere.test/users/x" });
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
        staffroom::federation::delivery::run_once(&app.state, &hosts)
            .await
            .unwrap();
    }
    assert_eq!(*seen.lock().unwrap(), ["draft-cavage", "rfc9421", "rfc9421"]);
    assert_eq!(
        staffroom::storage::deliveries::counts(&app.state.db).await.unwrap(),
        (0, 2, 0),
        "both delivered"
    );
}
