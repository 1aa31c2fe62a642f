//! Direct conversations of local people: one row per participant and thread, pointing at the
//! thread's latest direct post.

use super::Exec;
use crate::{with_exec, with_write};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConversationRow {
    pub id: i64,
    pub actor_id: i64,
    pub root: String,
    pub last_post_id: i64,
    pub unread: bool,
}

/// The id of the first post of the thread `post_ap_id` answers (through the posts we hold, at
/// most 100 up), or `None` when it answers nothing.
pub async fn root_of(db: impl Into<Exec<'_>>, in_reply_to: Option<&str>) -> Result<Option<String>, sqlx::Error> {
    let Some(parent) = in_reply_to else { return Ok(None) };
    let found: Option<String> = with_exec!(db, p => sqlx::query_scalar(
        "WITH RECURSIVE chain (ap_id, in_reply_to, depth) AS ( \
           SELECT ap_id, in_reply_to, 0 FROM posts WHERE ap_id = $1 \
           UNION ALL \
           SELECT p.ap_id, p.in_reply_to, c.depth + 1 FROM posts p JOIN chain c ON p.ap_id = c.in_reply_to \
           WHERE c.depth < 100) \
         SELECT ap_id FROM chain ORDER BY depth DESC LIMIT 1")
        .bind(parent).fetch_optional(p).await)?;
    Ok(Some(found.unwrap_or_else(|| parent.to_owned())))
}

/// Files post `post_id` as the latest of thread `root` for `actor_id`, unread unless `read`
/// (the author's own message). An older post never replaces a newer one.
pub async fn touch(
    db: impl Into<Exec<'_>>,
    actor_id: i64,
    root: &str,
    post_id: i64,
    read: bool,
) -> Result<(), sqlx::Error> {
    with_write!(db, c => sqlx::query(
        "INSERT INTO conversations (id, actor_id, root, last_post_id, unread) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (actor_id, root) DO UPDATE SET last_post_id = excluded.last_post_id, unread = excluded.unread \
         WHERE excluded.last_post_id > conversations.last_post_id")
        .bind(crate::ids::new_id()).bind(actor_id).bind(root).bind(post_id).bind(!read)
        .execute(c).await.map(|_| ()))
}

/// A page of someone's conversations whose latest post is not deleted, newest message first,
/// with their latest post's id inside `(min, max)`; `ascending` reads upwards from `min`.
pub async fn page(
    db: impl Into<Exec<'_>>,
    actor_id: i64,
    max: Option<i64>,
    min: Option<i64>,
    ascending: bool,
    limit: i64,
) -> Result<Vec<ConversationRow>, sqlx::Error> {
    let order = if ascending { "ASC" } else { "DESC" };
    let sql = format!(
        "SELECT c.* FROM conversations c JOIN posts p ON p.id = c.last_post_id \
         WHERE c.actor_id = $1 AND c.last_post_id < $2 AND c.last_post_id > $3 AND p.deleted_at IS NULL \
         ORDER BY c.last_post_id {order} LIMIT $4"
    );
    let mut rows: Vec<ConversationRow> = with_exec!(db, p => sqlx::query_as::<_, ConversationRow>(sqlx::AssertSqlSafe(sql))
        .bind(actor_id).bind(max.unwrap_or(i64::MAX)).bind(min.unwrap_or(0)).bind(limit).fetch_all(p).await)?;
    if ascending {
        rows.reverse();
    }
    Ok(rows)
}

pub async fn find(db: impl Into<Exec<'_>>, actor_id: i64, id: i64) -> Result<Option<ConversationRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, ConversationRow>("SELECT * FROM conversations WHERE id = $1 AND actor_id = $2")
        .bind(id).bind(actor_id).fetch_optional(p).await)
}

pub async fn mark_read(db: impl Into<Exec<'_>>, actor_id: i64, id: i64) -> Result<(), sqlx::Error> {
    with_write!(db, c => sqlx::query("UPDATE conversations SET unread = FALSE WHERE id = $1 AND actor_id = $2")
        .bind(id).bind(actor_id).execute(c).await.map(|_| ()))
}

/// Hides a conversation until its next message.
pub async fn remove(db: impl Into<Exec<'_>>, actor_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    with_write!(db, c => sqlx::query("DELETE FROM conversations WHERE id = $1 AND actor_id = $2")
        .bind(id).bind(actor_id).execute(c).await.map(|r| r.rows_affected() == 1))
}
