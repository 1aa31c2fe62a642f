//! Groups and posts on the web: `/groups/{name}` and its collections, `/posts/{id}`.
//! Members-only content is served only to signed requests from members (authorized fetch);
//! everyone else gets 404, as if it did not exist.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Value, json};
use url::Url;

use super::actors::{PageQuery, activity_json, page_number};
use super::error::{AppError, AppResult};
use super::html;
use super::negotiate::{Wants, wants};
use crate::app::AppState;
use crate::federation::actors::local_group_to_ap;
use crate::federation::collections::{self, PAGE_SIZE};
use crate::federation::{ACTIVITY_JSON, activities, inbox};
use crate::services::groups;
use crate::storage::actors::{self, ActorRow, KIND_GROUP};
use crate::storage::groups::GroupRow;
use crate::storage::{follows, posts};
use crate::text::escape_html;

async fn group(state: &AppState, name: &str) -> AppResult<(ActorRow, GroupRow)> {
    groups::find_local(state, name).await.map_err(|e| match e {
        groups::GroupError::NotFound(_) => AppError::NotFound,
        other => AppError::Internal(other.into()),
    })
}

/// Whether the request is signed by a member (or steward) of the group, or by the group itself.
pub async fn signed_by_member(
    state: &AppState,
    group: &ActorRow,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> AppResult<bool> {
    let Ok(Some(signer)) = inbox::verify_signed(state, method, uri, headers, None).await else {
        return Ok(false);
    };
    Ok(crate::services::visibility::in_group(state, group.id, &signer).await?)
}

/// Whether a request for a members-only post of ours is signed by someone in its group's space:
/// known here, or, for a group on another node, listed as a member by the group's own host (asked
/// as the post's author, who is a member): how a member on a third node confirms a post the group
/// relayed to it (FEDERATION.md, the relay rule).
async fn signed_by_member_of_post_group(
    state: &AppState,
    group: &ActorRow,
    author: &ActorRow,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> AppResult<bool> {
    let Ok(Some(signer)) = inbox::verify_signed(state, method, uri, headers, None).await else {
        return Ok(false);
    };
    if crate::services::visibility::in_group(state, group.id, &signer).await? {
        return Ok(true);
    }
    if group.is_local()
        || signer.is_local()
        || !author.is_local()
        || !crate::services::visibility::in_group(state, group.id, author).await?
    {
        return Ok(false);
    }
    Ok(
        crate::federation::remote::group_lists_member(state, group, &signer.ap_id, author)
            .await
            .unwrap_or_else(|e| {
                tracing::info!(group = %group.ap_id, error = %e, "member list not read");
                false
            }),
    )
}

async fn require_member(
    state: &AppState,
    g: &ActorRow,
    row: &GroupRow,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> AppResult<()> {
    if row.members_only() && !signed_by_member(state, g, method, uri, headers).await? {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// `GET /groups/{name}`: the Group actor; browsers go to the group page.
pub async fn actor(State(state): State<AppState>, Path(name): Path<String>, headers: HeaderMap) -> AppResult<Response> {
    let (g, row) = group(&state, &name).await?;
    if wants(&headers) == Wants::Html {
        return Ok(Redirect::to(g.url.as_deref().unwrap_or(&g.ap_id)).into_response());
    }
    let doc = crate::federation::actors::with_ed25519_key(&state.db, &g, local_group_to_ap(&g, &row)?).await?;
    Ok(activity_json(&doc))
}

/// The HTML page of a group at `/@{name}`: what it is, and its recent posts when public.
pub async fn page(state: &AppState, g: &ActorRow, headers: &HeaderMap) -> AppResult<Response> {
    let row = crate::storage::groups::find(&state.db, g.id)
        .await?
        .ok_or(AppError::NotFound)?;
    if wants(headers) == Wants::ActivityJson {
        let doc = crate::federation::actors::with_ed25519_key(&state.db, g, local_group_to_ap(g, &row)?).await?;
        return Ok(activity_json(&doc));
    }
    let members = follows::count(&state.db, g.id, true).await?;
    let handle = format!("@{}@{}", g.username, state.config.domain);
    let name = if g.display_name.is_empty() {
        &g.username
    } else {
        &g.display_name
    };
    let mut body = format!(
        "<header><h1>{}</h1><p class=\"handle\">{} · {} · {members} members</p></header>\n<section>{}</section>\n\
         <p>Join from any fediverse app by following <strong>{}</strong>{}.</p>\n",
        escape_html(name),
        escape_html(&handle),
        if row.members_only() {
            "members-only group space"
        } else {
            "public group"
        },
        g.summary_html,
        escape_html(&handle),
        if row.members_only() {
            " (a steward approves each request)"
        } else {
            ""
        },
    );
    if !row.members_only() {
        for p in posts::group_page(&state.db, g.id, 20, 0).await? {
            let title = p
                .title
                .as_deref()
                .map(|t| format!("<h2>{}</h2>", escape_html(t)))
                .unwrap_or_default();
            body.push_str(&format!(
                "<article>{title}{}<p><a href=\"{}\">{}</a></p></article>\n",
                p.content_html,
                escape_html(&p.ap_id),
                p.published_at.format("%Y-%m-%d %H:%M UTC")
            ));
        }
    }
    let head = format!(
        "<link rel=\"alternate\" type=\"{ACTIVITY_JSON}\" href=\"{}\">",
        escape_html(&g.ap_id)
    );
    Ok(html::page(StatusCode::OK, &format!("{name} ({handle})"), &head, &body))
}

/// `GET /groups/{name}/followers`: members. Public groups show only the count (as Lemmy does);
/// members-only groups list their members to members.
pub async fn followers(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<PageQuery>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (g, row) = group(&state, &name).await?;
    require_member(&state, &g, &row, &method, &uri, &headers).await?;
    let id = Url::parse(g.followers_url.as_deref().ok_or(AppError::NotFound)?).map_err(anyhow::Error::from)?;
    let total = follows::count(&state.db, g.id, true).await?;
    if !row.members_only() {
        let mut c = collections::collection(&id, total);
        c.first = None;
        c.last = None;
        return Ok(activity_json(&c));
    }
    match page_number(&q, total)? {
        None => Ok(activity_json(&collections::collection(&id, total))),
        Some(n) => {
            let ids = follows::page_ids(&state.db, g.id, true, PAGE_SIZE, (n - 1) * PAGE_SIZE).await?;
            Ok(activity_json(&collections::page(
                &id,
                n,
                total,
                ids.into_iter().map(Value::String).collect(),
            )))
        }
    }
}

/// `GET /groups/{name}/outbox`: the group's recent posts, as the Create activities it relayed.
pub async fn outbox(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<PageQuery>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (g, row) = group(&state, &name).await?;
    require_member(&state, &g, &row, &method, &uri, &headers).await?;
    let id = Url::parse(g.outbox_url.as_deref().ok_or(AppError::NotFound)?).map_err(anyhow::Error::from)?;
    let total = posts::group_count(&state.db, g.id).await?;
    match page_number(&q, total)? {
        None => Ok(activity_json(&collections::collection(&id, total))),
        Some(n) => {
            let mut items = Vec::new();
            for p in posts::group_page(&state.db, g.id, PAGE_SIZE, (n - 1) * PAGE_SIZE).await? {
                let Some(author) = actors::find_by_id(&state.db, p.author_id).await? else {
                    continue;
                };
                let object = crate::services::polls::object(&state, &p, &author, Some(&g)).await?;
                items.push(activities::create_or_update(
                    "Create",
                    &format!("{}#create", p.ap_id),
                    &author.ap_id,
                    &object,
                ));
            }
            Ok(activity_json(&collections::page(&id, n, total, items)))
        }
    }
}

/// `GET /groups/{name}/featured`: posts pinned by the stewards.
pub async fn featured(
    State(state): State<AppState>,
    Path(name): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (g, row) = group(&state, &name).await?;
    require_member(&state, &g, &row, &method, &uri, &headers).await?;
    let mut items = Vec::new();
    for p in posts::pinned(&state.db, g.id).await? {
        if let Some(author) = actors::find_by_id(&state.db, p.author_id).await? {
            items.push(crate::services::polls::object(&state, &p, &author, Some(&g)).await?);
        }
    }
    Ok(activity_json(&json!({
        "@context": activities::AS_CONTEXT, "id": g.featured_url, "type": "OrderedCollection",
        "totalItems": items.len(), "orderedItems": items
    })))
}

/// `GET /groups/{name}/moderators`: owners and stewards (Lemmy's `attributedTo` collection).
pub async fn moderators(State(state): State<AppState>, Path(name): Path<String>) -> AppResult<Response> {
    let (g, _) = group(&state, &name).await?;
    let mods = crate::storage::groups::moderators(&state.db, g.id).await?;
    Ok(activity_json(&json!({
        "@context": activities::AS_CONTEXT, "id": format!("{}/moderators", g.ap_id), "type": "OrderedCollection",
        "totalItems": mods.len(), "orderedItems": mods
    })))
}

/// `GET /groups/{name}/modlog`: what stewards did, for members to read.
pub async fn modlog(
    State(state): State<AppState>,
    Path(name): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (g, row) = group(&state, &name).await?;
    require_member(&state, &g, &row, &method, &uri, &headers).await?;
    let entries: Vec<Value> = crate::storage::groups::log_entries(&state.db, g.id, 100)
        .await?
        .into_iter()
        .map(|e| json!({ "action": e.action, "target": e.target, "moderator": e.moderator, "reason": e.reason, "at": crate::federation::protocol::wire_time(e.created_at) }))
        .collect();
    Ok(axum::Json(json!({ "group": g.ap_id, "entries": entries })).into_response())
}

/// `GET /posts/{id}`: a post; members-only posts only for signed requests from members.
pub async fn post(
    State(state): State<AppState>,
    Path(id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let p = posts::find_by_id(&state.db, id)
        .await?
        .filter(|p| p.local)
        .ok_or(AppError::NotFound)?;
    let group = match p.group_id {
        Some(gid) => actors::find_by_id(&state.db, gid)
            .await?
            .filter(|g| g.kind == KIND_GROUP),
        None => None,
    };
    let author = actors::find_by_id(&state.db, p.author_id)
        .await?
        .ok_or(AppError::NotFound)?;
    // A browser reads the post's page, which asks the same visibility rules of its viewer.
    if wants(&headers) == Wants::Html {
        return Ok(Redirect::to(&format!("/@{}/{}", author.username, p.id)).into_response());
    }
    if !p.visibility.is_open() {
        // A group's members-only post: its members, wherever they are; a followers-only or
        // direct post: a signed fetch by someone who may read it (a follower, someone mentioned).
        let allowed = match (&group, p.visibility) {
            (Some(g), crate::model::Visibility::Members) => {
                signed_by_member_of_post_group(&state, g, &author, &method, &uri, &headers).await?
            }
            _ => match inbox::verify_signed(&state, &method, &uri, &headers, None).await {
                Ok(Some(signer)) => crate::services::visibility::may_see_post(&state, &p, Some(&signer)).await?,
                _ => false,
            },
        };
        if !allowed {
            return Err(AppError::NotFound);
        }
    }
    if p.deleted_at.is_some() {
        return Ok((
            StatusCode::GONE,
            activity_json(&json!({ "@context": activities::AS_CONTEXT, "id": p.ap_id, "type": "Tombstone" })),
        )
            .into_response());
    }
    Ok(activity_json(
        &crate::services::polls::object(&state, &p, &author, group.as_ref()).await?,
    ))
}
