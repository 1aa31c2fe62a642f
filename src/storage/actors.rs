//! The `actors` table: people, groups and the application actor, local and remote.

use chrono::{DateTime, Utc};

use super::{Db, Exec};
use crate::{with_db_write, with_exec, with_write};

/// One row of `actors`, as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ActorRow {
    pub id: i64,
    pub kind: String,
    pub username: String,
    pub domain: Option<String>,
    pub ap_id: String,
    pub url: Option<String>,
    pub inbox_url: String,
    pub shared_inbox_url: Option<String>,
    pub outbox_url: Option<String>,
    pub followers_url: Option<String>,
    pub following_url: Option<String>,
    pub featured_url: Option<String>,
    pub display_name: String,
    pub summary_source: String,
    pub summary_html: String,
    pub avatar_url: Option<String>,
    pub header_url: Option<String>,
    pub key_id: String,
    pub public_key_pem: String,
    pub private_key_pem: Option<String>,
    pub manually_approves_followers: bool,
    pub discoverable: bool,
    pub suspended_at: Option<DateTime<Utc>>,
    pub fetched_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ActorRow {
    pub fn is_local(&self) -> bool {
        self.domain.is_none()
    }
    pub fn is_suspended(&self) -> bool {
        self.suspended_at.is_some()
    }
}

pub const KIND_PERSON: &str = "Person";
pub const KIND_GROUP: &str = "Group";
pub const KIND_APPLICATION: &str = "Application";

/// The INSERT of one actor row, as a query either engine can execute (inside a transaction too).
macro_rules! actor_insert {
    ($a:expr) => {{
        let a: &$crate::storage::actors::ActorRow = $a;
        sqlx::query(
            "INSERT INTO actors (id, kind, username, domain, ap_id, url, inbox_url, shared_inbox_url, outbox_url, \
             followers_url, following_url, display_name, summary_source, summary_html, avatar_url, header_url, \
             key_id, public_key_pem, private_key_pem, manually_approves_followers, discoverable, suspended_at, \
             fetched_at, created_at, updated_at, featured_url) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
             $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)",
        )
        .bind(a.id)
        .bind(&a.kind)
        .bind(&a.username)
        .bind(&a.domain)
        .bind(&a.ap_id)
        .bind(&a.url)
        .bind(&a.inbox_url)
        .bind(&a.shared_inbox_url)
        .bind(&a.outbox_url)
        .bind(&a.followers_url)
        .bind(&a.following_url)
        .bind(&a.display_name)
        .bind(&a.summary_source)
        .bind(&a.summary_html)
        .bind(&a.avatar_url)
        .bind(&a.header_url)
        .bind(&a.key_id)
        .bind(&a.public_key_pem)
        .bind(&a.private_key_pem)
        .bind(a.manually_approves_followers)
        .bind(a.discoverable)
        .bind(a.suspended_at)
        .bind(a.fetched_at)
        .bind(a.created_at)
        .bind(a.updated_at)
        .bind(&a.featured_url)
    }};
}
pub(crate) use actor_insert;

pub async fn insert(db: impl Into<Exec<'_>>, a: &ActorRow) -> Result<(), sqlx::Error> {
    with_exec!(db, p => actor_insert!(a).execute(p).await.map(|_| ()))
}

/// A local actor of any kind by username, case-insensitively.
pub async fn find_local(db: impl Into<Exec<'_>>, username: &str) -> Result<Option<ActorRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, ActorRow>("SELECT * FROM actors WHERE domain IS NULL AND lower(username) = lower($1)").bind(username).fetch_optional(p).await)
}

pub async fn find_by_id(db: impl Into<Exec<'_>>, id: i64) -> Result<Option<ActorRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, ActorRow>("SELECT * FROM actors WHERE id = $1").bind(id).fetch_optional(p).await)
}

pub async fn find_by_ap_id(db: impl Into<Exec<'_>>, ap_id: &str) -> Result<Option<ActorRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, ActorRow>("SELECT * FROM actors WHERE ap_id = $1").bind(ap_id).fetch_optional(p).await)
}

/// The node's application actor, if it was created.
pub async fn find_application(db: impl Into<Exec<'_>>) -> Result<Option<ActorRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, ActorRow>("SELECT * FROM actors WHERE domain IS NULL AND kind = 'Application'").fetch_optional(p).await)
}

pub async fn set_suspended(db: impl Into<Exec<'_>>, id: i64, at: Option<DateTime<Utc>>) -> Result<bool, sqlx::Error> {
    let now = super::now();
    with_write!(db, p => sqlx::query("UPDATE actors SET suspended_at = $1, updated_at = $2 WHERE id = $3")
        .bind(at).bind(now).bind(id).execute(p).await.map(|r| r.rows_affected() == 1))
}

/// Inserts a remote actor or updates the stored copy (by `ap_id`).
pub async fn upsert_remote(db: &Db, a: &ActorRow) -> Result<(), sqlx::Error> {
    with_db_write!(db, p => {
        let mut tx = p.begin().await?;
        let updated = sqlx::query(
            "UPDATE actors SET kind = $1, username = $2, url = $3, inbox_url = $4, shared_inbox_url = $5, \
             outbox_url = $6, followers_url = $7, following_url = $8, featured_url = $9, display_name = $10, \
             summary_html = $11, avatar_url = $12, header_url = $13, key_id = $14, public_key_pem = $15, \
             manually_approves_followers = $16, discoverable = $17, fetched_at = $18, updated_at = $19 \
             WHERE ap_id = $20 AND domain IS NOT NULL")
            .bind(&a.kind).bind(&a.username).bind(&a.url).bind(&a.inbox_url).bind(&a.shared_inbox_url)
            .bind(&a.outbox_url).bind(&a.followers_url).bind(&a.following_url).bind(&a.featured_url)
            .bind(&a.display_name).bind(&a.summary_html).bind(&a.avatar_url).bind(&a.header_url)
            .bind(&a.key_id).bind(&a.public_key_pem).bind(a.manually_approves_followers).bind(a.discoverable)
            .bind(a.fetched_at).bind(a.updated_at).bind(&a.ap_id)
            .execute(&mut *tx).await?.rows_affected();
        if updated == 0 {
            actor_insert!(a).execute(&mut *tx).await?;
        }
        tx.commit().await
    })
}

/// A remote actor by username and domain (`host[:port]`), case-insensitively.
pub async fn find_remote(
    db: impl Into<Exec<'_>>,
    username: &str,
    domain: &str,
) -> Result<Option<ActorRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, ActorRow>("SELECT * FROM actors WHERE domain = $1 AND lower(username) = lower($2)")
        .bind(domain).bind(username).fetch_optional(p).await)
}

/// The remote actor owning a key id (`…#main-key`), if known.
pub async fn find_by_key_id(db: impl Into<Exec<'_>>, key_id: &str) -> Result<Option<ActorRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, ActorRow>("SELECT * FROM actors WHERE key_id = $1")
        .bind(key_id).fetch_optional(p).await)
}

/// A local actor's editable profile.
pub async fn update_profile(db: impl Into<Exec<'_>>, a: &ActorRow) -> Result<(), sqlx::Error> {
    with_write!(db, p => sqlx::query(
        "UPDATE actors SET display_name = $1, summary_source = $2, summary_html = $3, manually_approves_followers = $4, \
         discoverable = $5, avatar_url = $6, header_url = $7, updated_at = $8 WHERE id = $9 AND domain IS NULL")
        .bind(&a.display_name).bind(&a.summary_source).bind(&a.summary_html).bind(a.manually_approves_followers)
        .bind(a.discoverable).bind(&a.avatar_url).bind(&a.header_url).bind(a.updated_at).bind(a.id)
        .execute(p).await.map(|_| ()))
}

/// Records that a remote actor was (about to be) fetched, so that repeated refreshes wait.
pub async fn touch_fetched(db: impl Into<Exec<'_>>, id: i64, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    with_write!(db, p => sqlx::query("UPDATE actors SET fetched_at = $1 WHERE id = $2").bind(at).bind(id).execute(p).await.map(|_| ()))
}

/// Actors by ActivityPub id.
pub async fn find_many_by_ap_id(db: impl Into<Exec<'_>>, ap_ids: &[String]) -> Result<Vec<ActorRow>, sqlx::Error> {
    if ap_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT * FROM actors WHERE ap_id IN ({})",
        super::placeholders(1, ap_ids.len())
    );
    with_exec!(db, p => {
        let mut q = sqlx::query_as::<_, ActorRow>(sqlx::AssertSqlSafe(sql));
        for id in ap_ids {
            q = q.bind(id);
        }
        q.fetch_all(p).await
    })
}

/// What an Account shows beside the actor: followers, following, statuses (a group's: the
/// posts in it) and the day of the last post. The post counts come from `actor_stats`, which
/// triggers keep in the transaction that adds or deletes a post; `last_status_at` is the newest
/// post written, and stays when that post is deleted (as in Mastodon).
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct ActorStats {
    pub followers: i64,
    pub following: i64,
    pub statuses: i64,
    pub last_status_at: Option<DateTime<Utc>>,
}

/// An actor with its [`ActorStats`].
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActorWithStats {
    #[sqlx(flatten)]
    pub actor: ActorRow,
    #[sqlx(flatten)]
    pub stats: ActorStats,
}

/// Several actors with their stats, in one statement (missing ids are left out).
pub async fn find_many_with_stats(db: impl Into<Exec<'_>>, ids: &[i64]) -> Result<Vec<ActorWithStats>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT a.*, \
           (SELECT COUNT(*) FROM follows f WHERE f.followed_id = a.id AND f.accepted) AS followers, \
           (SELECT COUNT(*) FROM follows f WHERE f.follower_id = a.id AND f.accepted) AS following, \
           COALESCE(CASE WHEN a.kind = 'Group' THEN s.filed ELSE s.authored END, 0) AS statuses, \
           s.last_status_at \
         FROM actors a LEFT JOIN actor_stats s ON s.actor_id = a.id WHERE a.id IN ({})",
        super::placeholders(1, ids.len())
    );
    with_exec!(db, p => {
        let mut q = sqlx::query_as::<_, ActorWithStats>(sqlx::AssertSqlSafe(sql));
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(p).await
    })
}

/// People and groups whose username or display name starts with `prefix` (lower case; LIKE's
/// wildcards are taken out), local ones first.
pub async fn search(db: impl Into<Exec<'_>>, prefix: &str, limit: i64) -> Result<Vec<ActorRow>, sqlx::Error> {
    let pattern = format!("{}%", prefix.replace(['%', '_'], ""));
    with_exec!(db, p => sqlx::query_as::<_, ActorRow>(
        "SELECT * FROM actors WHERE (lower(username) LIKE $1 OR lower(display_name) LIKE $1) AND suspended_at IS NULL \
         AND kind IN ('Person', 'Group') ORDER BY domain IS NOT NULL, username LIMIT $2")
        .bind(&pattern).bind(limit).fetch_all(p).await)
}
