//! Streaming over a real loopback server: the HTTP event stream and the WebSocket.

mod common;

use std::time::Duration;

use common::TestApp;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use staffroom::services::accounts::Role;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

async fn serve(app: &TestApp) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    port
}

#[tokio::test]
async fn the_user_event_stream_delivers_new_posts_and_notifications() {
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    let bob = app.create_user("bob", Role::Member).await;
    let (ta, tb) = (app.token(&ada, "read write").await, app.token(&bob, "read write").await);
    let port = serve(&app).await;
    let client = reqwest::Client::new();
    let mut stream = client
        .get(format!("http://127.0.0.1:{port}/api/v1/streaming/user"))
        .bearer_auth(&ta)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    assert!(
        stream.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    app.api(
        "POST",
        "/api/v1/statuses",
        Some(&ta),
        Some(json!({ "status": "My own post" })),
    )
    .await;
    app.api(
        "POST",
        "/api/v1/statuses",
        Some(&tb),
        Some(json!({ "status": "@ada hello" })),
    )
    .await;

    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !(text.contains("event: update") && text.contains("event: notification")) {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk())
            .await
            .expect("events in time")
            .unwrap()
            .unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    let update = text
        .split("event: update\ndata: ")
        .nth(1)
        .unwrap()
        .lines()
        .next()
        .unwrap();
    let status: Value = serde_json::from_str(update).unwrap();
    assert!(status["content"].as_str().unwrap().contains("My own post"));
    let note = text
        .split("event: notification\ndata: ")
        .nth(1)
        .unwrap()
        .lines()
        .next()
        .unwrap();
    let note: Value = serde_json::from_str(note).unwrap();
    assert_eq!(
        (note["type"].as_str(), note["account"]["username"].as_str()),
        (Some("mention"), Some("bob"))
    );
}

#[tokio::test]
async fn the_websocket_takes_its_token_in_the_protocol_header_and_subscribes() {
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    let ta = app.token(&ada, "read write").await;
    let port = serve(&app).await;
    let mut req = format!("ws://127.0.0.1:{port}/api/v1/streaming")
        .into_client_request()
        .unwrap();
    req.headers_mut().insert("sec-websocket-protocol", ta.parse().unwrap());
    let (mut ws, response) = tokio_tungstenite::connect_async(req).await.unwrap();
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        ta.as_str(),
        "the token is echoed back"
    );
    ws.send(Message::text(
        json!({ "type": "subscribe", "stream": "public:local" }).to_string(),
    ))
    .await
    .unwrap();
    ws.send(Message::text(
        json!({ "type": "subscribe", "stream": "nonsense" }).to_string(),
    ))
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    app.api(
        "POST",
        "/api/v1/statuses",
        Some(&ta),
        Some(json!({ "status": "Over the socket" })),
    )
    .await;

    let mut saw_error = false;
    let frame = loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("a frame in time")
            .unwrap()
            .unwrap();
        let Message::Text(text) = msg else { continue };
        let v: Value = serde_json::from_str(&text).unwrap();
        if v["error"].is_string() {
            saw_error = true;
            continue;
        }
        break v;
    };
    assert!(saw_error, "an unknown stream is answered with an error");
    assert_eq!(frame["stream"], json!(["public:local"]));
    assert_eq!(frame["event"], "update");
    let status: Value = serde_json::from_str(frame["payload"].as_str().unwrap()).unwrap();
    assert!(status["content"].as_str().unwrap().contains("Over the socket"));

    // A bad token is refused before the upgrade.
    let mut bad = format!("ws://127.0.0.1:{port}/api/v1/streaming")
        .into_client_request()
        .unwrap();
    bad.headers_mut()
        .insert("sec-websocket-protocol", "not-a-token".parse().unwrap());
    assert!(tokio_tungstenite::connect_async(bad).await.is_err());
}

/// Two processes of one node on one PostgreSQL database: a client streaming from the second
/// hears of a post made through the first (relayed with LISTEN/NOTIFY), and the first does not
/// hear its own events twice.
#[tokio::test]
async fn a_post_made_through_one_process_streams_from_another() {
    if common::engine() != "postgres" {
        eprintln!("PostgreSQL only: a SQLite node runs as one process");
        return;
    }
    let first = TestApp::new().await;
    let config = (*first.state.config).clone();
    let db = staffroom::storage::Db::connect(&config.database_url, 2).await.unwrap();
    let second_state = staffroom::app::AppState::new(config, db);
    let second_router = staffroom::http::router(second_state.clone());
    let _relays = (
        first.state.spawn_relay().await.unwrap(),
        second_state.spawn_relay().await.unwrap(),
    );
    let ada = first.create_user("ada", Role::Member).await;
    let token = first.token(&ada, "read write").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, second_router).await.unwrap() });
    let mut stream = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/api/v1/streaming/user"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let mut own = first.state.events.subscribe();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let r = first
        .api(
            "POST",
            "/api/v1/statuses",
            Some(&token),
            Some(json!({ "status": "Made on the first" })),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id: i64 = r.json()["id"].as_str().unwrap().parse().unwrap();

    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !text.contains("Made on the first") {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk())
            .await
            .expect("the second process streams the post in time")
            .unwrap()
            .unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(text.contains("event: update"));
    // The first process heard its own post once: from itself, not again through the relay.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut heard = 0;
    while let Ok(e) = own.try_recv() {
        if e == staffroom::app::Event::Update(id) {
            heard += 1;
        }
    }
    assert_eq!(heard, 1);
}

/// After the relay between processes lost its connection, what was stored meanwhile is
/// published to this process's streaming clients: posts and notifications since the last
/// thing it heard.
#[tokio::test]
async fn a_resync_publishes_what_was_stored_since() {
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    let bob = app.create_user("bob", Role::Member).await;
    let (ta, tb) = (app.token(&ada, "read write").await, app.token(&bob, "read write").await);
    let before = app
        .api(
            "POST",
            "/api/v1/statuses",
            Some(&ta),
            Some(json!({ "status": "Heard before the gap" })),
        )
        .await;
    let before: i64 = before.json()["id"].as_str().unwrap().parse().unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let since = staffroom::storage::now();
    let r = app
        .api(
            "POST",
            "/api/v1/statuses",
            Some(&tb),
            Some(json!({ "status": "@ada said in the gap" })),
        )
        .await;
    let during: i64 = r.json()["id"].as_str().unwrap().parse().unwrap();
    let mut events = app.state.events.subscribe();
    assert_eq!(app.state.resync(since).await.unwrap(), 2, "the post and ada's mention");
    let mut got = Vec::new();
    while let Ok(e) = events.try_recv() {
        got.push(e);
    }
    assert!(got.contains(&staffroom::app::Event::Update(during)), "{got:?}");
    assert!(!got.contains(&staffroom::app::Event::Update(before)), "{got:?}");
    assert!(
        got.iter()
            .any(|e| matches!(e, staffroom::app::Event::Notification(to, _) if *to == ada.actor.id)),
        "{got:?}"
    );
}
