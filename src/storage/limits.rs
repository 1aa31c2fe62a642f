//! Fixed-window rate-limit counters, shared by every process of a node.

use chrono::{DateTime, Utc};

use super::Exec;
use crate::with_write;

/// Counts one hit of `action` by `subject` and returns the hits in the current window (which
/// restarts at `now` once `window_start` is older than `window_began_after`).
pub async fn hit(
    db: impl Into<Exec<'_>>,
    action: &str,
    subject: &str,
    now: DateTime<Utc>,
    window_began_after: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    with_write!(db, p => sqlx::query_scalar::<_, i32>(
        "INSERT INTO rate_limits (action, subject, window_start, hits) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (action, subject) DO UPDATE SET \
           hits = CASE WHEN rate_limits.window_start <= $4 THEN 1 ELSE rate_limits.hits + 1 END, \
           window_start = CASE WHEN rate_limits.window_start <= $4 THEN $3 ELSE rate_limits.window_start END \
         RETURNING hits")
        .bind(action).bind(subject).bind(now).bind(window_began_after).fetch_one(p).await.map(i64::from))
}

/// Forgets windows that ended before `before`.
pub async fn prune(db: impl Into<Exec<'_>>, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    with_write!(db, p => sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
        .bind(before).execute(p).await.map(|r| r.rows_affected()))
}
