//! The four visibilities of a post (public, unlisted, followers-only, direct), end to end on
//! either engine: what an app may send, who reads each post on every read path (the author, an
//! accepted follower, a pending follower, someone mentioned, an outsider, an anonymous caller),
//! how each is addressed and delivered on the wire, and how each arrives from other servers,
//! with its content warning, sensitivity and language.

mod common;

use common::TestApp;
use common::peer::{AP, deliver, remote_actor, sent_to, signed_get};
use serde_json::{Value, json};
use staffroom::services::accounts::Role;
use staffroom::storage::{follows, posts};

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
const VISIBILITIES: [&str; 4] = ["public", "unlisted", "private", "direct"];

/// Who reads what: the viewers, and the visibilities each may read.
const READERS: [(&str, &[&str]); 6] = [
    ("ada", &VISIBILITIES),
    ("fay", &["public", "unlisted", "private"]),
    ("max", &VISIBILITIES),
    ("pat", &["public", "unlisted"]),
    ("oli", &["public", "unlisted"]),
    ("anonymous", &["public", "unlisted"]),
];

struct Scene {
    app: TestApp,
    tokens: Vec<(&'static str, String)>,
    ada: staffroom::storage::actors::ActorRow,
    /// Post id by visibility.
    posts: Vec<(&'static str, String)>,
}

impl Scene {
    fn token(&self, who: &str) -> Option<&str> {
        self.tokens.iter().find(|(n, _)| *n == who).map(|(_, t)| t.as_str())
    }

    fn post(&self, visibility: &str) -> &str {
        &self.posts.iter().find(|(v, _)| *v == visibility).unwrap().1
    }
}

/// Ada writes one post of each visibility mentioning Max (and Mia, on another server). Fay
/// follows her (accepted), Pat asked to (pending), Oli is a stranger; Rick follows her from
/// another server.
async fn scene() -> Scene {
    let app = TestApp::new().await;
    let mut tokens = Vec::new();
    let mut ada = None;
    for name in ["ada", "fay", "max", "pat", "oli"] {
        let account = app.create_user(name, Role::Member).await;
        tokens.push((name, app.token(&account, "read write follow").await));
        if name == "ada" {
            ada = Some(account.actor);
        }
    }
    let ada = ada.unwrap();
    for (name, accepted) in [("fay", true), ("pat", false)] {
        let a = staffroom::storage::actors::find_local(&app.state.db, name)
            .await
            .unwrap()
            .unwrap();
        follows::insert(&app.state.db, a.id, ada.id, None, accepted)
            .await
            .unwrap();
    }
    let (rick, _) = remote_actor(&app, "rick", "remote.test").await;
    follows::insert(&app.state.db, rick.id, ada.id, None, true)
        .await
        .unwrap();
    remote_actor(&app, "mia", "far.test").await;
    let mut s = Scene {
        app,
        tokens,
        ada,
        posts: Vec::new(),
    };
    for v in VISIBILITIES {
        let r = s
            .app
            .api(
                "POST",
                "/api/v1/statuses",
                s.token("ada"),
                Some(json!({
                    "status": format!("@max @mia@far.test a {v} note on #fractions"),
                    "visibility": v, "spoiler_text": "Maths homework", "language": "fr",
                })),
            )
            .await;
        assert_eq!(r.status, 200, "{v}: {}", r.text());
        let status = r.json();
        assert_eq!(
            (
                &status["visibility"],
                &status["spoiler_text"],
                &status["language"],
                &status["sensitive"]
            ),
            (&json!(v), &json!("Maths homework"), &json!("fr"), &json!(true)),
            "{status}"
        );
        s.posts.push((v, status["id"].as_str().unwrap().to_owned()));
    }
    s
}

fn ids(page: &Value) -> Vec<String> {
    page.as_array()
        .unwrap_or_else(|| panic!("not a list: {page}"))
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn each_visibility_is_read_by_exactly_its_audience_on_every_path() {
    let s = scene().await;
    for (who, may_read) in READERS {
        let token = s.token(who);
        let profile = ids(&s
            .app
            .api("GET", &format!("/api/v1/accounts/{}/statuses", s.ada.id), token, None)
            .await
            .json());
        let public = ids(&s.app.api("GET", "/api/v1/timelines/public", token, None).await.json());
        let tagged = ids(&s
            .app
            .api("GET", "/api/v1/timelines/tag/fractions", token, None)
            .await
            .json());
        for v in VISIBILITIES {
            let id = s.post(v);
            let readable = may_read.contains(&v);
            let r = s.app.api("GET", &format!("/api/v1/statuses/{id}"), token, None).await;
            assert_eq!(r.status, if readable { 200 } else { 404 }, "{who} reading a {v} post");
            let context = s
                .app
                .api("GET", &format!("/api/v1/statuses/{id}/context"), token, None)
                .await;
            assert_eq!(
                context.status,
                if readable { 200 } else { 404 },
                "{who}: context of {v}"
            );
            assert_eq!(profile.contains(&id.to_owned()), readable, "{who}: {v} on the profile");
            // Only public posts are listed in public and hashtag timelines.
            assert_eq!(public.contains(&id.to_owned()), v == "public", "{who}: {v} in public");
            assert_eq!(
                tagged.contains(&id.to_owned()),
                v == "public",
                "{who}: {v} under the tag"
            );
        }
    }
    // Fay's home timeline has what she may read of the people she follows.
    let home = ids(&s
        .app
        .api("GET", "/api/v1/timelines/home", s.token("fay"), None)
        .await
        .json());
    for v in VISIBILITIES {
        assert_eq!(home.contains(&s.post(v).to_owned()), v != "direct", "fay's home: {v}");
    }
    // Max was mentioned in each: each one told him.
    let told = s
        .app
        .api("GET", "/api/v1/notifications", s.token("max"), None)
        .await
        .json();
    let mentioned: Vec<String> = told
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["status"]["id"].as_str().unwrap().to_owned())
        .collect();
    for v in VISIBILITIES {
        assert!(mentioned.contains(&s.post(v).to_owned()), "max told of {v}: {told}");
    }
    // Only public and unlisted posts can be boosted.
    for v in VISIBILITIES {
        let r = s
            .app
            .api(
                "POST",
                &format!("/api/v1/statuses/{}/reblog", s.post(v)),
                s.token("max"),
                None,
            )
            .await;
        assert_eq!(
            r.status == 200,
            v == "public" || v == "unlisted",
            "boosting {v}: {}",
            r.text()
        );
    }
}

#[tokio::test]
async fn fetching_a_post_over_activitypub_asks_the_same_question() {
    let s = scene().await;
    // Anonymous fetches: the open posts only.
    for v in VISIBILITIES {
        let r = s.app.get_accept(&format!("/posts/{}", s.post(v)), AP).await;
        assert_eq!(
            r.status,
            if v == "public" || v == "unlisted" { 200 } else { 404 },
            "anonymous {v}"
        );
    }
    // A follower on another server reads the followers-only post, not the direct one; a
    // stranger's server neither.
    let (_, rick_key) = remote_actor(&s.app, "rick", "remote.test").await;
    let (_, eve_key) = remote_actor(&s.app, "eve", "else.test").await;
    for (key, who, may) in [(&rick_key, "rick", ["private"].as_slice()), (&eve_key, "eve", &[])] {
        for v in ["private", "direct"] {
            let r = s.app.request(signed_get(format!("/posts/{}", s.post(v)), key)).await;
            assert_eq!(r.status == 200, may.contains(&v), "{who} fetching {v}: {}", r.status);
        }
    }
}

/// The Create each remote inbox was sent for a post.
fn create_of<'a>(sent: &'a [Value], post_id: &str) -> Option<&'a Value> {
    sent.iter()
        .find(|a| a["type"] == "Create" && a["object"]["id"].as_str().is_some_and(|id| id.ends_with(post_id)))
}

fn list(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn each_visibility_is_addressed_and_delivered_as_mastodon_does() {
    let s = scene().await;
    let followers = format!("{}/followers", s.ada.ap_id);
    let (max, mia) = ("https://staffroom.test/users/max", "https://far.test/users/mia");
    let to_rick = sent_to(&s.app, "https://remote.test/inbox").await;
    let to_mia = sent_to(&s.app, "https://far.test/inbox").await;
    let expected: [(&str, Vec<&str>, Vec<&str>); 4] = [
        ("public", vec![PUBLIC], vec![&followers, max, mia]),
        ("unlisted", vec![&followers], vec![PUBLIC, max, mia]),
        ("private", vec![&followers], vec![max, mia]),
        ("direct", vec![max, mia], vec![]),
    ];
    for (v, to, cc) in expected {
        let id = s.post(v);
        let create = create_of(&to_mia, id).unwrap_or_else(|| panic!("mia gets the {v} post"));
        let note = &create["object"];
        assert_eq!(list(&note["to"]), to, "{v} to: {note}");
        assert_eq!(list(&note["cc"]), cc, "{v} cc: {note}");
        assert_eq!(
            (&note["summary"], &note["sensitive"], &note["contentMap"]["fr"]),
            (&json!("Maths homework"), &json!(true), &note["content"]),
            "{note}"
        );
        assert!(
            list(&create["to"])
                .iter()
                .chain(list(&create["cc"]).iter())
                .all(|a| list(&note["to"]).contains(a) || list(&note["cc"]).contains(a)),
            "the Create is addressed like its object: {create}"
        );
        // Followers get everything but the direct message.
        assert_eq!(
            create_of(&to_rick, id).is_some(),
            v != "direct",
            "rick gets the {v} post"
        );
    }
}

#[tokio::test]
async fn posts_from_elsewhere_keep_their_visibility_warning_and_language() {
    let app = TestApp::new().await;
    let fay = app.create_user("fay", Role::Member).await;
    let oli = app.create_user("oli", Role::Member).await;
    let (fay_token, oli_token) = (app.token(&fay, "read write").await, app.token(&oli, "read write").await);
    let (bob, key) = remote_actor(&app, "bob", "mastodon.test").await;
    follows::insert(&app.state.db, fay.actor.id, bob.id, None, true)
        .await
        .unwrap();
    let followers = format!("{}/followers", bob.ap_id);
    let note = |n: u32, to: Vec<&str>, cc: Vec<&str>, extra: Value| {
        let mut o = json!({
            "id": format!("{}/statuses/{n}", bob.ap_id), "type": "Note", "attributedTo": bob.ap_id,
            "to": to, "cc": cc, "content": format!("<p>Note {n}</p>"),
            "published": "2026-11-30T10:00:00Z",
        });
        for (k, v) in extra.as_object().unwrap() {
            o[k] = v.clone();
        }
        json!({ "id": format!("{}/statuses/{n}/activity", bob.ap_id), "type": "Create", "actor": bob.ap_id,
                "to": o["to"], "cc": o["cc"], "object": o })
    };
    let oli_id = oli.actor.ap_id.clone();
    let cases = [
        (1, vec![PUBLIC], vec![followers.as_str()], json!({}), "public"),
        (2, vec![followers.as_str()], vec![PUBLIC], json!({}), "unlisted"),
        (3, vec![followers.as_str()], vec![], json!({}), "private"),
        // A direct message without a Mention tag (some servers send them so).
        (4, vec![oli_id.as_str()], vec![], json!({}), "direct"),
        (
            5,
            vec![PUBLIC],
            vec![],
            json!({ "summary": "<p>Exam &amp; answers</p>", "contentMap": { "de": "<p>Note 5</p>" },
                    "attachment": { "type": "Document", "mediaType": "image/png", "url": "https://mastodon.test/a.png", "sensitive": true } }),
            "public",
        ),
    ];
    for (n, to, cc, extra, _) in &cases {
        deliver(&app, &key, note(*n, to.clone(), cc.clone(), extra.clone())).await;
    }
    for (n, _, _, _, visibility) in &cases {
        let row = posts::find_by_ap_id(&app.state.db, &format!("{}/statuses/{n}", bob.ap_id))
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("note {n} stored"));
        let fay_reads = app
            .api("GET", &format!("/api/v1/statuses/{}", row.id), Some(&fay_token), None)
            .await;
        let oli_reads = app
            .api("GET", &format!("/api/v1/statuses/{}", row.id), Some(&oli_token), None)
            .await;
        let anonymous = app
            .api("GET", &format!("/api/v1/statuses/{}", row.id), None, None)
            .await;
        let expect = match *visibility {
            "public" | "unlisted" => (200, 200, 200),
            "private" => (200, 404, 404),
            _ => (404, 200, 404),
        };
        assert_eq!(
            (
                fay_reads.status.as_u16(),
                oli_reads.status.as_u16(),
                anonymous.status.as_u16()
            ),
            expect,
            "note {n} ({visibility})"
        );
        let entity = if fay_reads.status == 200 {
            fay_reads.json()
        } else {
            oli_reads.json()
        };
        assert_eq!(entity["visibility"], *visibility, "note {n}: {entity}");
    }
    // The public timeline lists the public ones only.
    let public = ids(&app.api("GET", "/api/v1/timelines/public", None, None).await.json());
    assert_eq!(public.len(), 2, "{public:?}");
    // Oli was told of the direct message addressed to him.
    let told = app
        .api("GET", "/api/v1/notifications", Some(&oli_token), None)
        .await
        .text();
    assert!(told.contains("Note 4"), "{told}");
    // The warning, the sensitive attachment and the language arrive.
    let five = posts::find_by_ap_id(&app.state.db, &format!("{}/statuses/5", bob.ap_id))
        .await
        .unwrap()
        .unwrap();
    let entity = app
        .api("GET", &format!("/api/v1/statuses/{}", five.id), None, None)
        .await
        .json();
    assert_eq!(
        (&entity["spoiler_text"], &entity["sensitive"], &entity["language"]),
        (&json!("Exam & answers"), &json!(true), &json!("de")),
        "{entity}"
    );
}

#[tokio::test]
async fn apps_send_booleans_and_ids_in_every_form_and_bad_values_are_refused() {
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    let token = app.token(&ada, "read write").await;
    for sensitive in [json!(true), json!("true"), json!("1"), json!(1)] {
        let r = app
            .api(
                "POST",
                "/api/v1/statuses",
                Some(&token),
                Some(json!({ "status": "hi", "sensitive": sensitive })),
            )
            .await;
        assert_eq!(
            (r.status.as_u16(), r.json()["sensitive"].clone()),
            (200, json!(true)),
            "{sensitive}"
        );
    }
    let r = app
        .form(
            "/api/v1/statuses",
            Some(&token),
            &[("status", "hi"), ("sensitive", "on"), ("visibility", "unlisted")],
        )
        .await;
    assert_eq!(
        (
            r.status.as_u16(),
            r.json()["sensitive"].clone(),
            r.json()["visibility"].clone()
        ),
        (200, json!(true), json!("unlisted"))
    );
    for (body, why) in [
        (json!({ "status": "hi", "visibility": "friends" }), "visibility"),
        (json!({ "status": "hi", "language": "not a language" }), "language"),
        (json!({ "status": "hi", "sensitive": "maybe" }), "boolean"),
        (
            json!({ "status": "hi", "spoiler_text": "w".repeat(501) }),
            "content warnings",
        ),
    ] {
        let r = app.api("POST", "/api/v1/statuses", Some(&token), Some(body)).await;
        assert_eq!(r.status, 422, "{why}: {}", r.text());
        assert!(r.json()["error"].as_str().unwrap().contains(why), "{why}: {}", r.text());
    }
    // An edit replaces the warning and keeps the history of it.
    let r = app
        .api(
            "POST",
            "/api/v1/statuses",
            Some(&token),
            Some(json!({ "status": "first", "spoiler_text": "old warning" })),
        )
        .await
        .json();
    let id = r["id"].as_str().unwrap();
    let edited = app
        .api(
            "PUT",
            &format!("/api/v1/statuses/{id}"),
            Some(&token),
            Some(json!({ "status": "second", "spoiler_text": "new warning", "language": "de" })),
        )
        .await
        .json();
    assert_eq!(
        (&edited["spoiler_text"], &edited["language"], &edited["text"]),
        (&json!("new warning"), &json!("de"), &json!("second"))
    );
    let history = app
        .api("GET", &format!("/api/v1/statuses/{id}/history"), Some(&token), None)
        .await
        .json();
    let warnings: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["spoiler_text"].as_str().unwrap())
        .collect();
    assert_eq!(warnings, ["old warning", "new warning"]);
}

fn conversation_of<'a>(list: &'a Value, status: &str) -> Option<&'a Value> {
    list.as_array()
        .unwrap()
        .iter()
        .find(|c| c["last_status"]["id"] == status)
}

#[tokio::test]
async fn direct_messages_gather_in_conversations_per_participant() {
    let app = TestApp::new().await;
    let mut tokens = Vec::new();
    for name in ["ada", "max", "fay"] {
        let a = app.create_user(name, Role::Member).await;
        tokens.push(app.token(&a, "read write").await);
    }
    let (ada, max, fay) = (&tokens[0], &tokens[1], &tokens[2]);
    let say = |token: &str, text: &str, visibility: &str, reply: Option<&str>| {
        let body = json!({ "status": text, "visibility": visibility, "in_reply_to_id": reply });
        let token = token.to_owned();
        let app = &app;
        async move {
            let r = app.api("POST", "/api/v1/statuses", Some(&token), Some(body)).await;
            assert_eq!(r.status, 200, "{}", r.text());
            r.json()["id"].as_str().unwrap().to_owned()
        }
    };
    let list = |token: &str| {
        let token = token.to_owned();
        let app = &app;
        async move { app.api("GET", "/api/v1/conversations", Some(&token), None).await.json() }
    };
    say(ada, "@max a public word", "public", None).await;
    let first = say(ada, "@max the exam questions", "direct", None).await;
    let (for_ada, for_max) = (list(ada).await, list(max).await);
    assert_eq!(
        (for_ada.as_array().unwrap().len(), for_max.as_array().unwrap().len()),
        (1, 1),
        "{for_max}"
    );
    let c = conversation_of(&for_max, &first).expect("max has it");
    assert_eq!(
        (&c["unread"], &c["accounts"][0]["username"]),
        (&json!(true), &json!("ada"))
    );
    let mine = conversation_of(&for_ada, &first).expect("ada has it");
    assert_eq!(
        (&mine["unread"], &mine["accounts"][0]["username"]),
        (&json!(false), &json!("max"))
    );
    assert_eq!(list(fay).await, json!([]));

    // An answer moves the same conversation on, unread for the other side.
    let answer = say(max, "@ada thanks", "direct", Some(&first)).await;
    let for_ada = list(ada).await;
    assert_eq!(for_ada.as_array().unwrap().len(), 1, "{for_ada}");
    assert_eq!(conversation_of(&for_ada, &answer).expect("moved on")["unread"], true);
    let id = for_ada[0]["id"].as_str().unwrap().to_owned();
    let read = app
        .api("POST", &format!("/api/v1/conversations/{id}/read"), Some(ada), None)
        .await;
    assert_eq!(
        (read.status.as_u16(), read.json()["unread"].clone()),
        (200, json!(false))
    );
    // Nobody else reads or hides another's conversation.
    for (method, path) in [
        ("POST", format!("/api/v1/conversations/{id}/read")),
        ("DELETE", format!("/api/v1/conversations/{id}")),
    ] {
        assert_eq!(
            app.api(method, &path, Some(fay), None).await.status,
            404,
            "{method} {path}"
        );
    }
    // Hidden until the next message.
    assert_eq!(
        app.api("DELETE", &format!("/api/v1/conversations/{id}"), Some(ada), None)
            .await
            .status,
        200
    );
    assert_eq!(list(ada).await, json!([]));
    let again = say(max, "@ada one more thing", "direct", Some(&answer)).await;
    let for_ada = list(ada).await;
    assert!(conversation_of(&for_ada, &again).is_some(), "{for_ada}");
    assert_eq!(list(max).await.as_array().unwrap().len(), 1);
}

/// toot registers with `"agreement": true` (a JSON boolean).
#[tokio::test]
async fn registration_takes_the_agreement_as_a_boolean() {
    let app = TestApp::with_config(|c| c.registrations = staffroom::config::Registrations::Open).await;
    let client = app
        .api(
            "POST",
            "/api/v1/apps",
            None,
            Some(
                json!({ "client_name": "toot", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read write" }),
            ),
        )
        .await
        .json();
    let grant = app
        .form(
            "/oauth/token",
            None,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", client["client_id"].as_str().unwrap()),
                ("client_secret", client["client_secret"].as_str().unwrap()),
                ("scope", "read write"),
            ],
        )
        .await
        .json();
    let r = app
        .api(
            "POST",
            "/api/v1/accounts",
            grant["access_token"].as_str(),
            Some(json!({ "username": "toot_user", "email": "toot@school.example",
                         "password": "correct horse battery staple", "agreement": true, "locale": "en" })),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}
