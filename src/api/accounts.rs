//! `/api/v1/accounts…`: registration, the member's own account, lookups, relationships,
//! follows. Groups are accounts with `group: true`; following one is joining it.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::Value;

use super::auth::{Auth, ClientIp, MaybeAuth};
use super::entities::{account, credential_account, relationship};
use super::model::{Account, Relationship};
use super::{ApiError, ApiResult, Body, Page, Q, link_header, paged};
use crate::app::AppState;
use crate::federation::remote;
use crate::services::accounts::{self as acc, AccountError, RegisterError};
use crate::services::social;
use crate::storage::actors::{self, ActorRow, KIND_GROUP};
use crate::storage::posts;

/// A visible actor by API id: unknown and suspended ones are 404.
pub async fn actor(state: &AppState, id: &str) -> ApiResult<ActorRow> {
    let id: i64 = id.parse().map_err(|_| ApiError::not_found())?;
    actors::find_by_id(&state.db, id)
        .await?
        .filter(|a| !a.is_suspended() && a.kind != actors::KIND_APPLICATION)
        .ok_or_else(ApiError::not_found)
}

#[derive(Debug, Deserialize, Default)]
pub struct Registration {
    username: Option<String>,
    email: Option<String>,
    password: Option<String>,
    #[serde(default, deserialize_with = "super::lenient::flag")]
    agreement: Option<bool>,
    reason: Option<String>,
}

fn validation(e: AccountError) -> ApiError {
    match e {
        AccountError::Internal(e) => e.into(),
        other => ApiError::unprocessable(format!("Validation failed: {other}")),
    }
}

/// `POST /api/v1/accounts`: registration, as the node's mode allows.
pub async fn register(
    State(state): State<AppState>,
    auth: Auth,
    ClientIp(ip): ClientIp,
    Body(r): Body<Registration>,
) -> ApiResult<Json<Value>> {
    auth.require("write:accounts")?;
    let account = acc::register(
        &state,
        ip,
        acc::Registration {
            username: r.username.unwrap_or_default(),
            email: r.email.unwrap_or_default(),
            password: r.password.unwrap_or_default(),
            agreement: r.agreement == Some(true),
            reason: r.reason,
        },
    )
    .await
    .map_err(|e| match e {
        RegisterError::Closed | RegisterError::InviteOnly => ApiError::forbidden(e.to_string()),
        RegisterError::TooMany => ApiError::new(StatusCode::TOO_MANY_REQUESTS, e.to_string()),
        RegisterError::Account(e) => validation(e),
        e => ApiError::unprocessable(format!("Validation failed: {e}")),
    })?;
    let scopes = super::auth::parse_scopes(&auth.token.scopes).unwrap_or_else(|_| "read".into());
    Ok(Json(
        super::oauth::issue_token(&state, auth.token.app_id, Some(account.user.id), &scopes).await?,
    ))
}

/// `GET /api/v1/accounts/verify_credentials`
pub async fn verify_credentials(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Account>> {
    let me = auth.member("read:accounts")?;
    Ok(Json(credential_account(&state, &me.actor).await?))
}

#[derive(Debug, Deserialize)]
pub struct LookupQuery {
    acct: Option<String>,
}

/// `GET /api/v1/accounts/lookup?acct=name[@domain]` (known accounts only; search resolves).
pub async fn lookup(State(state): State<AppState>, Q(q): Q<LookupQuery>) -> ApiResult<Json<Account>> {
    let acct = q.acct.unwrap_or_default();
    let acct = acct.trim().trim_start_matches('@');
    let (name, domain) = acct.split_once('@').unwrap_or((acct, ""));
    let found = if domain.is_empty() || domain.eq_ignore_ascii_case(&state.config.domain) {
        actors::find_local(&state.db, name).await?
    } else {
        actors::find_remote(&state.db, name, &domain.to_ascii_lowercase()).await?
    };
    let a = found
        .filter(|a| !a.is_suspended() && a.kind != actors::KIND_APPLICATION)
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(account(&state, &a).await?))
}

/// `GET /api/v1/accounts/{id}`
pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<Account>> {
    let a = actor(&state, &id).await?;
    Ok(Json(account(&state, &a).await?))
}

#[derive(Debug, Deserialize, Default)]
pub struct Ids {
    #[serde(rename = "id[]", default)]
    ids: Vec<String>,
    #[serde(default)]
    id: Vec<String>,
}

/// `GET /api/v1/accounts/relationships?id[]=…`
pub async fn relationships(
    State(state): State<AppState>,
    auth: Auth,
    Q(q): Q<Ids>,
) -> ApiResult<Json<Vec<Relationship>>> {
    let me = auth.member("read:follows")?;
    let filters = crate::services::visibility::Filters::load(&state, &me.actor).await?;
    let mut out = Vec::new();
    for id in q.ids.iter().chain(q.id.iter()).take(40) {
        if let Ok(other) = actor(&state, id).await {
            out.push(super::entities::relationship_with(&state, &me.actor, &other, &filters).await?);
        }
    }
    Ok(Json(out))
}

/// `GET /api/v1/accounts/{id}/statuses`: a member's posts, or the posts in a group.
pub async fn statuses(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    Path(id): Path<String>,
    Q(page): Q<Page>,
) -> ApiResult<Response> {
    let a = actor(&state, &id).await?;
    let viewer = auth.as_ref().and_then(|x| x.account.as_ref()).map(|x| x.actor.clone());
    let limit = page.limit()?;
    // A group's page leaves out the people the viewer blocks and mutes; a person's does not.
    let (which, filtering) = if a.kind == KIND_GROUP {
        (posts::Timeline::Group(a.id), super::timelines::Filtering::Feed)
    } else {
        (posts::Timeline::Author(a.id), super::timelines::Filtering::Profile)
    };
    let rows = posts::timeline(&state.db, &which, super::timelines::window(&page)?, limit * 3).await?;
    let (items, ids) = super::timelines::render(&state, rows, viewer.as_ref(), limit, filtering, |_| None).await?;
    Ok(paged(
        items,
        link_header(&state, &format!("/api/v1/accounts/{id}/statuses"), &ids, limit),
    ))
}

async fn follow_list(
    state: &AppState,
    id: &str,
    viewer: Option<&ActorRow>,
    page: &Page,
    followers: bool,
) -> ApiResult<Response> {
    let a = actor(state, id).await?;
    if !crate::services::visibility::may_list_connections(state, &a, viewer).await? {
        // As the ActivityPub collection does: nothing is there for outsiders.
        return Err(ApiError::not_found());
    }
    let limit = page.limit()?;
    let rows = crate::storage::follows::page(&state.db, a.id, followers, page.max_id()?, page.min_id()?, limit).await?;
    let mut items = Vec::new();
    for (_, actor_id) in &rows {
        if let Some(x) = actors::find_by_id(&state.db, *actor_id).await? {
            items.push(account(state, &x).await?);
        }
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let path = format!(
        "/api/v1/accounts/{id}/{}",
        if followers { "followers" } else { "following" }
    );
    Ok(paged(items, link_header(state, &path, &ids, limit)))
}

/// `GET /api/v1/accounts/{id}/followers`
pub async fn followers(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    Path(id): Path<String>,
    Q(page): Q<Page>,
) -> ApiResult<Response> {
    let viewer = auth.as_ref().and_then(|a| a.account.as_ref()).map(|a| a.actor.clone());
    follow_list(&state, &id, viewer.as_ref(), &page, true).await
}

/// `GET /api/v1/accounts/{id}/following`
pub async fn following(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    Path(id): Path<String>,
    Q(page): Q<Page>,
) -> ApiResult<Response> {
    let viewer = auth.as_ref().and_then(|a| a.account.as_ref()).map(|a| a.actor.clone());
    follow_list(&state, &id, viewer.as_ref(), &page, false).await
}

/// `POST /api/v1/accounts/{id}/follow`: follow a person, or join a group (a request for
/// members-only groups, which a steward answers).
pub async fn follow(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Relationship>> {
    let me = auth.member("write:follows")?;
    let target = actor(&state, &id).await?;
    social::follow(&state, &me.actor, &target).await.map_err(|e| match e {
        social::SocialError::Refused(m) => ApiError::forbidden(m),
        social::SocialError::Internal(e) => e.into(),
    })?;
    Ok(Json(relationship(&state, &me.actor, &target).await?))
}

/// `POST /api/v1/accounts/{id}/unfollow`
pub async fn unfollow(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Relationship>> {
    let me = auth.member("write:follows")?;
    let target = actor(&state, &id).await?;
    social::unfollow(&state, &me.actor, &target)
        .await
        .map_err(|e| match e {
            social::SocialError::Refused(m) => ApiError::forbidden(m),
            social::SocialError::Internal(e) => e.into(),
        })?;
    Ok(Json(relationship(&state, &me.actor, &target).await?))
}

/// Resolves `name@domain` for search: known, or looked up with WebFinger when `resolve`.
pub async fn resolve(state: &AppState, handle: &str, fetch: bool) -> Option<ActorRow> {
    let h = handle.trim().trim_start_matches('@');
    let (name, domain) = h.split_once('@')?;
    if domain.eq_ignore_ascii_case(&state.config.domain) {
        return actors::find_local(&state.db, name).await.ok().flatten();
    }
    if let Ok(Some(a)) = actors::find_remote(&state.db, name, &domain.to_ascii_lowercase()).await {
        return Some(a);
    }
    if !fetch {
        return None;
    }
    remote::resolve_handle(state, h).await.ok()
}

/// `GET /api/v1/accounts/search?q=…[&resolve=true]`
pub async fn search(
    state: State<AppState>,
    auth: MaybeAuth,
    Q(q): Q<super::misc::SearchQuery>,
) -> ApiResult<Json<Value>> {
    let Json(result) = super::misc::search(state, auth, Q(q.accounts_only())).await?;
    Ok(Json(result["accounts"].clone()))
}

#[derive(Debug, Deserialize, Default)]
pub struct ProfileForm {
    display_name: Option<String>,
    note: Option<String>,
    #[serde(default, deserialize_with = "super::lenient::flag")]
    locked: Option<bool>,
    #[serde(default, deserialize_with = "super::lenient::flag")]
    discoverable: Option<bool>,
}

/// `PATCH /api/v1/accounts/update_credentials`: a form, JSON, or multipart with `avatar`/`header` images.
pub async fn update_credentials(
    State(state): State<AppState>,
    auth: Auth,
    req: axum::extract::Request,
) -> ApiResult<Json<Account>> {
    let me = auth.member("write:accounts")?.actor.clone();
    let multipart = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("multipart/form-data"));
    let mut update = acc::ProfileUpdate::default();
    if multipart {
        let mut form = <axum::extract::Multipart as axum::extract::FromRequest<AppState>>::from_request(req, &state)
            .await
            .map_err(|e| ApiError::unprocessable(format!("Invalid upload: {e}")))?;
        while let Some(field) = form
            .next_field()
            .await
            .map_err(|e| ApiError::unprocessable(format!("Invalid upload: {e}")))?
        {
            let name = field.name().unwrap_or_default().to_owned();
            match name.as_str() {
                "avatar" | "header" => {
                    let bytes = field
                        .bytes()
                        .await
                        .map_err(|_| ApiError::unprocessable("File is too large"))?;
                    let m = crate::services::media::upload(&state, me.id, &bytes, "")
                        .await
                        .map_err(|e| match e {
                            crate::services::media::MediaError::Invalid(m) => {
                                ApiError::unprocessable(format!("Validation failed: {m}"))
                            }
                            crate::services::media::MediaError::Internal(e) => e.into(),
                        })?;
                    let url = crate::services::media::url(&state, &m);
                    if name == "avatar" {
                        update.avatar_url = Some(url)
                    } else {
                        update.header_url = Some(url)
                    }
                }
                "display_name" => update.display_name = Some(field.text().await.unwrap_or_default()),
                "note" => update.bio = Some(field.text().await.unwrap_or_default()),
                "locked" => update.locked = super::lenient::truth(&field.text().await.unwrap_or_default()),
                "discoverable" => update.discoverable = super::lenient::truth(&field.text().await.unwrap_or_default()),
                _ => {}
            }
        }
    } else {
        let Body(f) = <Body<ProfileForm> as axum::extract::FromRequest<AppState>>::from_request(req, &state).await?;
        update.display_name = f.display_name;
        update.bio = f.note;
        update.locked = f.locked;
        update.discoverable = f.discoverable;
    }
    let updated = acc::update_profile(&state, &me, update).await.map_err(validation)?;
    Ok(Json(credential_account(&state, &updated).await?))
}
