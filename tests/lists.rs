//! Lists, on either engine: creating and changing them, who may be put on them (people and
//! groups the owner follows), their timelines with each replies policy, exclusive lists leaving
//! home, and what ends when the owner unfollows someone. Another member's list is not found.

mod common;

use common::TestApp;
use serde_json::{Value, json};
use staffroom::services::accounts::Role;
use staffroom::storage::actors::ActorRow;

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

async fn call(app: &TestApp, who: &Member, method: &str, uri: &str, body: Option<Value>) -> Value {
    let r = app.api(method, uri, Some(&who.token), body).await;
    assert_eq!(r.status, 200, "{method} {uri}: {}", r.text());
    r.json()
}

async fn post(app: &TestApp, who: &Member, body: Value) -> String {
    call(app, who, "POST", "/api/v1/statuses", Some(body)).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn contents(page: &Value) -> Vec<String> {
    let mut v: Vec<String> = page
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {page}"))
        .iter()
        .map(|s| {
            let s = if s["reblog"].is_object() { &s["reblog"] } else { s };
            staffroom::text::html_to_plain(s["content"].as_str().unwrap())
        })
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn lists_are_made_filled_read_and_kept_to_their_owner() {
    let app = TestApp::new().await;
    let ada = member(&app, "ada").await;
    let bob = member(&app, "bob").await;
    let cy = member(&app, "cy").await;
    let dee = member(&app, "dee").await;
    let group = app.create_group("maths", Some(dee.actor.id), false).await;

    // Creating: a title is required; the policy is checked; booleans in any form.
    let r = app
        .api(
            "POST",
            "/api/v1/lists",
            Some(&ada.token),
            Some(json!({ "title": "  " })),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text());
    let r = app
        .api(
            "POST",
            "/api/v1/lists",
            Some(&ada.token),
            Some(json!({ "title": "Colleagues", "replies_policy": "everyone" })),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text());
    let list = call(
        &app,
        &ada,
        "POST",
        "/api/v1/lists",
        Some(json!({ "title": "Colleagues" })),
    )
    .await;
    assert_eq!(
        (&list["title"], &list["replies_policy"], &list["exclusive"]),
        (&json!("Colleagues"), &json!("list"), &json!(false))
    );
    let id = list["id"].as_str().unwrap().to_owned();
    let r = app
        .form(&format!("/api/v1/lists/{id}"), Some(&ada.token), &[("exclusive", "1")])
        .await;
    assert_eq!(r.status, 405, "PUT, not POST");
    let list = call(
        &app,
        &ada,
        "PUT",
        &format!("/api/v1/lists/{id}"),
        Some(json!({ "title": "Maths colleagues", "exclusive": "true" })),
    )
    .await;
    assert_eq!(
        (&list["title"], &list["exclusive"]),
        (&json!("Maths colleagues"), &json!(true))
    );
    assert_eq!(call(&app, &ada, "GET", "/api/v1/lists", None).await, json!([list]));

    // Only people and groups she follows go on it.
    let add = |ids: Vec<String>| json!({ "account_ids": ids });
    let r = app
        .api(
            "POST",
            &format!("/api/v1/lists/{id}/accounts"),
            Some(&ada.token),
            Some(add(vec![bob.actor.id.to_string()])),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text());
    for target in [bob.actor.id, cy.actor.id, group.id] {
        call(&app, &ada, "POST", &format!("/api/v1/accounts/{target}/follow"), None).await;
    }
    let r = app
        .form(
            &format!("/api/v1/lists/{id}/accounts"),
            Some(&ada.token),
            &[
                ("account_ids[]", &bob.actor.id.to_string()),
                ("account_ids[]", &group.id.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let members = call(&app, &ada, "GET", &format!("/api/v1/lists/{id}/accounts?limit=0"), None).await;
    let mut names: Vec<&str> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["username"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["bob", "maths"]);
    let holding = call(
        &app,
        &ada,
        "GET",
        &format!("/api/v1/accounts/{}/lists", bob.actor.id),
        None,
    )
    .await;
    assert_eq!(holding[0]["id"], json!(id));

    // The timeline: Bob's posts, replies to himself, to Ada and to the list's members; not his
    // replies to others; everything in the group. Cy is not on the list.
    let cys = post(&app, &cy, json!({ "status": "cy thinks aloud" })).await;
    let adas = post(&app, &ada, json!({ "status": "ada asks" })).await;
    let bobs = post(&app, &bob, json!({ "status": "bob starts" })).await;
    post(
        &app,
        &bob,
        json!({ "status": "bob to himself", "in_reply_to_id": bobs }),
    )
    .await;
    post(&app, &bob, json!({ "status": "bob to ada", "in_reply_to_id": adas })).await;
    post(&app, &bob, json!({ "status": "bob to cy", "in_reply_to_id": cys })).await;
    post(&app, &dee, json!({ "status": "@maths dee in the group" })).await;
    let tl = call(&app, &ada, "GET", &format!("/api/v1/timelines/list/{id}"), None).await;
    assert_eq!(
        contents(&tl),
        ["@maths dee in the group", "bob starts", "bob to ada", "bob to himself"],
        "{tl}"
    );
    // `followed` adds his replies to people she follows (Cy); `none` keeps only his own threads.
    call(
        &app,
        &ada,
        "PUT",
        &format!("/api/v1/lists/{id}"),
        Some(json!({ "replies_policy": "followed" })),
    )
    .await;
    let tl = call(&app, &ada, "GET", &format!("/api/v1/timelines/list/{id}"), None).await;
    assert!(contents(&tl).contains(&"bob to cy".to_owned()), "{tl}");
    call(
        &app,
        &ada,
        "PUT",
        &format!("/api/v1/lists/{id}"),
        Some(json!({ "replies_policy": "none" })),
    )
    .await;
    let tl = call(&app, &ada, "GET", &format!("/api/v1/timelines/list/{id}"), None).await;
    assert_eq!(
        contents(&tl),
        ["@maths dee in the group", "bob starts", "bob to ada", "bob to himself"],
        "{tl}"
    );

    // Exclusive: Bob and the group leave her home; Cy stays.
    let home = contents(&call(&app, &ada, "GET", "/api/v1/timelines/home", None).await);
    assert!(
        home.iter().all(|c| !c.starts_with("bob") && !c.contains("dee")),
        "{home:?}"
    );
    assert!(home.contains(&"cy thinks aloud".to_owned()), "{home:?}");

    // Someone else's list is not found, whatever they try.
    for (m, uri) in [
        ("GET", format!("/api/v1/lists/{id}")),
        ("GET", format!("/api/v1/timelines/list/{id}")),
        ("GET", format!("/api/v1/lists/{id}/accounts")),
        ("DELETE", format!("/api/v1/lists/{id}")),
    ] {
        assert_eq!(app.api(m, &uri, Some(&bob.token), None).await.status, 404, "{m} {uri}");
    }
    // Unfollowing takes Bob off the list; removing the group empties it; deleting ends it.
    call(
        &app,
        &ada,
        "POST",
        &format!("/api/v1/accounts/{}/unfollow", bob.actor.id),
        None,
    )
    .await;
    let r = app
        .api(
            "DELETE",
            &format!("/api/v1/lists/{id}/accounts?account_ids[]={}", group.id),
            Some(&ada.token),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        call(&app, &ada, "GET", &format!("/api/v1/lists/{id}/accounts"), None).await,
        json!([])
    );
    call(&app, &ada, "DELETE", &format!("/api/v1/lists/{id}"), None).await;
    assert_eq!(call(&app, &ada, "GET", "/api/v1/lists", None).await, json!([]));
}
