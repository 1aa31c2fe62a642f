//! Filters (v2, and the first API), on either engine: keywords anywhere or as whole words, and
//! chosen posts, put posts behind a warning (`filtered`) or leave them out, in the contexts
//! named (home, public, notifications, thread, account), until they expire; never one's own
//! posts; another member's filters are not found.

mod common;

use common::TestApp;
use serde_json::{Value, json};
use staffroom::services::accounts::Role;

struct Member {
    token: String,
}

async fn member(app: &TestApp, name: &str) -> (staffroom::storage::actors::ActorRow, Member) {
    let a = app.create_user(name, Role::Member).await;
    let token = app.token(&a, "read write follow").await;
    (a.actor, Member { token })
}

async fn call(app: &TestApp, who: &Member, method: &str, uri: &str, body: Option<Value>) -> Value {
    let r = app.api(method, uri, Some(&who.token), body).await;
    assert_eq!(r.status, 200, "{method} {uri}: {}", r.text());
    r.json()
}

/// The statuses of a page by their text: `(text, titles of the filters that warn about it)`.
fn seen(page: &Value) -> Vec<(String, Vec<String>)> {
    page.as_array()
        .unwrap_or_else(|| panic!("not a list: {page}"))
        .iter()
        .map(|s| {
            let s = if s["reblog"].is_object() { &s["reblog"] } else { s };
            let titles = s["filtered"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["filter"]["title"].as_str().unwrap().to_owned())
                .collect();
            (staffroom::text::html_to_plain(s["content"].as_str().unwrap()), titles)
        })
        .collect()
}

fn warned(page: &Value, text: &str) -> Option<Vec<String>> {
    seen(page).into_iter().find(|(t, _)| t == text).map(|(_, w)| w)
}

#[tokio::test]
async fn filters_warn_hide_and_expire_in_their_contexts() {
    let app = TestApp::new().await;
    let (_, ada) = member(&app, "ada").await;
    let (bob_actor, bob) = member(&app, "bob").await;
    call(
        &app,
        &ada,
        "POST",
        &format!("/api/v1/accounts/{}/follow", bob_actor.id),
        None,
    )
    .await;

    // Refused: no title, an unknown context, an unknown action.
    for bad in [
        json!({ "context": ["home"] }),
        json!({ "title": "x", "context": ["everywhere"] }),
        json!({ "title": "x", "context": ["home"], "filter_action": "explode" }),
    ] {
        let r = app
            .api("POST", "/api/v2/filters", Some(&ada.token), Some(bad.clone()))
            .await;
        assert_eq!(r.status, 422, "{bad}: {}", r.text());
    }
    let exams = call(
        &app,
        &ada,
        "POST",
        "/api/v2/filters",
        Some(
            json!({ "title": "Exams", "context": ["home", "public", "thread"], "filter_action": "warn",
            "keywords_attributes": [{ "keyword": "exam", "whole_word": true }] }),
        ),
    )
    .await;
    assert_eq!(
        (
            &exams["filter_action"],
            &exams["context"],
            &exams["keywords"][0]["keyword"]
        ),
        (&json!("warn"), &json!(["home", "public", "thread"]), &json!("exam"))
    );
    // A form body, as older apps send it: hidden at home only.
    let r = app
        .form(
            "/api/v2/filters",
            Some(&ada.token),
            &[
                ("title", "Spoilers"),
                ("context[]", "home"),
                ("filter_action", "hide"),
                ("keywords_attributes[][keyword]", "finale"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let spoilers = r.json();

    for text in [
        "The exam is on Friday",
        "Examination results are out",
        "The finale was great",
    ] {
        call(&app, &bob, "POST", "/api/v1/statuses", Some(json!({ "status": text }))).await;
    }
    let home = call(&app, &ada, "GET", "/api/v1/timelines/home", None).await;
    assert_eq!(
        warned(&home, "The exam is on Friday"),
        Some(vec!["Exams".to_owned()]),
        "{home}"
    );
    assert_eq!(
        warned(&home, "Examination results are out"),
        Some(vec![]),
        "whole words only"
    );
    assert_eq!(warned(&home, "The finale was great"), None, "hidden at home");
    let first = home
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["content"].as_str().unwrap().contains("The exam"))
        .unwrap();
    assert_eq!(first["filtered"][0]["keyword_matches"], json!(["exam"]));
    let public = call(&app, &ada, "GET", "/api/v1/timelines/public", None).await;
    assert_eq!(
        warned(&public, "The finale was great"),
        Some(vec![]),
        "not hidden in public"
    );
    // Not in the account context: his profile shows them plainly.
    let profile = call(
        &app,
        &ada,
        "GET",
        &format!("/api/v1/accounts/{}/statuses", bob_actor.id),
        None,
    )
    .await;
    assert_eq!(warned(&profile, "The exam is on Friday"), Some(vec![]));
    // One's own posts are never filtered.
    call(
        &app,
        &ada,
        "POST",
        "/api/v1/statuses",
        Some(json!({ "status": "My exam notes" })),
    )
    .await;
    let home = call(&app, &ada, "GET", "/api/v1/timelines/home", None).await;
    assert_eq!(warned(&home, "My exam notes"), Some(vec![]));

    // A chosen post, and a new keyword; then the keyword changed and removed.
    let id = exams["id"].as_str().unwrap();
    let post = call(
        &app,
        &bob,
        "POST",
        "/api/v1/statuses",
        Some(json!({ "status": "Nothing to see" })),
    )
    .await;
    let chosen = call(
        &app,
        &ada,
        "POST",
        &format!("/api/v2/filters/{id}/statuses"),
        Some(json!({ "status_id": post["id"] })),
    )
    .await;
    assert_eq!(chosen["status_id"], post["id"]);
    let home = call(&app, &ada, "GET", "/api/v1/timelines/home", None).await;
    let s = home.as_array().unwrap().iter().find(|s| s["id"] == post["id"]).unwrap();
    assert_eq!(s["filtered"][0]["status_matches"], json!([chosen["id"]]), "{s}");
    let k = call(
        &app,
        &ada,
        "POST",
        &format!("/api/v2/filters/{id}/keywords"),
        Some(json!({ "keyword": "grade", "whole_word": false })),
    )
    .await;
    let kid = k["id"].as_str().unwrap();
    let k = call(
        &app,
        &ada,
        "PUT",
        &format!("/api/v2/filters/keywords/{kid}"),
        Some(json!({ "keyword": "grading" })),
    )
    .await;
    assert_eq!((&k["keyword"], &k["whole_word"]), (&json!("grading"), &json!(false)));
    call(&app, &ada, "DELETE", &format!("/api/v2/filters/keywords/{kid}"), None).await;
    assert_eq!(
        call(&app, &ada, "GET", &format!("/api/v2/filters/{id}/keywords"), None)
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Threads: a reply with the keyword is behind the warning there too.
    let mine = call(
        &app,
        &ada,
        "POST",
        "/api/v1/statuses",
        Some(json!({ "status": "Questions?" })),
    )
    .await;
    call(
        &app,
        &bob,
        "POST",
        "/api/v1/statuses",
        Some(json!({ "status": "When is the exam?", "in_reply_to_id": mine["id"] })),
    )
    .await;
    let ctx = call(
        &app,
        &ada,
        "GET",
        &format!("/api/v1/statuses/{}/context", mine["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(
        ctx["descendants"][0]["filtered"][0]["filter"]["title"], "Exams",
        "{ctx}"
    );

    // Notifications: a hide filter there leaves the mention out.
    call(
        &app,
        &ada,
        "POST",
        "/api/v2/filters",
        Some(
            json!({ "title": "Bake sale", "context": ["notifications"], "filter_action": "hide",
            "keywords_attributes": [{ "keyword": "cookies" }] }),
        ),
    )
    .await;
    call(
        &app,
        &bob,
        "POST",
        "/api/v1/statuses",
        Some(json!({ "status": "@ada cookies for sale" })),
    )
    .await;
    call(
        &app,
        &bob,
        "POST",
        "/api/v1/statuses",
        Some(json!({ "status": "@ada staff meeting at 4" })),
    )
    .await;
    let notes = call(&app, &ada, "GET", "/api/v1/notifications?types[]=mention", None).await;
    let texts: Vec<String> = notes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| staffroom::text::html_to_plain(n["status"]["content"].as_str().unwrap()))
        .collect();
    assert!(texts.iter().any(|t| t.contains("staff meeting")), "{texts:?}");
    assert!(!texts.iter().any(|t| t.contains("cookies")), "{texts:?}");

    // Expired filters stop applying (and are still listed).
    let sid = spoilers["id"].as_str().unwrap();
    call(
        &app,
        &ada,
        "PUT",
        &format!("/api/v2/filters/{sid}"),
        Some(json!({ "expires_in": 3600 })),
    )
    .await;
    let mut row = staffroom::storage::filters::find(&app.state.db, spoilers_owner(&app).await, sid.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    row.expires_at = Some(staffroom::storage::now() - chrono::Duration::seconds(1));
    staffroom::storage::filters::update(&app.state.db, &row).await.unwrap();
    let home = call(&app, &ada, "GET", "/api/v1/timelines/home", None).await;
    assert_eq!(
        warned(&home, "The finale was great"),
        Some(vec![]),
        "an expired filter hides nothing"
    );
    assert_eq!(
        call(&app, &ada, "GET", "/api/v2/filters", None)
            .await
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // Someone else's filter is not found; deleting one ends it.
    for (m, uri) in [
        ("GET", format!("/api/v2/filters/{id}")),
        ("DELETE", format!("/api/v2/filters/{id}")),
    ] {
        assert_eq!(app.api(m, &uri, Some(&bob.token), None).await.status, 404, "{m} {uri}");
    }
    call(&app, &ada, "DELETE", &format!("/api/v2/filters/{id}"), None).await;
    let home = call(&app, &ada, "GET", "/api/v1/timelines/home", None).await;
    assert_eq!(warned(&home, "The exam is on Friday"), Some(vec![]));
}

async fn spoilers_owner(app: &TestApp) -> i64 {
    staffroom::storage::actors::find_local(&app.state.db, "ada")
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test]
async fn the_first_filters_api_shows_one_keyword_each() {
    let app = TestApp::new().await;
    let (_, ada) = member(&app, "ada").await;
    let r = app
        .form(
            "/api/v1/filters",
            Some(&ada.token),
            &[
                ("phrase", "homework"),
                ("context[]", "home"),
                ("context[]", "public"),
                ("irreversible", "true"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let f = r.json();
    assert_eq!(
        (&f["phrase"], &f["context"], &f["irreversible"], &f["whole_word"]),
        (
            &json!("homework"),
            &json!(["home", "public"]),
            &json!(true),
            &json!(true)
        )
    );
    let v2 = call(&app, &ada, "GET", "/api/v2/filters", None).await;
    assert_eq!(
        (&v2[0]["title"], &v2[0]["filter_action"]),
        (&json!("homework"), &json!("hide"))
    );
    assert_eq!(call(&app, &ada, "GET", "/api/v1/filters", None).await, json!([f]));
    let id = f["id"].as_str().unwrap();
    assert_eq!(call(&app, &ada, "GET", &format!("/api/v1/filters/{id}"), None).await, f);
    call(&app, &ada, "DELETE", &format!("/api/v1/filters/{id}"), None).await;
    assert_eq!(call(&app, &ada, "GET", "/api/v2/filters", None).await, json!([]));
}
