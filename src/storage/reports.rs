//! Reports of people and posts (filed here or received as `Flag`s).

use chrono::{DateTime, Utc};

use super::Exec;
use crate::{with_exec, with_write};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ReportRow {
    pub id: i64,
    pub reporter_id: i64,
    pub target_id: i64,
    pub group_id: Option<i64>,
    /// A JSON array of post ids.
    pub post_ids: String,
    pub comment: String,
    pub category: String,
    pub forwarded: bool,
    pub ap_id: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl ReportRow {
    pub fn posts(&self) -> Vec<i64> {
        serde_json::from_str(&self.post_ids).unwrap_or_default()
    }
}

/// Records a report; `false` when a report with the same activity id is already here.
pub async fn insert(db: impl Into<Exec<'_>>, r: &ReportRow) -> Result<bool, sqlx::Error> {
    with_write!(db, c => sqlx::query(
        "INSERT INTO reports (id, reporter_id, target_id, group_id, post_ids, comment, category, forwarded, ap_id, resolved_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING")
        .bind(r.id).bind(r.reporter_id).bind(r.target_id).bind(r.group_id).bind(&r.post_ids).bind(&r.comment)
        .bind(&r.category).bind(r.forwarded).bind(&r.ap_id).bind(r.resolved_at).bind(r.created_at)
        .execute(c).await.map(|x| x.rows_affected() == 1))
}

pub async fn find(db: impl Into<Exec<'_>>, id: i64) -> Result<Option<ReportRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, ReportRow>("SELECT * FROM reports WHERE id = $1")
        .bind(id).fetch_optional(p).await)
}

/// Reports, newest first: the open ones only unless `all`.
pub async fn list(db: impl Into<Exec<'_>>, all: bool, limit: i64) -> Result<Vec<ReportRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, ReportRow>(
        "SELECT * FROM reports WHERE ($1 OR resolved_at IS NULL) ORDER BY id DESC LIMIT $2")
        .bind(all).bind(limit).fetch_all(p).await)
}

/// Marks a report resolved; `false` when there is no such open report.
pub async fn resolve(db: impl Into<Exec<'_>>, id: i64, at: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    with_write!(db, c => sqlx::query("UPDATE reports SET resolved_at = $1 WHERE id = $2 AND resolved_at IS NULL")
        .bind(at).bind(id).execute(c).await.map(|r| r.rows_affected() == 1))
}

/// The node's admins and moderators who are not suspended, as actor ids.
pub async fn staff(db: impl Into<Exec<'_>>) -> Result<Vec<i64>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar(
        "SELECT a.id FROM users u JOIN actors a ON a.id = u.id WHERE u.role IN ('admin', 'moderator') AND a.suspended_at IS NULL ORDER BY a.id")
        .fetch_all(p).await)
}

/// The local owners and stewards of a group, as actor ids.
pub async fn local_stewards(db: impl Into<Exec<'_>>, group_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar(
        "SELECT a.id FROM group_roles r JOIN actors a ON a.id = r.actor_id WHERE r.group_id = $1 AND a.domain IS NULL ORDER BY a.id")
        .bind(group_id).fetch_all(p).await)
}
