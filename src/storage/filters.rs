//! Members' filters: their keywords and posts.

use chrono::{DateTime, Utc};

use super::Exec;
use crate::{with_exec, with_write};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct FilterRow {
    pub id: i64,
    pub owner_id: i64,
    pub title: String,
    /// Comma-separated: home, notifications, public, thread, account.
    pub contexts: String,
    /// `warn` or `hide`.
    pub action: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl FilterRow {
    pub fn context_list(&self) -> Vec<String> {
        self.contexts
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect()
    }
    pub fn applies_in(&self, context: &str) -> bool {
        self.contexts.split(',').any(|c| c == context)
    }
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct KeywordRow {
    pub id: i64,
    pub filter_id: i64,
    pub keyword: String,
    pub whole_word: bool,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct FilteredPostRow {
    pub id: i64,
    pub filter_id: i64,
    pub post_id: i64,
}

pub async fn insert(db: impl Into<Exec<'_>>, f: &FilterRow) -> Result<(), sqlx::Error> {
    with_write!(db, c => sqlx::query(
        "INSERT INTO filters (id, owner_id, title, contexts, action, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(f.id).bind(f.owner_id).bind(&f.title).bind(&f.contexts).bind(&f.action).bind(f.expires_at).bind(f.created_at)
        .execute(c).await.map(|_| ()))
}

pub async fn update(db: impl Into<Exec<'_>>, f: &FilterRow) -> Result<(), sqlx::Error> {
    with_write!(db, c => sqlx::query(
        "UPDATE filters SET title = $1, contexts = $2, action = $3, expires_at = $4 WHERE id = $5 AND owner_id = $6")
        .bind(&f.title).bind(&f.contexts).bind(&f.action).bind(f.expires_at).bind(f.id).bind(f.owner_id)
        .execute(c).await.map(|_| ()))
}

pub async fn delete(db: impl Into<Exec<'_>>, owner_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    with_write!(db, c => sqlx::query("DELETE FROM filters WHERE id = $1 AND owner_id = $2")
        .bind(id).bind(owner_id).execute(c).await.map(|r| r.rows_affected() == 1))
}

pub async fn find(db: impl Into<Exec<'_>>, owner_id: i64, id: i64) -> Result<Option<FilterRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, FilterRow>("SELECT * FROM filters WHERE id = $1 AND owner_id = $2")
        .bind(id).bind(owner_id).fetch_optional(p).await)
}

/// Someone's filters, oldest first; only those in force unless `all`.
pub async fn of_owner(db: impl Into<Exec<'_>>, owner_id: i64, all: bool) -> Result<Vec<FilterRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, FilterRow>(
        "SELECT * FROM filters WHERE owner_id = $1 AND ($2 OR expires_at IS NULL OR expires_at > $3) ORDER BY id")
        .bind(owner_id).bind(all).bind(super::now()).fetch_all(p).await)
}

pub async fn count_of_owner(db: impl Into<Exec<'_>>, owner_id: i64) -> Result<i64, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar("SELECT COUNT(*) FROM filters WHERE owner_id = $1")
        .bind(owner_id).fetch_one(p).await)
}

/// The keywords of some filters.
pub async fn keywords_of(db: impl Into<Exec<'_>>, filter_ids: &[i64]) -> Result<Vec<KeywordRow>, sqlx::Error> {
    if filter_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT * FROM filter_keywords WHERE filter_id IN ({}) ORDER BY id",
        super::placeholders(1, filter_ids.len())
    );
    with_exec!(db, p => {
        let mut q = sqlx::query_as::<_, KeywordRow>(sqlx::AssertSqlSafe(sql));
        for id in filter_ids {
            q = q.bind(*id);
        }
        q.fetch_all(p).await
    })
}

/// The posts of some filters.
pub async fn posts_of(db: impl Into<Exec<'_>>, filter_ids: &[i64]) -> Result<Vec<FilteredPostRow>, sqlx::Error> {
    if filter_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT * FROM filter_statuses WHERE filter_id IN ({}) ORDER BY id",
        super::placeholders(1, filter_ids.len())
    );
    with_exec!(db, p => {
        let mut q = sqlx::query_as::<_, FilteredPostRow>(sqlx::AssertSqlSafe(sql));
        for id in filter_ids {
            q = q.bind(*id);
        }
        q.fetch_all(p).await
    })
}

pub async fn add_keyword(db: impl Into<Exec<'_>>, k: &KeywordRow) -> Result<(), sqlx::Error> {
    with_write!(db, c => sqlx::query("INSERT INTO filter_keywords (id, filter_id, keyword, whole_word) VALUES ($1, $2, $3, $4)")
        .bind(k.id).bind(k.filter_id).bind(&k.keyword).bind(k.whole_word).execute(c).await.map(|_| ()))
}

pub async fn update_keyword(db: impl Into<Exec<'_>>, k: &KeywordRow) -> Result<(), sqlx::Error> {
    with_write!(db, c => sqlx::query("UPDATE filter_keywords SET keyword = $1, whole_word = $2 WHERE id = $3")
        .bind(&k.keyword).bind(k.whole_word).bind(k.id).execute(c).await.map(|_| ()))
}

pub async fn delete_keyword(db: impl Into<Exec<'_>>, id: i64) -> Result<(), sqlx::Error> {
    with_write!(db, c => sqlx::query("DELETE FROM filter_keywords WHERE id = $1")
        .bind(id).execute(c).await.map(|_| ()))
}

/// A keyword with the filter it belongs to, if that filter is `owner_id`'s.
pub async fn find_keyword(db: impl Into<Exec<'_>>, owner_id: i64, id: i64) -> Result<Option<KeywordRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, KeywordRow>(
        "SELECT k.* FROM filter_keywords k JOIN filters f ON f.id = k.filter_id WHERE k.id = $1 AND f.owner_id = $2")
        .bind(id).bind(owner_id).fetch_optional(p).await)
}

pub async fn add_post(db: impl Into<Exec<'_>>, s: &FilteredPostRow) -> Result<bool, sqlx::Error> {
    with_write!(db, c => sqlx::query(
        "INSERT INTO filter_statuses (id, filter_id, post_id) VALUES ($1, $2, $3) ON CONFLICT (filter_id, post_id) DO NOTHING")
        .bind(s.id).bind(s.filter_id).bind(s.post_id).execute(c).await.map(|r| r.rows_affected() == 1))
}

pub async fn find_post(
    db: impl Into<Exec<'_>>,
    owner_id: i64,
    id: i64,
) -> Result<Option<FilteredPostRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, FilteredPostRow>(
        "SELECT s.* FROM filter_statuses s JOIN filters f ON f.id = s.filter_id WHERE s.id = $1 AND f.owner_id = $2")
        .bind(id).bind(owner_id).fetch_optional(p).await)
}

pub async fn delete_post(db: impl Into<Exec<'_>>, id: i64) -> Result<(), sqlx::Error> {
    with_write!(db, c => sqlx::query("DELETE FROM filter_statuses WHERE id = $1")
        .bind(id).execute(c).await.map(|_| ()))
}
