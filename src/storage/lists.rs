//! Members' lists (Mastodon's lists) and who is on them; the list timeline's query.

use chrono::{DateTime, Utc};

use super::posts::{PostRow, Window};
use super::{Db, Exec};
use crate::{with_db, with_exec, with_write};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ListRow {
    pub id: i64,
    pub owner_id: i64,
    pub title: String,
    pub replies_policy: String,
    pub exclusive: bool,
    pub created_at: DateTime<Utc>,
}

pub async fn insert(db: impl Into<Exec<'_>>, l: &ListRow) -> Result<(), sqlx::Error> {
    with_write!(db, c => sqlx::query(
        "INSERT INTO lists (id, owner_id, title, replies_policy, exclusive, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(l.id).bind(l.owner_id).bind(&l.title).bind(&l.replies_policy).bind(l.exclusive).bind(l.created_at)
        .execute(c).await.map(|_| ()))
}

pub async fn update(db: impl Into<Exec<'_>>, l: &ListRow) -> Result<(), sqlx::Error> {
    with_write!(db, c => sqlx::query(
        "UPDATE lists SET title = $1, replies_policy = $2, exclusive = $3 WHERE id = $4 AND owner_id = $5")
        .bind(&l.title).bind(&l.replies_policy).bind(l.exclusive).bind(l.id).bind(l.owner_id)
        .execute(c).await.map(|_| ()))
}

pub async fn delete(db: impl Into<Exec<'_>>, owner_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    with_write!(db, c => sqlx::query("DELETE FROM lists WHERE id = $1 AND owner_id = $2")
        .bind(id).bind(owner_id).execute(c).await.map(|r| r.rows_affected() == 1))
}

/// One of the owner's lists.
pub async fn find(db: impl Into<Exec<'_>>, owner_id: i64, id: i64) -> Result<Option<ListRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, ListRow>("SELECT * FROM lists WHERE id = $1 AND owner_id = $2")
        .bind(id).bind(owner_id).fetch_optional(p).await)
}

/// The owner's lists, oldest first (as Mastodon lists them).
pub async fn of_owner(db: impl Into<Exec<'_>>, owner_id: i64) -> Result<Vec<ListRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, ListRow>("SELECT * FROM lists WHERE owner_id = $1 ORDER BY id")
        .bind(owner_id).fetch_all(p).await)
}

/// The owner's lists that hold `actor_id`.
pub async fn holding(db: impl Into<Exec<'_>>, owner_id: i64, actor_id: i64) -> Result<Vec<ListRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, ListRow>(
        "SELECT l.* FROM lists l JOIN list_members m ON m.list_id = l.id WHERE l.owner_id = $1 AND m.actor_id = $2 ORDER BY l.id")
        .bind(owner_id).bind(actor_id).fetch_all(p).await)
}

pub async fn count_of_owner(db: impl Into<Exec<'_>>, owner_id: i64) -> Result<i64, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar("SELECT COUNT(*) FROM lists WHERE owner_id = $1")
        .bind(owner_id).fetch_one(p).await)
}

pub async fn count_members(db: impl Into<Exec<'_>>, list_id: i64) -> Result<i64, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar("SELECT COUNT(*) FROM list_members WHERE list_id = $1")
        .bind(list_id).fetch_one(p).await)
}

/// Adds someone to a list (once).
pub async fn add(db: impl Into<Exec<'_>>, list_id: i64, actor_id: i64) -> Result<(), sqlx::Error> {
    with_write!(db, c => sqlx::query(
        "INSERT INTO list_members (id, list_id, actor_id) VALUES ($1, $2, $3) ON CONFLICT (list_id, actor_id) DO NOTHING")
        .bind(crate::ids::new_id()).bind(list_id).bind(actor_id).execute(c).await.map(|_| ()))
}

pub async fn remove(db: impl Into<Exec<'_>>, list_id: i64, actor_id: i64) -> Result<(), sqlx::Error> {
    with_write!(db, c => sqlx::query("DELETE FROM list_members WHERE list_id = $1 AND actor_id = $2")
        .bind(list_id).bind(actor_id).execute(c).await.map(|_| ()))
}

/// Takes `actor_id` off every list of `owner_id` (the owner stopped following them).
pub async fn remove_everywhere(db: impl Into<Exec<'_>>, owner_id: i64, actor_id: i64) -> Result<(), sqlx::Error> {
    with_write!(db, c => sqlx::query(
        "DELETE FROM list_members WHERE actor_id = $1 AND list_id IN (SELECT id FROM lists WHERE owner_id = $2)")
        .bind(actor_id).bind(owner_id).execute(c).await.map(|_| ()))
}

/// A page of a list's members: (membership id, actor id), newest first inside `(min, max)`.
pub async fn members_page(
    db: impl Into<Exec<'_>>,
    list_id: i64,
    max: Option<i64>,
    min: Option<i64>,
    limit: i64,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, (i64, i64)>(
        "SELECT id, actor_id FROM list_members WHERE list_id = $1 AND id < $2 AND id > $3 ORDER BY id DESC LIMIT $4")
        .bind(list_id).bind(max.unwrap_or(i64::MAX)).bind(min.unwrap_or(0)).bind(limit).fetch_all(p).await)
}

/// Up to `limit` posts of a list inside the window, newest first: everything in its groups, and
/// its people's posts with the replies its policy keeps (replies to themselves and to the
/// owner always; `followed`: to people the owner follows; `list`: to the list's members).
pub async fn timeline(db: &Db, list: &ListRow, window: Window, limit: i64) -> Result<Vec<PostRow>, sqlx::Error> {
    const MEMBERS: &str = "SELECT actor_id FROM list_members WHERE list_id = $1";
    let also = match list.replies_policy.as_str() {
        "followed" => " OR q.author_id IN (SELECT followed_id FROM follows WHERE follower_id = $5 AND accepted)",
        "list" => " OR q.author_id IN (SELECT actor_id FROM list_members WHERE list_id = $1)",
        _ => "",
    };
    let order = if window.ascending { "ASC" } else { "DESC" };
    let sql = format!(
        "SELECT p.* FROM posts p WHERE p.deleted_at IS NULL AND p.id < $2 AND p.id > $3 AND ( \
           p.group_id IN ({MEMBERS}) \
           OR (p.author_id IN ({MEMBERS}) AND (p.in_reply_to IS NULL OR EXISTS ( \
             SELECT 1 FROM posts q WHERE q.ap_id = p.in_reply_to AND (q.author_id = p.author_id OR q.author_id = $5{also}))))) \
         ORDER BY p.id {order} LIMIT $4"
    );
    let mut rows: Vec<PostRow> = with_db!(db, p => sqlx::query_as::<_, PostRow>(sqlx::AssertSqlSafe(sql))
        .bind(list.id).bind(window.max_id.unwrap_or(i64::MAX)).bind(window.min_id.unwrap_or(0)).bind(limit)
        .bind(list.owner_id).fetch_all(p).await)?;
    if window.ascending {
        rows.reverse();
    }
    Ok(rows)
}
