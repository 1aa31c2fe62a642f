//! Benchmarks that print figures (never run as tests: this machine is shared and noisy).
//!
//! `cargo run --release --bin staffroom-bench -- keys [N]`: RSA-2048 key generation, OpenSSL
//! (what Staffroom uses) against the pure-Rust `rsa` crate (what activitypub_federation offers).
//! `vtimezone [ZONES] [YEARS]`: the VTIMEZONE components a calendar feed writes.

use std::time::Instant;

fn stats(name: &str, mut samples: Vec<f64>) {
    samples.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let mean = samples.iter().sum::<f64>() / samples.len() as f64;
    let median = samples[samples.len() / 2];
    let max = samples[samples.len() - 1];
    println!(
        "{name:<28} n={:<4} mean {mean:>8.1} ms  median {median:>8.1} ms  max {max:>8.1} ms",
        samples.len()
    );
}

fn time_ms(f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64() * 1000.0
}

fn keys(n: usize) {
    println!("RSA-2048 key generation, {n} keys each:");
    let openssl: Vec<f64> = (0..n)
        .map(|_| time_ms(|| drop(staffroom::services::keys::generate().unwrap())))
        .collect();
    stats("openssl (staffroom)", openssl);
    let mut rng = rand::thread_rng();
    let pure: Vec<f64> = (0..n)
        .map(|_| time_ms(|| drop(rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap())))
        .collect();
    stats("rsa crate (pure Rust)", pure);
}

/// The VTIMEZONE work of one calendar feed: `zones` distinct zones over `years` years each
/// (what a feed of events in that many zones pays on every request).
fn vtimezones(zones: usize, years: i32) {
    let names: Vec<chrono_tz::Tz> = chrono_tz::TZ_VARIANTS.iter().copied().take(zones).collect();
    println!("VTIMEZONE for {} zones over {years} years:", names.len());
    let samples: Vec<f64> = (0..20)
        .map(|_| {
            time_ms(|| {
                for tz in &names {
                    std::hint::black_box(staffroom::http::vtimezone::vtimezone(*tz, 2026, 2026 + years - 1));
                }
            })
        })
        .collect();
    stats("one feed's zones", samples);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize, default: usize| args.get(i).and_then(|n| n.parse().ok()).unwrap_or(default);
    match args.first().map(String::as_str) {
        Some("keys") => keys(num(1, 20)),
        Some("delivery") => runtime().block_on(fanout::delivery(num(1, 1000), num(2, 10))),
        Some("inbox") => runtime().block_on(fanout::inbox(num(1, 2000), num(2, 16))),
        Some("vtimezone") => vtimezones(num(1, 20), num(2, 2) as i32),
        _ => {
            eprintln!(
                "usage: staffroom-bench keys [N] | delivery [FOLLOWERS] [SERVERS] | inbox [ACTIVITIES] [CONCURRENCY] | vtimezone [ZONES] [YEARS]"
            );
            eprintln!("STAFFROOM_BENCH_DATABASE_URL selects the database (default: SQLite in a temporary directory).");
            std::process::exit(2);
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

mod fanout {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Instant;

    use serde_json::json;
    use staffroom::app::AppState;
    use staffroom::config::Config;
    use staffroom::federation::signatures::{SigningKey, sign_request};
    use staffroom::services::groups::{self, NewGroup};
    use staffroom::storage::actors::ActorRow;
    use staffroom::storage::{Db, deliveries, follows};

    async fn state(dir: &std::path::Path, domain: &str) -> AppState {
        let mut config = Config {
            domain: domain.into(),
            allow_private_addresses: true,
            ..Config::default()
        };
        config.database_url = std::env::var("STAFFROOM_BENCH_DATABASE_URL")
            .unwrap_or_else(|_| format!("sqlite://{}", dir.join("bench.db").display()));
        config.validate().unwrap();
        let db = Db::connect(&config.database_url, 16).await.unwrap();
        db.migrate().await.unwrap();
        let state = AppState::new(config, db);
        staffroom::services::node::bootstrap(&state).await.unwrap();
        state
    }

    /// A remote actor row pointing at a stub server, with a real public key.
    fn remote(i: usize, port: u16, public_pem: &str, shared: bool) -> ActorRow {
        let now = staffroom::storage::now();
        let base = format!("http://localhost:{port}");
        let ap_id = format!("{base}/users/u{i}");
        ActorRow {
            id: staffroom::ids::id_at(now),
            kind: "Person".into(),
            username: format!("u{i}"),
            domain: Some(format!("localhost:{port}")),
            ap_id: ap_id.clone(),
            url: None,
            inbox_url: format!("{ap_id}/inbox"),
            shared_inbox_url: shared.then(|| format!("{base}/inbox")),
            outbox_url: None,
            followers_url: None,
            following_url: None,
            featured_url: None,
            display_name: String::new(),
            summary_source: String::new(),
            summary_html: String::new(),
            avatar_url: None,
            header_url: None,
            key_id: format!("{ap_id}#main-key"),
            public_key_pem: public_pem.to_owned(),
            private_key_pem: None,
            manually_approves_followers: false,
            discoverable: true,
            suspended_at: None,
            fetched_at: Some(now),
            created_at: now,
            updated_at: now,
        }
    }

    /// One group post fanned out to `followers` remote followers spread over `servers` stub
    /// servers on loopback, with and without shared inboxes.
    pub async fn delivery(followers: usize, servers: usize) {
        let received = Arc::new(AtomicUsize::new(0));
        let mut ports = Vec::new();
        for _ in 0..servers {
            let received = received.clone();
            let app = axum::Router::new().fallback(axum::routing::post(move || {
                received.fetch_add(1, Ordering::Relaxed);
                async { axum::http::StatusCode::ACCEPTED }
            }));
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            ports.push(listener.local_addr().unwrap().port());
            tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        }
        let key = staffroom::services::keys::generate().unwrap();
        for (round, shared) in [true, false].into_iter().enumerate() {
            let dir = tempfile::tempdir().unwrap();
            let state = state(dir.path(), "bench.localhost").await;
            let owner = staffroom::services::accounts::new_local_actor(&state.urls, "Person", &format!("owner{round}"))
                .await
                .unwrap();
            staffroom::storage::actors::insert(&state.db, &owner).await.unwrap();
            let (group, _) = groups::create(
                &state,
                NewGroup {
                    name: format!("bench{round}"),
                    display_name: String::new(),
                    summary: String::new(),
                    members_only: false,
                    posting_restricted_to_mods: false,
                    owner: Some(owner.id),
                },
            )
            .await
            .unwrap();
            for i in 0..followers {
                let r = remote(round * followers + i, ports[i % servers], &key.public_pem, shared);
                staffroom::storage::actors::insert(&state.db, &r).await.unwrap();
                staffroom::storage::follows::insert(&state.db, r.id, group.id, None, true)
                    .await
                    .unwrap();
            }
            follows::insert(&state.db, owner.id, group.id, None, true)
                .await
                .unwrap();
            received.store(0, Ordering::Relaxed);
            let queued = Instant::now();
            staffroom::services::posts::create(
                &state,
                &owner,
                staffroom::services::posts::NewPost {
                    title: Some("Benchmark".into()),
                    text: "One post to every member".into(),
                    group: Some(group),
                    in_reply_to: None,
                    media: Vec::new(),
                },
            )
            .await
            .unwrap();
            let queue_ms = queued.elapsed().as_secs_f64() * 1000.0;
            let (pending, delivered_before, failed_before) = deliveries::counts(&state.db).await.unwrap();
            let hosts = staffroom::federation::delivery::HostLimits::default();
            let start = Instant::now();
            while staffroom::federation::delivery::run_once(&state, &hosts).await.unwrap() > 0 {}
            let secs = start.elapsed().as_secs_f64();
            let (_, delivered, failed) = deliveries::counts(&state.db).await.unwrap();
            let (delivered, failed) = (delivered - delivered_before, failed - failed_before);
            println!(
                "delivery ({}): {followers} followers on {servers} servers -> {pending} deliveries queued in {queue_ms:.0} ms; \
                 {delivered} delivered, {failed} failed in {secs:.2} s = {:.0} deliveries/s (stubs received {})",
                if shared { "shared inboxes" } else { "personal inboxes" },
                delivered as f64 / secs,
                received.load(Ordering::Relaxed)
            );
            state.db.close().await;
        }
    }

    /// Signature headers and body of one request.
    type SignedRequest = (Vec<(&'static str, String)>, Vec<u8>);

    /// Signed activities POSTed over loopback HTTP to a running router, `concurrency` at a time.
    pub async fn inbox(activities: usize, concurrency: usize) {
        let dir = tempfile::tempdir().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = state(dir.path(), &format!("localhost:{port}")).await;
        let router = staffroom::http::router(state.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        // 20 remote senders with cached keys; requests are signed before the clock starts.
        let mut senders = Vec::new();
        for i in 0..20 {
            let k = staffroom::services::keys::generate().unwrap();
            let row = remote(i, 9, &k.public_pem, true);
            staffroom::storage::actors::upsert_remote(&state.db, &row)
                .await
                .unwrap();
            senders.push((
                row.ap_id.clone(),
                SigningKey::from_pem(&row.key_id, &k.private_pem).unwrap(),
            ));
        }
        let url = url::Url::parse(&format!("http://localhost:{port}/inbox")).unwrap();
        let requests: Vec<SignedRequest> = (0..activities)
            .map(|i| {
                let (actor, key) = &senders[i % senders.len()];
                let body = serde_json::to_vec(&json!({
                    "id": format!("{actor}/likes/{i}"), "type": "Like", "actor": actor,
                    "object": format!("http://localhost:{port}/posts/1"),
                }))
                .unwrap();
                (sign_request("POST", &url, Some(&body), key).unwrap(), body)
            })
            .collect();
        let client = reqwest::Client::new();
        let accepted = Arc::new(AtomicUsize::new(0));
        let start = Instant::now();
        futures::StreamExt::for_each_concurrent(futures::stream::iter(requests), concurrency, |(headers, body)| {
            let (client, url, accepted) = (client.clone(), url.clone(), accepted.clone());
            async move {
                let mut req = client
                    .post(url)
                    .header("content-type", "application/activity+json")
                    .body(body);
                for (k, v) in headers {
                    req = req.header(k, v);
                }
                if req.send().await.map(|r| r.status().as_u16() == 202).unwrap_or(false) {
                    accepted.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
        .await;
        let secs = start.elapsed().as_secs_f64();
        let n = accepted.load(Ordering::Relaxed);
        println!(
            "inbox: {n}/{activities} signed activities accepted (verified and stored) in {secs:.2} s = {:.0}/s at concurrency {concurrency}",
            n as f64 / secs
        );
    }
}
