//! The `users` table: sign-in data and roles of local members.

use chrono::{DateTime, Utc};

use super::{Db, Exec};
use crate::{with_db_write, with_exec, with_write};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub password_hash: String,
    pub role: String,
    pub approved: bool,
    pub last_active_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A member listed with their actor's public fields, for `admin list-users`.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct UserListing {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub role: String,
    pub suspended_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

pub async fn find_by_id(db: impl Into<Exec<'_>>, id: i64) -> Result<Option<UserRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, UserRow>(
        "SELECT id, email, password_hash, role, approved, last_active_at, created_at, updated_at FROM users WHERE id = $1")
        .bind(id).fetch_optional(p).await)
}

pub async fn email_taken(db: impl Into<Exec<'_>>, email: &str) -> Result<bool, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users WHERE lower(email) = lower($1)")
        .bind(email).fetch_one(p).await.map(|n| n > 0))
}

pub async fn list(db: impl Into<Exec<'_>>) -> Result<Vec<UserListing>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, UserListing>(
        "SELECT u.id, a.username, u.email, u.role, a.suspended_at, u.created_at \
         FROM users u JOIN actors a ON a.id = u.id ORDER BY u.id")
        .fetch_all(p).await)
}

pub async fn set_role(db: impl Into<Exec<'_>>, id: i64, role: &str) -> Result<bool, sqlx::Error> {
    let now = super::now();
    with_write!(db, p => sqlx::query("UPDATE users SET role = $1, updated_at = $2 WHERE id = $3")
        .bind(role).bind(now).bind(id).execute(p).await.map(|r| r.rows_affected() == 1))
}

pub async fn count_admins(db: impl Into<Exec<'_>>) -> Result<i64, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM users u JOIN actors a ON a.id = u.id WHERE u.role = 'admin' AND a.suspended_at IS NULL")
        .fetch_one(p).await)
}

/// Usage figures for NodeInfo: members not suspended, in total and active since each date.
pub async fn usage_counts(
    db: impl Into<Exec<'_>>,
    month_ago: DateTime<Utc>,
    half_year_ago: DateTime<Utc>,
) -> Result<(i64, i64, i64), sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, (i64, i64, i64)>(
        "SELECT COUNT(*), \
                COALESCE(SUM(CASE WHEN u.last_active_at >= $1 THEN 1 ELSE 0 END), 0), \
                COALESCE(SUM(CASE WHEN u.last_active_at >= $2 THEN 1 ELSE 0 END), 0) \
         FROM users u JOIN actors a ON a.id = u.id WHERE a.suspended_at IS NULL AND u.approved")
        .bind(month_ago).bind(half_year_ago).fetch_one(p).await)
}

/// Inserts a local member's actor and user rows in one transaction.
pub async fn insert_with_actor(db: &Db, actor: &super::actors::ActorRow, u: &UserRow) -> Result<(), sqlx::Error> {
    with_db_write!(db, p => {
        let mut tx = p.begin().await?;
        crate::storage::actors::actor_insert!(actor).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO users (id, email, password_hash, role, approved, last_active_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(u.id).bind(&u.email).bind(&u.password_hash).bind(&u.role).bind(u.approved)
            .bind(u.last_active_at).bind(u.created_at).bind(u.updated_at)
            .execute(&mut *tx).await?;
        tx.commit().await
    })
}

/// The id of the member with this username or email address.
pub async fn find_by_login(db: impl Into<Exec<'_>>, login: &str) -> Result<Option<i64>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar::<_, i64>(
        "SELECT u.id FROM users u JOIN actors a ON a.id = u.id \
         WHERE lower(u.email) = lower($1) OR (a.domain IS NULL AND lower(a.username) = lower($1))")
        .bind(login).fetch_optional(p).await)
}

pub async fn touch(db: impl Into<Exec<'_>>, id: i64, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    with_write!(db, p => sqlx::query("UPDATE users SET last_active_at = $1 WHERE id = $2").bind(now).bind(id).execute(p).await.map(|_| ()))
}

pub async fn set_approved(db: impl Into<Exec<'_>>, id: i64) -> Result<bool, sqlx::Error> {
    let now = super::now();
    with_write!(db, p => sqlx::query("UPDATE users SET approved = TRUE, updated_at = $1 WHERE id = $2 AND NOT approved")
        .bind(now).bind(id).execute(p).await.map(|r| r.rows_affected() == 1))
}

pub async fn set_password_hash(db: impl Into<Exec<'_>>, id: i64, hash: &str) -> Result<(), sqlx::Error> {
    let now = super::now();
    with_write!(db, p => sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(hash).bind(now).bind(id).execute(p).await.map(|_| ()))
}

/// A registration waiting for the secretariat, with what the person wrote.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PendingRow {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub async fn set_registration_reason(db: impl Into<Exec<'_>>, id: i64, reason: &str) -> Result<(), sqlx::Error> {
    with_write!(db, p => sqlx::query("UPDATE users SET registration_reason = $1 WHERE id = $2")
        .bind(reason).bind(id).execute(p).await.map(|_| ()))
}

/// Registrations waiting for the secretariat, oldest first, with their reasons (at most 500).
pub async fn pending_registrations(db: impl Into<Exec<'_>>) -> Result<Vec<PendingRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, PendingRow>(
        "SELECT u.id, a.username, u.email, u.registration_reason AS reason, u.created_at \
         FROM users u JOIN actors a ON a.id = u.id WHERE NOT u.approved ORDER BY u.id LIMIT 500")
        .fetch_all(p).await)
}

/// Removes a registration the secretariat declined (the account never signed in nor federated).
pub async fn delete_unapproved(db: impl Into<Exec<'_>>, id: i64) -> Result<bool, sqlx::Error> {
    with_write!(db, p => sqlx::query(
        "DELETE FROM actors WHERE id = $1 AND id IN (SELECT id FROM users WHERE NOT approved)")
        .bind(id).execute(p).await.map(|r| r.rows_affected() == 1))
}

/// Registrations waiting for the secretariat.
pub async fn pending(db: impl Into<Exec<'_>>) -> Result<Vec<UserListing>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, UserListing>(
        "SELECT u.id, a.username, u.email, u.role, a.suspended_at, u.created_at \
         FROM users u JOIN actors a ON a.id = u.id WHERE NOT u.approved ORDER BY u.id")
        .fetch_all(p).await)
}
