//! The inbox worker: claims stored activities and processes them concurrently, each in its
//! actor's lane, with retries for what failed for a passing reason.

use std::time::Duration;

use serde_json::Value;
use url::Url;

use super::ProcessError;
use crate::app::AppState;
use crate::federation::delivery;
use crate::federation::inbound::invalid;
use crate::federation::policy::authority;
use crate::storage::{self, actors, inbox};

/// Activities of one sending host processed at once in this process.
const PER_HOST: usize = 16;
/// Batches of claimed activities in flight at once in this process.
const BATCHES: usize = 4;
/// One activity (its turn in its lane and its processing, fetches included) gets this long;
/// then it is tried again later, and the lease (60 s) has not run out.
const DEADLINE: Duration = Duration::from_secs(45);

/// Who waits for whom while activities are processed concurrently: activities of one actor in
/// the order they arrived (a Delete never overtakes its Create), and at most [`PER_HOST`] of one
/// sending host at once, so that one slow or flooding host cannot hold up the others.
#[derive(Default)]
pub struct Lanes {
    hosts: delivery::HostLimits,
    actors: std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<tokio::sync::Mutex<()>>>>,
}

impl Lanes {
    fn actor(&self, ap_id: &str) -> std::sync::Arc<tokio::sync::Mutex<()>> {
        let mut map = self.actors.lock().expect("inbox lanes lock");
        // Forget the lanes nobody holds or waits for.
        if map.len() > 1024 {
            map.retain(|_, l| std::sync::Arc::strong_count(l) > 1);
        }
        map.entry(ap_id.to_owned()).or_default().clone()
    }
}

/// Processes one claimed activity; returns its outcome, to be recorded.
async fn handle(state: &AppState, lanes: &Lanes, row: inbox::InboxRow) -> inbox::Outcome {
    let host = Url::parse(&row.actor_ap_id).map(|u| authority(&u)).unwrap_or_default();
    let work = async {
        let lane = lanes.actor(&row.actor_ap_id);
        let _turn = lane.lock().await;
        let _permit = lanes.hosts.acquire(&host, PER_HOST).await;
        match serde_json::from_str::<Value>(&row.payload) {
            Ok(activity) => match actors::find_by_ap_id(&state.db, &row.actor_ap_id).await? {
                Some(actor) => super::receive(state, &actor, &activity, 0).await,
                None => Err(invalid("unknown actor")),
            },
            Err(e) => Err(invalid(e.to_string())),
        }
    };
    let result = tokio::time::timeout(DEADLINE, work)
        .await
        .unwrap_or_else(|_| Err(ProcessError::Temporary("processing took too long".into())));
    let now = storage::now();
    // A database that is busy or unreachable is never a reason to drop an activity we accepted.
    let result = result.map_err(|e| match e {
        ProcessError::Internal(cause) if storage::cause_is_unavailable(&cause) => ProcessError::Busy(cause.to_string()),
        other => other,
    });
    let (error, retry_at) = match result {
        Ok(()) => {
            tracing::debug!(activity = %row.ap_id, "activity processed");
            (None, None)
        }
        Err(ProcessError::Busy(e)) => {
            // Tried again after a while, however often: the database comes back.
            let retry_at = now + chrono::Duration::seconds(2i64 << row.attempts.clamp(0, 4));
            tracing::warn!(activity = %row.ap_id, error = %e, %retry_at, "database unavailable: activity kept");
            (Some(e), Some(retry_at))
        }
        Err(ProcessError::Temporary(e)) if row.attempts < 5 => {
            // 2, 4, 8, 16 seconds: a peer that was briefly busy is tried again soon.
            let retry_at = now + chrono::Duration::seconds(2i64 << row.attempts.clamp(0, 4));
            tracing::info!(activity = %row.ap_id, error = %e, %retry_at, "activity will be processed again");
            (Some(e), Some(retry_at))
        }
        Err(e) => {
            tracing::info!(activity = %row.ap_id, error = %e, "activity dropped");
            (Some(e.to_string()), None)
        }
    };
    inbox::Outcome {
        id: row.id,
        error,
        retry_at,
        at: now,
    }
}

/// Processes a batch concurrently (see [`Lanes`]); returns when every activity of it is done
/// and its outcome recorded. Outcomes are recorded as they come in, as many at a time as have
/// arrived, in one write. One that cannot be recorded leaves its activity to be processed again
/// when the lease ends, which receiving tolerates (activities and objects are known by id).
async fn process_batch(state: &AppState, lanes: &Lanes, rows: Vec<inbox::InboxRow>) {
    let (outcomes, arrived) = tokio::sync::mpsc::unbounded_channel();
    let processing = futures::future::join_all(rows.into_iter().map(|row| {
        let outcomes = outcomes.clone();
        async move {
            let _ = outcomes.send(handle(state, lanes, row).await);
        }
    }));
    drop(outcomes);
    let recording = storage::batch::in_batches(arrived, |batch| async move {
        let n = batch.len();
        if let Err(e) = state
            .db
            .write(move |tx| Box::pin(async move { inbox::finish_all(tx, &batch).await }))
            .await
        {
            tracing::error!(error = %e, activities = n, "inbox worker: recording outcomes");
        }
    });
    futures::join!(processing, recording);
}

async fn claim(state: &AppState) -> anyhow::Result<Vec<inbox::InboxRow>> {
    let now = storage::now();
    Ok(inbox::claim(&state.db, now, now + chrono::Duration::seconds(60), 32).await?)
}

/// Processes one batch of stored activities; returns how many were handled.
pub async fn run_once(state: &AppState) -> anyhow::Result<usize> {
    let rows = claim(state).await?;
    let n = rows.len();
    process_batch(state, &Lanes::default(), rows).await;
    Ok(n)
}

/// The inbox worker of this process: keeps up to [`BATCHES`] batches in flight, so activities
/// that arrive while a slow one is fetching are taken at once.
pub fn spawn_worker(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let lanes = std::sync::Arc::new(Lanes::default());
        let mut running = tokio::task::JoinSet::new();
        loop {
            if running.len() < BATCHES {
                match claim(&state).await {
                    Ok(rows) if !rows.is_empty() => {
                        let (state, lanes) = (state.clone(), lanes.clone());
                        running.spawn(async move { process_batch(&state, &lanes, rows).await });
                        continue;
                    }
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "inbox worker"),
                }
            }
            tokio::select! {
                _ = state.inbox_wake.notified() => {}
                Some(_) = running.join_next() => {}
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    })
}
