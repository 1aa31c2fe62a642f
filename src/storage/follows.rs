//! The `follows` table: who follows whom, pending or accepted.

use super::Db;
use crate::with_db;

/// Accepted followers (`followers = true`) or followees of an actor, as ActivityPub ids, newest
/// first, one page at a time.
pub async fn page_ids(
    db: &Db,
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
    with_db!(db, p => sqlx::query_scalar::<_, String>(sql).bind(actor_id).bind(limit).bind(offset).fetch_all(p).await)
}

pub async fn count(db: &Db, actor_id: i64, followers: bool) -> Result<i64, sqlx::Error> {
    let sql = if followers {
        "SELECT COUNT(*) FROM follows WHERE followed_id = $1 AND accepted"
    } else {
        "SELECT COUNT(*) FROM follows WHERE follower_id = $1 AND accepted"
    };
    with_db!(db, p => sqlx::query_scalar::<_, i64>(sql).bind(actor_id).fetch_one(p).await)
}

/// Records a follow (pending unless `accepted`); an existing pair is left as it is.
pub async fn insert(
    db: &Db,
    follower_id: i64,
    followed_id: i64,
    ap_id: Option<&str>,
    accepted: bool,
) -> Result<(), sqlx::Error> {
    let now = super::now();
    let id = crate::ids::id_at(now);
    with_db!(db, p => sqlx::query(
        "INSERT INTO follows (id, follower_id, followed_id, ap_id, accepted, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (follower_id, followed_id) DO NOTHING")
        .bind(id).bind(follower_id).bind(followed_id).bind(ap_id).bind(accepted).bind(now)
        .execute(p).await.map(|_| ()))
}
