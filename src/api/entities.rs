//! Mastodon entities (Account, Status, Relationship, Notification…) and the converters from our
//! rows. Ids are numeric strings; times `YYYY-MM-DDTHH:MM:SS.sssZ`.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::app::AppState;
use crate::storage::actors::{self, ActorRow, KIND_GROUP};
use crate::storage::posts::{self, PostRow};
use crate::storage::{follows, notifications::NotificationRow};
use crate::with_db;

pub fn api_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn default_image(state: &AppState, kind: &str) -> String {
    format!("{}{kind}/original/missing.png", state.urls.base())
}

/// `username` for local actors, `username@domain` for remote ones.
pub fn acct(a: &ActorRow) -> String {
    match &a.domain {
        Some(d) => format!("{}@{d}", a.username),
        None => a.username.clone(),
    }
}

async fn count(state: &AppState, sql: &str, id: i64) -> anyhow::Result<i64> {
    Ok(
        with_db!(&state.db, p => sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_owned())).bind(id).fetch_one(p).await)?,
    )
}

/// An actor (person or group, local or remote) as a Mastodon Account.
pub async fn account(state: &AppState, a: &ActorRow) -> anyhow::Result<Value> {
    let followers = follows::count(&state.db, a.id, true).await?;
    let following = follows::count(&state.db, a.id, false).await?;
    let statuses = if a.kind == KIND_GROUP {
        count(
            state,
            "SELECT COUNT(*) FROM posts WHERE group_id = $1 AND deleted_at IS NULL",
            a.id,
        )
        .await?
    } else {
        count(
            state,
            "SELECT COUNT(*) FROM posts WHERE author_id = $1 AND deleted_at IS NULL",
            a.id,
        )
        .await?
    };
    let last: Option<DateTime<Utc>> = with_db!(&state.db, p => sqlx::query_scalar::<_, Option<DateTime<Utc>>>(
        "SELECT MAX(published_at) FROM posts WHERE author_id = $1 AND deleted_at IS NULL").bind(a.id).fetch_one(p).await)?;
    let avatar = a.avatar_url.clone().unwrap_or_else(|| default_image(state, "avatars"));
    let header = a.header_url.clone().unwrap_or_else(|| default_image(state, "headers"));
    Ok(json!({
        "id": a.id.to_string(),
        "username": a.username,
        "acct": acct(a),
        "display_name": a.display_name,
        "locked": a.manually_approves_followers,
        "bot": a.kind == "Service" || a.kind == "Application",
        "discoverable": a.discoverable,
        "indexable": a.discoverable,
        "group": a.kind == KIND_GROUP,
        "created_at": api_time(a.created_at),
        "note": a.summary_html,
        "url": a.url.clone().unwrap_or_else(|| a.ap_id.clone()),
        "uri": a.ap_id,
        "avatar": avatar,
        "avatar_static": avatar,
        "header": header,
        "header_static": header,
        "followers_count": followers,
        "following_count": following,
        "statuses_count": statuses,
        "last_status_at": last.map(|t| t.format("%Y-%m-%d").to_string()),
        "hide_collections": false,
        "noindex": !a.discoverable,
        "emojis": [],
        "roles": [],
        "fields": [],
    }))
}

/// The signed-in member's own Account, with `source` (what verify_credentials returns).
pub async fn credential_account(state: &AppState, a: &ActorRow) -> anyhow::Result<Value> {
    let mut v = account(state, a).await?;
    v["source"] = json!({
        "privacy": "public",
        "sensitive": false,
        "language": null,
        "note": a.summary_source,
        "fields": [],
        "follow_requests_count": follows::pending_actors(&state.db, a.id).await?.len(),
        "discoverable": a.discoverable,
        "indexable": a.discoverable,
        "hide_collections": false,
        "attribution_domains": [],
    });
    Ok(v)
}

/// Mastodon's visibility names for ours.
pub fn visibility(v: &str) -> &'static str {
    match v {
        "public" => "public",
        "unlisted" => "unlisted",
        "members" => "private",
        _ => "direct",
    }
}

/// A post as a Mastodon Status, seen by `viewer`.
pub async fn status(state: &AppState, p: &PostRow, viewer: Option<&ActorRow>) -> anyhow::Result<Value> {
    let author = actors::find_by_id(&state.db, p.author_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("post without author"))?;
    let parent = match &p.in_reply_to {
        Some(id) => posts::find_by_ap_id(&state.db, id).await?,
        None => None,
    };
    let tags: Value = serde_json::from_str(&p.tags).unwrap_or(json!([]));
    let mut mentions = Vec::new();
    let mut hashtags = Vec::new();
    for t in tags.as_array().into_iter().flatten() {
        if t["type"] == "Mention"
            && let Some(a) = actors::find_by_ap_id(&state.db, t["href"].as_str().unwrap_or_default()).await?
        {
            mentions.push(json!({ "id": a.id.to_string(), "username": a.username, "acct": acct(&a), "url": a.url.clone().unwrap_or(a.ap_id.clone()) }));
        } else if t["type"] == "Hashtag" {
            let name = t["name"]
                .as_str()
                .unwrap_or_default()
                .trim_start_matches('#')
                .to_lowercase();
            hashtags.push(json!({ "name": name, "url": state.urls.tag(&name) }));
        }
    }
    let reacted = |kind: &'static str| async move {
        match viewer {
            Some(v) => count(
                state,
                &format!(
                    "SELECT COUNT(*) FROM reactions WHERE post_id = $1 AND kind = '{kind}' AND actor_id = {}",
                    v.id
                ),
                p.id,
            )
            .await
            .map(|n| n > 0),
            None => Ok(false),
        }
    };
    // A titled post shows its title first, as Mastodon shows Lemmy posts.
    let content = match &p.title {
        Some(t) => format!(
            "<p><strong>{}</strong></p>{}",
            crate::text::escape_html(t),
            p.content_html
        ),
        None => p.content_html.clone(),
    };
    Ok(json!({
        "id": p.id.to_string(),
        "uri": p.ap_id,
        "url": p.url.clone().unwrap_or(p.ap_id.clone()),
        "created_at": api_time(p.published_at),
        "edited_at": p.updated_at.map(api_time),
        "account": account(state, &author).await?,
        "content": content,
        "text": if viewer.is_some_and(|v| v.id == p.author_id) { p.source.clone() } else { None },
        "visibility": visibility(&p.visibility),
        "sensitive": p.sensitive,
        "spoiler_text": "",
        "media_attachments": attachments(state, p).await?,
        "application": null,
        "mentions": mentions,
        "tags": hashtags,
        "emojis": [],
        "reblogs_count": posts::reaction_count(&state.db, p.id, "announce").await?,
        "favourites_count": posts::reaction_count(&state.db, p.id, "like").await?,
        "replies_count": count(state, "SELECT COUNT(*) FROM posts WHERE in_reply_to = (SELECT ap_id FROM posts WHERE id = $1) AND deleted_at IS NULL", p.id).await?,
        "in_reply_to_id": parent.as_ref().map(|x| x.id.to_string()),
        "in_reply_to_account_id": parent.as_ref().map(|x| x.author_id.to_string()),
        "reblog": null,
        "poll": null,
        "card": null,
        "language": null,
        "favourited": reacted("like").await?,
        "reblogged": reacted("announce").await?,
        "muted": false,
                "bookmarked": match viewer {
            Some(v) => posts::is_bookmarked(&state.db, v.id, p.id).await?,
            None => false,
        },
        "pinned": p.pinned_at.is_some(),
        "filtered": [],
    }))
}

/// A group's relay of a post, as a boost by the group (how members see group posts at home).
pub async fn group_boost(
    state: &AppState,
    p: &PostRow,
    group: &ActorRow,
    viewer: Option<&ActorRow>,
) -> anyhow::Result<Value> {
    let inner = status(state, p, viewer).await?;
    let mut wrapper = inner.clone();
    wrapper["account"] = account(state, group).await?;
    wrapper["content"] = json!("");
    wrapper["mentions"] = json!([]);
    wrapper["tags"] = json!([]);
    wrapper["reblog"] = inner;
    Ok(wrapper)
}

pub async fn relationship(state: &AppState, me: &ActorRow, other: &ActorRow) -> anyhow::Result<Value> {
    let out = follows::find(&state.db, me.id, other.id).await?;
    let inbound = follows::find(&state.db, other.id, me.id).await?;
    Ok(json!({
        "id": other.id.to_string(),
        "following": out.as_ref().is_some_and(|f| f.accepted),
        "requested": out.as_ref().is_some_and(|f| !f.accepted),
        "followed_by": inbound.as_ref().is_some_and(|f| f.accepted),
        "requested_by": inbound.as_ref().is_some_and(|f| !f.accepted),
        "showing_reblogs": true,
        "notifying": false,
        "languages": null,
        "blocking": false,
        "blocked_by": false,
        "muting": false,
        "muting_notifications": false,
        "domain_blocking": false,
        "endorsed": false,
        "note": "",
    }))
}

pub async fn notification(state: &AppState, n: &NotificationRow, viewer: &ActorRow) -> anyhow::Result<Option<Value>> {
    let Some(from) = actors::find_by_id(&state.db, n.from_actor_id).await? else {
        return Ok(None);
    };
    let status = match (n.post_id, n.event_id) {
        // What the viewer may no longer see (they left the group since) is not shown.
        (Some(pid), _) => match posts::find_by_id(&state.db, pid).await? {
            Some(p) if crate::services::visibility::may_see_post(state, &p, Some(viewer)).await? => {
                Some(status(state, &p, Some(viewer)).await?)
            }
            _ => return Ok(None),
        },
        (None, Some(eid)) => match crate::storage::events::find(&state.db, eid).await? {
            Some(e) if crate::services::visibility::may_see_event(state, &e, Some(viewer)).await? => {
                Some(event_status(state, &e, Some(viewer)).await?)
            }
            _ => return Ok(None),
        },
        (None, None) => None,
    };
    Ok(Some(json!({
        "id": n.id.to_string(),
        "type": n.kind,
        "group_key": format!("ungrouped-{}", n.id),
        "created_at": api_time(n.created_at),
        "account": account(state, &from).await?,
        "status": status,
    })))
}

/// An event as a Mastodon Status from its group (or organiser), so app users see it: the title,
/// the date and place, the description and a link.
pub async fn event_status(
    state: &AppState,
    e: &crate::storage::events::EventRow,
    _viewer: Option<&ActorRow>,
) -> anyhow::Result<Value> {
    let by = crate::services::events::host(state, e).await?;
    let summary = crate::federation::events::summary(e);
    let link = e.url.clone().unwrap_or_else(|| e.ap_id.clone());
    let content = format!(
        "<p><strong>{}</strong></p><p>{}</p>{}<p><a href=\"{}\">{}</a></p>",
        crate::text::escape_html(&e.title),
        crate::text::escape_html(&summary),
        e.description_html,
        crate::text::escape_html(&link),
        crate::text::escape_html(&link)
    );
    let tags: Vec<Value> = e
        .tag_list()
        .map(|t| json!({ "name": t, "url": state.urls.tag(t) }))
        .collect();
    let mut media = Vec::new();
    if let Some(u) = &e.cover_url {
        let url = if e.visibility == "public" {
            u.clone()
        } else {
            crate::services::media::private_link(state, u).await?
        };
        media.push(crate::services::media::entity(&json!({
            "id": format!("{}-cover", e.id), "type": "image", "url": url, "media_type": e.cover_media_type,
            "description": e.cover_description,
        })));
    }
    Ok(json!({
        "id": e.id.to_string(), "uri": e.ap_id, "url": link, "created_at": api_time(e.created_at), "edited_at": (e.updated_at != e.created_at).then(|| api_time(e.updated_at)),
        "account": account(state, &by).await?, "content": content, "text": null, "visibility": visibility(&e.visibility),
        "sensitive": false, "spoiler_text": "", "media_attachments": media, "application": null, "mentions": [], "tags": tags,
        "emojis": [], "reblogs_count": 0, "favourites_count": 0, "replies_count": 0, "in_reply_to_id": null,
        "in_reply_to_account_id": null, "reblog": null, "poll": null, "card": null, "language": null, "favourited": false,
        "reblogged": false, "muted": false, "bookmarked": false, "pinned": false, "filtered": [],
    }))
}

/// A post's media attachments; files of a post that is not public are linked with a signed,
/// expiring link (the viewer was just found to be in its audience).
async fn attachments(state: &AppState, p: &PostRow) -> anyhow::Result<Vec<Value>> {
    let stored: Value = serde_json::from_str(&p.attachments).unwrap_or(json!([]));
    let mut out = Vec::new();
    for a in stored.as_array().into_iter().flatten() {
        let mut a = a.clone();
        if p.visibility != "public"
            && p.visibility != "unlisted"
            && let Some(url) = a["url"].as_str()
        {
            a["url"] = json!(crate::services::media::private_link(state, url).await?);
        }
        out.push(crate::services::media::entity(&a));
    }
    Ok(out)
}
