//! What people keep away from themselves: blocks (federated), mutes (with an optional end) and
//! domain blocks. One statement reads all of a viewer's ([`filters_of`]) for a page.

use chrono::{DateTime, Utc};

use super::Exec;
use crate::{with_exec, with_write};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct BlockRow {
    pub id: i64,
    pub actor_id: i64,
    pub target_id: i64,
    pub ap_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct MuteRow {
    pub id: i64,
    pub actor_id: i64,
    pub target_id: i64,
    pub notifications: bool,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct DomainBlockRow {
    pub id: i64,
    pub actor_id: i64,
    pub domain: String,
    pub created_at: DateTime<Utc>,
}

/// Records that `actor_id` blocks `target_id`; `false` when it already did (the first block and
/// its activity id stay).
pub async fn block(
    db: impl Into<Exec<'_>>,
    actor_id: i64,
    target_id: i64,
    ap_id: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let now = super::now();
    with_write!(db, c => sqlx::query(
        "INSERT INTO blocks (id, actor_id, target_id, ap_id, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (actor_id, target_id) DO NOTHING")
        .bind(crate::ids::id_at(now)).bind(actor_id).bind(target_id).bind(ap_id).bind(now)
        .execute(c).await.map(|r| r.rows_affected() == 1))
}

pub async fn find_block(
    db: impl Into<Exec<'_>>,
    actor_id: i64,
    target_id: i64,
) -> Result<Option<BlockRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, BlockRow>("SELECT * FROM blocks WHERE actor_id = $1 AND target_id = $2")
        .bind(actor_id).bind(target_id).fetch_optional(p).await)
}

/// Removes a block, answering what it was.
pub async fn unblock(db: impl Into<Exec<'_>>, actor_id: i64, target_id: i64) -> Result<Option<BlockRow>, sqlx::Error> {
    with_write!(db, c => sqlx::query_as::<_, BlockRow>("DELETE FROM blocks WHERE actor_id = $1 AND target_id = $2 RETURNING *")
        .bind(actor_id).bind(target_id).fetch_optional(c).await)
}

/// Whether either of two actors blocks the other.
pub async fn between(db: impl Into<Exec<'_>>, a: i64, b: i64) -> Result<bool, sqlx::Error> {
    let n: i64 = with_exec!(db, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM blocks WHERE (actor_id = $1 AND target_id = $2) OR (actor_id = $2 AND target_id = $1)")
        .bind(a).bind(b).fetch_one(p).await)?;
    Ok(n > 0)
}

/// A page of someone's blocks, newest first, with ids inside `(min, max)`.
pub async fn blocks_page(
    db: impl Into<Exec<'_>>,
    actor_id: i64,
    max: Option<i64>,
    min: Option<i64>,
    limit: i64,
) -> Result<Vec<BlockRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, BlockRow>(
        "SELECT * FROM blocks WHERE actor_id = $1 AND id < $2 AND id > $3 ORDER BY id DESC LIMIT $4")
        .bind(actor_id).bind(max.unwrap_or(i64::MAX)).bind(min.unwrap_or(0)).bind(limit).fetch_all(p).await)
}

/// Mutes `target_id` for `actor_id`, or changes an existing mute's settings.
pub async fn mute(
    db: impl Into<Exec<'_>>,
    actor_id: i64,
    target_id: i64,
    notifications: bool,
    expires_at: Option<DateTime<Utc>>,
) -> Result<(), sqlx::Error> {
    let now = super::now();
    with_write!(db, c => sqlx::query(
        "INSERT INTO mutes (id, actor_id, target_id, notifications, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (actor_id, target_id) DO UPDATE SET notifications = excluded.notifications, expires_at = excluded.expires_at")
        .bind(crate::ids::id_at(now)).bind(actor_id).bind(target_id).bind(notifications).bind(expires_at).bind(now)
        .execute(c).await.map(|_| ()))
}

pub async fn unmute(db: impl Into<Exec<'_>>, actor_id: i64, target_id: i64) -> Result<bool, sqlx::Error> {
    with_write!(db, c => sqlx::query("DELETE FROM mutes WHERE actor_id = $1 AND target_id = $2")
        .bind(actor_id).bind(target_id).execute(c).await.map(|r| r.rows_affected() == 1))
}

/// A mute in force (not expired).
pub async fn find_mute(db: impl Into<Exec<'_>>, actor_id: i64, target_id: i64) -> Result<Option<MuteRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, MuteRow>(
        "SELECT * FROM mutes WHERE actor_id = $1 AND target_id = $2 AND (expires_at IS NULL OR expires_at > $3)")
        .bind(actor_id).bind(target_id).bind(super::now()).fetch_optional(p).await)
}

/// A page of someone's mutes in force, newest first, with ids inside `(min, max)`.
pub async fn mutes_page(
    db: impl Into<Exec<'_>>,
    actor_id: i64,
    max: Option<i64>,
    min: Option<i64>,
    limit: i64,
) -> Result<Vec<MuteRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, MuteRow>(
        "SELECT * FROM mutes WHERE actor_id = $1 AND id < $2 AND id > $3 AND (expires_at IS NULL OR expires_at > $4) \
         ORDER BY id DESC LIMIT $5")
        .bind(actor_id).bind(max.unwrap_or(i64::MAX)).bind(min.unwrap_or(0)).bind(super::now()).bind(limit)
        .fetch_all(p).await)
}

/// Records a domain block; `false` when it was there already.
pub async fn block_domain(db: impl Into<Exec<'_>>, actor_id: i64, domain: &str) -> Result<bool, sqlx::Error> {
    let now = super::now();
    with_write!(db, c => sqlx::query(
        "INSERT INTO domain_blocks (id, actor_id, domain, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (actor_id, domain) DO NOTHING")
        .bind(crate::ids::id_at(now)).bind(actor_id).bind(domain).bind(now)
        .execute(c).await.map(|r| r.rows_affected() == 1))
}

pub async fn unblock_domain(db: impl Into<Exec<'_>>, actor_id: i64, domain: &str) -> Result<bool, sqlx::Error> {
    with_write!(db, c => sqlx::query("DELETE FROM domain_blocks WHERE actor_id = $1 AND domain = $2")
        .bind(actor_id).bind(domain).execute(c).await.map(|r| r.rows_affected() == 1))
}

/// A page of someone's blocked domains, newest first, with ids inside `(min, max)`.
pub async fn domains_page(
    db: impl Into<Exec<'_>>,
    actor_id: i64,
    max: Option<i64>,
    min: Option<i64>,
    limit: i64,
) -> Result<Vec<DomainBlockRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, DomainBlockRow>(
        "SELECT * FROM domain_blocks WHERE actor_id = $1 AND id < $2 AND id > $3 ORDER BY id DESC LIMIT $4")
        .bind(actor_id).bind(max.unwrap_or(i64::MAX)).bind(min.unwrap_or(0)).bind(limit).fetch_all(p).await)
}

/// One of a viewer's filters, as [`filters_of`] reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// The viewer blocks this actor.
    Blocks(i64),
    /// This actor blocks the viewer.
    BlockedBy(i64),
    /// The viewer mutes this actor's posts; `notifications`: and its notifications.
    Mutes { actor: i64, notifications: bool },
    /// The viewer hides this domain.
    Domain(String),
    /// This actor is on one of the viewer's exclusive lists (read there, not at home).
    Exclusive(i64),
    /// How many filters (keywords, posts) the viewer has in force.
    KeywordFilters(i64),
}

/// All of a viewer's blocks (both ways), mutes in force, blocked domains and exclusive lists'
/// members, in one statement.
pub async fn filters_of(db: impl Into<Exec<'_>>, viewer: i64) -> Result<Vec<Filter>, sqlx::Error> {
    let rows: Vec<(String, i64, String)> = with_exec!(db, p => sqlx::query_as(
        "SELECT 'b', target_id, '' FROM blocks WHERE actor_id = $1 \
         UNION ALL SELECT 'x', actor_id, '' FROM blocks WHERE target_id = $1 \
         UNION ALL SELECT CASE WHEN notifications THEN 'n' ELSE 'm' END, target_id, '' FROM mutes \
           WHERE actor_id = $1 AND (expires_at IS NULL OR expires_at > $2) \
         UNION ALL SELECT 'd', 0, domain FROM domain_blocks WHERE actor_id = $1 \
         UNION ALL SELECT 'e', m.actor_id, '' FROM list_members m JOIN lists l ON l.id = m.list_id \
           WHERE l.owner_id = $1 AND l.exclusive \
         UNION ALL SELECT 'F', COUNT(*), '' FROM filters WHERE owner_id = $1 AND (expires_at IS NULL OR expires_at > $2)")
        .bind(viewer).bind(super::now()).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .map(|(kind, id, domain)| match kind.as_str() {
            "b" => Filter::Blocks(id),
            "x" => Filter::BlockedBy(id),
            "n" => Filter::Mutes {
                actor: id,
                notifications: true,
            },
            "m" => Filter::Mutes {
                actor: id,
                notifications: false,
            },
            "e" => Filter::Exclusive(id),
            "F" => Filter::KeywordFilters(id),
            _ => Filter::Domain(domain),
        })
        .collect())
}

pub async fn find_by_ap_id(db: impl Into<Exec<'_>>, ap_id: &str) -> Result<Option<BlockRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, BlockRow>("SELECT * FROM blocks WHERE ap_id = $1")
        .bind(ap_id).fetch_optional(p).await)
}
