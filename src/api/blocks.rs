//! Blocks, mutes and domain blocks: `/api/v1/accounts/{id}/{block,unblock,mute,unmute}`,
//! `/api/v1/blocks`, `/api/v1/mutes`, `/api/v1/domain_blocks`.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::accounts::actor;
use super::auth::Auth;
use super::entities::{account, relationship};
use super::model::Relationship;
use super::{ApiError, ApiResult, Body, Page, Q, link_header, paged};
use crate::app::AppState;
use crate::services::blocks as service;
use crate::services::social::SocialError;
use crate::storage::{actors, blocks};

fn refused(e: SocialError) -> ApiError {
    match e {
        SocialError::Refused(m) => ApiError::unprocessable(m),
        SocialError::Internal(e) => e.into(),
    }
}

/// `POST /api/v1/accounts/{id}/block`
pub async fn block(State(state): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Relationship>> {
    let me = auth.member("write:blocks")?;
    let target = actor(&state, &id).await?;
    service::block(&state, &me.actor, &target).await.map_err(refused)?;
    Ok(Json(relationship(&state, &me.actor, &target).await?))
}

/// `POST /api/v1/accounts/{id}/remove_from_followers`
pub async fn remove_from_followers(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Relationship>> {
    let me = auth.member("write:follows")?;
    let follower = actor(&state, &id).await?;
    service::remove_follower(&state, &me.actor, &follower)
        .await
        .map_err(refused)?;
    Ok(Json(relationship(&state, &me.actor, &follower).await?))
}

/// `POST /api/v1/accounts/{id}/unblock`
pub async fn unblock(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Relationship>> {
    let me = auth.member("write:blocks")?;
    let target = actor(&state, &id).await?;
    service::unblock(&state, &me.actor, &target).await.map_err(refused)?;
    Ok(Json(relationship(&state, &me.actor, &target).await?))
}

#[derive(Debug, Default, Deserialize)]
pub struct MuteForm {
    /// Whether their notifications are muted too (Mastodon's default: yes).
    #[serde(default, deserialize_with = "super::lenient::flag")]
    notifications: Option<bool>,
    /// Seconds; 0 or absent: until unmuted.
    #[serde(default, deserialize_with = "super::lenient::number")]
    duration: Option<i64>,
}

/// `POST /api/v1/accounts/{id}/mute`
pub async fn mute(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(form): Body<MuteForm>,
) -> ApiResult<Json<Relationship>> {
    let me = auth.member("write:mutes")?;
    let target = actor(&state, &id).await?;
    let duration = match form.duration {
        Some(s) if s < 0 => return Err(ApiError::unprocessable("duration is a number of seconds")),
        Some(s) => Some(chrono::Duration::seconds(s.min(service::MAX_MUTE.num_seconds() + 1))),
        None => None,
    };
    service::mute(&state, &me.actor, &target, form.notifications.unwrap_or(true), duration)
        .await
        .map_err(refused)?;
    Ok(Json(relationship(&state, &me.actor, &target).await?))
}

/// `POST /api/v1/accounts/{id}/unmute`
pub async fn unmute(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Relationship>> {
    let me = auth.member("write:mutes")?;
    let target = actor(&state, &id).await?;
    service::unmute(&state, &me.actor, &target).await.map_err(refused)?;
    Ok(Json(relationship(&state, &me.actor, &target).await?))
}

/// `GET /api/v1/blocks`: the accounts I block, latest first.
pub async fn blocked(State(state): State<AppState>, auth: Auth, Q(page): Q<Page>) -> ApiResult<Response> {
    let me = auth.member("read:blocks")?;
    let limit = page.limit()?;
    let rows = blocks::blocks_page(&state.db, me.actor.id, page.max_id()?, page.min_id()?, limit).await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in &rows {
        if let Some(a) = actors::find_by_id(&state.db, r.target_id).await? {
            items.push(account(&state, &a).await?);
        }
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    Ok(paged(items, link_header(&state, "/api/v1/blocks", &ids, limit)))
}

/// `GET /api/v1/mutes`: the accounts I mute, latest first, each with `mute_expires_at`.
pub async fn muted(State(state): State<AppState>, auth: Auth, Q(page): Q<Page>) -> ApiResult<Response> {
    let me = auth.member("read:mutes")?;
    let limit = page.limit()?;
    let rows = blocks::mutes_page(&state.db, me.actor.id, page.max_id()?, page.min_id()?, limit).await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in &rows {
        if let Some(a) = actors::find_by_id(&state.db, r.target_id).await? {
            let mut v = serde_json::to_value(account(&state, &a).await?).map_err(anyhow::Error::from)?;
            v["mute_expires_at"] = json!(r.expires_at.map(super::entities::api_time));
            items.push(v);
        }
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    Ok(paged(items, link_header(&state, "/api/v1/mutes", &ids, limit)))
}

/// `GET /api/v1/domain_blocks`: the domains I hide, as strings.
pub async fn domains(State(state): State<AppState>, auth: Auth, Q(page): Q<Page>) -> ApiResult<Response> {
    let me = auth.member("read:blocks")?;
    let limit = page.limit()?;
    let rows = blocks::domains_page(&state.db, me.actor.id, page.max_id()?, page.min_id()?, limit).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let items: Vec<String> = rows.into_iter().map(|r| r.domain).collect();
    Ok(paged(items, link_header(&state, "/api/v1/domain_blocks", &ids, limit)))
}

#[derive(Debug, Default, Deserialize)]
pub struct DomainForm {
    domain: Option<String>,
}

fn domain_of(form: DomainForm, query: DomainForm) -> ApiResult<String> {
    form.domain
        .or(query.domain)
        .filter(|d| !d.trim().is_empty())
        .ok_or_else(|| ApiError::unprocessable("domain is required"))
}

/// `POST /api/v1/domain_blocks` (`domain`, in the body or the query)
pub async fn block_domain(
    State(state): State<AppState>,
    auth: Auth,
    Q(query): Q<DomainForm>,
    Body(form): Body<DomainForm>,
) -> ApiResult<Json<Value>> {
    let me = auth.member("write:blocks")?;
    let domain = domain_of(form, query)?;
    service::block_domain(&state, &me.actor, &domain)
        .await
        .map_err(refused)?;
    Ok(Json(json!({})))
}

/// `DELETE /api/v1/domain_blocks` (`domain`, in the body or the query)
pub async fn unblock_domain(
    State(state): State<AppState>,
    auth: Auth,
    Q(query): Q<DomainForm>,
    Body(form): Body<DomainForm>,
) -> ApiResult<Json<Value>> {
    let me = auth.member("write:blocks")?;
    let domain = domain_of(form, query)?;
    service::unblock_domain(&state, &me.actor, &domain)
        .await
        .map_err(refused)?;
    Ok(Json(json!({})))
}
