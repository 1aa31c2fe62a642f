//! Notifications of local members.

use chrono::{DateTime, Utc};

use super::Exec;
use crate::{with_exec, with_write};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: i64,
    pub recipient_id: i64,
    pub kind: String,
    pub from_actor_id: i64,
    pub post_id: Option<i64>,
    pub event_id: Option<i64>,
    pub report_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// The condition that recipient `$2` keeps sender `$4` near at time `$6`: a notification never
/// comes from someone the recipient blocks, mutes with their notifications, or whose domain they
/// block.
macro_rules! unfiltered {
    () => {
        "NOT EXISTS (SELECT 1 FROM blocks WHERE actor_id = $2 AND target_id = $4) \
         AND NOT EXISTS (SELECT 1 FROM mutes WHERE actor_id = $2 AND target_id = $4 AND notifications \
           AND (expires_at IS NULL OR expires_at > $6)) \
         AND NOT EXISTS (SELECT 1 FROM domain_blocks d JOIN actors a ON a.id = $4 WHERE d.actor_id = $2 \
           AND (a.domain = d.domain OR a.domain LIKE '%.' || d.domain OR a.domain LIKE d.domain || ':%'))"
    };
}

/// A notification once: the same event twice is one notification.
const INSERT: &str = concat!(
    "INSERT INTO notifications (id, recipient_id, kind, from_actor_id, post_id, created_at) \
     SELECT $1, $2, $3, $4, $5, $6 WHERE ",
    unfiltered!(),
    " ON CONFLICT DO NOTHING"
);

/// Records a notification once (the same event twice is one notification); returns its id when new.
pub async fn insert(
    db: impl Into<Exec<'_>>,
    recipient: i64,
    kind: &str,
    from: i64,
    post: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Option<i64>, sqlx::Error> {
    let id = crate::ids::id_at(now);
    with_exec!(db, p => sqlx::query(INSERT)
        .bind(id).bind(recipient).bind(kind).bind(from).bind(post).bind(now).execute(p).await.map(|r| (r.rows_affected() == 1).then_some(id)))
}

/// A page of a member's notifications, newest first, between the bounds; only the kinds in
/// `types` when it is not empty, never those in `exclude`.
pub async fn page(
    db: impl Into<Exec<'_>>,
    recipient: i64,
    max_id: Option<i64>,
    min_id: Option<i64>,
    limit: i64,
    types: &[String],
    exclude: &[String],
) -> Result<Vec<NotificationRow>, sqlx::Error> {
    let mut sql =
        "SELECT id, recipient_id, kind, from_actor_id, post_id, event_id, report_id, created_at FROM notifications \
         WHERE recipient_id = $1 AND NOT dismissed AND id < $2 AND id > $3"
            .to_owned();
    let mut n = 5;
    if !types.is_empty() {
        sql.push_str(&format!(" AND kind IN ({})", super::placeholders(n, types.len())));
        n += types.len();
    }
    if !exclude.is_empty() {
        sql.push_str(&format!(" AND kind NOT IN ({})", super::placeholders(n, exclude.len())));
    }
    sql.push_str(" ORDER BY id DESC LIMIT $4");
    with_exec!(db, p => {
        let mut q = sqlx::query_as::<_, NotificationRow>(sqlx::AssertSqlSafe(sql))
            .bind(recipient).bind(max_id.unwrap_or(i64::MAX)).bind(min_id.unwrap_or(0)).bind(limit);
        for k in types.iter().chain(exclude) {
            q = q.bind(k);
        }
        q.fetch_all(p).await
    })
}

pub async fn find(db: impl Into<Exec<'_>>, recipient: i64, id: i64) -> Result<Option<NotificationRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, NotificationRow>(
        "SELECT id, recipient_id, kind, from_actor_id, post_id, event_id, report_id, created_at FROM notifications WHERE recipient_id = $1 AND id = $2 AND NOT dismissed")
        .bind(recipient).bind(id).fetch_optional(p).await)
}

/// Dismisses one (`id`) or all notifications of a member.
pub async fn dismiss(db: impl Into<Exec<'_>>, recipient: i64, id: Option<i64>) -> Result<(), sqlx::Error> {
    with_write!(db, p => match id {
        Some(id) => sqlx::query("UPDATE notifications SET dismissed = TRUE WHERE recipient_id = $1 AND id = $2").bind(recipient).bind(id).execute(p).await.map(|_| ()),
        None => sqlx::query("UPDATE notifications SET dismissed = TRUE WHERE recipient_id = $1").bind(recipient).execute(p).await.map(|_| ()),
    })
}

/// A member's read marker of a timeline: (last read id, version, updated at).
pub async fn marker(
    db: impl Into<Exec<'_>>,
    user_id: i64,
    timeline: &str,
) -> Result<Option<(String, i32, DateTime<Utc>)>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, (String, i32, DateTime<Utc>)>(
        "SELECT last_read_id, version, updated_at FROM markers WHERE user_id = $1 AND timeline = $2")
        .bind(user_id).bind(timeline).fetch_optional(p).await)
}

pub async fn set_marker(
    db: impl Into<Exec<'_>>,
    user_id: i64,
    timeline: &str,
    last_read_id: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    with_write!(db, p => sqlx::query(
        "INSERT INTO markers (user_id, timeline, last_read_id, version, updated_at) VALUES ($1, $2, $3, 1, $4) \
         ON CONFLICT (user_id, timeline) DO UPDATE SET last_read_id = excluded.last_read_id, \
         version = markers.version + 1, updated_at = excluded.updated_at")
        .bind(user_id).bind(timeline).bind(last_read_id).bind(now).execute(p).await.map(|_| ()))
}

/// A notification about an event (always new: each change is news), unless the recipient keeps
/// its sender away (as [`insert`]); returns its id when recorded.
pub async fn insert_for_event(
    db: impl Into<Exec<'_>>,
    recipient: i64,
    kind: &str,
    from: i64,
    event: i64,
    now: DateTime<Utc>,
) -> Result<Option<i64>, sqlx::Error> {
    let id = crate::ids::id_at(now);
    with_write!(db, p => sqlx::query(concat!(
        "INSERT INTO notifications (id, recipient_id, kind, from_actor_id, event_id, created_at) \
         SELECT $1, $2, $3, $4, $5, $6 WHERE ",
        unfiltered!()))
        .bind(id).bind(recipient).bind(kind).bind(from).bind(event).bind(now).execute(p).await
        .map(|r| (r.rows_affected() == 1).then_some(id)))
}

/// Removes a member's notifications caused by `from` (they blocked them).
pub async fn delete_from(db: impl Into<Exec<'_>>, recipient: i64, from: i64) -> Result<(), sqlx::Error> {
    with_write!(db, c => sqlx::query("DELETE FROM notifications WHERE recipient_id = $1 AND from_actor_id = $2")
        .bind(recipient).bind(from).execute(c).await.map(|_| ()))
}

/// An `admin.report` notification of a report to one of the people who handle it.
pub async fn insert_for_report(
    db: impl Into<Exec<'_>>,
    recipient: i64,
    from: i64,
    report: i64,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let id = crate::ids::id_at(now);
    with_write!(db, c => sqlx::query(
        "INSERT INTO notifications (id, recipient_id, kind, from_actor_id, report_id, created_at) VALUES ($1, $2, 'admin.report', $3, $4, $5)")
        .bind(id).bind(recipient).bind(from).bind(report).bind(now).execute(c).await.map(|_| id))
}

/// How many notifications a member has after `after` (their notifications marker), up to `limit`.
pub async fn count_after(db: impl Into<Exec<'_>>, recipient: i64, after: i64, limit: i64) -> Result<i64, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM notifications WHERE recipient_id = $1 AND NOT dismissed AND id > $2 LIMIT $3) t")
        .bind(recipient).bind(after).bind(limit).fetch_one(p).await)
}
