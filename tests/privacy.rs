//! Members-only group spaces through every read path of the client API, asked of an outsider,
//! a pending member, a removed member, a member, the owner and an anonymous caller, on either
//! engine. One decision (`services::visibility`) answers them all.

mod common;

use common::TestApp;
use serde_json::json;
use staffroom::services::accounts::Role;
use staffroom::services::groups::{self, Moderation};
use staffroom::storage::follows;

struct Space {
    app: TestApp,
    group: staffroom::storage::actors::ActorRow,
    /// (name, token) of: owner, member, pending, removed, outsider.
    tokens: Vec<(&'static str, String)>,
}

impl Space {
    fn token(&self, who: &str) -> &str {
        &self.tokens.iter().find(|(n, _)| *n == who).unwrap().1
    }
}

async fn space() -> Space {
    let app = TestApp::new().await;
    let mut tokens = Vec::new();
    let owner = app.create_user("owner", Role::Member).await;
    let group = app.create_group("staffroom_fr", Some(owner.actor.id), true).await;
    for name in ["owner", "member", "pending", "removed", "outsider"] {
        let account = if name == "owner" {
            owner.clone()
        } else {
            app.create_user(name, Role::Member).await
        };
        match name {
            "member" | "removed" => follows::insert(&app.state.db, account.actor.id, group.id, None, true)
                .await
                .unwrap(),
            "pending" => follows::insert(&app.state.db, account.actor.id, group.id, None, false)
                .await
                .unwrap(),
            _ => {}
        }
        if name == "removed" {
            groups::moderate(
                &app.state,
                &group,
                &account.actor,
                Some(&owner.actor),
                Moderation::Remove,
                "",
            )
            .await
            .unwrap();
        }
        // Everyone follows the owner, as a colleague would.
        if name != "owner" {
            follows::insert(&app.state.db, account.actor.id, owner.actor.id, None, true)
                .await
                .unwrap();
        }
        tokens.push((name, app.token(&account, "read write follow").await));
    }
    Space { app, group, tokens }
}

const INSIDE: [&str; 2] = ["owner", "member"];
const OUTSIDE: [&str; 3] = ["pending", "removed", "outsider"];

#[tokio::test]
async fn a_members_only_groups_member_list_is_for_its_members() {
    let s = space().await;
    for path in ["followers", "following"] {
        let uri = format!("/api/v1/accounts/{}/{path}", s.group.id);
        assert_eq!(
            s.app.api("GET", &uri, None, None).await.status,
            404,
            "anonymous, {path}"
        );
        for who in OUTSIDE {
            assert_eq!(
                s.app.api("GET", &uri, Some(s.token(who)), None).await.status,
                404,
                "{who}, {path}"
            );
        }
        for who in INSIDE {
            let r = s.app.api("GET", &uri, Some(s.token(who)), None).await;
            assert_eq!(r.status, 200, "{who}, {path}: {}", r.text());
        }
    }
    let list = s
        .app
        .api(
            "GET",
            &format!("/api/v1/accounts/{}/followers", s.group.id),
            Some(s.token("member")),
            None,
        )
        .await
        .json();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["username"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"member") && !names.contains(&"pending") && !names.contains(&"removed"),
        "{names:?}"
    );
    // A public group's list stays public.
    let public = s.app.create_group("coffee", None, false).await;
    let uri = format!("/api/v1/accounts/{}/followers", public.id);
    assert_eq!(s.app.api("GET", &uri, None, None).await.status, 200);
}

#[tokio::test]
async fn members_only_posts_and_events_reach_only_the_space() {
    let s = space().await;
    // The owner posts into the group and organises one of its events.
    let post = s
        .app
        .api(
            "POST",
            "/api/v1/statuses",
            Some(s.token("owner")),
            Some(json!({ "status": format!("@staffroom_fr Spring training plan") })),
        )
        .await;
    assert_eq!(post.status, 200, "{}", post.text());
    let post_id = post.json()["id"].as_str().unwrap().to_owned();
    let event = s
        .app
        .api(
            "POST",
            "/api/staffroom/v1/events",
            Some(s.token("owner")),
            Some(
                json!({ "title": "Closed seminar", "starts_at": "2027-05-10T09:00", "ends_at": "2027-05-10T12:00",
                         "timezone": "Europe/Paris", "place_name": "Room 4", "group_id": s.group.id.to_string() }),
            ),
        )
        .await;
    assert_eq!(event.status, 200, "{}", event.text());

    for who in INSIDE.iter().chain(OUTSIDE.iter()) {
        let inside = INSIDE.contains(who);
        let r = s
            .app
            .api("GET", &format!("/api/v1/statuses/{post_id}"), Some(s.token(who)), None)
            .await;
        assert_eq!(r.status, if inside { 200 } else { 404 }, "{who} opens the post");
        let home = s
            .app
            .api("GET", "/api/v1/timelines/home", Some(s.token(who)), None)
            .await;
        assert_eq!(home.status, 200);
        let text = home.text();
        assert_eq!(
            text.contains("Closed seminar"),
            inside,
            "{who}'s home timeline and the event: {text}"
        );
        assert_eq!(
            text.contains("Spring training plan"),
            inside,
            "{who}'s home timeline and the post"
        );
        let profile = s
            .app
            .api(
                "GET",
                &format!("/api/v1/accounts/{}/statuses", s.group.id),
                Some(s.token(who)),
                None,
            )
            .await;
        assert_eq!(
            profile.text().contains("Spring training plan"),
            inside,
            "{who}: the group's statuses"
        );
    }
    let anon = s
        .app
        .api("GET", &format!("/api/v1/statuses/{post_id}"), None, None)
        .await;
    assert_eq!(anon.status, 404);
}

/// Reads an event stream until `until` appears (or 10 s pass); returns what it read.
async fn read_stream_until(mut stream: reqwest::Response, until: &str) -> String {
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !text.contains(until) {
        match tokio::time::timeout_at(deadline, stream.chunk()).await {
            Ok(Ok(Some(chunk))) => text.push_str(&String::from_utf8_lossy(&chunk)),
            _ => break,
        }
    }
    text
}

#[tokio::test]
async fn streams_tell_of_deleted_members_only_posts_only_inside_the_space() {
    let s = space().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let router = s.app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let client = reqwest::Client::new();
    let open = |path: &'static str, who: &'static str| {
        let req = client.get(format!("http://127.0.0.1:{port}/api/v1/streaming/{path}"));
        let req = if who.is_empty() {
            req
        } else {
            req.bearer_auth(s.token(who))
        };
        req.send()
    };
    let (outsider, public, member) = (
        open("user", "outsider").await.unwrap(),
        open("public", "").await.unwrap(),
        open("user", "member").await.unwrap(),
    );
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let post = |text: &'static str| {
        s.app.api(
            "POST",
            "/api/v1/statuses",
            Some(s.token("owner")),
            Some(json!({ "status": text })),
        )
    };
    let secret = post("@staffroom_fr members only").await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let marker = post("A public note").await.json()["id"].as_str().unwrap().to_owned();
    for id in [&secret, &marker] {
        let r = s
            .app
            .api(
                "DELETE",
                &format!("/api/v1/statuses/{id}"),
                Some(s.token("owner")),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let until = format!("data: {marker}");
    let (outsider, public, member) = tokio::join!(
        read_stream_until(outsider, &until),
        read_stream_until(public, &until),
        read_stream_until(member, &until)
    );
    for (who, text) in [("outsider", &outsider), ("public", &public)] {
        assert!(text.contains(&until), "{who} saw the public delete: {text}");
        assert!(
            !text.contains(&secret),
            "{who} learnt the members-only post's id: {text}"
        );
    }
    assert!(
        member.contains(&format!("data: {secret}")),
        "the member is told: {member}"
    );
}

#[tokio::test]
async fn files_of_members_only_posts_load_only_for_the_space() {
    let s = space().await;
    let upload = s
        .app
        .upload_media(s.token("owner"), &common::png(), "Seating plan")
        .await;
    assert_eq!(upload.status, 200, "{}", upload.text());
    let media_id = upload.json()["id"].as_str().unwrap().to_owned();
    let draft_url = upload.json()["url"].as_str().unwrap().to_owned();
    let path = |url: &str| url.trim_start_matches("https://staffroom.test").to_owned();
    let bare = path(draft_url.split('?').next().unwrap());
    let name = bare.trim_start_matches("/media/").split('.').next().unwrap().to_owned();
    assert_eq!(name.len(), 32, "an unguessable name, not the time-ordered id: {name}");
    assert_eq!(s.app.get(&bare).await.status, 404, "an unposted upload is its owner's");
    assert_eq!(
        s.app.get(&path(&draft_url)).await.status,
        200,
        "the owner's signed link"
    );

    let post = s
        .app
        .api(
            "POST",
            "/api/v1/statuses",
            Some(s.token("owner")),
            Some(json!({ "status": "@staffroom_fr the seating plan", "media_ids": [media_id] })),
        )
        .await;
    assert_eq!(post.status, 200, "{}", post.text());
    let post_id = post.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(s.app.get(&bare).await.status, 404, "anonymous");
    let with_token = |who: &str| {
        let req = axum::http::Request::get(bare.clone())
            .header("authorization", format!("Bearer {}", s.token(who)))
            .body(axum::body::Body::empty())
            .unwrap();
        s.app.request(req)
    };
    for who in OUTSIDE {
        assert_eq!(with_token(who).await.status, 404, "{who}");
    }
    for who in INSIDE {
        let r = with_token(who).await;
        assert_eq!(r.status, 200, "{who}");
        assert!(
            r.header("cache-control").starts_with("private"),
            "{}",
            r.header("cache-control")
        );
    }
    // An app shows the image from the link in the status, which it loads without credentials.
    let status = s
        .app
        .api(
            "GET",
            &format!("/api/v1/statuses/{post_id}"),
            Some(s.token("member")),
            None,
        )
        .await
        .json();
    let link = status["media_attachments"][0]["url"].as_str().unwrap().to_owned();
    assert!(link.contains("sig="), "{link}");
    assert_eq!(s.app.get(&path(&link)).await.status, 200);
    let forged = link.replace("sig=", "sig=0");
    assert_eq!(s.app.get(&path(&forged)).await.status, 404);
    let other_day = link.replace("expires=", "expires=1");
    assert_eq!(s.app.get(&path(&other_day)).await.status, 404);

    // A public post's file is public and cached.
    let public = s
        .app
        .upload_media(s.token("owner"), &common::png(), "Poster")
        .await
        .json();
    let r = s
        .app
        .api(
            "POST",
            "/api/v1/statuses",
            Some(s.token("owner")),
            Some(json!({ "status": "Open day!", "media_ids": [public["id"]] })),
        )
        .await
        .json();
    let url = r["media_attachments"][0]["url"].as_str().unwrap().to_owned();
    assert!(!url.contains("sig="), "{url}");
    let r = s.app.get(&path(&url)).await;
    assert_eq!(r.status, 200);
    assert!(r.header("cache-control").starts_with("public"));
}

#[tokio::test]
async fn notifications_of_a_space_go_when_the_member_leaves_it() {
    let s = space().await;
    let r = s
        .app
        .api(
            "POST",
            "/api/v1/statuses",
            Some(s.token("owner")),
            Some(json!({ "status": "@staffroom_fr @member the budget is attached" })),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let seen = s
        .app
        .api("GET", "/api/v1/notifications", Some(s.token("member")), None)
        .await
        .text();
    assert!(seen.contains("the budget"), "{seen}");
    let member = staffroom::storage::actors::find_local(&s.app.state.db, "member")
        .await
        .unwrap()
        .unwrap();
    let owner = staffroom::storage::actors::find_local(&s.app.state.db, "owner")
        .await
        .unwrap()
        .unwrap();
    groups::moderate(&s.app.state, &s.group, &member, Some(&owner), Moderation::Remove, "")
        .await
        .unwrap();
    let after = s
        .app
        .api("GET", "/api/v1/notifications", Some(s.token("member")), None)
        .await;
    assert_eq!(after.status, 200);
    assert!(!after.text().contains("the budget"), "{}", after.text());
}
