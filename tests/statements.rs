//! SQL statements per page of the client API, counted per request id from the `sqlx::query`
//! events (as `RUST_LOG=sqlx::query=debug` would log them), on either engine.

mod common;

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::Request;
use common::TestApp;
use serde_json::json;
use staffroom::services::accounts::Role;
use staffroom::telemetry::{StatementCounter, StatementTotals};
use tracing_subscriber::layer::SubscriberExt;

fn totals() -> &'static StatementTotals {
    static TOTALS: OnceLock<StatementTotals> = OnceLock::new();
    TOTALS.get_or_init(|| {
        let totals = StatementTotals::default();
        let subscriber = tracing_subscriber::registry().with(StatementCounter {
            totals: Some(totals.clone()),
        });
        tracing::subscriber::set_global_default(subscriber).expect("one subscriber per test binary");
        totals
    })
}

/// The statements one GET made, by its request id.
async fn statements(app: &TestApp, uri: &str, token: &str) -> (usize, serde_json::Value) {
    let id = format!("count-{}", rand::random::<u64>());
    let r = app
        .request(
            Request::get(uri)
                .header("authorization", format!("Bearer {token}"))
                .header("x-request-id", &id)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, 200, "{uri}: {}", r.text());
    for _ in 0..50 {
        if let Some(n) = totals().lock().unwrap().get(&id) {
            return (*n, r.json());
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("no count for {uri}");
}

#[tokio::test]
async fn a_page_of_forty_costs_a_bounded_number_of_statements() {
    totals();
    let app = TestApp::new().await;
    let author = app.create_user("author", Role::Member).await;
    let reader = app.create_user("reader", Role::Member).await;
    let fan = app.create_user("fan", Role::Member).await;
    let (ta, tr, tf) = (
        app.token(&author, "read write follow").await,
        app.token(&reader, "read write follow").await,
        app.token(&fan, "read write follow").await,
    );
    for t in [&tr, &tf] {
        let r = app
            .api(
                "POST",
                &format!("/api/v1/accounts/{}/follow", author.actor.id),
                Some(t),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let group = app.create_group("maths", Some(author.actor.id), false).await;
    for n in 0..40 {
        let text = if n % 4 == 0 {
            format!("@maths @reader post {n} about #fractions and #decimals")
        } else {
            format!("@reader post {n} about #fractions and #decimals")
        };
        let s = app
            .api("POST", "/api/v1/statuses", Some(&ta), Some(json!({ "status": text })))
            .await
            .json();
        let id = s["id"].as_str().unwrap().to_owned();
        if n % 2 == 0 {
            app.api("POST", &format!("/api/v1/statuses/{id}/favourite"), Some(&tf), None)
                .await;
            app.api("POST", &format!("/api/v1/statuses/{id}/reblog"), Some(&tf), None)
                .await;
        }
    }
    // Group posts by someone the reader does not follow reach the reader's home as boosts by
    // the group, and a members-only group's posts need the reader's membership.
    let other = app.create_user("other", Role::Member).await;
    let to = app.token(&other, "read write follow").await;
    let staff = app.create_group("staff", Some(other.actor.id), true).await;
    staffroom::storage::follows::insert(&app.state.db, reader.actor.id, staff.id, None, true)
        .await
        .unwrap();
    for t in [&tr, &to] {
        app.api("POST", &format!("/api/v1/accounts/{}/follow", group.id), Some(t), None)
            .await;
    }
    for n in 0..10 {
        let text = if n % 2 == 0 {
            format!("@maths boost {n} #fractions")
        } else {
            format!("@staff closed {n} #fractions")
        };
        let r = app
            .api("POST", "/api/v1/statuses", Some(&to), Some(json!({ "status": text })))
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let pages = [
        ("/api/v1/timelines/home?limit=40", &tr),
        ("/api/v1/timelines/public?limit=40", &tr),
        ("/api/v1/timelines/tag/fractions?limit=40", &tr),
        (&*format!("/api/v1/accounts/{}/statuses?limit=40", author.actor.id), &tr),
        ("/api/v1/notifications?limit=40", &tr),
        ("/api/v1/notifications?limit=40", &ta),
    ];
    let mut report = Vec::new();
    for (uri, token) in pages {
        let (n, body) = statements(&app, uri, token).await;
        let items = body.as_array().map(|a| a.len()).unwrap_or(0);
        report.push(format!("{uri}: {n} statements for {items} items"));
        assert!(items >= 20, "{uri}: the page holds {items} items");
    }
    eprintln!("{}", report.join("\n"));
    for line in &report {
        let n: usize = line
            .split(": ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(n <= 12, "at most 12 statements per page: {line}");
    }
    // The home page shows the group's boosts and the members-only posts to their member.
    let (_, home) = statements(&app, "/api/v1/timelines/home?limit=40", &tr).await;
    let text = home.to_string();
    assert!(text.contains("closed 1") && text.contains("\"reblog\":{"), "{text}");
}
