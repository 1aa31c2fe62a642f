//! OAuth applications, authorization codes and access tokens (secrets stored as SHA-256).

use chrono::{DateTime, Utc};

use super::Exec;
use crate::{with_exec, with_write};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppRow {
    pub id: i64,
    pub client_id: String,
    pub client_secret_hash: String,
    pub name: String,
    pub website: Option<String>,
    pub redirect_uris: String,
    pub scopes: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CodeRow {
    pub app_id: i64,
    pub user_id: i64,
    pub redirect_uri: String,
    pub scopes: String,
    pub code_challenge: Option<String>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub app_id: Option<i64>,
    pub user_id: Option<i64>,
    pub scopes: String,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_app(db: impl Into<Exec<'_>>, a: &AppRow) -> Result<(), sqlx::Error> {
    with_write!(db, p => sqlx::query(
        "INSERT INTO oauth_apps (id, client_id, client_secret_hash, name, website, redirect_uris, scopes, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(a.id).bind(&a.client_id).bind(&a.client_secret_hash).bind(&a.name).bind(&a.website)
        .bind(&a.redirect_uris).bind(&a.scopes).bind(a.created_at).execute(p).await.map(|_| ()))
}

pub async fn find_app(db: impl Into<Exec<'_>>, client_id: &str) -> Result<Option<AppRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, AppRow>("SELECT * FROM oauth_apps WHERE client_id = $1").bind(client_id).fetch_optional(p).await)
}

pub async fn find_app_by_id(db: impl Into<Exec<'_>>, id: i64) -> Result<Option<AppRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, AppRow>("SELECT * FROM oauth_apps WHERE id = $1").bind(id).fetch_optional(p).await)
}

pub async fn insert_code(db: impl Into<Exec<'_>>, hash: &str, c: &CodeRow) -> Result<(), sqlx::Error> {
    with_write!(db, p => sqlx::query(
        "INSERT INTO oauth_codes (code_hash, app_id, user_id, redirect_uri, scopes, code_challenge, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(hash).bind(c.app_id).bind(c.user_id).bind(&c.redirect_uri).bind(&c.scopes).bind(&c.code_challenge).bind(c.expires_at)
        .execute(p).await.map(|_| ()))
}

/// Takes a code: it is deleted whether or not the exchange then succeeds (single use).
pub async fn take_code(db: impl Into<Exec<'_>>, hash: &str) -> Result<Option<CodeRow>, sqlx::Error> {
    with_write!(db, p => sqlx::query_as::<_, CodeRow>(
        "DELETE FROM oauth_codes WHERE code_hash = $1 RETURNING app_id, user_id, redirect_uri, scopes, code_challenge, expires_at")
        .bind(hash).fetch_optional(p).await)
}

pub async fn insert_token(db: impl Into<Exec<'_>>, hash: &str, t: &TokenRow) -> Result<(), sqlx::Error> {
    with_write!(db, p => sqlx::query(
        "INSERT INTO oauth_tokens (id, token_hash, app_id, user_id, scopes, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(t.id).bind(hash).bind(t.app_id).bind(t.user_id).bind(&t.scopes).bind(t.created_at)
        .execute(p).await.map(|_| ()))
}

pub async fn find_token(db: impl Into<Exec<'_>>, hash: &str) -> Result<Option<TokenRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, TokenRow>(
        "SELECT id, app_id, user_id, scopes, created_at FROM oauth_tokens WHERE token_hash = $1 AND revoked_at IS NULL")
        .bind(hash).fetch_optional(p).await)
}

/// Revokes a token if it belongs to the app; true when something was revoked.
pub async fn revoke_token(
    db: impl Into<Exec<'_>>,
    hash: &str,
    app_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    with_write!(db, p => sqlx::query("UPDATE oauth_tokens SET revoked_at = $1 WHERE token_hash = $2 AND app_id = $3 AND revoked_at IS NULL")
        .bind(now).bind(hash).bind(app_id).execute(p).await.map(|r| r.rows_affected() > 0))
}

/// An app a member authorised (tokens not revoked), for their settings.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuthorizedApp {
    pub app_id: i64,
    pub name: String,
    pub website: Option<String>,
    pub scopes: String,
    pub since: DateTime<Utc>,
}

/// The apps holding a member's tokens, most recently authorised first (at most 200).
pub async fn authorized_apps(db: impl Into<Exec<'_>>, user_id: i64) -> Result<Vec<AuthorizedApp>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, AuthorizedApp>(
        "SELECT a.id AS app_id, a.name, a.website, MAX(t.scopes) AS scopes, MIN(t.created_at) AS since \
         FROM oauth_tokens t JOIN oauth_apps a ON a.id = t.app_id \
         WHERE t.user_id = $1 AND t.revoked_at IS NULL GROUP BY a.id, a.name, a.website ORDER BY MIN(t.id) DESC LIMIT 200")
        .bind(user_id).fetch_all(p).await)
}

/// Revokes every token a member gave an app; how many.
pub async fn revoke_app_for_user(
    db: impl Into<Exec<'_>>,
    user_id: i64,
    app_id: i64,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    with_write!(db, p => sqlx::query(
        "UPDATE oauth_tokens SET revoked_at = $1 WHERE user_id = $2 AND app_id = $3 AND revoked_at IS NULL")
        .bind(now).bind(user_id).bind(app_id).execute(p).await.map(|r| r.rows_affected()))
}

/// Remembers the post created under an Idempotency-Key; returns the earlier post's id on a replay.
pub async fn idempotent_post(db: impl Into<Exec<'_>>, user_id: i64, key: &str) -> Result<Option<i64>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar::<_, i64>("SELECT post_id FROM idempotency_keys WHERE user_id = $1 AND key = $2")
        .bind(user_id).bind(key).fetch_optional(p).await)
}

/// Claims an Idempotency-Key for a post, in the post's own transaction: false when the key is
/// already taken (a concurrent or earlier request with the same key), and the caller gives up.
pub async fn remember_idempotent_post(
    tx: &mut super::Tx,
    user_id: i64,
    key: &str,
    post_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    crate::with_tx!(tx, c => sqlx::query("INSERT INTO idempotency_keys (user_id, key, post_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
        .bind(user_id).bind(key).bind(post_id).bind(now).execute(&mut *c).await.map(|r| r.rows_affected() == 1))
}
