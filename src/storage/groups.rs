//! Groups, their owners and stewards, bans, and the moderation log.

use chrono::{DateTime, Utc};

use super::actors::ActorRow;
use super::{Exec, Tx};
use crate::model::Visibility;
use crate::{with_exec, with_tx, with_write};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct GroupRow {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub visibility: Visibility,
    pub posting_restricted_to_mods: bool,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl GroupRow {
    pub fn members_only(&self) -> bool {
        self.visibility == Visibility::Members
    }
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct LogRow {
    pub id: i64,
    pub moderator: Option<String>,
    pub action: String,
    pub target: String,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

pub async fn insert(tx: &mut Tx, actor: &ActorRow, g: &GroupRow) -> Result<(), sqlx::Error> {
    with_tx!(tx, c => {
        super::actors::actor_insert!(actor).execute(&mut *c).await?;
        sqlx::query("INSERT INTO groups (id, visibility, posting_restricted_to_mods, created_by, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(g.id).bind(g.visibility.as_str()).bind(g.posting_restricted_to_mods).bind(g.created_by).bind(g.created_at)
            .execute(&mut *c).await?;
        if let Some(owner) = g.created_by {
            sqlx::query("INSERT INTO group_roles (group_id, actor_id, role, created_at) VALUES ($1, $2, 'owner', $3)")
                .bind(g.id).bind(owner).bind(g.created_at).execute(&mut *c).await?;
        }
    });
    Ok(())
}

/// Stores what a remote group publishes about its policy (insert or update).
pub async fn upsert_remote(
    db: impl Into<Exec<'_>>,
    id: i64,
    members_only: bool,
    restricted: bool,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let visibility = Visibility::members_only(members_only).as_str();
    with_write!(db, p => sqlx::query(
        "INSERT INTO groups (id, visibility, posting_restricted_to_mods, created_by, created_at) VALUES ($1, $2, $3, NULL, $4) \
         ON CONFLICT (id) DO UPDATE SET visibility = excluded.visibility, posting_restricted_to_mods = excluded.posting_restricted_to_mods")
        .bind(id).bind(visibility).bind(restricted).bind(now).execute(p).await.map(|_| ()))
}

pub async fn find(db: impl Into<Exec<'_>>, id: i64) -> Result<Option<GroupRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, GroupRow>("SELECT * FROM groups WHERE id = $1").bind(id).fetch_optional(p).await)
}

pub async fn role_of(db: impl Into<Exec<'_>>, group_id: i64, actor_id: i64) -> Result<Option<String>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar::<_, String>("SELECT role FROM group_roles WHERE group_id = $1 AND actor_id = $2")
        .bind(group_id).bind(actor_id).fetch_optional(p).await)
}

pub async fn set_role(
    db: impl Into<Exec<'_>>,
    group_id: i64,
    actor_id: i64,
    role: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    with_write!(db, p => match role {
        Some(role) => sqlx::query(
            "INSERT INTO group_roles (group_id, actor_id, role, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (group_id, actor_id) DO UPDATE SET role = excluded.role")
            .bind(group_id).bind(actor_id).bind(role).bind(now).execute(p).await.map(|_| ()),
        None => sqlx::query("DELETE FROM group_roles WHERE group_id = $1 AND actor_id = $2")
            .bind(group_id).bind(actor_id).execute(p).await.map(|_| ()),
    })
}

/// Owners and stewards, as actor ids (ActivityPub URLs).
pub async fn moderators(db: impl Into<Exec<'_>>, group_id: i64) -> Result<Vec<String>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar::<_, String>(
        "SELECT a.ap_id FROM group_roles r JOIN actors a ON a.id = r.actor_id WHERE r.group_id = $1 ORDER BY r.created_at")
        .bind(group_id).fetch_all(p).await)
}

pub async fn is_banned(db: impl Into<Exec<'_>>, group_id: i64, actor_id: i64) -> Result<bool, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM group_bans WHERE group_id = $1 AND actor_id = $2")
        .bind(group_id).bind(actor_id).fetch_one(p).await.map(|n| n > 0))
}

pub async fn ban(tx: impl Into<Exec<'_>>, group_id: i64, actor_id: i64, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    with_write!(tx, c => sqlx::query("INSERT INTO group_bans (group_id, actor_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(group_id).bind(actor_id).bind(now).execute(c).await.map(|_| ()))
}

pub async fn log(
    tx: impl Into<Exec<'_>>,
    group_id: i64,
    moderator_id: Option<i64>,
    action: &str,
    target: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    with_write!(tx, c => sqlx::query(
        "INSERT INTO moderation_log (id, group_id, moderator_id, action, target, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(crate::ids::id_at(now)).bind(group_id).bind(moderator_id).bind(action).bind(target).bind(reason).bind(now)
        .execute(c).await.map(|_| ()))
}

pub async fn log_entries(db: impl Into<Exec<'_>>, group_id: i64, limit: i64) -> Result<Vec<LogRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, LogRow>(
        "SELECT l.id, a.ap_id AS moderator, l.action, l.target, l.reason, l.created_at FROM moderation_log l \
         LEFT JOIN actors a ON a.id = l.moderator_id WHERE l.group_id = $1 ORDER BY l.id DESC LIMIT $2")
        .bind(group_id).bind(limit).fetch_all(p).await)
}

/// A group as the directory lists it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct DirectoryRow {
    pub id: i64,
    pub username: String,
    pub domain: Option<String>,
    pub display_name: String,
    pub summary_html: String,
    pub visibility: Option<String>,
    pub members: i64,
}

/// The node's groups, and the remote groups `viewer` has joined (at most 500), by name.
pub async fn directory(db: impl Into<Exec<'_>>, viewer: Option<i64>) -> Result<Vec<DirectoryRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, DirectoryRow>(
        "SELECT a.id, a.username, a.domain, a.display_name, a.summary_html, g.visibility, \
         (SELECT COUNT(*) FROM follows f WHERE f.followed_id = a.id AND f.accepted) AS members \
         FROM actors a LEFT JOIN groups g ON g.id = a.id \
         WHERE a.kind = 'Group' AND a.suspended_at IS NULL AND (a.domain IS NULL OR a.id IN \
           (SELECT f.followed_id FROM follows f WHERE f.follower_id = $1 AND f.accepted)) \
         ORDER BY a.domain IS NOT NULL, a.username LIMIT 500")
        .bind(viewer.unwrap_or(0)).fetch_all(p).await)
}

/// Local groups with their visibility and member count.
pub async fn list_local(db: impl Into<Exec<'_>>) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, (String, String, i64)>(
        "SELECT a.username, g.visibility, (SELECT COUNT(*) FROM follows f WHERE f.followed_id = a.id AND f.accepted) \
         FROM groups g JOIN actors a ON a.id = g.id WHERE a.domain IS NULL ORDER BY a.username")
        .fetch_all(p).await)
}

pub async fn unban(tx: impl Into<Exec<'_>>, group_id: i64, actor_id: i64) -> Result<bool, sqlx::Error> {
    with_write!(tx, c => sqlx::query("DELETE FROM group_bans WHERE group_id = $1 AND actor_id = $2")
        .bind(group_id).bind(actor_id).execute(c).await.map(|r| r.rows_affected() > 0))
}

/// Local groups where the actor is owner or steward.
pub async fn moderated_by(db: impl Into<Exec<'_>>, actor_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar::<_, i64>(
        "SELECT r.group_id FROM group_roles r JOIN actors a ON a.id = r.group_id WHERE r.actor_id = $1 AND a.domain IS NULL")
        .bind(actor_id).fetch_all(p).await)
}

/// The groups whose space `actor_id` is in: accepted memberships, stewardships, and, for the
/// node's admins and moderators, every local group.
pub async fn spaces_of(db: impl Into<Exec<'_>>, actor_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar::<_, i64>(
        "SELECT followed_id FROM follows WHERE follower_id = $1 AND accepted \
         UNION SELECT group_id FROM group_roles WHERE actor_id = $1 \
         UNION SELECT a.id FROM actors a JOIN users u ON u.id = $1 \
           WHERE u.role IN ('admin', 'moderator') AND a.kind = 'Group' AND a.domain IS NULL")
        .bind(actor_id).fetch_all(p).await)
}
