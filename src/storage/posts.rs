//! Posts (Note, Page, Article) and reactions to them.

use chrono::{DateTime, Utc};

use super::{Db, Exec, Tx};
use crate::model::Visibility;
use crate::{with_db, with_exec, with_tx, with_write};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PostRow {
    pub id: i64,
    pub ap_id: String,
    pub url: Option<String>,
    pub author_id: i64,
    pub group_id: Option<i64>,
    pub in_reply_to: Option<String>,
    pub kind: String,
    pub title: Option<String>,
    pub content_html: String,
    pub source: Option<String>,
    /// The content warning (`summary` on the wire, `spoiler_text` in apps).
    pub summary: Option<String>,
    /// The language it is written in (ISO 639).
    pub language: Option<String>,
    /// Who may read it. `Members` is the post's circle: its group's members, or, outside groups,
    /// its author's followers (Mastodon's followers-only).
    #[sqlx(try_from = "String")]
    pub visibility: Visibility,
    /// The ActivityPub `tag` array (mentions, hashtags) as JSON.
    pub tags: String,
    pub sensitive: bool,
    pub local: bool,
    pub pinned_at: Option<DateTime<Utc>>,
    pub locked: bool,
    /// Attachments as JSON: `[{"id", "type", "url", "media_type", "description", "width", "height"}]`.
    pub attachments: String,
    pub published_at: DateTime<Utc>,
    pub updated_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The id of its group's boost of it, as apps see it at home (made with the post when it
    /// is filed under a group; older posts have none and their boost takes the post's id).
    pub relay_id: Option<i64>,
}

/// The hashtags (normalised names, each once) and the mentioned actors' ids in a post's `tag`
/// JSON: what `post_tags` and `post_mentions` hold for it.
pub fn tags_and_mentions(tags: &str) -> (Vec<String>, Vec<String>) {
    let parsed: serde_json::Value = serde_json::from_str(tags).unwrap_or_default();
    let (mut names, mut hrefs) = (Vec::new(), Vec::new());
    for t in parsed.as_array().into_iter().flatten() {
        match t["type"].as_str() {
            Some("Hashtag") => names.extend(t["name"].as_str().and_then(crate::model::normalize_tag)),
            Some("Mention") => hrefs.extend(t["href"].as_str().map(str::to_owned)),
            _ => {}
        }
    }
    names.sort();
    names.dedup();
    hrefs.sort();
    hrefs.dedup();
    (names, hrefs)
}

/// Stores a post with its hashtags and mentions; returns false when one with the same `ap_id`
/// exists (redelivery).
pub async fn insert(tx: &mut Tx, p: &PostRow) -> Result<bool, sqlx::Error> {
    if !insert_row(&mut *tx, p).await? {
        return Ok(false);
    }
    let (names, hrefs) = tags_and_mentions(&p.tags);
    for (table, column, values) in [("post_tags", "name", &names), ("post_mentions", "href", &hrefs)] {
        if values.is_empty() {
            continue;
        }
        let rows: Vec<String> = (0..values.len()).map(|i| format!("($1, ${})", i + 2)).collect();
        let sql = format!(
            "INSERT INTO {table} (post_id, {column}) VALUES {} ON CONFLICT DO NOTHING",
            rows.join(", ")
        );
        with_tx!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(p.id);
            for v in values {
                q = q.bind(v);
            }
            q.execute(&mut *c).await.map(|_| ())
        })?;
    }
    Ok(true)
}

async fn insert_row(tx: impl Into<Exec<'_>>, p: &PostRow) -> Result<bool, sqlx::Error> {
    with_write!(tx, c => sqlx::query(
        "INSERT INTO posts (id, ap_id, url, author_id, group_id, in_reply_to, kind, title, content_html, source, visibility, \
         sensitive, local, published_at, updated_at, deleted_at, created_at, tags, attachments, summary, language, relay_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22) \
         ON CONFLICT (ap_id) DO NOTHING")
        .bind(p.id).bind(&p.ap_id).bind(&p.url).bind(p.author_id).bind(p.group_id).bind(&p.in_reply_to).bind(&p.kind)
        .bind(&p.title).bind(&p.content_html).bind(&p.source).bind(p.visibility.as_str()).bind(p.sensitive).bind(p.local)
        .bind(p.published_at).bind(p.updated_at).bind(p.deleted_at).bind(p.created_at).bind(&p.tags).bind(&p.attachments)
        .bind(&p.summary).bind(&p.language).bind(p.relay_id)
        .execute(c).await.map(|r| r.rows_affected() == 1))
}

pub async fn find_by_ap_id(db: impl Into<Exec<'_>>, ap_id: &str) -> Result<Option<PostRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, PostRow>("SELECT * FROM posts WHERE ap_id = $1").bind(ap_id).fetch_optional(p).await)
}

/// The post whose group's boost has id `relay_id`.
pub async fn find_by_relay_id(db: impl Into<Exec<'_>>, relay_id: i64) -> Result<Option<PostRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, PostRow>("SELECT * FROM posts WHERE relay_id = $1").bind(relay_id).fetch_optional(p).await)
}

pub async fn find_by_id(db: impl Into<Exec<'_>>, id: i64) -> Result<Option<PostRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, PostRow>("SELECT * FROM posts WHERE id = $1").bind(id).fetch_optional(p).await)
}

/// Replaces a post's text (title, content, content warning, sensitivity, language) with
/// `updated`'s, keeping the version it replaces in `post_edits`.
pub async fn update_content(tx: &mut Tx, updated: &PostRow) -> Result<(), sqlx::Error> {
    let at = updated.updated_at.unwrap_or_else(super::now);
    with_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO post_edits (id, post_id, title, content_html, summary, created_at) \
             SELECT $1, id, title, content_html, summary, COALESCE(updated_at, published_at) FROM posts WHERE id = $2")
            .bind(crate::ids::id_at(at)).bind(updated.id).execute(&mut *c).await?;
        sqlx::query(
            "UPDATE posts SET title = $1, content_html = $2, summary = $3, sensitive = $4, language = $5, \
             updated_at = $6, source = $7 WHERE id = $8")
            .bind(&updated.title).bind(&updated.content_html).bind(&updated.summary).bind(updated.sensitive)
            .bind(&updated.language).bind(at).bind(&updated.source).bind(updated.id).execute(&mut *c).await.map(|_| ())
    })
}

/// An earlier version of a post.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Edit {
    pub title: Option<String>,
    pub content_html: String,
    pub summary: Option<String>,
    /// When it became current.
    pub created_at: DateTime<Utc>,
}

/// Earlier versions of a post, oldest first.
pub async fn edits(db: impl Into<Exec<'_>>, post_id: i64) -> Result<Vec<Edit>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, Edit>(
        "SELECT title, content_html, summary, created_at FROM post_edits WHERE post_id = $1 ORDER BY id LIMIT 100")
        .bind(post_id).fetch_all(p).await)
}

pub async fn set_bookmark(
    db: impl Into<Exec<'_>>,
    user_id: i64,
    post_id: i64,
    on: bool,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    with_write!(db, p => if on {
        sqlx::query("INSERT INTO bookmarks (user_id, post_id, id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
            .bind(user_id).bind(post_id).bind(crate::ids::id_at(now)).bind(now).execute(p).await.map(|_| ())
    } else {
        sqlx::query("DELETE FROM bookmarks WHERE user_id = $1 AND post_id = $2").bind(user_id).bind(post_id).execute(p).await.map(|_| ())
    })
}

pub async fn is_bookmarked(db: impl Into<Exec<'_>>, user_id: i64, post_id: i64) -> Result<bool, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM bookmarks WHERE user_id = $1 AND post_id = $2")
        .bind(user_id).bind(post_id).fetch_one(p).await.map(|n| n > 0))
}

/// Posts listed by a member's bookmarks or reactions, newest bookmark or reaction first:
/// (list row id, post id), between the bounds.
pub async fn listed(
    db: impl Into<Exec<'_>>,
    sql_source: &'static str,
    user_id: i64,
    max_id: i64,
    min_id: i64,
    limit: i64,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let sql = format!("SELECT id, post_id FROM {sql_source} AND id < $2 AND id > $3 ORDER BY id DESC LIMIT $4");
    with_exec!(db, p => sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(sql)).bind(user_id).bind(max_id).bind(min_id).bind(limit).fetch_all(p).await)
}

/// Who reacted (`like` or `announce`) to a post, newest first.
pub async fn reactors(db: impl Into<Exec<'_>>, post_id: i64, kind: &str, limit: i64) -> Result<Vec<i64>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar::<_, i64>("SELECT actor_id FROM reactions WHERE post_id = $1 AND kind = $2 ORDER BY id DESC LIMIT $3")
        .bind(post_id).bind(kind).bind(limit).fetch_all(p).await)
}

pub async fn mark_deleted(tx: impl Into<Exec<'_>>, id: i64, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    with_write!(tx, c => sqlx::query("UPDATE posts SET deleted_at = $1, content_html = '', title = NULL, source = NULL WHERE id = $2")
        .bind(at).bind(id).execute(c).await.map(|_| ()))
}

/// Posts of a group (not deleted), newest first.
pub async fn group_page(
    db: impl Into<Exec<'_>>,
    group_id: i64,
    limit: i64,
    offset: i64,
) -> Result<Vec<PostRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, PostRow>(
        "SELECT * FROM posts WHERE group_id = $1 AND deleted_at IS NULL ORDER BY id DESC LIMIT $2 OFFSET $3")
        .bind(group_id).bind(limit).bind(offset).fetch_all(p).await)
}

pub async fn group_count(db: impl Into<Exec<'_>>, group_id: i64) -> Result<i64, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM posts WHERE group_id = $1 AND deleted_at IS NULL")
        .bind(group_id).fetch_one(p).await)
}

/// Public posts written by a local actor, newest first (their outbox).
pub async fn author_public_page(
    db: impl Into<Exec<'_>>,
    author_id: i64,
    limit: i64,
    offset: i64,
) -> Result<Vec<PostRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, PostRow>(
        "SELECT * FROM posts WHERE author_id = $1 AND deleted_at IS NULL AND visibility = 'public' ORDER BY id DESC LIMIT $2 OFFSET $3")
        .bind(author_id).bind(limit).bind(offset).fetch_all(p).await)
}

pub async fn author_public_count(db: impl Into<Exec<'_>>, author_id: i64) -> Result<i64, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM posts WHERE author_id = $1 AND deleted_at IS NULL AND visibility = 'public'")
        .bind(author_id).fetch_one(p).await)
}

pub async fn count_local(db: impl Into<Exec<'_>>) -> Result<i64, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM posts WHERE local AND deleted_at IS NULL")
        .fetch_one(p).await)
}

/// Records a like or boost; false when it was already recorded.
pub async fn add_reaction(
    db: impl Into<Exec<'_>>,
    kind: &str,
    ap_id: Option<&str>,
    actor_id: i64,
    post_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    with_write!(db, p => sqlx::query(
        "INSERT INTO reactions (id, ap_id, kind, actor_id, post_id, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING")
        .bind(crate::ids::id_at(now)).bind(ap_id).bind(kind).bind(actor_id).bind(post_id).bind(now)
        .execute(p).await.map(|r| r.rows_affected() == 1))
}

pub async fn remove_reaction_by_ap_id(
    db: impl Into<Exec<'_>>,
    ap_id: &str,
    actor_id: i64,
) -> Result<bool, sqlx::Error> {
    with_write!(db, p => sqlx::query("DELETE FROM reactions WHERE ap_id = $1 AND actor_id = $2")
        .bind(ap_id).bind(actor_id).execute(p).await.map(|r| r.rows_affected() > 0))
}

/// Removes `actor_id`'s reaction of `kind` to a post, whatever activity created it.
pub async fn remove_reaction(
    db: impl Into<Exec<'_>>,
    kind: &str,
    actor_id: i64,
    post_id: i64,
) -> Result<bool, sqlx::Error> {
    with_write!(db, p => sqlx::query("DELETE FROM reactions WHERE kind = $1 AND actor_id = $2 AND post_id = $3")
        .bind(kind).bind(actor_id).bind(post_id).execute(p).await.map(|r| r.rows_affected() > 0))
}

pub async fn reaction_count(db: impl Into<Exec<'_>>, post_id: i64, kind: &str) -> Result<i64, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM reactions WHERE post_id = $1 AND kind = $2")
        .bind(post_id).bind(kind).fetch_one(p).await)
}

pub async fn set_pinned(tx: impl Into<Exec<'_>>, id: i64, at: Option<DateTime<Utc>>) -> Result<(), sqlx::Error> {
    with_write!(tx, c => sqlx::query("UPDATE posts SET pinned_at = $1 WHERE id = $2").bind(at).bind(id).execute(c).await.map(|_| ()))
}

pub async fn set_locked(tx: impl Into<Exec<'_>>, id: i64, locked: bool) -> Result<(), sqlx::Error> {
    with_write!(tx, c => sqlx::query("UPDATE posts SET locked = $1 WHERE id = $2").bind(locked).bind(id).execute(c).await.map(|_| ()))
}

/// Pinned posts of a group, most recently pinned first.
pub async fn pinned(db: impl Into<Exec<'_>>, group_id: i64) -> Result<Vec<PostRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, PostRow>(
        "SELECT * FROM posts WHERE group_id = $1 AND pinned_at IS NOT NULL AND deleted_at IS NULL ORDER BY pinned_at DESC LIMIT 50")
        .bind(group_id).fetch_all(p).await)
}

/// The root of the thread a post belongs to (following `in_reply_to` through stored posts).
pub async fn thread_root(db: &Db, post: &PostRow) -> Result<PostRow, sqlx::Error> {
    let mut current = post.clone();
    for _ in 0..100 {
        let Some(parent) = current.in_reply_to.clone() else {
            break;
        };
        match find_by_ap_id(db, &parent).await? {
            Some(p) => current = p,
            None => break,
        }
    }
    Ok(current)
}

/// Posts by id.
pub async fn find_many(db: impl Into<Exec<'_>>, ids: &[i64]) -> Result<Vec<PostRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT * FROM posts WHERE id IN ({})",
        super::placeholders(1, ids.len())
    );
    with_exec!(db, p => ids.iter().fold(sqlx::query_as::<_, PostRow>(sqlx::AssertSqlSafe(sql)), |q, id| q.bind(*id)).fetch_all(p).await)
}

/// Posts by ActivityPub id (the posts a page answers).
pub async fn find_many_by_ap_id(db: impl Into<Exec<'_>>, ap_ids: &[String]) -> Result<Vec<PostRow>, sqlx::Error> {
    if ap_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT * FROM posts WHERE ap_id IN ({})",
        super::placeholders(1, ap_ids.len())
    );
    with_exec!(db, p => ap_ids.iter().fold(sqlx::query_as::<_, PostRow>(sqlx::AssertSqlSafe(sql)), |q, id| q.bind(id)).fetch_all(p).await)
}

/// Counts a Status shows, and what the viewer did with the post.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct PostStats {
    pub id: i64,
    pub favourites: i64,
    pub reblogs: i64,
    pub replies: i64,
    pub favourited: i64,
    pub reblogged: i64,
    pub bookmarked: i64,
}

/// The stats of several posts in one statement; `viewer` is an actor id (a member's actor and
/// user ids are the same), or none.
pub async fn stats_many(
    db: impl Into<Exec<'_>>,
    ids: &[i64],
    viewer: Option<i64>,
) -> Result<Vec<PostStats>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT p.id, \
           (SELECT COUNT(*) FROM reactions r WHERE r.post_id = p.id AND r.kind = 'like') AS favourites, \
           (SELECT COUNT(*) FROM reactions r WHERE r.post_id = p.id AND r.kind = 'announce') AS reblogs, \
           (SELECT COUNT(*) FROM posts c WHERE c.in_reply_to = p.ap_id AND c.in_reply_to IS NOT NULL AND c.deleted_at IS NULL) AS replies, \
           (SELECT COUNT(*) FROM reactions r WHERE r.post_id = p.id AND r.kind = 'like' AND r.actor_id = $1) AS favourited, \
           (SELECT COUNT(*) FROM reactions r WHERE r.post_id = p.id AND r.kind = 'announce' AND r.actor_id = $1) AS reblogged, \
           (SELECT COUNT(*) FROM bookmarks b WHERE b.post_id = p.id AND b.user_id = $1) AS bookmarked \
         FROM posts p WHERE p.id IN ({})",
        super::placeholders(2, ids.len())
    );
    with_exec!(db, p => {
        let mut q = sqlx::query_as::<_, PostStats>(sqlx::AssertSqlSafe(sql)).bind(viewer.unwrap_or(-1));
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(p).await
    })
}

/// Which posts a timeline holds.
#[derive(Debug, Clone)]
pub enum Timeline {
    /// A member's own posts, and those of the people and groups they follow.
    Home(i64),
    /// Public posts; `Some(true)` only local ones, `Some(false)` only remote ones.
    Public(Option<bool>),
    /// Public posts with a hashtag (its name: letters, digits and `_`).
    Tag(String),
    /// A person's posts.
    Author(i64),
    /// The posts in a group.
    Group(i64),
}

/// A window of ids: `(max_id, min_id)` exclusive, and whether to read oldest first.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub max_id: Option<i64>,
    pub min_id: Option<i64>,
    pub ascending: bool,
}

/// Up to `limit` posts of a timeline inside the window, newest first.
pub async fn timeline(db: &Db, which: &Timeline, window: Window, limit: i64) -> Result<Vec<PostRow>, sqlx::Error> {
    let (filter, bind): (String, i64) = match which {
        Timeline::Home(me) => return Ok(home(db, *me, window, limit).await?.0),
        Timeline::Public(local) => {
            let scope = match local {
                Some(true) => " AND local",
                Some(false) => " AND NOT local",
                None => "",
            };
            (
                format!("deleted_at IS NULL AND visibility = 'public' AND $1 = $1{scope}"),
                0,
            )
        }
        Timeline::Tag(tag) => return tagged(db, tag, window, limit).await,
        Timeline::Author(id) => ("author_id = $1 AND deleted_at IS NULL".to_owned(), *id),
        Timeline::Group(id) => ("group_id = $1 AND deleted_at IS NULL".to_owned(), *id),
    };
    let order = if window.ascending { "ASC" } else { "DESC" };
    let sql = format!("SELECT * FROM posts WHERE {filter} AND id < $2 AND id > $3 ORDER BY id {order} LIMIT $4");
    let mut rows: Vec<PostRow> = with_db!(db, p => sqlx::query_as::<_, PostRow>(sqlx::AssertSqlSafe(sql))
        .bind(bind).bind(window.max_id.unwrap_or(i64::MAX)).bind(window.min_id.unwrap_or(0)).bind(limit)
        .fetch_all(p).await)?;
    if window.ascending {
        rows.reverse();
    }
    Ok(rows)
}

/// An actor a post mentions (from `post_mentions`), for a page of posts.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Mentioned {
    pub post_id: i64,
    #[sqlx(flatten)]
    pub actor: super::actors::ActorRow,
}

/// The known actors the posts mention, in one statement (mentions of actors we never fetched
/// are left out, as apps cannot open them).
pub async fn mentioned(db: impl Into<Exec<'_>>, post_ids: &[i64]) -> Result<Vec<Mentioned>, sqlx::Error> {
    if post_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT m.post_id, a.* FROM post_mentions m JOIN actors a ON a.ap_id = m.href \
         WHERE m.post_id IN ({}) ORDER BY m.post_id, a.id",
        super::placeholders(1, post_ids.len())
    );
    with_exec!(db, p => {
        let mut q = sqlx::query_as::<_, Mentioned>(sqlx::AssertSqlSafe(sql));
        for id in post_ids {
            q = q.bind(*id);
        }
        q.fetch_all(p).await
    })
}

/// Public posts with a hashtag, from `post_tags` (name, then newest post first).
async fn tagged(db: impl Into<Exec<'_>>, tag: &str, window: Window, limit: i64) -> Result<Vec<PostRow>, sqlx::Error> {
    let order = if window.ascending { "ASC" } else { "DESC" };
    let sql = format!(
        "SELECT p.* FROM post_tags t JOIN posts p ON p.id = t.post_id \
         WHERE t.name = $1 AND t.post_id < $2 AND t.post_id > $3 AND p.deleted_at IS NULL AND p.visibility = 'public' \
         ORDER BY t.post_id {order} LIMIT $4"
    );
    let mut rows: Vec<PostRow> = with_exec!(db, p => sqlx::query_as::<_, PostRow>(sqlx::AssertSqlSafe(sql))
        .bind(tag.to_lowercase()).bind(window.max_id.unwrap_or(i64::MAX)).bind(window.min_id.unwrap_or(0)).bind(limit)
        .fetch_all(p).await)?;
    if window.ascending {
        rows.reverse();
    }
    Ok(rows)
}

/// The answers to a post (by its ActivityPub id), oldest first, at most `limit`.
pub async fn replies(db: impl Into<Exec<'_>>, ap_id: &str, limit: i64) -> Result<Vec<PostRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, PostRow>(
        "SELECT * FROM posts WHERE in_reply_to = $1 AND deleted_at IS NULL ORDER BY id LIMIT $2")
        .bind(ap_id).bind(limit).fetch_all(p).await)
}

/// How far back the home timeline first looks by walking recent posts: two days of ids.
const HOME_RECENT_MS: i64 = 2 * 24 * 3600 * 1000;

/// The home timeline in two steps, each bounded whatever the table holds: the recent posts
/// (two days below the window's top) walked newest first and filtered by the member's follows,
/// which fills a page at once for anyone who follows active people; when that is not a page (or
/// when reading upwards from `min_id`), the newest posts of each followed source from its own
/// index, merged. Returns the posts, newest first, and the followed sources as (id, is a group).
pub async fn home(
    db: &Db,
    me: i64,
    window: Window,
    limit: i64,
) -> Result<(Vec<PostRow>, Vec<(i64, bool)>), sqlx::Error> {
    let sources: Vec<(i64, String)> = with_db!(db, p => sqlx::query_as::<_, (i64, String)>(
        "SELECT f.followed_id, a.kind FROM follows f JOIN actors a ON a.id = f.followed_id \
         WHERE f.follower_id = $1 AND f.accepted ORDER BY f.id DESC LIMIT 400")
        .bind(me).fetch_all(p).await)?;
    let sources: Vec<(i64, bool)> = sources.into_iter().map(|(id, kind)| (id, kind == "Group")).collect();
    let list = |groups: bool| {
        let ids: Vec<String> = sources
            .iter()
            .filter(|s| s.1 == groups)
            .map(|s| s.0.to_string())
            .chain((!groups).then(|| me.to_string()))
            .collect();
        if ids.is_empty() {
            "-1".to_owned()
        } else {
            ids.join(", ")
        }
    };
    let top = window.max_id.unwrap_or(i64::MAX);
    let floor = window.min_id.unwrap_or(0);
    let mut rows: Vec<PostRow> = Vec::new();
    let mut below = top;
    if !window.ascending {
        let newest = top.min(crate::ids::id_at(super::now() + chrono::Duration::minutes(1)));
        let recent = (((newest >> 16) - HOME_RECENT_MS).max(0) << 16).max(floor);
        // `+column` keeps the planner on the id order instead of gathering every followed post.
        let sql = format!(
            "SELECT * FROM posts WHERE deleted_at IS NULL AND (+author_id IN ({}) OR +group_id IN ({})) \
             AND id < $1 AND id > $2 ORDER BY id DESC LIMIT $3",
            list(false),
            list(true)
        );
        rows = with_db!(db, p => sqlx::query_as::<_, PostRow>(sqlx::AssertSqlSafe(sql))
            .bind(top).bind(recent).bind(limit).fetch_all(p).await)?;
        if rows.len() as i64 >= limit || recent <= floor {
            return Ok((rows, sources));
        }
        below = recent + 1;
    }
    // Each source's newest (or, upwards, oldest) posts in the window, from its own index.
    let order = if window.ascending { "ASC" } else { "DESC" };
    let part = |i: usize, column: &str, id: i64| {
        format!(
            "SELECT id FROM (SELECT id FROM posts WHERE {column} = {id} AND deleted_at IS NULL \
             AND id < $1 AND id > $2 ORDER BY id {order} LIMIT $3) s{i}"
        )
    };
    let mut parts = vec![part(0, "author_id", me)];
    for (i, (id, group)) in sources.iter().enumerate() {
        parts.push(part(i + 1, if *group { "group_id" } else { "author_id" }, *id));
    }
    let sql = format!(
        "SELECT * FROM posts WHERE id IN (SELECT DISTINCT id FROM ({}) u ORDER BY id {order} LIMIT $3) ORDER BY id DESC",
        parts.join(" UNION ALL ")
    );
    let more: Vec<PostRow> = with_db!(db, p => sqlx::query_as::<_, PostRow>(sqlx::AssertSqlSafe(sql))
        .bind(below).bind(floor).bind(limit - rows.len() as i64).fetch_all(p).await)?;
    rows.extend(more);
    Ok((rows, sources))
}
