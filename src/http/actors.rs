//! Actor documents and profile pages: `/users/{name}`, `/@{name}`, `/actor` and the
//! outbox, followers and following collections.

use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_TYPE, VARY};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use url::Url;

use super::error::{AppError, AppResult};
use super::html;
use super::negotiate::{Wants, wants};
use crate::app::AppState;
use crate::federation::activities::create_or_update;
use crate::federation::actors::local_actor_to_ap;
use crate::federation::collections::{self, PAGE_SIZE, page_count};
use crate::storage::actors::{self, ActorRow};
use crate::storage::{follows, posts};

/// An ActivityPub document with its media type; `Vary: Accept` because the same URL serves HTML.
pub fn activity_json<T: Serialize>(body: &T) -> Response {
    (
        [
            (CONTENT_TYPE, "application/activity+json; charset=utf-8"),
            (VARY, "Accept"),
        ],
        axum::Json(body),
    )
        .into_response()
}

/// A local actor that may be shown: 404 when unknown, 410 when suspended.
async fn visible_local_actor(state: &AppState, name: &str) -> AppResult<ActorRow> {
    let actor = actors::find_local(&state.db, name)
        .await?
        .filter(|a| a.kind == actors::KIND_PERSON)
        .ok_or(AppError::NotFound)?;
    if actor.is_suspended() {
        return Err(AppError::Gone);
    }
    Ok(actor)
}

async fn actor_document(state: &AppState, actor: &ActorRow) -> AppResult<Response> {
    let doc = crate::federation::actors::with_ed25519_key(&state.db, actor, local_actor_to_ap(actor)?).await?;
    Ok(activity_json(&doc))
}

/// `GET /users/{name}`: the actor; browsers are sent to the profile page.
pub async fn person(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let actor = visible_local_actor(&state, &name).await?;
    if wants(&headers) == Wants::Html {
        return Ok(Redirect::to(actor.url.as_deref().unwrap_or(&actor.ap_id)).into_response());
    }
    actor_document(&state, &actor).await
}

/// `GET /@{name}`: the profile page, or the actor for ActivityPub clients.
pub async fn profile(
    State(state): State<AppState>,
    Path(segment): Path<String>,
    headers: HeaderMap,
    ctx: crate::web::Ctx,
    crate::api::Q(q): crate::api::Q<crate::web::feed::Older>,
) -> AppResult<Response> {
    let Some(name) = segment.strip_prefix('@') else {
        return Err(AppError::NotFound);
    };
    if name.contains('@') {
        // Someone on another server, as this node knows them: a page for browsers only.
        return Ok(crate::web::feed::remote_profile(&state, &ctx, name, &q)
            .await
            .into_response());
    }
    if let Some(g) = actors::find_local(&state.db, name)
        .await?
        .filter(|a| a.kind == actors::KIND_GROUP)
    {
        if wants(&headers) == Wants::ActivityJson {
            return super::groups::page(&state, &g, &headers).await;
        }
        return Ok(crate::web::groups::page(&state, &ctx, &g, &q).await.into_response());
    }
    let actor = match visible_local_actor(&state, name).await {
        Ok(actor) => actor,
        Err(AppError::Gone) if wants(&headers) != Wants::ActivityJson => {
            return Ok(html::page(
                StatusCode::GONE,
                "Account suspended",
                "",
                "<p>This account has been suspended.</p>",
            ));
        }
        Err(e) => return Err(e),
    };
    if wants(&headers) == Wants::ActivityJson {
        return actor_document(&state, &actor).await;
    }
    Ok(crate::web::feed::profile(&state, &ctx, &actor, &q)
        .await
        .into_response())
}

/// `GET /actor`: the node's application actor.
pub async fn application(State(state): State<AppState>) -> AppResult<Response> {
    let actor = actors::find_application(&state.db).await?.ok_or(AppError::NotFound)?;
    actor_document(&state, &actor).await
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    pub page: Option<String>,
}

/// The page number asked for: none for the collection itself, 1.. for a page.
pub fn page_number(q: &PageQuery, total: i64) -> AppResult<Option<i64>> {
    let Some(raw) = q.page.as_deref() else { return Ok(None) };
    // `page=true` is Mastodon's spelling of "the first page".
    let n = if raw == "true" {
        1
    } else {
        raw.parse::<i64>()
            .map_err(|_| AppError::BadRequest("page must be a positive number".into()))?
    };
    if n < 1 || n > page_count(total) {
        return Err(AppError::NotFound);
    }
    Ok(Some(n))
}

async fn follow_collection(state: &AppState, name: &str, q: &PageQuery, followers: bool) -> AppResult<Response> {
    let actor = visible_local_actor(state, name).await?;
    let id = Url::parse(
        if followers {
            &actor.followers_url
        } else {
            &actor.following_url
        }
        .as_deref()
        .ok_or(AppError::NotFound)?,
    )
    .map_err(anyhow::Error::from)?;
    let total = follows::count(&state.db, actor.id, followers).await?;
    match page_number(q, total)? {
        None => Ok(activity_json(&collections::collection(&id, total))),
        Some(n) => {
            let ids = follows::page_ids(&state.db, actor.id, followers, PAGE_SIZE, (n - 1) * PAGE_SIZE).await?;
            let items = ids.into_iter().map(serde_json::Value::String).collect();
            Ok(activity_json(&collections::page(&id, n, total, items)))
        }
    }
}

/// `GET /users/{name}/followers[?page=N]`
pub async fn followers(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    follow_collection(&state, &name, &q, true).await
}

/// `GET /users/{name}/following[?page=N]`
pub async fn following(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    follow_collection(&state, &name, &q, false).await
}

/// `GET /users/{name}/outbox[?page=N]`: the member's public posts, newest first, as Create activities.
pub async fn outbox(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let actor = visible_local_actor(&state, &name).await?;
    let id = Url::parse(actor.outbox_url.as_deref().ok_or(AppError::NotFound)?).map_err(anyhow::Error::from)?;
    let total = posts::author_public_count(&state.db, actor.id).await?;
    match page_number(&q, total)? {
        None => Ok(activity_json(&collections::collection(&id, total))),
        Some(n) => {
            let mut items = Vec::new();
            for p in posts::author_public_page(&state.db, actor.id, PAGE_SIZE, (n - 1) * PAGE_SIZE).await? {
                let group = match p.group_id {
                    Some(g) => actors::find_by_id(&state.db, g).await?,
                    None => None,
                };
                let object = crate::services::polls::object(&state, &p, &actor, group.as_ref()).await?;
                items.push(create_or_update(
                    "Create",
                    &format!("{}#create", p.ap_id),
                    &actor.ap_id,
                    &object,
                ));
            }
            Ok(activity_json(&collections::page(&id, n, total, items)))
        }
    }
}
