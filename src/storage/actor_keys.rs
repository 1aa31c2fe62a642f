//! Ed25519 keys of actors (FEP-521a): ours, made when first needed, and those other servers
//! publish.

use super::Exec;
use crate::{with_exec, with_write};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActorKeyRow {
    pub actor_id: i64,
    pub key_id: String,
    pub public_multibase: String,
    pub secret_multibase: Option<String>,
}

pub async fn find(db: impl Into<Exec<'_>>, actor_id: i64) -> Result<Option<ActorKeyRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, ActorKeyRow>("SELECT * FROM actor_keys WHERE actor_id = $1")
        .bind(actor_id).fetch_optional(p).await)
}

/// The key named `key_id` (a verification method), with its actor.
pub async fn find_by_key_id(db: impl Into<Exec<'_>>, key_id: &str) -> Result<Option<ActorKeyRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, ActorKeyRow>("SELECT * FROM actor_keys WHERE key_id = $1")
        .bind(key_id).fetch_optional(p).await)
}

/// Stores a key unless the actor has one; returns the actor's key.
pub async fn insert_if_missing(db: impl Into<Exec<'_>>, row: &ActorKeyRow) -> Result<ActorKeyRow, sqlx::Error> {
    with_write!(db, c => sqlx::query_as::<_, ActorKeyRow>(
        "INSERT INTO actor_keys (actor_id, key_id, public_multibase, secret_multibase) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (actor_id) DO UPDATE SET actor_id = excluded.actor_id RETURNING *")
        .bind(row.actor_id).bind(&row.key_id).bind(&row.public_multibase).bind(&row.secret_multibase)
        .fetch_one(c).await)
}

/// Records the key another server publishes for its actor (replacing an older one).
pub async fn upsert_remote(
    db: impl Into<Exec<'_>>,
    actor_id: i64,
    key_id: &str,
    public_multibase: &str,
) -> Result<(), sqlx::Error> {
    with_write!(db, c => sqlx::query(
        "INSERT INTO actor_keys (actor_id, key_id, public_multibase, secret_multibase) VALUES ($1, $2, $3, NULL) \
         ON CONFLICT (actor_id) DO UPDATE SET key_id = excluded.key_id, public_multibase = excluded.public_multibase \
         WHERE actor_keys.secret_multibase IS NULL")
        .bind(actor_id).bind(key_id).bind(public_multibase).execute(c).await.map(|_| ()))
}
