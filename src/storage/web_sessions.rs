//! Browsers signed in to the web interface (`web_sessions`), and the member's interface language.

use chrono::{DateTime, Utc};

use super::Exec;
use crate::{with_exec, with_write};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SessionRow {
    pub id: i64,
    pub user_id: i64,
    pub user_agent: String,
    pub ip: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// The member's interface language (from `users`).
    pub locale: Option<String>,
}

pub async fn insert(db: impl Into<Exec<'_>>, token_hash: &str, s: &SessionRow) -> Result<(), sqlx::Error> {
    with_write!(db, c => sqlx::query(
        "INSERT INTO web_sessions (id, token_hash, user_id, user_agent, ip, created_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(s.id).bind(token_hash).bind(s.user_id).bind(&s.user_agent).bind(&s.ip)
        .bind(s.created_at).bind(s.last_seen_at)
        .execute(c).await.map(|_| ()))
}

pub async fn find(db: impl Into<Exec<'_>>, token_hash: &str) -> Result<Option<SessionRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, SessionRow>(
        "SELECT s.id, s.user_id, s.user_agent, s.ip, s.created_at, s.last_seen_at, u.locale \
         FROM web_sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1")
        .bind(token_hash).fetch_optional(p).await)
}

/// Notes that the session was used (callers do it at most every few minutes).
pub async fn touch(db: impl Into<Exec<'_>>, id: i64, at: DateTime<Utc>, ip: &str) -> Result<(), sqlx::Error> {
    with_write!(db, c => sqlx::query("UPDATE web_sessions SET last_seen_at = $1, ip = $2 WHERE id = $3")
        .bind(at).bind(ip).bind(id).execute(c).await.map(|_| ()))
}

/// The member's sessions, the most recently used first.
pub async fn of_user(db: impl Into<Exec<'_>>, user_id: i64) -> Result<Vec<SessionRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, SessionRow>(
        "SELECT s.id, s.user_id, s.user_agent, s.ip, s.created_at, s.last_seen_at, u.locale \
         FROM web_sessions s JOIN users u ON u.id = s.user_id WHERE s.user_id = $1 \
         ORDER BY s.last_seen_at DESC, s.id DESC LIMIT 200")
        .bind(user_id).fetch_all(p).await)
}

pub async fn delete(db: impl Into<Exec<'_>>, user_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    with_write!(db, c => sqlx::query("DELETE FROM web_sessions WHERE id = $1 AND user_id = $2")
        .bind(id).bind(user_id).execute(c).await.map(|r| r.rows_affected() == 1))
}

/// Ends every session of a member (a password change, a suspension).
pub async fn delete_all(db: impl Into<Exec<'_>>, user_id: i64) -> Result<u64, sqlx::Error> {
    with_write!(db, c => sqlx::query("DELETE FROM web_sessions WHERE user_id = $1")
        .bind(user_id).execute(c).await.map(|r| r.rows_affected()))
}

/// Ends every session of a member but one (after a password change, the browser that made it).
pub async fn delete_others(db: impl Into<Exec<'_>>, user_id: i64, keep: i64) -> Result<u64, sqlx::Error> {
    with_write!(db, c => sqlx::query("DELETE FROM web_sessions WHERE user_id = $1 AND id <> $2")
        .bind(user_id).bind(keep).execute(c).await.map(|r| r.rows_affected()))
}

/// Sessions unused since `before` end.
pub async fn delete_idle(db: impl Into<Exec<'_>>, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    with_write!(db, c => sqlx::query("DELETE FROM web_sessions WHERE last_seen_at < $1")
        .bind(before).execute(c).await.map(|r| r.rows_affected()))
}

pub async fn locale(db: impl Into<Exec<'_>>, user_id: i64) -> Result<Option<String>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar::<_, Option<String>>("SELECT locale FROM users WHERE id = $1")
        .bind(user_id).fetch_optional(p).await.map(Option::flatten))
}

pub async fn set_locale(db: impl Into<Exec<'_>>, user_id: i64, locale: Option<&str>) -> Result<(), sqlx::Error> {
    with_write!(db, c => sqlx::query("UPDATE users SET locale = $1 WHERE id = $2")
        .bind(locale).bind(user_id).execute(c).await.map(|_| ()))
}
