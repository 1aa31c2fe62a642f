//! Uploaded media files' records.

use chrono::{DateTime, Utc};

use super::Exec;
use crate::{with_exec, with_write};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MediaRow {
    pub id: i64,
    pub owner_id: i64,
    pub post_id: Option<i64>,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub description: String,
    pub created_at: DateTime<Utc>,
}

pub async fn insert(db: impl Into<Exec<'_>>, m: &MediaRow) -> Result<(), sqlx::Error> {
    with_write!(db, p => sqlx::query(
        "INSERT INTO media (id, owner_id, post_id, file_name, content_type, size, width, height, description, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(m.id).bind(m.owner_id).bind(m.post_id).bind(&m.file_name).bind(&m.content_type).bind(m.size)
        .bind(m.width).bind(m.height).bind(&m.description).bind(m.created_at).execute(p).await.map(|_| ()))
}

pub async fn find(db: impl Into<Exec<'_>>, owner_id: i64, id: i64) -> Result<Option<MediaRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, MediaRow>("SELECT * FROM media WHERE id = $1 AND owner_id = $2")
        .bind(id).bind(owner_id).fetch_optional(p).await)
}

pub async fn set_description(db: impl Into<Exec<'_>>, id: i64, description: &str) -> Result<(), sqlx::Error> {
    with_write!(db, p => sqlx::query("UPDATE media SET description = $1 WHERE id = $2").bind(description).bind(id).execute(p).await.map(|_| ()))
}

pub async fn attach(tx: &mut super::Tx, id: i64, post_id: i64) -> Result<(), sqlx::Error> {
    crate::with_tx!(tx, c => sqlx::query("UPDATE media SET post_id = $1 WHERE id = $2").bind(post_id).bind(id).execute(&mut *c).await.map(|_| ()))
}

pub async fn find_by_file_name(db: impl Into<Exec<'_>>, file_name: &str) -> Result<Option<MediaRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, MediaRow>("SELECT * FROM media WHERE file_name = $1")
        .bind(file_name).fetch_optional(p).await)
}
