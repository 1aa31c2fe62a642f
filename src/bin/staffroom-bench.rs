//! Benchmarks that print figures (never run as tests: this machine is shared and noisy).
//!
//! `cargo run --release --bin staffroom-bench -- keys [N]`: RSA-2048 key generation, OpenSSL
//! (what Staffroom uses) against the pure-Rust `rsa` crate (what activitypub_federation offers).
//! `vtimezone [ZONES] [YEARS]`: the VTIMEZONE components a calendar feed writes.
//! `timeline [POSTS] [MEMBERS]`: seeds POSTS posts (default 1,000,000) by MEMBERS members (200)
//! following 50 accounts and groups each, with mentions, tags, media and reactions, then prints
//! p50/p99 latency and SQL statements per request for pages of 40 of the client API.
//! `burst [POSTS] [CONCURRENCY]`: remote members POST signed `Create`s to a group inbox; prints
//! accepted/s and the answers, posts created and announced end to end per second, Announces
//! delivered (and received twice) at a stub peer, and memory before, at peak and after.
//! `soak [SECONDS] [POSTS/S] [READS/S] [INBOUND/S]` (600, 20, 50, 20): mixed load with the peer
//! down for a while; every 30 s memory, queue depths, latency and answers, then the drain.
//! `outage [SECONDS] [OUTAGE SECONDS] [CREATES/S]` (90, 30, 50; PostgreSQL only): the database
//! cut off during traffic; counts activities lost and Announces received twice.

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
        .map(|_| time_ms(|| drop(staffroom::federation::keys::generate().unwrap())))
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
    // As the node itself runs.
    staffroom::telemetry::limit_malloc_arenas();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize, default: usize| args.get(i).and_then(|n| n.parse().ok()).unwrap_or(default);
    match args.first().map(String::as_str) {
        Some("keys") => keys(num(1, 20)),
        Some("delivery") => runtime().block_on(fanout::delivery(num(1, 1000), num(2, 10))),
        Some("inbox") => runtime().block_on(fanout::inbox(num(1, 2000), num(2, 16))),
        Some("burst") => runtime().block_on(burst::run(num(1, 2000), num(2, 32))),
        Some("vtimezone") => vtimezones(num(1, 20), num(2, 2) as i32),
        Some("soak") => runtime().block_on(soak::run(num(1, 600) as u64, num(2, 20), num(3, 50), num(4, 20))),
        Some("outage") => runtime().block_on(outage::run(num(1, 90) as u64, num(2, 30) as u64, num(3, 50))),
        Some("timeline") => runtime().block_on(timeline::run(num(1, 1_000_000), num(2, 200))),
        _ => {
            eprintln!(
                "usage: staffroom-bench keys [N] | delivery [FOLLOWERS] [SERVERS] | inbox [ACTIVITIES] [CONCURRENCY] | burst [POSTS] [CONCURRENCY] | vtimezone [ZONES] [YEARS] | timeline [POSTS] [MEMBERS] | soak [SECONDS] [POSTS/S] [READS/S] [INBOUND/S] | outage [SECONDS] [OUTAGE SECONDS] [CREATES/S]"
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

    pub(crate) async fn state(dir: &std::path::Path, domain: &str) -> AppState {
        state_on(dir, domain, std::env::var("STAFFROOM_BENCH_DATABASE_URL").ok()).await
    }

    /// The node's state on `database_url` (SQLite in `dir` without one).
    pub(crate) async fn state_on(dir: &std::path::Path, domain: &str, database_url: Option<String>) -> AppState {
        let mut config = Config {
            domain: domain.into(),
            allow_private_addresses: true,
            ..Config::default()
        };
        config.database_url = database_url.unwrap_or_else(|| format!("sqlite://{}", dir.join("bench.db").display()));
        config.validate().unwrap();
        let db = Db::connect(&config.database_url, 16).await.unwrap();
        db.migrate().await.unwrap();
        let state = AppState::new(config, db);
        staffroom::services::node::bootstrap(&state).await.unwrap();
        state
    }

    /// A remote actor row pointing at a stub server, with a real public key.
    pub(crate) fn remote(i: usize, port: u16, public_pem: &str, shared: bool) -> ActorRow {
        remote_on(i, &format!("localhost:{port}"), public_pem, shared)
    }

    /// [`remote`] on the server `authority` (`host:port`).
    pub(crate) fn remote_on(i: usize, authority: &str, public_pem: &str, shared: bool) -> ActorRow {
        let now = staffroom::storage::now();
        let base = format!("http://{authority}");
        let ap_id = format!("{base}/users/u{i}");
        ActorRow {
            id: staffroom::ids::id_at(now),
            kind: "Person".into(),
            username: format!("u{i}"),
            domain: Some(authority.to_owned()),
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
        let key = staffroom::federation::keys::generate().unwrap();
        for (round, shared) in [true, false].into_iter().enumerate() {
            let dir = tempfile::tempdir().unwrap();
            let state = state(dir.path(), "bench.localhost").await;
            let owner = staffroom::federation::actors::new_local_actor(&state.urls, "Person", &format!("owner{round}"))
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
                    ..Default::default()
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
    pub(crate) type SignedRequest = (Vec<(&'static str, String)>, Vec<u8>);

    /// The POST of a signed activity, as a peer sends it.
    pub(crate) fn signed_post(
        client: &reqwest::Client,
        url: &url::Url,
        (headers, body): SignedRequest,
    ) -> reqwest::RequestBuilder {
        let mut req = client
            .post(url.clone())
            .header("content-type", "application/activity+json")
            .body(body);
        for (k, v) in headers {
            req = req.header(k, v);
        }
        req
    }

    /// POSTs signed requests to `url`, `concurrency` at a time; counts the answers by status
    /// (or by failure).
    pub(crate) async fn post_all(
        url: &url::Url,
        requests: Vec<SignedRequest>,
        concurrency: usize,
    ) -> std::collections::BTreeMap<String, usize> {
        let client = reqwest::Client::new();
        let answers: Arc<std::sync::Mutex<std::collections::BTreeMap<String, usize>>> = Arc::default();
        futures::StreamExt::for_each_concurrent(futures::stream::iter(requests), concurrency, |request| {
            let (client, url, answers) = (client.clone(), url.clone(), answers.clone());
            async move {
                let req = signed_post(&client, &url, request);
                let status = match req.send().await {
                    Ok(r) => r.status().as_u16().to_string(),
                    Err(e) => format!("error ({})", if e.is_timeout() { "timeout" } else { "connection" }),
                };
                *answers.lock().unwrap().entry(status).or_default() += 1;
            }
        })
        .await;
        answers.lock().unwrap().clone()
    }

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
            let k = staffroom::federation::keys::generate().unwrap();
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
        let start = Instant::now();
        let answers = post_all(&url, requests, concurrency).await;
        let secs = start.elapsed().as_secs_f64();
        let n = answers.get("202").copied().unwrap_or(0);
        println!(
            "inbox: {n}/{activities} signed activities accepted (verified and stored) in {secs:.2} s = {:.0}/s at concurrency {concurrency}",
            n as f64 / secs
        );
    }
}

mod burst {
    //! A conference-day burst, end to end: remote members of a local group POST signed `Create`s
    //! to the group's inbox; the node accepts them, its inbox worker creates the posts and the
    //! group announces them, and its delivery worker sends the Announces to a stub peer that
    //! counts what it receives (and what it receives twice).

    use std::collections::HashSet;
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    use serde_json::json;
    use staffroom::federation::signatures::{SigningKey, sign_request};
    use staffroom::services::groups::{self, NewGroup};
    use staffroom::storage::{deliveries, follows, inbox, posts};

    /// This process's resident memory, in MB (Linux).
    pub fn rss_mb() -> f64 {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
            .map(|kb| kb / 1024.0)
            .unwrap_or(0.0)
    }

    /// The node under load, its group, its 20 remote members (with their keys) and the stub
    /// peer that serves them and counts what the group sends it.
    pub struct Scene {
        pub state: staffroom::app::AppState,
        pub _dir: tempfile::TempDir,
        pub port: u16,
        pub group: staffroom::storage::actors::ActorRow,
        pub senders: Vec<(String, SigningKey)>,
        pub received: Arc<AtomicUsize>,
        pub duplicates: Arc<AtomicUsize>,
        /// While set, the stub peer answers 503 (a peer that is down).
        pub peer_down: Arc<std::sync::atomic::AtomicBool>,
    }

    pub async fn scene() -> Scene {
        scene_on(std::env::var("STAFFROOM_BENCH_DATABASE_URL").ok()).await
    }

    pub async fn scene_on(database_url: Option<String>) -> Scene {
        // RUST_LOG=sqlx::query=debug prints each statement (to count what a post costs).
        if let Ok(filter) = std::env::var("RUST_LOG") {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_writer(std::io::stderr)
                .try_init();
        }
        // The stub peer: the senders' server, which receives the group's Announces.
        let received = Arc::new(AtomicUsize::new(0));
        let seen: Arc<Mutex<HashSet<String>>> = Arc::default();
        let duplicates = Arc::new(AtomicUsize::new(0));
        let peer_down = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stub = {
            let (received, seen, duplicates, down) =
                (received.clone(), seen.clone(), duplicates.clone(), peer_down.clone());
            axum::Router::new().fallback(axum::routing::post(move |body: String| {
                let (received, seen, duplicates, down) =
                    (received.clone(), seen.clone(), duplicates.clone(), down.clone());
                async move {
                    if down.load(Ordering::Relaxed) {
                        return axum::http::StatusCode::SERVICE_UNAVAILABLE;
                    }
                    received.fetch_add(1, Ordering::Relaxed);
                    let id = serde_json::from_str::<serde_json::Value>(&body)
                        .ok()
                        .and_then(|v| v["id"].as_str().map(str::to_owned))
                        .unwrap_or_default();
                    if !seen.lock().unwrap().insert(id) {
                        duplicates.fetch_add(1, Ordering::Relaxed);
                    }
                    axum::http::StatusCode::ACCEPTED
                }
            }))
        };
        let stub_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let stub_port = stub_listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(stub_listener, stub).await.unwrap() });

        let dir = tempfile::tempdir().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = super::fanout::state_on(dir.path(), &format!("localhost:{port}"), database_url).await;
        let owner = staffroom::federation::actors::new_local_actor(&state.urls, "Person", "owner")
            .await
            .unwrap();
        staffroom::storage::actors::insert(&state.db, &owner).await.unwrap();
        let (group, _) = groups::create(
            &state,
            NewGroup {
                name: "burst".into(),
                display_name: "Conference day".into(),
                summary: String::new(),
                members_only: false,
                posting_restricted_to_mods: false,
                owner: Some(owner.id),
            },
        )
        .await
        .unwrap();
        // 20 remote members, on the stub's host, with keys the node has cached.
        let mut senders = Vec::new();
        for i in 0..20 {
            let k = staffroom::federation::keys::generate().unwrap();
            let row = super::fanout::remote(i, stub_port, &k.public_pem, true);
            staffroom::storage::actors::upsert_remote(&state.db, &row)
                .await
                .unwrap();
            let row = staffroom::storage::actors::find_by_ap_id(&state.db, &row.ap_id)
                .await
                .unwrap()
                .unwrap();
            follows::insert(&state.db, row.id, group.id, None, true).await.unwrap();
            senders.push((
                row.ap_id.clone(),
                SigningKey::from_pem(&row.key_id, &k.private_pem).unwrap(),
            ));
        }
        // A reader on another server (the same stub under another name): the group relays
        // each post to it, never back to the senders' own server.
        let k = staffroom::federation::keys::generate().unwrap();
        let reader = super::fanout::remote_on(100, &format!("127.0.0.1:{stub_port}"), &k.public_pem, true);
        staffroom::storage::actors::upsert_remote(&state.db, &reader)
            .await
            .unwrap();
        let reader = staffroom::storage::actors::find_by_ap_id(&state.db, &reader.ap_id)
            .await
            .unwrap()
            .unwrap();
        follows::insert(&state.db, reader.id, group.id, None, true)
            .await
            .unwrap();
        let router = staffroom::http::router(state.clone());
        tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .unwrap()
        });
        Scene {
            state,
            _dir: dir,
            port,
            group,
            senders,
            received,
            duplicates,
            peer_down,
        }
    }

    /// A member's signed `Create` of a Note into the group, numbered `i`.
    pub fn create(scene: &Scene, url: &url::Url, i: usize) -> super::fanout::SignedRequest {
        let (actor, key) = &scene.senders[i % scene.senders.len()];
        let group = &scene.group.ap_id;
        let public = "https://www.w3.org/ns/activitystreams#Public";
        let note = format!("{actor}/notes/{i}");
        let body = serde_json::to_vec(&json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{note}/activity"), "type": "Create", "actor": actor,
            "to": [group, public], "audience": group,
            "object": {
                "id": note, "type": "Note", "attributedTo": actor, "to": [group, public],
                "audience": group, "content": format!("<p>Session notes {i}</p>"),
                "published": "2026-12-01T09:00:00Z",
            },
        }))
        .unwrap();
        (sign_request("POST", url, Some(&body), key).unwrap(), body)
    }

    pub async fn run(n_posts: usize, concurrency: usize) {
        let scene = scene().await;
        let Scene {
            state,
            port,
            group,
            received,
            duplicates,
            ..
        } = &scene;
        let (state, port) = (state.clone(), *port);
        let engine = state.db.engine().name();
        let inbox_worker = staffroom::services::inbound::spawn_worker(state.clone());
        let delivery_worker = staffroom::federation::delivery::spawn_worker(state.clone());

        // Signed before the clock starts.
        let url = url::Url::parse(&format!("http://localhost:{port}/groups/burst/inbox")).unwrap();
        let requests: Vec<super::fanout::SignedRequest> = (0..n_posts).map(|i| create(&scene, &url, i)).collect();
        let rss_before = rss_mb();
        let peak = Arc::new(AtomicU64::new(rss_before as u64));
        let sampler = {
            let peak = peak.clone();
            tokio::spawn(async move {
                loop {
                    peak.fetch_max(rss_mb() as u64, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            })
        };
        let (delivered_before, received_before) = (
            deliveries::counts(&state.db).await.unwrap().1,
            received.load(Ordering::Relaxed),
        );
        let start = Instant::now();
        let statuses = super::fanout::post_all(&url, requests, concurrency).await;
        let accepted_secs = start.elapsed().as_secs_f64();
        let accepted = statuses.get("202").copied().unwrap_or(0);
        // Drained: every accepted post created, no inbox activity pending, no delivery pending.
        let deadline = Instant::now() + Duration::from_secs(300);
        let mut created_at = None;
        loop {
            let created = posts::group_count(&state.db, group.id).await.unwrap_or(0) as usize;
            if created >= accepted && created_at.is_none() {
                created_at = Some(start.elapsed().as_secs_f64());
            }
            let (inbox_pending, _, _) = inbox::counts(&state.db).await.unwrap_or((1, 0, 0));
            let (pending, _, _) = deliveries::counts(&state.db).await.unwrap_or((1, 0, 0));
            if (created_at.is_some() && inbox_pending == 0 && pending == 0) || Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let drained_secs = start.elapsed().as_secs_f64();
        let created = posts::group_count(&state.db, group.id).await.unwrap() as usize;
        let (_, delivered, failed) = deliveries::counts(&state.db).await.unwrap();
        let (_, _, inbox_failed) = inbox::counts(&state.db).await.unwrap();
        let delivered = delivered - delivered_before;
        let peak_mb = peak.load(Ordering::Relaxed);
        sampler.abort();
        tokio::time::sleep(Duration::from_secs(2)).await;
        println!("{engine}: {n_posts} signed Creates by 20 members to a group inbox, concurrency {concurrency}");
        println!(
            "  accepted        {accepted} in {accepted_secs:.2} s = {:.0}/s; answers {:?}",
            accepted as f64 / accepted_secs,
            statuses
        );
        match created_at {
            Some(t) => println!(
                "  processed       {created} posts created and announced in {t:.2} s = {:.0} posts/s end to end",
                created as f64 / t
            ),
            None => println!("  processed       only {created} of {accepted} posts created before the deadline"),
        }
        println!(
            "  delivered       {delivered} Announces sent ({failed} failed) by {drained_secs:.2} s = {:.0}/s; the peer received {} ({} twice); inbox activities failed: {inbox_failed}",
            delivered as f64 / drained_secs,
            received.load(Ordering::Relaxed) - received_before,
            duplicates.load(Ordering::Relaxed)
        );
        println!(
            "  memory (RSS)    {rss_before:.0} MB before, {peak_mb} MB at peak, {:.0} MB after",
            rss_mb()
        );
        inbox_worker.abort();
        delivery_worker.abort();
        state.db.close().await;
    }
}

mod soak {
    //! A working day under load: members' posts arriving at the group inbox, members posting and
    //! reading their home timeline through the client API, and the peer that receives the
    //! group's Announces down for a while; every 30 s it prints memory, queue depths, latency
    //! and errors, then waits for the queues to drain.

    use std::collections::BTreeMap;
    use std::sync::atomic::Ordering;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    use staffroom::services::accounts::{self, NewAccount, Role};
    use staffroom::storage::{actors, deliveries, follows, inbox};

    #[derive(Default)]
    struct Window {
        reads: Vec<f64>,
        posts: Vec<f64>,
        answers: BTreeMap<String, usize>,
    }

    fn percentile(samples: &mut [f64], p: f64) -> f64 {
        if samples.is_empty() {
            return 0.0;
        }
        samples.sort_by(|a, b| a.total_cmp(b));
        samples[((samples.len() - 1) as f64 * p).round() as usize]
    }

    /// Fires `per_second` requests a second for `secs` seconds, each in its own task (a slow
    /// answer does not slow the rate), recording each answer under `kind`.
    fn drive<F, Fut>(
        secs: u64,
        per_second: usize,
        window: Arc<Mutex<Window>>,
        kind: &'static str,
        make: F,
    ) -> tokio::task::JoinHandle<()>
    where
        F: Fn(usize) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = String> + Send + 'static,
    {
        tokio::spawn(async move {
            if per_second == 0 {
                return;
            }
            let make = Arc::new(make);
            let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / per_second as f64));
            let end = Instant::now() + Duration::from_secs(secs);
            let mut i = 0;
            while Instant::now() < end {
                tick.tick().await;
                let (make, window) = (make.clone(), window.clone());
                tokio::spawn(async move {
                    let t = Instant::now();
                    let status = make(i).await;
                    let ms = t.elapsed().as_secs_f64() * 1000.0;
                    let mut w = window.lock().unwrap();
                    match kind {
                        "read" => w.reads.push(ms),
                        "post" => w.posts.push(ms),
                        _ => {}
                    }
                    *w.answers.entry(format!("{kind} {status}")).or_default() += 1;
                });
                i += 1;
            }
        })
    }

    fn status(r: Result<reqwest::Response, reqwest::Error>) -> String {
        match r {
            Ok(r) => r.status().as_u16().to_string(),
            Err(e) => format!("error ({})", if e.is_timeout() { "timeout" } else { "connection" }),
        }
    }

    pub async fn run(secs: u64, posts: usize, reads: usize, inbound: usize) {
        let scene = super::burst::scene().await;
        let state = scene.state.clone();
        let engine = state.db.engine().name();
        // Ten local members in the group, each followed by the twenty remote members.
        let mut tokens = Vec::new();
        for i in 0..10 {
            let a = accounts::create(
                &state,
                NewAccount {
                    username: format!("member{i}"),
                    email: format!("member{i}@school.example"),
                    password: "correct horse battery staple".into(),
                    role: Role::Member,
                    display_name: String::new(),
                    bio: String::new(),
                    approved: true,
                },
            )
            .await
            .unwrap();
            follows::insert(&state.db, a.actor.id, scene.group.id, None, true)
                .await
                .unwrap();
            for (ap_id, _) in &scene.senders {
                let r = actors::find_by_ap_id(&state.db, ap_id).await.unwrap().unwrap();
                follows::insert(&state.db, r.id, a.actor.id, None, true).await.unwrap();
            }
            let t = staffroom::api::oauth::issue_token(&state, None, Some(a.user.id), "read write")
                .await
                .unwrap();
            tokens.push(t["access_token"].as_str().unwrap().to_owned());
        }
        let inbox_worker = staffroom::services::inbound::spawn_worker(state.clone());
        let delivery_worker = staffroom::federation::delivery::spawn_worker(state.clone());
        // As `serve` runs it.
        let maintenance = staffroom::app::spawn_maintenance(state.clone());
        let base = format!("http://localhost:{}", scene.port);
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let window = Arc::new(Mutex::new(Window::default()));
        let scene = Arc::new(scene);
        let tokens = Arc::new(tokens);
        println!(
            "{engine}: soak for {secs} s: {inbound} inbound Creates/s from group members, {posts} API posts/s, {reads} home timeline reads/s; the peer is down from 30 % to 45 % of the run"
        );
        let url = url::Url::parse(&format!("{base}/groups/burst/inbox")).unwrap();
        let drivers = vec![
            drive(secs, inbound, window.clone(), "inbound", {
                let (client, scene, url) = (client.clone(), scene.clone(), url.clone());
                move |i| {
                    let req = super::fanout::signed_post(&client, &url, super::burst::create(&scene, &url, i));
                    async move { status(req.send().await) }
                }
            }),
            drive(secs, posts, window.clone(), "post", {
                let (client, tokens, base) = (client.clone(), tokens.clone(), base.clone());
                move |i| {
                    let req = client
                        .post(format!("{base}/api/v1/statuses"))
                        .bearer_auth(&tokens[i % tokens.len()])
                        .json(&serde_json::json!({ "status": format!("Workshop note {i} #soak") }));
                    async move { status(req.send().await) }
                }
            }),
            drive(secs, reads, window.clone(), "read", {
                let (client, tokens, base) = (client.clone(), tokens.clone(), base.clone());
                move |i| {
                    let req = client
                        .get(format!("{base}/api/v1/timelines/home?limit=20"))
                        .bearer_auth(&tokens[i % tokens.len()]);
                    async move {
                        match req.send().await {
                            Ok(r) => {
                                let s = r.status().as_u16().to_string();
                                let _ = r.bytes().await;
                                s
                            }
                            Err(e) => status(Err(e)),
                        }
                    }
                }
            }),
        ];
        let start = Instant::now();
        let mut totals: BTreeMap<String, usize> = BTreeMap::new();
        let mut peak_rss = 0f64;
        let report = |label: String,
                      w: &mut Window,
                      totals: &mut BTreeMap<String, usize>,
                      rss: f64,
                      depth: (i64, i64)| {
            println!(
                "{label:>7}  RSS {rss:>5.0} MB  inbox queue {:>5}  deliveries queued {:>6}  reads {:>5} p50 {:>6.1} p99 {:>6.1} ms  posts {:>4} p99 {:>6.1} ms  answers {:?}",
                depth.0,
                depth.1,
                w.reads.len(),
                percentile(&mut w.reads, 0.5),
                percentile(&mut w.reads, 0.99),
                w.posts.len(),
                percentile(&mut w.posts, 0.99),
                w.answers
            );
            for (k, v) in std::mem::take(&mut w.answers) {
                *totals.entry(k).or_default() += v;
            }
            w.reads.clear();
            w.posts.clear();
        };
        let depth = || async {
            (
                inbox::pending(&state.db).await.unwrap_or(-1),
                deliveries::counts(&state.db).await.map(|c| c.0).unwrap_or(-1),
            )
        };
        let mut next = Duration::from_secs(30);
        while start.elapsed() < Duration::from_secs(secs) {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let t = start.elapsed().as_secs_f64() / secs as f64;
            scene.peer_down.store((0.30..0.45).contains(&t), Ordering::Relaxed);
            let rss = super::burst::rss_mb();
            peak_rss = peak_rss.max(rss);
            if start.elapsed() >= next {
                let d = depth().await;
                report(
                    format!("{} s", next.as_secs()),
                    &mut window.lock().unwrap(),
                    &mut totals,
                    rss,
                    d,
                );
                next += Duration::from_secs(30);
            }
        }
        scene.peer_down.store(false, Ordering::Relaxed);
        for d in drivers {
            let _ = d.await;
        }
        // Drained: nothing waiting in the inbox, no delivery pending (retries included).
        let drain_start = Instant::now();
        loop {
            let d = depth().await;
            if d == (0, 0) || drain_start.elapsed() > Duration::from_secs(600) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        let d = depth().await;
        report(
            "end".into(),
            &mut window.lock().unwrap(),
            &mut totals,
            super::burst::rss_mb(),
            d,
        );
        println!(
            "drained in {:.1} s after the load (inbox {}, deliveries {} left); peak RSS {peak_rss:.0} MB; the peer received {} ({} twice); all answers {totals:?}",
            drain_start.elapsed().as_secs_f64(),
            d.0,
            d.1,
            scene.received.load(Ordering::Relaxed),
            scene.duplicates.load(Ordering::Relaxed)
        );
        inbox_worker.abort();
        delivery_worker.abort();
        maintenance.abort();
    }
}

mod outage {
    //! PostgreSQL gone for a while during traffic. The node reaches the database through a TCP
    //! proxy that this benchmark cuts (every connection reset, new ones refused) for the outage,
    //! as a restart or a network failure would. Members' servers send signed `Create`s at a
    //! steady rate and, like real senders, send again later what was not answered 202. At the
    //! end every accepted activity must be a post, and the stub peer must have received each
    //! Announce once.

    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    use staffroom::storage::{deliveries, inbox, posts};
    use tokio::net::{TcpListener, TcpStream};

    /// Forwards connections to `target` while `up`; cutting it resets every open connection.
    async fn proxy(target: String, up: Arc<AtomicBool>, generation: Arc<AtomicUsize>) -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    continue;
                };
                if !up.load(Ordering::Relaxed) {
                    drop(client);
                    continue;
                }
                let (target, generation) = (target.clone(), generation.clone());
                let born = generation.load(Ordering::Relaxed);
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(&target).await else {
                        return;
                    };
                    let copy = tokio::io::copy_bidirectional(&mut client, &mut server);
                    let cut = async {
                        while generation.load(Ordering::Relaxed) == born {
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    };
                    tokio::select! { _ = copy => {}, _ = cut => {} }
                });
            }
        });
        port
    }

    pub async fn run(secs: u64, outage_secs: u64, per_second: usize) {
        let Ok(url) = std::env::var("STAFFROOM_BENCH_DATABASE_URL") else {
            eprintln!("outage needs STAFFROOM_BENCH_DATABASE_URL=postgres://…");
            std::process::exit(2);
        };
        let mut parsed = url::Url::parse(&url).unwrap();
        let target = format!("{}:{}", parsed.host_str().unwrap(), parsed.port().unwrap_or(5432));
        let (up, generation) = (Arc::new(AtomicBool::new(true)), Arc::new(AtomicUsize::new(0)));
        let port = proxy(target, up.clone(), generation.clone()).await;
        parsed.set_port(Some(port)).unwrap();
        let scene = Arc::new(super::burst::scene_on(Some(parsed.to_string())).await);
        let state = scene.state.clone();
        let monitor = staffroom::app::DbHealth::spawn_monitor(state.clone());
        let inbox_worker = staffroom::services::inbound::spawn_worker(state.clone());
        let delivery_worker = staffroom::federation::delivery::spawn_worker(state.clone());
        let url = url::Url::parse(&format!("http://localhost:{}/groups/burst/inbox", scene.port)).unwrap();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let outage_at = secs / 3;
        println!(
            "PostgreSQL: {per_second} signed Creates/s for {secs} s; the database is cut off from {outage_at} s for {outage_secs} s"
        );
        let answers: Arc<std::sync::Mutex<std::collections::BTreeMap<String, usize>>> = Arc::default();
        let accepted = Arc::new(AtomicUsize::new(0));
        let start = Instant::now();
        let mut senders = Vec::new();
        let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / per_second as f64));
        let mut i = 0;
        while start.elapsed() < Duration::from_secs(secs) {
            tick.tick().await;
            let t = start.elapsed().as_secs();
            let down = t >= outage_at && t < outage_at + outage_secs;
            let was_up = up.swap(!down, Ordering::Relaxed);
            if was_up && down {
                generation.fetch_add(1, Ordering::Relaxed);
                println!("{t:>4} s  database cut off");
            } else if !was_up && !down {
                println!("{t:>4} s  database back");
            }
            let (client, url, scene, answers, accepted) = (
                client.clone(),
                url.clone(),
                scene.clone(),
                answers.clone(),
                accepted.clone(),
            );
            senders.push(tokio::spawn(async move {
                // Sent again, like a peer's retry queue, until it is answered 202.
                let mut wait = Duration::from_millis(500);
                loop {
                    let req = super::fanout::signed_post(&client, &url, super::burst::create(&scene, &url, i));
                    let status = match req.send().await {
                        Ok(r) => r.status().as_u16(),
                        Err(_) => 0,
                    };
                    *answers.lock().unwrap().entry(status.to_string()).or_default() += 1;
                    if status == 202 {
                        accepted.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(5));
                }
            }));
            i += 1;
        }
        up.store(true, Ordering::Relaxed);
        for s in senders {
            let _ = s.await;
        }
        let sent = i;
        // Drained: every accepted activity processed, every delivery settled.
        let drain = Instant::now();
        loop {
            let pending = (
                inbox::pending(&state.db).await.unwrap_or(1),
                deliveries::counts(&state.db).await.map(|c| c.0).unwrap_or(1),
            );
            if pending == (0, 0) || drain.elapsed() > Duration::from_secs(600) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        let created = posts::group_count(&state.db, scene.group.id).await.unwrap() as usize;
        let (_, delivered, failed) = deliveries::counts(&state.db).await.unwrap();
        let (_, _, inbox_failed) = inbox::counts(&state.db).await.unwrap();
        println!("  answers        {:?}", answers.lock().unwrap());
        println!(
            "  activities     {sent} sent, {} accepted, {created} posts created ({} lost), {inbox_failed} failed; drained {:.1} s after the load",
            accepted.load(Ordering::Relaxed),
            accepted.load(Ordering::Relaxed).saturating_sub(created),
            drain.elapsed().as_secs_f64()
        );
        println!(
            "  deliveries     {delivered} Announces sent, {failed} failed; the peer received {} ({} twice, {} expected)",
            scene.received.load(Ordering::Relaxed),
            scene.duplicates.load(Ordering::Relaxed),
            2 * created
        );
        monitor.abort();
        inbox_worker.abort();
        delivery_worker.abort();
    }
}

mod timeline {
    use std::time::Instant;

    use axum::body::Body;
    use axum::http::Request;
    use rand::Rng;
    use serde_json::json;
    use staffroom::app::AppState;
    use staffroom::config::Config;
    use staffroom::model::Visibility;
    use staffroom::services::accounts::{self, NewAccount, Role};
    use staffroom::storage::posts::PostRow;
    use staffroom::storage::{Db, follows, notifications, posts};
    use staffroom::telemetry::{StatementCounter, StatementTotals};
    use tower::ServiceExt;
    use tracing_subscriber::Layer;
    use tracing_subscriber::layer::SubscriberExt;

    const GROUPS: usize = 20;
    const FOLLOWS: usize = 50;
    const TAGS: usize = 100;

    async fn state(dir: &std::path::Path) -> AppState {
        let mut config = Config {
            domain: "bench.test".into(),
            ..Config::default()
        };
        config.database_url = std::env::var("STAFFROOM_BENCH_DATABASE_URL")
            .unwrap_or_else(|_| format!("sqlite://{}", dir.join("bench.db").display()));
        config.validate().unwrap();
        let db = Db::connect(&config.database_url, 8).await.unwrap();
        db.migrate().await.unwrap();
        let state = AppState::new(config, db);
        staffroom::services::node::bootstrap(&state).await.unwrap();
        state
    }

    fn percentile(sorted: &[f64], p: f64) -> f64 {
        sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
    }

    pub async fn run(n_posts: usize, n_members: usize) {
        let totals = StatementTotals::default();
        // RUST_LOG=sqlx::query=debug also prints each statement with its time.
        let log = std::env::var("RUST_LOG").ok().map(|f| {
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_filter(tracing_subscriber::EnvFilter::new(f))
        });
        tracing::subscriber::set_global_default(
            tracing_subscriber::registry()
                .with(StatementCounter {
                    totals: Some(totals.clone()),
                })
                .with(log),
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let state = state(dir.path()).await;
        let engine = state.db.engine().name();
        let t = Instant::now();
        let mut rng = rand::thread_rng();
        let mut members = Vec::new();
        for i in 0..n_members {
            let a = accounts::create(
                &state,
                NewAccount {
                    username: format!("m{i}"),
                    email: format!("m{i}@bench.test"),
                    password: "correct horse battery staple".into(),
                    role: Role::Member,
                    display_name: format!("Member {i}"),
                    bio: String::new(),
                    approved: true,
                },
            )
            .await
            .unwrap();
            members.push(a);
        }
        let mut groups = Vec::new();
        for g in 0..GROUPS {
            let owner = members[g % members.len()].actor.id;
            let (row, _) = staffroom::services::groups::create(
                &state,
                staffroom::services::groups::NewGroup {
                    name: format!("g{g}"),
                    display_name: format!("Group {g}"),
                    summary: String::new(),
                    members_only: g % 4 == 0,
                    posting_restricted_to_mods: false,
                    owner: Some(owner),
                },
            )
            .await
            .unwrap();
            groups.push(row);
        }
        for m in &members {
            for _ in 0..FOLLOWS {
                let target = if rng.gen_bool(0.3) {
                    groups[rng.gen_range(0..groups.len())].id
                } else {
                    members[rng.gen_range(0..members.len())].actor.id
                };
                if target != m.actor.id {
                    follows::insert(&state.db, m.actor.id, target, None, true)
                        .await
                        .unwrap();
                }
            }
        }
        println!(
            "{engine}: {n_members} members, {GROUPS} groups, {FOLLOWS} follows each in {:.1} s",
            t.elapsed().as_secs_f64()
        );

        let t = Instant::now();
        let now = staffroom::storage::now();
        let mut ids = Vec::with_capacity(n_posts);
        let mut tx = state.db.begin().await.unwrap();
        for i in 0..n_posts {
            // Spread over the past year, newest last.
            let at = now - chrono::Duration::seconds(((n_posts - i) as i64 * 31_536_000) / n_posts as i64);
            let id = staffroom::ids::id_at(at);
            let author = &members[rng.gen_range(0..members.len())].actor;
            let mentioned = &members[rng.gen_range(0..members.len())].actor;
            let group = (i % 5 == 0).then(|| &groups[rng.gen_range(0..groups.len())]);
            let (t1, t2) = (rng.gen_range(0..TAGS), rng.gen_range(0..TAGS));
            let tags = json!([
                { "type": "Mention", "href": mentioned.ap_id, "name": format!("@{}", mentioned.username) },
                { "type": "Hashtag", "href": format!("https://bench.test/tags/t{t1}"), "name": format!("#t{t1}") },
                { "type": "Hashtag", "href": format!("https://bench.test/tags/t{t2}"), "name": format!("#t{t2}") },
            ]);
            let attachments = if i % 10 == 0 {
                json!([{ "id": id.to_string(), "type": "image", "url": format!("https://bench.test/media/{id}.png"),
                         "media_type": "image/png", "description": "A picture", "width": 640, "height": 480 }])
            } else {
                json!([])
            };
            let ap_id = format!("https://bench.test/posts/{id}");
            let visibility = match group {
                Some(g) if groups.iter().position(|x| x.id == g.id).unwrap() % 4 == 0 => Visibility::Members,
                _ => Visibility::Public,
            };
            let row = PostRow {
                id,
                ap_id: ap_id.clone(),
                url: Some(ap_id),
                author_id: author.id,
                group_id: group.map(|g| g.id),
                in_reply_to: None,
                kind: "Note".into(),
                title: None,
                content_html: format!("<p>Post {i} for @{} about #t{t1} and #t{t2}</p>", mentioned.username),
                source: Some(format!("Post {i}")),
                summary: None,
                language: Some("en".into()),
                visibility,
                tags: tags.to_string(),
                sensitive: false,
                local: true,
                pinned_at: None,
                locked: false,
                attachments: attachments.to_string(),
                published_at: at,
                updated_at: None,
                deleted_at: None,
                created_at: at,
                relay_id: group.map(|_| staffroom::ids::id_at(at)),
            };
            posts::insert(&mut tx, &row).await.unwrap();
            ids.push((id, author.id, mentioned.id));
            if i % 10_000 == 9_999 {
                tx.commit().await.unwrap();
                tx = state.db.begin().await.unwrap();
            }
        }
        tx.commit().await.unwrap();
        // Reactions on the newest tenth, and mention notifications for the newest posts.
        for (id, author, mentioned) in ids.iter().rev().take(n_posts / 10) {
            let by = members[rng.gen_range(0..members.len())].actor.id;
            posts::add_reaction(
                &state.db,
                if rng.gen_bool(0.5) { "like" } else { "announce" },
                None,
                by,
                *id,
                now,
            )
            .await
            .unwrap();
            if rng.gen_bool(0.2) {
                notifications::insert(&state.db, *mentioned, "mention", *author, Some(*id), now)
                    .await
                    .unwrap();
            }
        }
        println!(
            "{engine}: {n_posts} posts, their reactions and notifications in {:.1} s",
            t.elapsed().as_secs_f64()
        );

        let t = Instant::now();
        state.db.analyze().await.unwrap();
        println!(
            "{engine}: statistics refreshed (ANALYZE; VACUUM ANALYZE on PostgreSQL, as autovacuum would) in {:.1} s",
            t.elapsed().as_secs_f64()
        );

        let router = staffroom::http::router(state.clone());
        let mut tokens = Vec::new();
        for m in members.iter().take(20) {
            let v = staffroom::api::oauth::issue_token(&state, None, Some(m.user.id), "read")
                .await
                .unwrap();
            tokens.push((m.actor.id, v["access_token"].as_str().unwrap().to_owned()));
        }
        println!(
            "{:<16} {:>8} {:>8} {:>12}",
            "page of 40", "p50 ms", "p99 ms", "statements"
        );
        for page in ["home", "public", "tag", "account", "notifications"] {
            let mut times = Vec::new();
            let mut statements = Vec::new();
            for round in 0..200 {
                let (me, token) = &tokens[round % tokens.len()];
                let uri = match page {
                    "home" => "/api/v1/timelines/home?limit=40".to_owned(),
                    "public" => "/api/v1/timelines/public?limit=40".to_owned(),
                    "tag" => format!("/api/v1/timelines/tag/t{}?limit=40", round % TAGS),
                    "account" => format!("/api/v1/accounts/{me}/statuses?limit=40"),
                    _ => "/api/v1/notifications?limit=40".to_owned(),
                };
                let rid = format!("bench-{page}-{round}");
                let req = Request::get(uri)
                    .header("authorization", format!("Bearer {token}"))
                    .header("x-request-id", &rid)
                    .body(Body::empty())
                    .unwrap();
                let t = Instant::now();
                let res = router.clone().oneshot(req).await.unwrap();
                let status = res.status();
                let _ = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
                times.push(t.elapsed().as_secs_f64() * 1000.0);
                assert!(status.is_success(), "{page}: {status}");
                if let Some(n) = totals.lock().unwrap().get(&rid) {
                    statements.push(*n);
                }
            }
            times.sort_by(|a, b| a.partial_cmp(b).unwrap());
            let most = statements.iter().max().copied().unwrap_or(0);
            println!(
                "{page:<16} {:>8.1} {:>8.1} {:>12}",
                percentile(&times, 0.5),
                percentile(&times, 0.99),
                format!("at most {most}")
            );
        }
    }
}
