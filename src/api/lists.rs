//! `/api/v1/lists…`: a member's lists, who is on them, their timelines, and
//! `/api/v1/accounts/{id}/lists`.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::accounts::actor;
use super::auth::Auth;
use super::entities::account;
use super::model::List;
use super::timelines::{Filtering, render, window};
use super::{ApiError, ApiResult, Body, Page, Q, link_header, paged};
use crate::app::AppState;
use crate::services::lists::{self as service, ListError, Settings};
use crate::storage::actors::{self, ActorRow};
use crate::storage::lists::{self, ListRow};

impl From<ListError> for ApiError {
    fn from(e: ListError) -> Self {
        match e {
            ListError::NotFound => ApiError::not_found(),
            ListError::Invalid(m) => ApiError::unprocessable(m),
            ListError::Internal(e) => e.into(),
        }
    }
}

/// The named converter: a list row as Mastodon's `List`.
pub fn list_entity(l: &ListRow) -> List {
    List {
        id: l.id.to_string(),
        title: l.title.clone(),
        replies_policy: l.replies_policy.clone(),
        exclusive: l.exclusive,
    }
}

fn list_id(id: &str) -> ApiResult<i64> {
    id.parse().map_err(|_| ApiError::not_found())
}

#[derive(Debug, Default, Deserialize)]
pub struct ListForm {
    title: Option<String>,
    replies_policy: Option<String>,
    #[serde(default, deserialize_with = "super::lenient::flag")]
    exclusive: Option<bool>,
}

impl From<ListForm> for Settings {
    fn from(f: ListForm) -> Settings {
        Settings {
            title: f.title,
            replies_policy: f.replies_policy,
            exclusive: f.exclusive,
        }
    }
}

/// `GET /api/v1/lists`
pub async fn index(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<List>>> {
    let me = auth.member("read:lists")?;
    let rows = lists::of_owner(&state.db, me.actor.id).await?;
    Ok(Json(rows.iter().map(list_entity).collect()))
}

/// `POST /api/v1/lists`
pub async fn create(State(state): State<AppState>, auth: Auth, Body(form): Body<ListForm>) -> ApiResult<Json<List>> {
    let me = auth.member("write:lists")?;
    let l = service::create(&state, &me.actor, form.into()).await?;
    Ok(Json(list_entity(&l)))
}

/// `GET /api/v1/lists/{id}`
pub async fn get(State(state): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<List>> {
    let me = auth.member("read:lists")?;
    Ok(Json(list_entity(
        &service::find(&state, &me.actor, list_id(&id)?).await?,
    )))
}

/// `PUT /api/v1/lists/{id}`
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(form): Body<ListForm>,
) -> ApiResult<Json<List>> {
    let me = auth.member("write:lists")?;
    let l = service::update(&state, &me.actor, list_id(&id)?, form.into()).await?;
    Ok(Json(list_entity(&l)))
}

/// `DELETE /api/v1/lists/{id}`
pub async fn delete(State(state): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let me = auth.member("write:lists")?;
    service::delete(&state, &me.actor, list_id(&id)?).await?;
    Ok(Json(json!({})))
}

#[derive(Debug, Default, Deserialize)]
pub struct AccountIds {
    #[serde(default, rename = "account_ids[]", deserialize_with = "super::lenient::ids")]
    brackets: Vec<String>,
    #[serde(default, deserialize_with = "super::lenient::ids")]
    account_ids: Vec<String>,
}

async fn accounts_named(state: &AppState, form: AccountIds, query: AccountIds) -> ApiResult<Vec<ActorRow>> {
    let ids: Vec<String> = [form.brackets, form.account_ids, query.brackets, query.account_ids].concat();
    if ids.is_empty() {
        return Err(ApiError::unprocessable("account_ids is required"));
    }
    if ids.len() > 100 {
        return Err(ApiError::unprocessable("at most 100 accounts at once"));
    }
    let mut out = Vec::with_capacity(ids.len());
    for id in &ids {
        out.push(actor(state, id).await?);
    }
    Ok(out)
}

/// `GET /api/v1/lists/{id}/accounts` (`limit=0`: all of them)
pub async fn accounts(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Q(page): Q<Page>,
) -> ApiResult<Response> {
    let me = auth.member("read:lists")?;
    let l = service::find(&state, &me.actor, list_id(&id)?).await?;
    let limit = if page.limit.as_deref() == Some("0") {
        service::MAX_MEMBERS
    } else {
        page.limit()?
    };
    let rows = lists::members_page(&state.db, l.id, page.max_id()?, page.min_id()?, limit).await?;
    let mut items = Vec::with_capacity(rows.len());
    for (_, actor_id) in &rows {
        if let Some(a) = actors::find_by_id(&state.db, *actor_id).await? {
            items.push(account(&state, &a).await?);
        }
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    Ok(paged(
        items,
        link_header(&state, &format!("/api/v1/lists/{id}/accounts"), &ids, limit),
    ))
}

/// `POST /api/v1/lists/{id}/accounts` (`account_ids[]`)
pub async fn add(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Q(query): Q<AccountIds>,
    Body(form): Body<AccountIds>,
) -> ApiResult<Json<Value>> {
    let me = auth.member("write:lists")?;
    let list = list_id(&id)?;
    service::find(&state, &me.actor, list).await?;
    let who = accounts_named(&state, form, query).await?;
    service::add(&state, &me.actor, list, &who).await?;
    Ok(Json(json!({})))
}

/// `DELETE /api/v1/lists/{id}/accounts` (`account_ids[]`)
pub async fn remove(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Q(query): Q<AccountIds>,
    Body(form): Body<AccountIds>,
) -> ApiResult<Json<Value>> {
    let me = auth.member("write:lists")?;
    let list = list_id(&id)?;
    service::find(&state, &me.actor, list).await?;
    let who = accounts_named(&state, form, query).await?;
    service::remove(&state, &me.actor, list, &who).await?;
    Ok(Json(json!({})))
}

/// `GET /api/v1/accounts/{id}/lists`: my lists that hold this account.
pub async fn of_account(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<List>>> {
    let me = auth.member("read:lists")?;
    let a = actor(&state, &id).await?;
    let rows = lists::holding(&state.db, me.actor.id, a.id).await?;
    Ok(Json(rows.iter().map(list_entity).collect()))
}

/// `GET /api/v1/timelines/list/{id}`
pub async fn timeline(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Q(page): Q<Page>,
) -> ApiResult<Response> {
    let me = auth.member("read:lists")?.actor.clone();
    let l = service::find(&state, &me, list_id(&id)?).await?;
    let limit = page.limit()?;
    let rows = lists::timeline(&state.db, &l, window(&page)?, limit * 2).await?;
    let (items, ids) = render(&state, rows, Some(&me), limit, Filtering::List, |_| None).await?;
    Ok(paged(
        items,
        link_header(&state, &format!("/api/v1/timelines/list/{id}"), &ids, limit),
    ))
}
