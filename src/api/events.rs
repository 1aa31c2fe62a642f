//! The events JSON API (`/api/staffroom/v1/events…`), described by the OpenAPI document at
//! `/api/staffroom/v1/openapi.json`. Same tokens and scopes as the Mastodon API.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::{Auth, MaybeAuth};
use super::entities::{account, api_time};
use super::{ApiError, ApiResult, Q};
use crate::app::AppState;
use crate::services::events::{self as svc, EventError, NewEvent};
use crate::storage::actors::{self, ActorRow};
use crate::storage::events::{self, EventRow};

pub(super) fn event_error(e: EventError) -> ApiError {
    match e {
        EventError::Invalid(m) => ApiError::unprocessable(format!("Validation failed: {m}")),
        EventError::Refused(m) => ApiError::forbidden(m),
        EventError::Internal(e) => e.into(),
    }
}

async fn entity(state: &AppState, e: &EventRow, viewer: Option<&ActorRow>) -> anyhow::Result<Value> {
    let organizer = actors::find_by_id(&state.db, e.organizer_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("organizer gone"))?;
    let group = match e.group_id {
        Some(g) => actors::find_by_id(&state.db, g).await?,
        None => None,
    };
    let going = events::count(&state.db, e.id, "going").await?;
    let mine = match viewer {
        Some(v) => events::participation(&state.db, e.id, v.id).await?.map(|p| p.state),
        None => None,
    };
    let organiser = match viewer {
        Some(v) => svc::is_organiser(state, e, v).await?,
        None => false,
    };
    let show_link = e.online_url_public || organiser || mine.as_deref() == Some("going");
    Ok(json!({
        "id": e.id.to_string(),
        "uri": e.ap_id,
        "url": e.url,
        "title": e.title,
        "description": e.description_html,
        "starts_at": api_time(e.starts_at),
        "ends_at": e.ends_at.map(api_time),
        "timezone": e.timezone,
        "all_day": e.all_day,
        "place": (e.place_name.is_some() || e.place_address.is_some()).then(|| json!({
            "name": e.place_name, "address": e.place_address, "latitude": e.latitude, "longitude": e.longitude,
        })),
        "online": e.online_url.is_some(),
        "online_url": if show_link { e.online_url.clone() } else { None },
        "category": e.category,
        "status": e.status,
        "join_mode": e.join_mode,
        "external_url": e.external_url,
        "visibility": e.visibility,
        "capacity": e.capacity,
        "remaining_capacity": e.capacity.map(|c| (c as i64 - going).max(0)),
        "participants_count": going,
        "waitlist_count": events::count(&state.db, e.id, "waitlist").await?,
        "series_id": e.series_id.map(|s| s.to_string()),
        "sessions": events::sessions(&state.db, e.id).await?.iter().map(|s| s.id.to_string()).collect::<Vec<_>>(),
        "organizer": account(state, &organizer).await?,
        "group": match &group { Some(g) => Some(account(state, g).await?), None => None },
        "participation": mine,
        "invited": match viewer {
            Some(v) => events::invitation(&state.db, e.id, v.id).await?.is_some(),
            None => false,
        },
        "interested_count": events::count(&state.db, e.id, "interested").await?,
        "tags": e.tag_list().collect::<Vec<_>>(),
        "cover": e.cover_url.as_ref().map(|u| json!({
            "url": u, "media_type": e.cover_media_type, "description": e.cover_description,
        })),
        "attendees_visibility": e.attendees_visibility,
        "ical_url": e.local.then(|| format!("{}.ics", e.ap_id)),
        "local": e.local,
    }))
}

async fn find(state: &AppState, id: &str, viewer: Option<&ActorRow>) -> ApiResult<EventRow> {
    let id: i64 = id.parse().map_err(|_| ApiError::not_found())?;
    let e = events::find(&state.db, id).await?.ok_or_else(ApiError::not_found)?;
    if !crate::services::visibility::may_see_event(state, &e, viewer).await? {
        return Err(ApiError::not_found());
    }
    Ok(e)
}

fn viewer(auth: &Option<Auth>) -> Option<ActorRow> {
    auth.as_ref().and_then(|a| a.account.as_ref()).map(|a| a.actor.clone())
}

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    group: Option<String>,
    from: Option<String>,
    category: Option<String>,
    tag: Option<String>,
    local: Option<String>,
    limit: Option<String>,
}

/// `GET /api/staffroom/v1/events`: upcoming events (from `from`, default now), by start time,
/// filtered by `group`, `category`, `local`.
pub async fn list(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    Q(q): Q<ListQuery>,
) -> ApiResult<Json<Value>> {
    let v = viewer(&auth);
    let from = match q.from.as_deref() {
        Some(f) => chrono::DateTime::parse_from_rfc3339(f)
            .map_err(|_| ApiError::bad_request("from must be an RFC 3339 time"))?
            .with_timezone(&chrono::Utc),
        None => crate::storage::now() - chrono::Duration::hours(12),
    };
    let limit: i64 = q
        .limit
        .as_deref()
        .map(|l| l.parse().map_err(|_| ApiError::bad_request("limit must be a number")))
        .transpose()?
        .unwrap_or(20)
        .clamp(1, 100);
    let group: i64 = match q.group.as_deref() {
        Some(g) => g
            .parse()
            .map_err(|_| ApiError::bad_request("group must be an account id"))?,
        None => -1,
    };
    if let Some(c) = q.category.as_deref()
        && !svc::CATEGORIES.contains(&c)
    {
        return Err(ApiError::bad_request(format!(
            "category must be one of {}",
            svc::CATEGORIES.join(", ")
        )));
    }
    let tag = match q.tag.as_deref() {
        Some(t) => Some(
            crate::services::content::normalize_tag(t).ok_or_else(|| ApiError::bad_request("tag must be a hashtag"))?,
        ),
        None => None,
    };
    let local_only = query_flag(q.local.as_deref(), "local")?;
    let mut out = Vec::new();
    let group = (group >= 0).then_some(group);
    let found = events::upcoming(
        &state.db,
        from,
        group,
        q.category.as_deref(),
        tag.as_deref(),
        local_only,
        limit * 2,
    )
    .await?;
    for e in found {
        // LIKE's `_` matches any character: keep exact tag matches only.
        if tag.as_deref().is_some_and(|t| !e.tag_list().any(|x| x == t)) {
            continue;
        }
        if crate::services::visibility::may_see_event(&state, &e, v.as_ref()).await? {
            out.push(entity(&state, &e, v.as_ref()).await?);
            if out.len() as i64 >= limit {
                break;
            }
        }
    }
    Ok(Json(Value::Array(out)))
}

#[derive(Debug, Deserialize, Default)]
pub struct CreateEvent {
    title: String,
    #[serde(default)]
    description: String,
    starts_at: String,
    ends_at: Option<String>,
    timezone: String,
    #[serde(default)]
    all_day: bool,
    place_name: Option<String>,
    place_address: Option<String>,
    online_url: Option<String>,
    #[serde(default)]
    online_url_public: bool,
    #[serde(default)]
    category: String,
    #[serde(default, deserialize_with = "whole_number")]
    capacity: Option<i32>,
    #[serde(default)]
    join_mode: String,
    external_url: Option<String>,
    #[serde(default)]
    tentative: bool,
    group_id: Option<String>,
    series_id: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    cover_media_id: Option<String>,
    #[serde(default)]
    remove_cover: bool,
    #[serde(default)]
    attendees_visibility: String,
}

/// The service's input from the request body (create and change take the same).
fn new_event(c: CreateEvent) -> ApiResult<NewEvent> {
    Ok(NewEvent {
        title: c.title,
        description: c.description,
        starts: Some(svc::wall_clock(&c.starts_at, c.all_day, false).map_err(event_error)?),
        ends: c
            .ends_at
            .as_deref()
            .map(|e| svc::wall_clock(e, c.all_day, true))
            .transpose()
            .map_err(event_error)?,
        timezone: c.timezone,
        all_day: c.all_day,
        place_name: c.place_name,
        place_address: c.place_address,
        online_url: c.online_url,
        online_url_public: c.online_url_public,
        category: c.category,
        capacity: c.capacity,
        join_mode: c.join_mode,
        external_url: c.external_url,
        tentative: c.tentative,
        series: c
            .series_id
            .as_deref()
            .map(|s| {
                s.parse()
                    .map_err(|_| ApiError::unprocessable("Validation failed: series_id"))
            })
            .transpose()?,
        tags: c.tags,
        cover_media_id: c
            .cover_media_id
            .as_deref()
            .map(|m| {
                m.parse()
                    .map_err(|_| ApiError::unprocessable("Validation failed: cover_media_id"))
            })
            .transpose()?,
        remove_cover: c.remove_cover,
        attendees_visibility: c.attendees_visibility,
    })
}

/// `POST /api/staffroom/v1/events` (JSON).
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    super::Body(c): super::Body<CreateEvent>,
) -> ApiResult<Json<Value>> {
    let me = auth.member("write:statuses")?.actor.clone();
    let group = match c.group_id.as_deref() {
        Some(g) => Some(super::accounts::actor(&state, g).await?),
        None => None,
    };
    let new = new_event(c)?;
    let e = svc::create(&state, &me, group.as_ref(), new)
        .await
        .map_err(event_error)?;
    Ok(Json(entity(&state, &e, Some(&me)).await?))
}

/// `PUT /api/staffroom/v1/events/{id}`: the organisers change an event (same body as create).
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    super::Body(c): super::Body<CreateEvent>,
) -> ApiResult<Json<Value>> {
    let me = auth.member("write:statuses")?.actor.clone();
    let e = find(&state, &id, Some(&me)).await?;
    let new = NewEvent {
        series: None,
        ..new_event(c)?
    };
    let e = svc::update(&state, &e, &me, new).await.map_err(event_error)?;
    Ok(Json(entity(&state, &e, Some(&me)).await?))
}

/// `GET /api/staffroom/v1/events/{id}`
pub async fn get(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let v = viewer(&auth);
    let e = find(&state, &id, v.as_ref()).await?;
    Ok(Json(entity(&state, &e, v.as_ref()).await?))
}

#[derive(Debug, Deserialize, Default)]
pub struct JoinQuery {
    series: Option<String>,
}

/// `POST /api/staffroom/v1/events/{id}/join[?series=true]`: here, or a Join to the organiser on
/// another node; with `series=true`, the course and every session of it.
pub async fn join(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Q(q): Q<JoinQuery>,
) -> ApiResult<Json<Value>> {
    let me = auth.member("write:statuses")?.actor.clone();
    let e = find(&state, &id, Some(&me)).await?;
    if query_flag(q.series.as_deref(), "series")? {
        if !e.local {
            return Err(ApiError::unprocessable(
                "Validation failed: join the sessions of a remote course one by one",
            ));
        }
        svc::admit_series(&state, &e, &me).await.map_err(event_error)?;
        return Ok(Json(entity(&state, &e, Some(&me)).await?));
    }
    if e.local {
        svc::admit(&state, &e, &me, None).await
    } else {
        svc::join_remote(&state, &e, &me).await
    }
    .map_err(event_error)?;
    Ok(Json(entity(&state, &e, Some(&me)).await?))
}

/// `POST /api/staffroom/v1/events/{id}/leave`
pub async fn leave(State(state): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let me = auth.member("write:statuses")?.actor.clone();
    let e = find(&state, &id, Some(&me)).await?;
    if e.local {
        svc::leave(&state, &e, &me).await.map_err(event_error)?;
    } else {
        svc::leave_remote(&state, &e, &me).await.map_err(event_error)?;
    }
    Ok(Json(entity(&state, &e, Some(&me)).await?))
}

/// `GET /api/staffroom/v1/events/{id}/participants`: for the organisers.
pub async fn participants(State(state): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let me = auth.member("read:statuses")?.actor.clone();
    let e = find(&state, &id, Some(&me)).await?;
    if !svc::is_organiser(&state, &e, &me).await? {
        return Err(ApiError::forbidden("only the organisers see the participants"));
    }
    let mut out = Vec::new();
    for s in events::STATES {
        for p in events::participants(&state.db, e.id, s).await? {
            if let Some(a) = actors::find_by_id(&state.db, p.actor_id).await? {
                out.push(json!({ "account": account(&state, &a).await?, "state": s, "since": api_time(p.created_at) }));
            }
        }
    }
    // Invited people who have not answered yet.
    for i in events::invitations(&state.db, e.id).await? {
        if events::participation(&state.db, e.id, i.actor_id).await?.is_none()
            && let Some(a) = actors::find_by_id(&state.db, i.actor_id).await?
        {
            out.push(
                json!({ "account": account(&state, &a).await?, "state": "invited", "since": api_time(i.created_at) }),
            );
        }
    }
    Ok(Json(Value::Array(out)))
}

/// `GET /api/staffroom/v1/events/{id}/attendees`: the accounts going, for whoever the
/// organiser lets see them (public, participants, or organisers only).
pub async fn attendees(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<super::model::Account>>> {
    let v = viewer(&auth);
    let e = find(&state, &id, v.as_ref()).await?;
    if !svc::may_list_attendees(&state, &e, v.as_ref()).await? {
        return Err(ApiError::forbidden("the organisers keep the list of attendees"));
    }
    let mut out = Vec::new();
    let going = events::participants(&state.db, e.id, "going").await?;
    for p in going.iter().take(svc::MAX_LISTED_ATTENDEES) {
        if let Some(a) = actors::find_by_id(&state.db, p.actor_id).await? {
            out.push(account(&state, &a).await?);
        }
    }
    Ok(Json(out))
}

/// `POST /api/staffroom/v1/events/{id}/interested`: maybe; no place is taken.
pub async fn interested(State(state): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let me = auth.member("write:statuses")?.actor.clone();
    let e = find(&state, &id, Some(&me)).await?;
    svc::interested(&state, &e, &me, None).await.map_err(event_error)?;
    Ok(Json(entity(&state, &e, Some(&me)).await?))
}

#[derive(Debug, Deserialize, Default)]
pub struct InviteBody {
    account_id: String,
}

/// `POST /api/staffroom/v1/events/{id}/invite` with `account_id`: the organisers invite
/// someone (an account here, or one resolved from another node).
pub async fn invite(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    super::Body(b): super::Body<InviteBody>,
) -> ApiResult<Json<Value>> {
    let me = auth.member("write:statuses")?.actor.clone();
    let e = find(&state, &id, Some(&me)).await?;
    let who = super::accounts::actor(&state, &b.account_id).await?;
    svc::invite(&state, &e, &me, &who).await.map_err(event_error)?;
    Ok(Json(entity(&state, &e, Some(&me)).await?))
}

/// `DELETE /api/staffroom/v1/events/{id}`: the organisers delete an event (a course with its
/// sessions); answers the event as it was, like Mastodon's status deletion.
pub async fn delete(State(state): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let me = auth.member("write:statuses")?.actor.clone();
    let e = find(&state, &id, Some(&me)).await?;
    let before = entity(&state, &e, Some(&me)).await?;
    svc::delete(&state, &e, &me).await.map_err(event_error)?;
    Ok(Json(before))
}

async fn decide(state: AppState, auth: Auth, id: String, account_id: String, accept: bool) -> ApiResult<Json<Value>> {
    let me = auth.member("write:statuses")?.actor.clone();
    let e = find(&state, &id, Some(&me)).await?;
    let who = super::accounts::actor(&state, &account_id).await?;
    svc::decide(&state, &e, &who, &me, accept).await.map_err(event_error)?;
    Ok(Json(entity(&state, &e, Some(&me)).await?))
}

pub async fn approve(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, account_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    decide(state, auth, id, account_id, true).await
}

pub async fn reject(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, account_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    decide(state, auth, id, account_id, false).await
}

/// `POST /api/staffroom/v1/events/{id}/cancel`
pub async fn cancel(State(state): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let me = auth.member("write:statuses")?.actor.clone();
    let e = find(&state, &id, Some(&me)).await?;
    let e = svc::cancel(&state, &e, &me).await.map_err(event_error)?;
    Ok(Json(entity(&state, &e, Some(&me)).await?))
}

/// A boolean query parameter: `true`/`1`/`on`, `false`/`0`/`off` or empty; anything else is a 400.
fn query_flag(v: Option<&str>, name: &str) -> ApiResult<bool> {
    match v {
        None | Some("" | "false" | "0" | "off") => Ok(false),
        Some("true" | "1" | "on") => Ok(true),
        Some(_) => Err(ApiError::bad_request(format!("{name} must be true or false"))),
    }
}

/// A whole number, also written as a JSON float with no fraction (`12.0`), as JSON Schema's
/// `integer` allows.
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    let Some(n) = Option::<f64>::deserialize(d)? else {
        return Ok(None);
    };
    if n.fract() != 0.0 || n < f64::from(i32::MIN) || n > f64::from(i32::MAX) {
        return Err(serde::de::Error::custom("expected a whole number"));
    }
    Ok(Some(n as i32))
}

/// `GET /api/staffroom/v1/openapi.json`: the document, with the time zones this node knows.
pub async fn openapi() -> Response {
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let doc = DOC.get_or_init(|| {
        let mut d: Value = serde_json::from_str(include_str!("events_openapi.json")).expect("valid document");
        let zones: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect();
        d["components"]["schemas"]["NewEvent"]["properties"]["timezone"]["enum"] = serde_json::json!(zones);
        d.to_string()
    });
    ([(CONTENT_TYPE, "application/json")], doc.as_str()).into_response()
}
