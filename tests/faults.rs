//! Faults of our own database: an outage answers 503 with `Retry-After` (never a 500), and a
//! delivery whose outcome cannot be recorded at once is recorded when the database is back,
//! not sent again.

mod common;

use common::TestApp;
use serde_json::json;
use staffroom::services::accounts::Role;
use staffroom::storage::deliveries;

#[tokio::test]
async fn a_database_outage_answers_503_with_retry_after() {
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    let token = app.token(&ada, "read").await;
    assert_eq!(app.get("/api/v1/timelines/public").await.status, 200);
    assert!(app.state.db_health.check(&app.state.db).await, "reachable at first");

    app.state.db.close().await;
    // A request that meets the outage: 503 and Retry-After, in the client API's shape.
    let r = app.api("GET", "/api/v1/timelines/home", Some(&token), None).await;
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(!r.header("retry-after").is_empty());
    assert!(r.json()["error"].is_string());
    // Once the health check has seen it, every request is answered at once, pages and
    // ActivityPub included; the health endpoints still say what is going on.
    assert!(!app.state.db_health.check(&app.state.db).await);
    for uri in ["/api/v1/instance", "/users/ada", "/.well-known/nodeinfo"] {
        let r = app.get(uri).await;
        assert_eq!(r.status, 503, "{uri}: {}", r.text());
        assert!(!r.header("retry-after").is_empty(), "{uri}");
    }
    assert_eq!(app.get("/health").await.status, 200);
    assert_eq!(app.get("/ready").await.status, 503);
}

/// SQLite only: another writer holds the database past the busy timeout while the delivery
/// worker records a send (PostgreSQL waits for row locks instead of failing).
#[tokio::test]
async fn a_sent_delivery_is_recorded_when_the_database_is_writable_again() {
    use sqlx::Connection;
    use std::sync::{Arc, Mutex};
    if common::engine() != "sqlite" {
        eprintln!("SQLite only: PostgreSQL waits for locks rather than failing");
        return;
    }
    let app = TestApp::with_config(|c| c.allow_private_addresses = true).await;
    let url = app.state.config.database_url.clone();
    let received = Arc::new(Mutex::new(0usize));
    let stub = {
        let (received, url) = (received.clone(), url.clone());
        axum::Router::new().route(
            "/inbox",
            axum::routing::post(move || {
                let (received, url) = (received.clone(), url.clone());
                async move {
                    *received.lock().unwrap() += 1;
                    // Take the write lock before answering, and keep it longer than the
                    // node's busy timeout (5 s): recording this send fails at first.
                    let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
                    sqlx::query("BEGIN IMMEDIATE").execute(&mut c).await.unwrap();
                    tokio::spawn(async move {
                        tokio::time::sleep(std::time::Duration::from_secs(7)).await;
                        sqlx::query("ROLLBACK").execute(&mut c).await.unwrap();
                    });
                    axum::http::StatusCode::ACCEPTED
                }
            }),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, stub).await.unwrap() });

    let ada = app.create_user("ada", Role::Member).await;
    let activity = json!({ "id": "https://staffroom.test/activities/1", "type": "Follow", "actor": ada.actor.ap_id, "object": "x" });
    let mut tx = app.state.db.begin().await.unwrap();
    staffroom::federation::delivery::queue(
        &mut tx,
        &ada.actor,
        &activity,
        &[(format!("http://localhost:{port}/inbox"), format!("localhost:{port}"))],
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
        (0, 1, 0),
        "recorded as delivered once the lock was gone"
    );
    assert_eq!(
        staffroom::federation::delivery::run_once(&app.state, &hosts)
            .await
            .unwrap(),
        0
    );
    assert_eq!(*received.lock().unwrap(), 1, "sent once");
}
