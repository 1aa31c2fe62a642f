//! Received activities, stored before they are processed.

use chrono::{DateTime, Utc};

use super::{Db, Exec, Tx};
use crate::{with_db_write, with_exec, with_write};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InboxRow {
    pub id: i64,
    pub ap_id: String,
    pub actor_ap_id: String,
    pub payload: String,
    pub attempts: i32,
}

/// Stores an activity; false when its id was already received.
pub async fn insert(
    db: impl Into<Exec<'_>>,
    ap_id: &str,
    actor: &str,
    payload: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    with_write!(db, p => sqlx::query(
        "INSERT INTO inbox_activities (id, ap_id, actor_ap_id, payload, status, attempts, received_at) \
         VALUES ($1, $2, $3, $4, 'pending', 0, $5) ON CONFLICT (ap_id) DO NOTHING")
        .bind(crate::ids::id_at(now)).bind(ap_id).bind(actor).bind(payload).bind(now)
        .execute(p).await.map(|r| r.rows_affected() == 1))
}

pub async fn claim(
    db: &Db,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<InboxRow>, sqlx::Error> {
    const DUE: &str = "SELECT id FROM inbox_activities WHERE status = 'pending' AND (claimed_until IS NULL OR claimed_until < $2) ORDER BY id LIMIT $3";
    let sql = match db {
        Db::Postgres(..) => format!(
            "UPDATE inbox_activities SET claimed_until = $1 WHERE id IN ({DUE} FOR UPDATE SKIP LOCKED) RETURNING id, ap_id, actor_ap_id, payload, attempts"
        ),
        Db::Sqlite(..) => format!(
            "UPDATE inbox_activities SET claimed_until = $1 WHERE id IN ({DUE}) RETURNING id, ap_id, actor_ap_id, payload, attempts"
        ),
    };
    with_db_write!(db, p => sqlx::query_as::<_, InboxRow>(sqlx::AssertSqlSafe(sql)).bind(lease_until).bind(now).bind(limit).fetch_all(p).await)
}

/// What processing an activity came to: done (no error), failed (an error and no retry), or
/// pending until `retry_at`.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub id: i64,
    pub error: Option<String>,
    pub retry_at: Option<DateTime<Utc>>,
    pub at: DateTime<Utc>,
}

/// Records outcomes of processing: those done in one statement, the others one by one.
pub async fn finish_all(tx: &mut Tx, outcomes: &[Outcome]) -> Result<(), sqlx::Error> {
    let (done, other): (Vec<&Outcome>, Vec<&Outcome>) = outcomes.iter().partition(|o| o.error.is_none());
    for chunk in done.chunks(500) {
        let sql = format!(
            "UPDATE inbox_activities SET status = 'done', error = NULL, attempts = attempts + 1, claimed_until = NULL, processed_at = $1 WHERE id IN ({})",
            super::placeholders(2, chunk.len())
        );
        let at = chunk.iter().map(|o| o.at).max().unwrap_or_else(super::now);
        crate::with_tx!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(at);
            for o in chunk {
                q = q.bind(o.id);
            }
            q.execute(c).await?;
        });
    }
    for o in other {
        finish(&mut *tx, o.id, o.error.as_deref(), o.retry_at, o.at).await?;
    }
    Ok(())
}

/// Records the outcome of processing: done, failed, or (with `retry_at`) pending until then.
pub async fn finish(
    db: impl Into<Exec<'_>>,
    id: i64,
    error: Option<&str>,
    retry_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let status = match (error, retry_at) {
        (None, _) => "done",
        (Some(_), Some(_)) => "pending",
        (Some(_), None) => "failed",
    };
    with_write!(db, p => sqlx::query(
        "UPDATE inbox_activities SET status = $1, error = $2, attempts = attempts + 1, claimed_until = $3, processed_at = $4 WHERE id = $5")
        .bind(status).bind(error).bind(retry_at).bind(now).bind(id)
        .execute(p).await.map(|_| ()))
}

/// Counts by status: pending, done, failed.
pub async fn counts(db: impl Into<Exec<'_>>) -> Result<(i64, i64, i64), sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, (i64, i64, i64)>(
        "SELECT COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0), \
                COALESCE(SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END), 0), \
                COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) FROM inbox_activities")
        .fetch_one(p).await)
}

/// Activities waiting to be processed (by the `(status, id)` index: the cost follows the queue,
/// not the table).
pub async fn pending(db: impl Into<Exec<'_>>) -> Result<i64, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM inbox_activities WHERE status = 'pending'")
        .fetch_one(p).await)
}
