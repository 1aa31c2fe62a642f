//! The `follows` table: who follows whom, pending or accepted.

use super::Exec;
use crate::{with_exec, with_write};

/// Accepted followers (`followers = true`) or followees of an actor, as ActivityPub ids, newest
/// first, one page at a time.
pub async fn page_ids(
    db: impl Into<Exec<'_>>,
    actor_id: i64,
    followers: bool,
    limit: i64,
    offset: i64,
) -> Result<Vec<String>, sqlx::Error> {
    let sql = if followers {
        "SELECT a.ap_id FROM follows f JOIN actors a ON a.id = f.follower_id \
         WHERE f.followed_id = $1 AND f.accepted ORDER BY f.id DESC LIMIT $2 OFFSET $3"
    } else {
        "SELECT a.ap_id FROM follows f JOIN actors a ON a.id = f.followed_id \
         WHERE f.follower_id = $1 AND f.accepted ORDER BY f.id DESC LIMIT $2 OFFSET $3"
    };
    with_exec!(db, p => sqlx::query_scalar::<_, String>(sql).bind(actor_id).bind(limit).bind(offset).fetch_all(p).await)
}

pub async fn count(db: impl Into<Exec<'_>>, actor_id: i64, followers: bool) -> Result<i64, sqlx::Error> {
    let sql = if followers {
        "SELECT COUNT(*) FROM follows WHERE followed_id = $1 AND accepted"
    } else {
        "SELECT COUNT(*) FROM follows WHERE follower_id = $1 AND accepted"
    };
    with_exec!(db, p => sqlx::query_scalar::<_, i64>(sql).bind(actor_id).fetch_one(p).await)
}

/// Records a follow (pending unless `accepted`); an existing pair is left as it is.
pub async fn insert(
    db: impl Into<Exec<'_>>,
    follower_id: i64,
    followed_id: i64,
    ap_id: Option<&str>,
    accepted: bool,
) -> Result<(), sqlx::Error> {
    let now = super::now();
    let id = crate::ids::id_at(now);
    with_write!(db, p => sqlx::query(
        "INSERT INTO follows (id, follower_id, followed_id, ap_id, accepted, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (follower_id, followed_id) DO NOTHING")
        .bind(id).bind(follower_id).bind(followed_id).bind(ap_id).bind(accepted).bind(now)
        .execute(p).await.map(|_| ()))
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct FollowRow {
    pub id: i64,
    pub follower_id: i64,
    pub followed_id: i64,
    pub ap_id: Option<String>,
    pub accepted: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

pub async fn find(
    db: impl Into<Exec<'_>>,
    follower_id: i64,
    followed_id: i64,
) -> Result<Option<FollowRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, FollowRow>("SELECT * FROM follows WHERE follower_id = $1 AND followed_id = $2")
        .bind(follower_id).bind(followed_id).fetch_optional(p).await)
}

/// Records a follow in a transaction, or updates the activity id and state of an existing one.
pub async fn upsert(
    tx: &mut super::Tx,
    follower_id: i64,
    followed_id: i64,
    ap_id: Option<&str>,
    accepted: bool,
) -> Result<(), sqlx::Error> {
    let now = super::now();
    let id = crate::ids::id_at(now);
    crate::with_tx!(tx, c => sqlx::query(
        "INSERT INTO follows (id, follower_id, followed_id, ap_id, accepted, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (follower_id, followed_id) DO UPDATE SET ap_id = COALESCE(excluded.ap_id, follows.ap_id), accepted = excluded.accepted")
        .bind(id).bind(follower_id).bind(followed_id).bind(ap_id).bind(accepted).bind(now)
        .execute(&mut *c).await.map(|_| ()))
}

pub async fn set_accepted(db: impl Into<Exec<'_>>, follower_id: i64, followed_id: i64) -> Result<bool, sqlx::Error> {
    with_write!(db, p => sqlx::query("UPDATE follows SET accepted = TRUE WHERE follower_id = $1 AND followed_id = $2")
        .bind(follower_id).bind(followed_id).execute(p).await.map(|r| r.rows_affected() > 0))
}

pub async fn delete(tx: &mut super::Tx, follower_id: i64, followed_id: i64) -> Result<bool, sqlx::Error> {
    crate::with_tx!(tx, c => sqlx::query("DELETE FROM follows WHERE follower_id = $1 AND followed_id = $2")
        .bind(follower_id).bind(followed_id).execute(&mut *c).await.map(|r| r.rows_affected() > 0))
}

/// Accepted followers of an actor, as rows (for delivery).
pub async fn follower_actors(
    db: impl Into<Exec<'_>>,
    followed_id: i64,
) -> Result<Vec<super::actors::ActorRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, super::actors::ActorRow>(
        "SELECT a.* FROM follows f JOIN actors a ON a.id = f.follower_id WHERE f.followed_id = $1 AND f.accepted")
        .bind(followed_id).fetch_all(p).await)
}

/// Follow requests waiting for an answer.
pub async fn pending_actors(
    db: impl Into<Exec<'_>>,
    followed_id: i64,
) -> Result<Vec<super::actors::ActorRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, super::actors::ActorRow>(
        "SELECT a.* FROM follows f JOIN actors a ON a.id = f.follower_id WHERE f.followed_id = $1 AND NOT f.accepted ORDER BY f.id")
        .bind(followed_id).fetch_all(p).await)
}

pub async fn is_member(db: impl Into<Exec<'_>>, follower_id: i64, followed_id: i64) -> Result<bool, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM follows WHERE follower_id = $1 AND followed_id = $2 AND accepted")
        .bind(follower_id).bind(followed_id).fetch_one(p).await.map(|n| n > 0))
}

/// Whether anyone on this node follows (or asked to follow) the actor.
pub async fn has_local_follower(db: impl Into<Exec<'_>>, followed_id: i64) -> Result<bool, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM follows f JOIN actors a ON a.id = f.follower_id WHERE f.followed_id = $1 AND a.domain IS NULL")
        .bind(followed_id).fetch_one(p).await.map(|n| n > 0))
}

/// Whether a member of this node belongs to the (remote) group: an accepted follow.
pub async fn has_local_member(db: impl Into<Exec<'_>>, group_id: i64) -> Result<bool, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM follows f JOIN actors a ON a.id = f.follower_id WHERE f.followed_id = $1 AND f.accepted AND a.domain IS NULL")
        .bind(group_id).fetch_one(p).await.map(|n| n > 0))
}

/// Whether `follower_id` follows (accepted) one of `a` and `b`.
pub async fn follows_either(db: impl Into<Exec<'_>>, follower_id: i64, a: i64, b: i64) -> Result<bool, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM follows WHERE follower_id = $1 AND accepted AND (followed_id = $2 OR followed_id = $3)")
        .bind(follower_id).bind(a).bind(b).fetch_one(p).await.map(|n| n > 0))
}

/// A page of accepted follows of (`followers`) or by an actor: (follow id, the other actor's
/// id), newest first, inside the id window.
pub async fn page(
    db: impl Into<Exec<'_>>,
    actor_id: i64,
    followers: bool,
    max_id: Option<i64>,
    min_id: Option<i64>,
    limit: i64,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let sql = if followers {
        "SELECT f.id, f.follower_id FROM follows f WHERE f.followed_id = $1 AND f.accepted AND f.id < $2 AND f.id > $3 ORDER BY f.id DESC LIMIT $4"
    } else {
        "SELECT f.id, f.followed_id FROM follows f WHERE f.follower_id = $1 AND f.accepted AND f.id < $2 AND f.id > $3 ORDER BY f.id DESC LIMIT $4"
    };
    with_exec!(db, p => sqlx::query_as::<_, (i64, i64)>(sql)
        .bind(actor_id).bind(max_id.unwrap_or(i64::MAX)).bind(min_id.unwrap_or(0)).bind(limit)
        .fetch_all(p).await)
}

/// An actor that deleted itself follows and is followed by no one any more.
pub async fn delete_all_of(tx: &mut super::Tx, actor_id: i64) -> Result<(), sqlx::Error> {
    crate::with_tx!(tx, c => sqlx::query("DELETE FROM follows WHERE follower_id = $1 OR followed_id = $1")
        .bind(actor_id).execute(&mut *c).await.map(|_| ()))
}

/// A member of this node who belongs to the (remote) group, to sign fetches that only members
/// may make.
pub async fn a_local_member(
    db: impl Into<Exec<'_>>,
    group_id: i64,
) -> Result<Option<super::actors::ActorRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, super::actors::ActorRow>(
        "SELECT a.* FROM follows f JOIN actors a ON a.id = f.follower_id \
         WHERE f.followed_id = $1 AND f.accepted AND a.domain IS NULL AND a.private_key_pem IS NOT NULL \
         ORDER BY f.id LIMIT 1")
        .bind(group_id).fetch_optional(p).await)
}

/// The follow whose Follow activity had id `ap_id` (an Accept or Reject may name it alone).
pub async fn find_by_ap_id(db: impl Into<Exec<'_>>, ap_id: &str) -> Result<Option<FollowRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, FollowRow>("SELECT * FROM follows WHERE ap_id = $1")
        .bind(ap_id).fetch_optional(p).await)
}

/// The follows of `followed_id` by actors of a domain (the same host on any port, or a
/// subdomain of it).
pub async fn followers_from_domain(
    db: impl Into<Exec<'_>>,
    followed_id: i64,
    domain: &str,
) -> Result<Vec<FollowRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, FollowRow>(
        "SELECT f.* FROM follows f JOIN actors a ON a.id = f.follower_id WHERE f.followed_id = $1 \
         AND (a.domain = $2 OR a.domain LIKE '%.' || $2 OR a.domain LIKE $2 || ':%')")
        .bind(followed_id).bind(domain).fetch_all(p).await)
}
