//! Notifications, follow requests, search, preferences, and the answers for endpoints clients
//! call that Staffroom does not serve yet (`200 []` for lists, 404 for anything else).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::accounts::{actor, resolve};
use super::auth::{Auth, MaybeAuth};
use super::entities::{account, notification, relationship, status};
use super::model::{Account, Notification, Relationship};
use super::{ApiError, ApiResult, Page, Q, link_header, paged};
use crate::app::AppState;
use crate::services::groups::{self, Moderation};
use crate::storage::actors::KIND_GROUP;
use crate::storage::{follows, notifications, posts};

#[derive(Debug, Deserialize, Default)]
pub struct NotificationQuery {
    #[serde(flatten)]
    page: Page,
    #[serde(rename = "types[]", default)]
    types: Vec<String>,
    #[serde(rename = "exclude_types[]", default)]
    exclude_types: Vec<String>,
}

/// `GET /api/v1/notifications` with `types[]` and `exclude_types[]`.
pub async fn notifications(
    State(state): State<AppState>,
    auth: Auth,
    Q(q): Q<NotificationQuery>,
) -> ApiResult<Response> {
    let me = auth.member("read:notifications")?.actor.clone();
    let limit = q.page.limit()?;
    // The kinds are filtered by the query; what the member may no longer see is left out of the
    // page (which may then be shorter: its Link still leads on).
    let types: Vec<String> = q.types.iter().take(20).cloned().collect();
    let exclude: Vec<String> = q.exclude_types.iter().take(20).cloned().collect();
    let rows = notifications::page(
        &state.db,
        me.id,
        q.page.max_id()?,
        q.page.min_id()?,
        limit,
        &types,
        &exclude,
    )
    .await?;
    let last_row = rows.last().map(|n| n.id);
    let (mut ids, items): (Vec<i64>, Vec<Notification>) = super::entities::notifications(&state, &rows, &me)
        .await?
        .into_iter()
        .unzip();
    // The next page starts below the last row read, even when that row was left out.
    if let (Some(last), Some(l)) = (ids.last_mut(), last_row) {
        *last = (*last).min(l);
    }
    Ok(paged(items, link_header(&state, "/api/v1/notifications", &ids, limit)))
}

pub async fn notification_by_id(state: &AppState, auth: &Auth, id: &str) -> ApiResult<Notification> {
    let me = auth.member("read:notifications")?;
    let id: i64 = id.parse().map_err(|_| ApiError::not_found())?;
    let n = notifications::find(&state.db, me.actor.id, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    notification(state, &n, &me.actor)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// `GET /api/v1/notifications/{id}`
pub async fn notification_get(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Notification>> {
    Ok(Json(notification_by_id(&state, &auth, &id).await?))
}

/// `POST /api/v1/notifications/{id}/dismiss`
pub async fn dismiss_notification(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let me = auth.member("write:notifications")?;
    let id: i64 = id.parse().map_err(|_| ApiError::not_found())?;
    notifications::dismiss(&state.db, me.actor.id, Some(id)).await?;
    Ok(Json(json!({})))
}

/// `POST /api/v1/notifications/clear`
pub async fn clear_notifications(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Value>> {
    let me = auth.member("write:notifications")?;
    notifications::dismiss(&state.db, me.actor.id, None).await?;
    Ok(Json(json!({})))
}

/// Who the member answers follow requests for: themselves, and the local groups they steward.
async fn answerable(
    state: &AppState,
    me: &crate::storage::actors::ActorRow,
) -> ApiResult<Vec<crate::storage::actors::ActorRow>> {
    let mut targets = vec![me.clone()];
    for gid in crate::storage::groups::moderated_by(&state.db, me.id).await? {
        if let Some(g) = crate::storage::actors::find_by_id(&state.db, gid).await? {
            targets.push(g);
        }
    }
    Ok(targets)
}

/// `GET /api/v1/follow_requests`: requests to follow the member, and to join the groups they
/// steward (so stewards approve members-only group spaces from their app).
pub async fn follow_requests(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<Account>>> {
    let me = auth.member("read:follows")?;
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for target in answerable(&state, &me.actor).await? {
        for a in follows::pending_actors(&state.db, target.id).await? {
            if seen.insert(a.id) {
                out.push(account(&state, &a).await?);
            }
        }
    }
    Ok(Json(out))
}

/// Accepts or rejects a requester's pending follows of the member and of the groups they steward.
async fn answer(state: &AppState, auth: &Auth, id: &str, accept: bool) -> ApiResult<Relationship> {
    let me = auth.member("write:follows")?;
    let requester = actor(state, id).await?;
    let action = if accept {
        Moderation::Approve
    } else {
        Moderation::Reject
    };
    let mut answered = false;
    for target in answerable(state, &me.actor).await? {
        if follows::find(&state.db, requester.id, target.id)
            .await?
            .is_some_and(|f| !f.accepted)
        {
            // The member answering for a group acts as its steward (and is logged as such).
            let by = (target.id != me.actor.id).then_some(&me.actor);
            groups::moderate(state, &target, &requester, by, action, "")
                .await
                .map_err(|e| ApiError::unprocessable(e.to_string()))?;
            answered = true;
        }
    }
    if !answered {
        return Err(ApiError::not_found());
    }
    Ok(relationship(state, &me.actor, &requester).await?)
}

pub async fn authorize_follow(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Relationship>> {
    Ok(Json(answer(&state, &auth, &id, true).await?))
}

pub async fn reject_follow(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Relationship>> {
    Ok(Json(answer(&state, &auth, &id, false).await?))
}

#[derive(Debug, Deserialize, Default)]
pub struct SearchQuery {
    q: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    resolve: Option<String>,
    limit: Option<String>,
}

impl SearchQuery {
    pub fn accounts_only(mut self) -> SearchQuery {
        self.kind = Some("accounts".into());
        self
    }
}

/// A page of a member's bookmarks or favourites.
async fn listed(state: &AppState, auth: &Auth, page: &Page, source: &'static str, path: &str) -> ApiResult<Response> {
    let me = auth.member("read:statuses")?.actor.clone();
    let limit = page.limit()?;
    let rows = posts::listed(
        &state.db,
        source,
        me.id,
        page.max_id()?.unwrap_or(i64::MAX),
        page.min_id()?.unwrap_or(0),
        limit,
    )
    .await?;
    let mut items = Vec::new();
    let mut ids = Vec::new();
    for (row_id, post_id) in rows {
        if let Some(p) = posts::find_by_id(&state.db, post_id).await?
            && crate::services::visibility::may_see_post(state, &p, Some(&me)).await?
        {
            items.push(status(state, &p, Some(&me)).await?);
            ids.push(row_id);
        }
    }
    Ok(paged(items, link_header(state, path, &ids, limit)))
}

/// `GET /api/v1/bookmarks`
pub async fn bookmarks(State(state): State<AppState>, auth: Auth, Q(page): Q<Page>) -> ApiResult<Response> {
    listed(
        &state,
        &auth,
        &page,
        "bookmarks WHERE user_id = $1",
        "/api/v1/bookmarks",
    )
    .await
}

/// `GET /api/v1/favourites`
pub async fn favourites(State(state): State<AppState>, auth: Auth, Q(page): Q<Page>) -> ApiResult<Response> {
    listed(
        &state,
        &auth,
        &page,
        "reactions WHERE kind = 'like' AND actor_id = $1",
        "/api/v1/favourites",
    )
    .await
}

/// `GET /api/v2/search`: accounts and groups by `name@domain` (resolved over WebFinger with
/// `resolve=true`, signed in), posts by URL, and local accounts by name.
pub async fn search(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    Q(q): Q<SearchQuery>,
) -> ApiResult<Json<Value>> {
    let viewer = auth.as_ref().and_then(|a| a.account.as_ref()).map(|a| a.actor.clone());
    let query = q.q.unwrap_or_default().trim().to_owned();
    if query.len() > 500 {
        return Err(ApiError::bad_request("query too long"));
    }
    let resolve_ok = matches!(q.resolve.as_deref(), Some("true" | "1")) && viewer.is_some();
    let limit: usize = q
        .limit
        .as_deref()
        .and_then(|l| l.parse().ok())
        .unwrap_or(20)
        .clamp(1, 40);
    let want = |k: &str| q.kind.as_deref().is_none_or(|t| t == k);
    let mut accounts = Vec::new();
    let mut statuses = Vec::new();
    if query.starts_with("https://") || query.starts_with("http://") {
        if want("statuses")
            && let Some(p) = posts::find_by_ap_id(&state.db, &query).await?
            && crate::services::visibility::may_see_post(&state, &p, viewer.as_ref()).await?
        {
            statuses.push(status(&state, &p, viewer.as_ref()).await?);
        }
        if want("accounts")
            && let Ok(url) = url::Url::parse(&query)
        {
            let found = match crate::storage::actors::find_by_ap_id(&state.db, url.as_str()).await? {
                Some(a) => Some(a),
                None if resolve_ok => crate::federation::remote::resolve_actor(&state, &url).await.ok(),
                None => None,
            };
            if let Some(a) = found {
                accounts.push(account(&state, &a).await?);
            }
        }
    } else if want("accounts") {
        if query.trim_start_matches('@').contains('@') {
            if let Some(a) = resolve(&state, &query, resolve_ok).await
                && !a.is_suspended()
            {
                accounts.push(account(&state, &a).await?);
            }
        } else if !query.is_empty() {
            let name = query.trim_start_matches('@').to_lowercase();
            let rows = crate::storage::actors::search(&state.db, &name, limit as i64).await?;
            for a in rows {
                if a.kind == KIND_GROUP || a.discoverable || a.is_local() {
                    accounts.push(account(&state, &a).await?);
                }
            }
        }
    }
    accounts.truncate(limit);
    Ok(Json(
        json!({ "accounts": accounts, "statuses": statuses, "hashtags": [] }),
    ))
}

/// `GET /api/v1/preferences`
pub async fn preferences(auth: Auth) -> ApiResult<Json<Value>> {
    auth.member("read:accounts")?;
    Ok(Json(json!({
        "posting:default:visibility": "public",
        "posting:default:sensitive": false,
        "posting:default:language": null,
        "reading:expand:media": "default",
        "reading:expand:spoilers": false,
    })))
}

/// Lists clients call that Staffroom does not keep yet.
pub async fn empty_list() -> Json<Value> {
    Json(json!([]))
}

/// The avatar and header shown for accounts without one: a 1×1 grey PNG.
pub async fn default_avatar() -> Response {
    const PNG: &[u8] = &[
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3a, 0x7e, 0x9b, 0x55, 0x00, 0x00, 0x00,
        0x0a, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x68, 0x00, 0x00, 0x00, 0x82, 0x00, 0x81, 0x4c, 0x17, 0xd7,
        0xdf, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];
    (
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        PNG,
    )
        .into_response()
}

/// Any other `/api/…` path: 404 in Mastodon's shape.
pub async fn api_not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "Record not found")
}

#[derive(Debug, Deserialize, Default)]
pub struct MarkerQuery {
    #[serde(rename = "timeline[]", default)]
    timelines: Vec<String>,
}

async fn markers_json(state: &AppState, user_id: i64, timelines: &[String]) -> ApiResult<Value> {
    let mut out = serde_json::Map::new();
    for t in ["home", "notifications"] {
        if !timelines.is_empty() && !timelines.iter().any(|x| x == t) {
            continue;
        }
        if let Some((id, version, at)) = notifications::marker(&state.db, user_id, t).await? {
            out.insert(
                t.into(),
                json!({ "last_read_id": id, "version": version, "updated_at": super::entities::api_time(at) }),
            );
        }
    }
    Ok(Value::Object(out))
}

/// `GET /api/v1/markers?timeline[]=home&timeline[]=notifications`
pub async fn markers(State(state): State<AppState>, auth: Auth, Q(q): Q<MarkerQuery>) -> ApiResult<Json<Value>> {
    let me = auth.member("read:statuses")?;
    Ok(Json(markers_json(&state, me.actor.id, &q.timelines).await?))
}

#[derive(Debug, Deserialize, Default)]
pub struct MarkerUpdate {
    #[serde(rename = "home[last_read_id]")]
    home_form: Option<String>,
    #[serde(rename = "notifications[last_read_id]")]
    notifications_form: Option<String>,
    home: Option<Value>,
    notifications: Option<Value>,
}

/// `POST /api/v1/markers`
pub async fn save_markers(
    State(state): State<AppState>,
    auth: Auth,
    super::Body(u): super::Body<MarkerUpdate>,
) -> ApiResult<Json<Value>> {
    let me = auth.member("write:statuses")?;
    let now = crate::storage::now();
    let home = u
        .home_form
        .or_else(|| u.home.and_then(|h| h["last_read_id"].as_str().map(str::to_owned)));
    let notes = u.notifications_form.or_else(|| {
        u.notifications
            .and_then(|h| h["last_read_id"].as_str().map(str::to_owned))
    });
    for (timeline, id) in [("home", home), ("notifications", notes)] {
        if let Some(id) = id {
            if id.len() > 32 || !id.chars().all(|c| c.is_ascii_digit()) {
                return Err(ApiError::unprocessable("Validation failed: last_read_id must be an id"));
            }
            notifications::set_marker(&state.db, me.actor.id, timeline, &id, now).await?;
        }
    }
    Ok(Json(markers_json(&state, me.actor.id, &[]).await?))
}

#[derive(Debug, Deserialize, Default)]
pub struct UnreadQuery {
    limit: Option<String>,
}

/// `GET /api/v1/notifications/unread_count`: notifications since the member's notifications
/// marker (all of them without one), counted up to `limit` (100 by default, at most 1,000).
pub async fn unread_count(State(state): State<AppState>, auth: Auth, Q(q): Q<UnreadQuery>) -> ApiResult<Json<Value>> {
    let me = auth.member("read:notifications")?;
    let limit = match q.limit.as_deref().filter(|l| !l.is_empty()) {
        Some(l) => l
            .parse::<i64>()
            .map_err(|_| ApiError::bad_request("limit must be a number"))?
            .clamp(1, 1000),
        None => 100,
    };
    let after = notifications::marker(&state.db, me.actor.id, "notifications")
        .await?
        .and_then(|(id, _, _)| id.parse::<i64>().ok())
        .unwrap_or(0);
    let count = notifications::count_after(&state.db, me.actor.id, after, limit).await?;
    Ok(Json(json!({ "count": count })))
}
