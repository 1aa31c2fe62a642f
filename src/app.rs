//! The state every request and job shares: configuration, database, and the node's URLs.

use std::sync::Arc;

use url::Url;

use crate::config::Config;
use crate::storage::Db;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub urls: Urls,
    /// The client for every outgoing federation request.
    pub http: reqwest::Client,
    /// Wakes the delivery worker when new deliveries are queued in this process.
    pub delivery_wake: Arc<tokio::sync::Notify>,
    /// Wakes the inbox worker when an activity is stored.
    pub inbox_wake: Arc<tokio::sync::Notify>,
    /// The key that signs links to non-public files (derived from the node's own key, so every
    /// process of a node agrees), read once.
    pub media_key: Arc<tokio::sync::OnceCell<[u8; 32]>>,
    /// What happens on this node, for streaming clients connected to this process.
    pub events: tokio::sync::broadcast::Sender<Event>,
    /// Whether the database answered the last health check (see [`DbHealth`]).
    pub db_health: Arc<DbHealth>,
    /// This process, among the node's processes (random): what it announces, it does not relay.
    pub process_id: u64,
    /// How many received activities wait to be processed, as last counted (see [`Backlog`]).
    pub inbox_backlog: Arc<Backlog>,
    /// When this process read its configuration (the instance texts' `updated_at`).
    pub started_at: chrono::DateTime<chrono::Utc>,
}

/// The depth of the inbox queue (activities of every process of the node waiting to be
/// processed), counted at most once a second and counted up by each activity accepted since.
/// Beyond `federation.inbox_queue_limit` the inbox answers 503 with `Retry-After`, which senders
/// honour by trying again later: the queue stops growing instead of the node falling over.
#[derive(Debug, Default)]
pub struct Backlog {
    pending: std::sync::atomic::AtomicI64,
    counted_at: std::sync::Mutex<Option<std::time::Instant>>,
    counting: tokio::sync::Mutex<()>,
}

impl Backlog {
    /// The queue's depth: the last count plus what was accepted since, counted again when
    /// the count is older than a second (by one request; the others use the last count).
    pub async fn depth(&self, db: &Db) -> i64 {
        let stale = self
            .counted_at
            .lock()
            .expect("backlog lock")
            .is_none_or(|t| t.elapsed() >= std::time::Duration::from_secs(1));
        if stale && let Ok(_counting) = self.counting.try_lock() {
            match crate::storage::inbox::pending(db).await {
                Ok(n) => {
                    self.pending.store(n, std::sync::atomic::Ordering::Relaxed);
                    *self.counted_at.lock().expect("backlog lock") = Some(std::time::Instant::now());
                }
                Err(e) => tracing::warn!(error = %e, "counting the inbox queue"),
            }
        }
        self.pending.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// One more activity accepted.
    pub fn accepted(&self) {
        self.pending.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Whether this process can reach its database, as a check once a second finds it: while it
/// cannot, requests are answered 503 with `Retry-After` at once instead of waiting for a
/// connection that will not come.
#[derive(Debug, Default)]
pub struct DbHealth {
    unreachable: std::sync::atomic::AtomicBool,
}

impl DbHealth {
    pub fn is_unreachable(&self) -> bool {
        self.unreachable.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Pings the database (one second at most) and records the answer.
    pub async fn check(&self, db: &Db) -> bool {
        let ok = matches!(
            tokio::time::timeout(std::time::Duration::from_secs(1), db.ping()).await,
            Ok(Ok(()))
        );
        let was = self.unreachable.swap(!ok, std::sync::atomic::Ordering::Relaxed);
        if was == ok {
            if ok {
                tracing::info!("database reachable again");
            } else {
                tracing::error!("database unreachable: answering 503 until it is back");
            }
        }
        ok
    }

    /// Checks once a second for as long as the process runs.
    pub fn spawn_monitor(state: AppState) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                state.db_health.check(&state.db).await;
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        })
    }
}

/// Keeps the database's statistics fresh (see [`Db::maintain`]): once a minute on
/// PostgreSQL (a no-op while autovacuum runs), once an hour on SQLite.
pub fn spawn_maintenance(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let every = match state.db {
            Db::Postgres(..) => std::time::Duration::from_secs(60),
            Db::Sqlite(..) => std::time::Duration::from_secs(3600),
        };
        loop {
            tokio::time::sleep(every).await;
            match state.db.maintain().await {
                Ok(tables) if !tables.is_empty() => tracing::info!(?tables, "statistics refreshed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "database maintenance"),
            }
        }
    })
}

/// Something streaming clients may want to hear about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A post was stored (local or received).
    Update(i64),
    /// A post was deleted.
    Delete(i64),
    /// A notification for a local member: (recipient actor id, notification id).
    Notification(i64, i64),
}

impl Event {
    /// The event as the processes of a node tell each other: `kind ids…`.
    fn encode(self) -> String {
        match self {
            Event::Update(id) => format!("update {id}"),
            Event::Delete(id) => format!("delete {id}"),
            Event::Notification(to, id) => format!("notification {to} {id}"),
        }
    }

    fn decode(s: &str) -> Option<Event> {
        let mut parts = s.split(' ');
        let kind = parts.next()?;
        let mut num = || parts.next().and_then(|n| n.parse::<i64>().ok());
        Some(match kind {
            "update" => Event::Update(num()?),
            "delete" => Event::Delete(num()?),
            "notification" => Event::Notification(num()?, num()?),
            _ => return None,
        })
    }
}

impl AppState {
    /// Tells connected streaming clients of this process, and (on PostgreSQL) the node's other
    /// processes, which relay it to theirs; nobody listening is fine.
    pub fn publish(&self, event: Event) {
        let _ = self.events.send(event);
        if matches!(self.db, Db::Postgres(..))
            && let Ok(rt) = tokio::runtime::Handle::try_current()
        {
            let (db, payload) = (self.db.clone(), format!("{} {}", self.process_id, event.encode()));
            rt.spawn(async move {
                if let Err(e) = crate::storage::relay::announce(&db, &payload).await {
                    tracing::warn!(error = %e, "telling the other processes of an event");
                }
            });
        }
    }

    /// Relays what the node's other processes publish to this process's streaming clients
    /// (PostgreSQL `LISTEN`; nothing to do on SQLite). Returns once it listens.
    pub async fn spawn_relay(&self) -> anyhow::Result<Option<tokio::task::JoinHandle<()>>> {
        let Some(mut listener) = crate::storage::relay::listen(&self.db).await? else {
            return Ok(None);
        };
        let state = self.clone();
        Ok(Some(tokio::spawn(async move {
            // Every few seconds this process hears itself: the last thing heard bounds the gap
            // a lost connection may have left.
            let heartbeat = {
                let (db, ping) = (state.db.clone(), format!("{} ping", state.process_id));
                tokio::spawn(async move {
                    loop {
                        tokio::time::sleep(RELAY_HEARTBEAT).await;
                        let _ = crate::storage::relay::announce(&db, &ping).await;
                    }
                })
            };
            let _stop_heartbeat = AbortOnDrop(heartbeat);
            let mut heard = crate::storage::now();
            loop {
                match listener.try_recv().await {
                    Ok(Some(n)) => {
                        heard = crate::storage::now();
                        let Some((from, rest)) = n.payload().split_once(' ') else {
                            continue;
                        };
                        if from != state.process_id.to_string()
                            && let Some(event) = Event::decode(rest)
                        {
                            let _ = state.events.send(event);
                        }
                    }
                    // The connection was lost and is back: what was said meanwhile is found in
                    // the database (clients know statuses by id, so one heard twice is harmless).
                    Ok(None) => {
                        let since = heard - chrono::Duration::seconds(1);
                        heard = crate::storage::now();
                        match state.resync(since).await {
                            Ok(n) => tracing::warn!(replayed = n, %since, "event relay reconnected"),
                            Err(e) => tracing::warn!(error = %e, "event relay reconnected; replaying the gap failed"),
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "event relay");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                }
            }
        })))
    }

    /// Tells this process's streaming clients of the posts and notifications stored since
    /// `since` (at most [`RESYNC_LIMIT`] of each); returns how many events it published.
    pub async fn resync(&self, since: chrono::DateTime<chrono::Utc>) -> Result<usize, sqlx::Error> {
        let (posts, notifications) =
            crate::storage::relay::since(&self.db, crate::ids::min_id_at(since), RESYNC_LIMIT).await?;
        let n = posts.len() + notifications.len();
        for id in posts {
            let _ = self.events.send(Event::Update(id));
        }
        for (to, id) in notifications {
            let _ = self.events.send(Event::Notification(to, id));
        }
        Ok(n)
    }
}

/// How often each process of a PostgreSQL node tells itself it is listening.
const RELAY_HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(5);
/// Posts, and notifications, replayed at most after the relay reconnects.
const RESYNC_LIMIT: i64 = 500;

/// Aborts a task when dropped (the relay's heartbeat ends with the relay).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl AppState {
    pub fn new(config: Config, db: Db) -> AppState {
        let urls = Urls {
            base: config.base_url(),
        };
        AppState {
            config: Arc::new(config),
            db,
            urls,
            http: crate::federation::fetch::client(),
            delivery_wake: Arc::new(tokio::sync::Notify::new()),
            inbox_wake: Arc::new(tokio::sync::Notify::new()),
            inbox_backlog: Arc::default(),
            events: tokio::sync::broadcast::channel(1024).0,
            media_key: Arc::default(),
            db_health: Arc::default(),
            process_id: rand::random(),
            started_at: crate::storage::now(),
        }
    }
}

/// Where things of this node live on the web. Every URL the node publishes is made here.
#[derive(Clone, Debug)]
pub struct Urls {
    base: Url,
}

impl Urls {
    fn join(&self, path: &str) -> Url {
        self.base.join(path).expect("paths made here are valid")
    }
    pub fn base(&self) -> &Url {
        &self.base
    }
    pub fn person(&self, name: &str) -> Url {
        self.join(&format!("users/{name}"))
    }
    pub fn profile(&self, name: &str) -> Url {
        self.join(&format!("@{name}"))
    }
    pub fn person_part(&self, name: &str, part: &str) -> Url {
        self.join(&format!("users/{name}/{part}"))
    }
    pub fn group(&self, name: &str) -> Url {
        self.join(&format!("groups/{name}"))
    }
    pub fn group_part(&self, name: &str, part: &str) -> Url {
        self.join(&format!("groups/{name}/{part}"))
    }
    pub fn post(&self, id: i64) -> Url {
        self.join(&format!("posts/{id}"))
    }
    /// Ids of activities we send (not served: receivers get them embedded or by delivery).
    pub fn activity(&self, id: i64) -> Url {
        self.join(&format!("activities/{id}"))
    }
    pub fn tag(&self, name: &str) -> Url {
        self.join(&format!("tags/{}", name.to_lowercase()))
    }
    pub fn shared_inbox(&self) -> Url {
        self.join("inbox")
    }
    pub fn application_actor(&self) -> Url {
        self.join("actor")
    }
    pub fn application_inbox(&self) -> Url {
        self.join("actor/inbox")
    }
    pub fn application_outbox(&self) -> Url {
        self.join("actor/outbox")
    }
    pub fn key_id(actor: &Url) -> String {
        format!("{actor}#main-key")
    }
    pub fn webfinger_template(&self) -> String {
        format!("{}.well-known/webfinger?resource={{uri}}", self.base)
    }
    pub fn nodeinfo(&self, version: &str) -> Url {
        self.join(&format!("nodeinfo/{version}"))
    }
}
