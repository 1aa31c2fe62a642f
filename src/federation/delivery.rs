//! Delivering activities: queued in the database with the change that caused them, sent by a
//! worker in every process, signed, with a concurrency limit per host, exponential backoff with
//! jitter, and giving up after a configured time.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use serde_json::Value;
use tokio::sync::Semaphore;
use url::Url;

use super::policy::{self, authority};
use super::signatures::{SigningKey, sign_request};
use crate::app::AppState;
use crate::storage::actors::ActorRow;
use crate::storage::{self, Tx, deliveries};

/// How long a claimed delivery is ours before another process may take it over.
pub const LEASE: Duration = Duration::from_secs(60);
/// Longest wait between two retries.
pub const MAX_BACKOFF: Duration = Duration::from_secs(6 * 3600);
/// A host unreachable for longer than this is retried at most hourly.
pub const UNREACHABLE_AFTER: Duration = Duration::from_secs(3600);
/// Responses from inboxes are read up to this size (and ignored).
const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// The inboxes to deliver to for these recipients: shared inboxes where they have one, each
/// once; never this node's own, nor domains the federation policy excludes.
pub fn inboxes_for<'a>(state: &AppState, recipients: impl IntoIterator<Item = &'a ActorRow>) -> Vec<(String, String)> {
    let mut seen = BTreeSet::new();
    for r in recipients {
        if r.is_local() {
            continue;
        }
        let inbox = r.shared_inbox_url.as_deref().unwrap_or(&r.inbox_url);
        let Ok(url) = Url::parse(inbox) else { continue };
        let host = authority(&url);
        if host == state.config.domain || !policy::allows(&state.config, &host) {
            continue;
        }
        seen.insert((url.to_string(), host));
    }
    seen.into_iter().collect()
}

/// Queues `activity` (which must have an `id`) from `actor` to `inboxes`, in `tx`.
pub async fn queue(
    tx: &mut Tx,
    actor: &ActorRow,
    activity: &Value,
    inboxes: &[(String, String)],
) -> anyhow::Result<()> {
    if inboxes.is_empty() {
        return Ok(());
    }
    let activity = &super::actors::with_proof(tx, actor, activity).await?;
    let ap_id = activity["id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("activity without id"))?;
    deliveries::enqueue(
        tx,
        ap_id,
        actor.id,
        &serde_json::to_string(activity)?,
        inboxes,
        storage::now(),
    )
    .await?;
    Ok(())
}

/// The wait before retry number `attempts` (1-based), with ±20% jitter.
pub fn backoff(base: Duration, attempts: u32) -> Duration {
    let exp = base.saturating_mul(1u32 << attempts.saturating_sub(1).min(20));
    let capped = exp.min(MAX_BACKOFF);
    capped.mul_f64(rand::random::<f64>() * 0.4 + 0.8)
}

/// An activity's body and the key that signs it, shared by its deliveries in a batch.
/// An activity ready to send: its bytes, its signer's key, whether it is an object Announce.
type Prepared = Arc<(Vec<u8>, SigningKey, bool)>;

#[derive(Debug, Clone)]
enum Outcome {
    /// Taken; `true` when only an RFC 9421 signature was (the host is to be remembered).
    Delivered(bool),
    /// Worth trying again later (network error, 5xx, 408, 429).
    Retry(String),
    /// Final (other 4xx, refused by policy, unsigned).
    Fail(String),
}

/// Sends an activity signed draft-cavage, or RFC 9421 for a host that wants it; a host that
/// answers 401 to draft-cavage is asked again at once the RFC 9421 way (`Outcome::Delivered(true)`
/// then says to remember it).
async fn send(state: &AppState, inbox: &str, body: &[u8], key: &SigningKey, rfc9421: bool) -> Outcome {
    let outcome = send_signed(state, inbox, body, key, rfc9421).await;
    match outcome {
        Outcome::Fail(ref e) if !rfc9421 && e.starts_with("HTTP 401") => {
            match send_signed(state, inbox, body, key, true).await {
                Outcome::Delivered(_) => Outcome::Delivered(true),
                other => other,
            }
        }
        other => other,
    }
}

async fn send_signed(state: &AppState, inbox: &str, body: &[u8], key: &SigningKey, rfc9421: bool) -> Outcome {
    let Ok(url) = Url::parse(inbox) else {
        return Outcome::Fail("invalid inbox URL".into());
    };
    if let Err(e) = super::fetch::check_target(state, &url).await {
        return match e {
            super::fetch::FetchError::Network(..) => Outcome::Retry(e.to_string()),
            _ => Outcome::Fail(e.to_string()),
        };
    }
    let signed = if rfc9421 {
        super::signatures::sign_request_rfc9421("POST", &url, Some(body), key)
    } else {
        sign_request("POST", &url, Some(body), key)
    };
    let headers = match signed {
        Ok(h) => h,
        Err(e) => return Outcome::Fail(format!("signing: {e}")),
    };
    let mut req = state
        .http
        .post(url.clone())
        .header("content-type", "application/activity+json")
        .body(body.to_vec());
    for (name, value) in headers {
        req = req.header(name, value);
    }
    match req.send().await {
        Ok(res) => {
            let status = res.status();
            let _ = super::fetch::read_limited(res, inbox, MAX_RESPONSE_BYTES).await;
            if status.is_success() {
                Outcome::Delivered(false)
            } else if status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429 {
                Outcome::Retry(format!("HTTP {status}"))
            } else {
                Outcome::Fail(format!("HTTP {status}"))
            }
        }
        Err(e) => Outcome::Retry(e.to_string()),
    }
}

/// Sends every due delivery once (claiming them first); returns how many were attempted.
/// A delivery, how it went, and whether it was an Announce of a bare object id.
type Sent = (deliveries::ClaimedDelivery, Outcome, bool);

/// Answers that say a server cannot read what it was sent (not that it refuses the sender).
const REFUSED_AS_UNREADABLE: [&str; 3] = ["400 Bad Request", "422 Unprocessable Entity", "501 Not Implemented"];

/// Whether a payload is an Announce whose object is an id (what Mastodon reads of a group's
/// post; Lemmy refuses it).
fn is_object_announce(payload: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(payload).is_ok_and(|v| v["type"] == "Announce" && v["object"].is_string())
}

pub async fn run_once(state: &AppState, hosts: &HostLimits) -> anyhow::Result<usize> {
    let now = storage::now();
    let lease = now + chrono::Duration::from_std(LEASE)?;
    let batch = (state.config.delivery.concurrency * 4) as i64;
    let claimed = deliveries::claim(&state.db, now, lease, batch).await?;
    let n = claimed.len();
    // The batch's activities in one query, each parsed (and its key found) once.
    let mut ids: Vec<i64> = claimed.iter().map(|d| d.activity_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let activities: HashMap<i64, Prepared> = deliveries::activities(&state.db, &ids)
        .await?
        .into_iter()
        .filter_map(|a| {
            let key = SigningKey::from_pem(&a.key_id, a.private_key_pem.as_deref()?).ok()?;
            let bare = is_object_announce(&a.payload);
            Some((a.id, Arc::new((a.payload.into_bytes(), key, bare))))
        })
        .collect();
    // Hosts that refused draft-cavage and took RFC 9421 signatures.
    let rfc9421: std::collections::HashSet<String> = if claimed.is_empty() {
        Default::default()
    } else {
        deliveries::hosts_needing(&state.db, deliveries::HostNeed::Rfc9421)
            .await?
            .into_iter()
            .collect()
    };
    let rfc9421 = &rfc9421;
    let jobs: Vec<_> = claimed
        .into_iter()
        .map(|d| {
            let prepared = activities.get(&d.activity_id).cloned();
            (d, prepared)
        })
        .collect();
    // Outcomes are recorded as they come in, as many at a time as have arrived: one write
    // for a batch of them rather than one per delivery.
    let (outcomes, arrived) = tokio::sync::mpsc::unbounded_channel();
    let sending = async move {
        futures::stream::iter(jobs)
            .for_each_concurrent(state.config.delivery.concurrency, |(d, prepared)| {
                let outcomes = outcomes.clone();
                async move {
                    let permit = hosts.acquire(&d.host, state.config.delivery.per_host_concurrency).await;
                    let outcome = match &prepared {
                        Some(p) => send(state, &d.inbox_url, &p.0, &p.1, rfc9421.contains(&d.host)).await,
                        None => Outcome::Fail("the signing actor has no key".into()),
                    };
                    drop(permit);
                    let bare = prepared.as_ref().is_some_and(|p| p.2);
                    let _ = outcomes.send((d, outcome, bare));
                }
            })
            .await;
    };
    let recording = storage::batch::in_batches(arrived, |batch| record_until_stored(state, batch));
    futures::join!(sending, recording);
    Ok(n)
}

/// Records the outcomes, trying again while the database is busy or unreachable: a send that
/// happened but is not recorded would be sent again when its lease ends, so the worker waits
/// (and claims nothing new) until the outcomes stick. Other failures are logged and the rows
/// are left to their lease.
async fn record_until_stored(state: &AppState, outcomes: Vec<Sent>) {
    let mut wait = Duration::from_millis(100);
    loop {
        match record(state, outcomes.clone()).await {
            Ok(()) => return,
            Err(e) if storage::cause_is_unavailable(&e) => {
                tracing::warn!(error = %e, deliveries = outcomes.len(), retry_in = ?wait, "recording delivery outcomes: database unavailable, trying again");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(2));
            }
            Err(e) => {
                tracing::error!(error = %e, deliveries = outcomes.len(), "recording delivery outcomes");
                return;
            }
        }
    }
}

/// Records a batch of outcomes in one write: the delivered rows in one statement, each host
/// that answered marked reachable once, failures and retries one by one.
async fn record(state: &AppState, outcomes: Vec<Sent>) -> anyhow::Result<()> {
    let now = storage::now();
    let give_up = chrono::Duration::hours(state.config.delivery.give_up_after_hours as i64);
    let retry_base = Duration::from_secs(state.config.delivery.retry_base_seconds);
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                let mut delivered = Vec::new();
                let mut reachable = BTreeSet::new();
                for (d, outcome, bare) in outcomes {
                    let inbox = &d.inbox_url;
                    match outcome {
                        Outcome::Delivered(learnt) => {
                            if learnt {
                                deliveries::remember(&mut *tx, &d.host, deliveries::HostNeed::Rfc9421, now).await?;
                            }
                            tracing::debug!(%inbox, "delivered");
                            delivered.push(d.id);
                            reachable.insert(d.host);
                        }
                        Outcome::Fail(error) => {
                            tracing::info!(%inbox, %error, "delivery refused: giving up");
                            if bare && REFUSED_AS_UNREADABLE.iter().any(|c| error == format!("HTTP {c}")) {
                                deliveries::remember(&mut *tx, &d.host, deliveries::HostNeed::NoObjectAnnounces, now)
                                    .await?;
                            }
                            deliveries::mark_failed(&mut *tx, d.id, &error, now).await?;
                        }
                        Outcome::Retry(error) => {
                            let since = deliveries::host_failed(&mut *tx, &d.host, now).await?;
                            if now - d.created_at >= give_up {
                                tracing::info!(%inbox, %error, "delivery failing for too long: giving up");
                                deliveries::mark_failed(&mut *tx, d.id, &error, now).await?;
                                continue;
                            }
                            let mut wait = backoff(retry_base, d.attempts as u32 + 1);
                            if (now - since).to_std().unwrap_or_default() > UNREACHABLE_AFTER {
                                wait = wait.max(UNREACHABLE_AFTER);
                            }
                            let at: DateTime<Utc> = now + chrono::Duration::from_std(wait)?;
                            tracing::debug!(%inbox, %error, retry_at = %at, "delivery failed: will retry");
                            deliveries::schedule_retry(&mut *tx, d.id, &error, at, now).await?;
                        }
                    }
                }
                deliveries::mark_delivered(&mut *tx, &delivered, now).await?;
                for host in &reachable {
                    deliveries::host_reachable(&mut *tx, host, now).await?;
                }
                Ok::<(), anyhow::Error>(())
            })
        })
        .await
}

/// One semaphore per remote host, shared by the worker's batches.
#[derive(Default)]
pub struct HostLimits {
    hosts: std::sync::Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl HostLimits {
    pub(crate) async fn acquire(&self, host: &str, permits: usize) -> tokio::sync::OwnedSemaphorePermit {
        let sem = self
            .hosts
            .lock()
            .expect("host limits lock")
            .entry(host.to_owned())
            .or_insert_with(|| Arc::new(Semaphore::new(permits)))
            .clone();
        sem.acquire_owned().await.expect("semaphore never closed")
    }
}

/// The delivery worker of this process: runs until the process ends, waking when this process
/// queues something and at least every second (for retries and other processes' rows).
pub fn spawn_worker(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let hosts = HostLimits::default();
        loop {
            match run_once(&state, &hosts).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "delivery worker"),
            }
            tokio::select! {
                _ = state.delivery_wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    })
}
