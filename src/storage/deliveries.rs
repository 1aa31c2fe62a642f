//! The durable delivery queue: `outgoing_activities` (one row per activity) and `deliveries`
//! (one row per activity and target inbox). Rows are claimed with a lease, so several processes
//! sharing one PostgreSQL never send the same row at once (`FOR UPDATE SKIP LOCKED`), and a
//! process killed mid-way leaves rows that become claimable again when the lease ends.

use chrono::{DateTime, Utc};

use super::{Db, Exec, Tx};
use crate::{with_db_write, with_exec, with_tx, with_write};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClaimedDelivery {
    pub id: i64,
    pub activity_id: i64,
    pub inbox_url: String,
    pub host: String,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActivityToSend {
    pub id: i64,
    pub ap_id: String,
    pub payload: String,
    pub key_id: String,
    pub private_key_pem: Option<String>,
}

/// Stores an activity and one pending delivery per inbox, inside the caller's transaction.
pub async fn enqueue(
    tx: &mut Tx,
    ap_id: &str,
    actor_id: i64,
    payload: &str,
    inboxes: &[(String, String)],
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let activity_id = crate::ids::id_at(now);
    with_tx!(tx, c => {
        sqlx::query("INSERT INTO outgoing_activities (id, ap_id, actor_id, payload, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(activity_id).bind(ap_id).bind(actor_id).bind(payload).bind(now)
            .execute(&mut *c).await?;
        for (inbox, host) in inboxes {
            sqlx::query(
                "INSERT INTO deliveries (id, activity_id, inbox_url, host, status, attempts, next_attempt_at, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5, $5) ON CONFLICT (activity_id, inbox_url) DO NOTHING")
                .bind(crate::ids::id_at(now)).bind(activity_id).bind(inbox).bind(host).bind(now)
                .execute(&mut *c).await?;
        }
    });
    Ok(activity_id)
}

/// Claims up to `limit` due deliveries until `lease_until`.
pub async fn claim(
    db: &Db,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<ClaimedDelivery>, sqlx::Error> {
    const DUE: &str = "SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= $2 \
                       AND (claimed_until IS NULL OR claimed_until < $2) ORDER BY next_attempt_at LIMIT $3";
    const UPDATE: &str = "UPDATE deliveries SET claimed_until = $1 WHERE id IN";
    const RETURNING: &str = "RETURNING id, activity_id, inbox_url, host, attempts, created_at";
    // The one dialect difference: PostgreSQL skips rows other processes are claiming; SQLite
    // serialises writers, so the plain subquery is already exclusive.
    let sql = match db {
        Db::Postgres(..) => format!("{UPDATE} ({DUE} FOR UPDATE SKIP LOCKED) {RETURNING}"),
        Db::Sqlite(..) => format!("{UPDATE} ({DUE}) {RETURNING}"),
    };
    with_db_write!(db, p => sqlx::query_as::<_, ClaimedDelivery>(sqlx::AssertSqlSafe(sql))
        .bind(lease_until).bind(now).bind(limit).fetch_all(p).await)
}

/// The activities (with their signer's key) of a batch of claimed deliveries, in one query.
pub async fn activities(db: &Db, ids: &[i64]) -> Result<Vec<ActivityToSend>, sqlx::Error> {
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(MARK_CHUNK) {
        let sql = format!(
            "SELECT o.id, o.ap_id, o.payload, a.key_id, a.private_key_pem FROM outgoing_activities o \
             JOIN actors a ON a.id = o.actor_id WHERE o.id IN ({})",
            super::placeholders(1, chunk.len())
        );
        let rows = crate::with_db!(db, p => {
            let mut q = sqlx::query_as::<_, ActivityToSend>(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(p).await?
        });
        found.extend(rows);
    }
    Ok(found)
}

/// Marks these deliveries sent, in one statement per [`MARK_CHUNK`] rows.
pub async fn mark_delivered(tx: &mut Tx, ids: &[i64], now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    for chunk in ids.chunks(MARK_CHUNK) {
        let sql = format!(
            "UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, claimed_until = NULL, last_error = NULL, updated_at = $1 WHERE id IN ({})",
            super::placeholders(2, chunk.len())
        );
        crate::with_tx!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now);
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(c).await?;
        });
    }
    Ok(())
}

/// Ids bound in one `IN (…)` list at most (SQLite allows 32,766 parameters).
const MARK_CHUNK: usize = 500;

pub async fn mark_failed(db: impl Into<Exec<'_>>, id: i64, error: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    with_write!(db, p => sqlx::query(
        "UPDATE deliveries SET status = 'failed', attempts = attempts + 1, claimed_until = NULL, last_error = $1, updated_at = $2 WHERE id = $3")
        .bind(error).bind(now).bind(id).execute(p).await.map(|_| ()))
}

pub async fn schedule_retry(
    db: impl Into<Exec<'_>>,
    id: i64,
    error: &str,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    with_write!(db, p => sqlx::query(
        "UPDATE deliveries SET attempts = attempts + 1, claimed_until = NULL, next_attempt_at = $1, last_error = $2, updated_at = $3 WHERE id = $4")
        .bind(at).bind(error).bind(now).bind(id).execute(p).await.map(|_| ()))
}

/// Records a failure to reach a host; returns since when it has been unreachable.
pub async fn host_failed(
    db: impl Into<Exec<'_>>,
    host: &str,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, sqlx::Error> {
    with_write!(db, p => sqlx::query_scalar::<_, DateTime<Utc>>(
        "INSERT INTO instances (host, unreachable_since, failures, updated_at) VALUES ($1, $2, 1, $2) \
         ON CONFLICT (host) DO UPDATE SET failures = instances.failures + 1, \
         unreachable_since = COALESCE(instances.unreachable_since, excluded.unreachable_since), updated_at = excluded.updated_at \
         RETURNING unreachable_since")
        .bind(host).bind(now).fetch_one(p).await)
}

pub async fn host_reachable(db: impl Into<Exec<'_>>, host: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    with_write!(db, p => sqlx::query(
        "UPDATE instances SET unreachable_since = NULL, failures = 0, updated_at = $1 WHERE host = $2 AND unreachable_since IS NOT NULL")
        .bind(now).bind(host).execute(p).await.map(|_| ()))
}

/// Counts by status, for tests, benchmarks and the admin.
pub async fn counts(db: impl Into<Exec<'_>>) -> Result<(i64, i64, i64), sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, (i64, i64, i64)>(
        "SELECT COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0), \
                COALESCE(SUM(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END), 0), \
                COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) FROM deliveries")
        .fetch_one(p).await)
}

/// An activity this node sent, by its id: its JSON, and the hosts it was delivered to.
pub async fn sent(db: &Db, ap_id: &str) -> Result<Option<(String, Vec<String>)>, sqlx::Error> {
    let row: Option<(i64, String)> = crate::with_db!(db, p => sqlx::query_as::<_, (i64, String)>(
        "SELECT id, payload FROM outgoing_activities WHERE ap_id = $1").bind(ap_id).fetch_optional(p).await)?;
    let Some((id, payload)) = row else { return Ok(None) };
    let hosts: Vec<String> = crate::with_db!(db, p => sqlx::query_scalar(
        "SELECT DISTINCT host FROM deliveries WHERE activity_id = $1 LIMIT 10000").bind(id).fetch_all(p).await)?;
    Ok(Some((payload, hosts)))
}

/// What a server was found to need, remembered per host in `instances`.
#[derive(Debug, Clone, Copy)]
pub enum HostNeed {
    /// It refused a group's Announce of a bare object id (Lemmy).
    NoObjectAnnounces,
    /// It refused draft-cavage and took RFC 9421 signatures.
    Rfc9421,
}

impl HostNeed {
    const fn column(self) -> &'static str {
        match self {
            HostNeed::NoObjectAnnounces => "refuses_object_announces",
            HostNeed::Rfc9421 => "prefers_rfc9421",
        }
    }
}

/// Remembers that `host` needs `need`.
pub async fn remember(
    db: impl Into<Exec<'_>>,
    host: &str,
    need: HostNeed,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let column = need.column();
    let sql = format!(
        "INSERT INTO instances (host, failures, updated_at, {column}) VALUES ($1, 0, $2, TRUE) \
         ON CONFLICT (host) DO UPDATE SET {column} = TRUE, updated_at = excluded.updated_at"
    );
    with_write!(db, p => sqlx::query(sqlx::AssertSqlSafe(sql)).bind(host).bind(now).execute(p).await.map(|_| ()))
}

/// The hosts that need `need`.
pub async fn hosts_needing(db: impl Into<Exec<'_>>, need: HostNeed) -> Result<Vec<String>, sqlx::Error> {
    let sql = format!("SELECT host FROM instances WHERE {} LIMIT 100000", need.column());
    with_exec!(db, p => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)
}
