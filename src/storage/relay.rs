//! Streaming events shared between the processes of one node (PostgreSQL `NOTIFY`/`LISTEN`):
//! each process announces what it publishes, and relays what the others announce to its own
//! streaming clients. SQLite nodes run as one process; there is nothing to share.

use sqlx::postgres::PgListener;

use super::Db;

/// The channel every process of a node listens on.
pub const CHANNEL: &str = "staffroom_events";

/// Tells the node's other processes (PostgreSQL only; a no-op on SQLite).
pub async fn announce(db: &Db, payload: &str) -> Result<(), sqlx::Error> {
    match db {
        Db::Postgres(p, _) => sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(payload)
            .execute(p)
            .await
            .map(|_| ()),
        Db::Sqlite(..) => Ok(()),
    }
}

/// A listener on the channel (PostgreSQL only). It reconnects by itself when its connection is
/// lost; what was announced meanwhile is found again with [`since`].
pub async fn listen(db: &Db) -> Result<Option<PgListener>, sqlx::Error> {
    match db {
        Db::Postgres(p, _) => {
            let mut l = PgListener::connect_with(p).await?;
            l.listen(CHANNEL).await?;
            Ok(Some(l))
        }
        Db::Sqlite(..) => Ok(None),
    }
}

/// What streaming clients may have missed since `min_id` (ids are time-ordered): posts stored,
/// and notifications as (recipient, id), oldest first, at most `limit` of each.
pub async fn since(db: &Db, min_id: i64, limit: i64) -> Result<(Vec<i64>, Vec<(i64, i64)>), sqlx::Error> {
    let posts = crate::with_db!(db, p => sqlx::query_scalar::<_, i64>(
        "SELECT id FROM posts WHERE id >= $1 AND deleted_at IS NULL ORDER BY id LIMIT $2")
        .bind(min_id).bind(limit).fetch_all(p).await)?;
    let notifications = crate::with_db!(db, p => sqlx::query_as::<_, (i64, i64)>(
        "SELECT recipient_id, id FROM notifications WHERE id >= $1 ORDER BY id LIMIT $2")
        .bind(min_id).bind(limit).fetch_all(p).await)?;
    Ok((posts, notifications))
}
