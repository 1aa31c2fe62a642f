//! The Mastodon-compatible client API (`/api/v1`, `/api/v2`, `/oauth`): thin handlers that
//! authenticate, parse, call the services and convert rows to Mastodon entities.

pub mod accounts;
pub mod auth;
pub mod blocks;
pub mod conversations;
pub mod entities;
pub mod events;
pub mod filters;
pub mod instance;
pub mod lenient;
pub mod lists;
pub mod media;
pub mod misc;
pub mod model;
pub mod oauth;
pub mod polls;
pub mod reports;
pub mod statuses;
pub mod streaming;
pub mod timelines;

use axum::Json;
use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use crate::app::AppState;

/// An error as Mastodon clients expect it: `{"error": "..."}` with the matching status.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    /// OAuth errors carry a code and a description.
    pub oauth: Option<&'static str>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            oauth: None,
        }
    }
    pub fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "Record not found")
    }
    pub fn unprocessable(m: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, m)
    }
    pub fn bad_request(m: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, m)
    }
    pub fn forbidden(m: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, m)
    }
    pub fn oauth(status: StatusCode, code: &'static str, description: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: description.into(),
            oauth: Some(code),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = match self.oauth {
            Some(code) => json!({ "error": code, "error_description": self.message }),
            None => json!({ "error": self.message }),
        };
        let mut r = (self.status, Json(body)).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            r.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("5"),
            );
        }
        r
    }
}

impl ApiError {
    /// A failure of ours (the database, a bug): logged with its cause, answered 500 with no detail.
    pub fn internal(e: impl Into<anyhow::Error>) -> ApiError {
        let e = e.into();
        if crate::storage::cause_is_unavailable(&e) {
            tracing::warn!(error = %e, "client API: database unavailable");
            return ApiError::unavailable();
        }
        tracing::error!(error = ?e, "client API");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
    }

    /// Our database is busy or unreachable: try again shortly (with `Retry-After`).
    pub fn unavailable() -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "The service is temporarily unavailable; try again shortly",
        )
    }
}

// Only infrastructure failures become a 500 by `?`; a domain error of a service must be mapped
// to its status explicitly (`post_error`, `event_error`, …), never fall through to a 500.
impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::internal(e)
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        ApiError::internal(e)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// A body read as JSON, as a form or as a multipart form, whichever the client sent (Mastodon
/// accepts all three).
pub struct Body<T>(pub T);

/// The most fields a form may hold.
const MAX_FORM_FIELDS: usize = 200;

impl<T, S> axum::extract::FromRequest<S> for Body<T>
where
    T: serde::de::DeserializeOwned + Default,
    S: Send + Sync,
{
    type Rejection = ApiError;
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        if content_type.starts_with("application/json") {
            let bytes = axum::body::Bytes::from_request(req, state)
                .await
                .map_err(|_| ApiError::bad_request("unreadable body"))?;
            if String::from_utf8_lossy(&bytes).contains("\\u0000") {
                return Err(ApiError::bad_request("the request contains a NUL character"));
            }
            let Json(v) = Json::<T>::from_bytes(&bytes)
                .map_err(|e: JsonRejection| ApiError::unprocessable(format!("Invalid JSON: {}", e.body_text())))?;
            Ok(Body(v))
        } else if content_type.starts_with("multipart/form-data") {
            // As Mastodon takes every form: the text fields, read as a form (masto.js signs up
            // this way); file parts belong to the media endpoints and are refused here.
            let mut multipart = axum::extract::Multipart::from_request(req, state)
                .await
                .map_err(|e| ApiError::bad_request(format!("unreadable multipart body: {}", e.body_text())))?;
            let mut pairs: Vec<(String, String)> = Vec::new();
            let mut fields = 0;
            while let Some(field) = multipart
                .next_field()
                .await
                .map_err(|e| ApiError::bad_request(format!("unreadable multipart body: {}", e.body_text())))?
            {
                fields += 1;
                if fields > MAX_FORM_FIELDS {
                    return Err(ApiError::unprocessable(format!(
                        "at most {MAX_FORM_FIELDS} fields in a form"
                    )));
                }
                let name = field.name().unwrap_or_default().to_owned();
                if field.file_name().is_some() {
                    return Err(ApiError::unprocessable(format!(
                        "{name}: files are uploaded through /api/v2/media"
                    )));
                }
                let value = field
                    .text()
                    .await
                    .map_err(|e| ApiError::bad_request(format!("unreadable multipart body: {}", e.body_text())))?;
                if crate::http::guard::has_nul(&value) || crate::http::guard::has_nul(&name) {
                    return Err(ApiError::bad_request("the request contains a NUL character"));
                }
                pairs.push((name, value));
            }
            let form = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish();
            let v =
                serde_html_form::from_str(&form).map_err(|e| ApiError::unprocessable(format!("Invalid form: {e}")))?;
            Ok(Body(v))
        } else {
            let bytes = axum::body::Bytes::from_request(req, state)
                .await
                .map_err(|_| ApiError::bad_request("unreadable body"))?;
            if bytes.is_empty() {
                return Ok(Body(T::default()));
            }
            if crate::http::guard::has_nul(&String::from_utf8_lossy(&bytes)) {
                return Err(ApiError::bad_request("the request contains a NUL character"));
            }
            let v = serde_html_form::from_bytes(&bytes)
                .map_err(|e| ApiError::unprocessable(format!("Invalid form: {e}")))?;
            Ok(Body(v))
        }
    }
}

/// Query strings with Mastodon's `id[]=…` arrays.
pub struct Q<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for Q<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        serde_html_form::from_str(q)
            .map(Q)
            .map_err(|e| ApiError::bad_request(format!("Invalid query: {e}")))
    }
}

/// `Link` header pagination for a page of items with time-ordered ids.
pub fn link_header(state: &AppState, path: &str, ids: &[i64], limit: i64) -> Option<HeaderValue> {
    let (first, last) = (ids.first()?, ids.last()?);
    let base = format!("{}{}", state.urls.base().as_str().trim_end_matches('/'), path);
    let mut links = Vec::new();
    if ids.len() as i64 >= limit {
        links.push(format!("<{base}?limit={limit}&max_id={last}>; rel=\"next\""));
    }
    links.push(format!("<{base}?limit={limit}&min_id={first}>; rel=\"prev\""));
    HeaderValue::from_str(&links.join(", ")).ok()
}

/// A JSON response with an optional `Link` header.
pub fn paged<T: serde::Serialize>(items: T, link: Option<HeaderValue>) -> Response {
    let mut headers = HeaderMap::new();
    if let Some(l) = link {
        headers.insert("link", l);
    }
    (headers, Json(items)).into_response()
}

/// Pagination parameters common to list endpoints.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Page {
    pub max_id: Option<String>,
    pub since_id: Option<String>,
    pub min_id: Option<String>,
    pub limit: Option<String>,
}

impl Page {
    pub const DEFAULT: i64 = 20;
    pub const MAX: i64 = 40;
    fn id(v: &Option<String>) -> ApiResult<Option<i64>> {
        match v.as_deref() {
            None | Some("") => Ok(None),
            Some(s) => s
                .parse()
                .map(Some)
                .map_err(|_| ApiError::bad_request("ids are numeric strings")),
        }
    }
    pub fn max_id(&self) -> ApiResult<Option<i64>> {
        Page::id(&self.max_id)
    }
    /// The lower bound: `min_id` (the page right after it) or `since_id` (the newest after it).
    pub fn min_id(&self) -> ApiResult<Option<i64>> {
        Ok(Page::id(&self.min_id)?.or(Page::id(&self.since_id)?))
    }
    /// `min_id` asks for the oldest items after the bound, not the newest.
    pub fn ascending(&self) -> bool {
        self.min_id.as_deref().is_some_and(|s| !s.is_empty())
    }
    pub fn limit(&self) -> ApiResult<i64> {
        match self.limit.as_deref() {
            None | Some("") => Ok(Page::DEFAULT),
            Some(s) => s
                .parse::<i64>()
                .map(|n| n.clamp(1, Page::MAX))
                .map_err(|_| ApiError::bad_request("limit must be a number")),
        }
    }
}

/// OAuth without wildcard CORS: the sign-in and consent page is for people, not scripts (no
/// CORS at all); the token and revocation endpoints answer browser apps on their own origins only
/// (`oauth::token_cors`).
pub fn oauth_pages(state: AppState) -> Router<AppState> {
    let token_routes = Router::new()
        .route(
            "/oauth/token",
            post(oauth::token).options(|| async { StatusCode::NO_CONTENT }),
        )
        .route(
            "/oauth/revoke",
            post(oauth::revoke).options(|| async { StatusCode::NO_CONTENT }),
        )
        .layer(axum::middleware::from_fn_with_state(state, oauth::token_cors));
    Router::new()
        .route(
            "/oauth/authorize",
            get(crate::web::oauth::authorize_page).post(crate::web::oauth::authorize),
        )
        // toot opens the page with a trailing slash.
        .route(
            "/oauth/authorize/",
            get(crate::web::oauth::authorize_page).post(crate::web::oauth::authorize),
        )
        .merge(token_routes)
}

/// Every client API route (all with CORS for browser apps).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/apps", post(oauth::create_app))
        .route("/api/v1/apps/verify_credentials", get(oauth::verify_app))
        .route("/.well-known/oauth-authorization-server", get(oauth::server_metadata))
        .route("/api/v1/instance", get(instance::v1))
        .route("/api/v1/instance/", get(instance::v1))
        .route("/api/v1/instance/rules", get(instance::rules_list))
        .route(
            "/api/v1/instance/extended_description",
            get(instance::extended_description),
        )
        .route("/api/v1/instance/privacy_policy", get(instance::privacy_policy))
        .route("/api/v1/instance/terms_of_service", get(instance::terms_of_service))
        .route("/api/v1/instance/languages", get(instance::languages))
        .route("/api/v2/instance", get(instance::v2))
        .route("/api/v2/instance/", get(instance::v2))
        .route("/api/v1/accounts", post(accounts::register))
        .route("/api/v1/accounts/verify_credentials", get(accounts::verify_credentials))
        .route("/api/v1/accounts/lookup", get(accounts::lookup))
        .route("/api/v1/accounts/search", get(accounts::search))
        .route(
            "/api/v1/accounts/update_credentials",
            axum::routing::patch(accounts::update_credentials).layer(axum::extract::DefaultBodyLimit::max(
                2 * crate::services::media::MAX_IMAGE_BYTES + 64 * 1024,
            )),
        )
        .route("/api/v1/accounts/relationships", get(accounts::relationships))
        .route("/api/v1/accounts/{id}", get(accounts::get))
        .route("/api/v1/accounts/{id}/statuses", get(accounts::statuses))
        .route("/api/v1/accounts/{id}/followers", get(accounts::followers))
        .route("/api/v1/accounts/{id}/following", get(accounts::following))
        .route("/api/v1/accounts/{id}/follow", post(accounts::follow))
        .route("/api/v1/accounts/{id}/unfollow", post(accounts::unfollow))
        .route("/api/v1/accounts/{id}/lists", get(lists::of_account))
        .route("/api/v1/accounts/{id}/block", post(blocks::block))
        .route(
            "/api/v1/accounts/{id}/remove_from_followers",
            post(blocks::remove_from_followers),
        )
        .route("/api/v1/accounts/{id}/unblock", post(blocks::unblock))
        .route("/api/v1/accounts/{id}/mute", post(blocks::mute))
        .route("/api/v1/accounts/{id}/unmute", post(blocks::unmute))
        .route("/api/v1/statuses", post(statuses::create))
        .route(
            "/api/v1/statuses/{id}",
            get(statuses::get).delete(statuses::delete).put(statuses::edit),
        )
        .route("/api/v1/statuses/{id}/context", get(statuses::context))
        .route("/api/v1/statuses/{id}/source", get(statuses::source))
        .route("/api/v1/statuses/{id}/favourite", post(statuses::favourite))
        .route("/api/v1/statuses/{id}/unfavourite", post(statuses::unfavourite))
        .route("/api/v1/statuses/{id}/reblog", post(statuses::reblog))
        .route("/api/v1/statuses/{id}/bookmark", post(statuses::bookmark))
        .route("/api/v1/statuses/{id}/unbookmark", post(statuses::unbookmark))
        .route("/api/v1/statuses/{id}/favourited_by", get(statuses::favourited_by))
        .route("/api/v1/statuses/{id}/reblogged_by", get(statuses::reblogged_by))
        .route("/api/v1/statuses/{id}/history", get(statuses::history))
        .route("/api/v1/statuses/{id}/unreblog", post(statuses::unreblog))
        .route("/api/v1/timelines/home", get(timelines::home))
        .route("/api/v1/timelines/public", get(timelines::public))
        .route("/api/v1/timelines/tag/{tag}", get(timelines::tag))
        .route("/api/v1/timelines/list/{id}", get(lists::timeline))
        .route(
            "/api/v2/media",
            post(media::upload).layer(axum::extract::DefaultBodyLimit::max(
                crate::services::media::MAX_IMAGE_BYTES + 64 * 1024,
            )),
        )
        .route(
            "/api/v1/media",
            post(media::upload).layer(axum::extract::DefaultBodyLimit::max(
                crate::services::media::MAX_IMAGE_BYTES + 64 * 1024,
            )),
        )
        .route("/api/v1/media/{id}", get(media::get).put(media::update))
        .route("/media/{file}", get(media::file))
        .route("/api/v1/streaming", get(streaming::websocket))
        .route("/api/v1/streaming/", get(streaming::websocket))
        .route("/api/v1/streaming/health", get(streaming::health))
        .route("/api/v1/streaming/user", get(streaming::user))
        .route("/api/v1/streaming/user/notification", get(streaming::user))
        .route("/api/v1/streaming/public", get(streaming::public))
        .route("/api/v1/streaming/public/local", get(streaming::public_local))
        .route("/api/v1/streaming/hashtag", get(streaming::hashtag))
        .route("/api/v1/notifications", get(misc::notifications))
        .route("/api/v1/notifications/clear", post(misc::clear_notifications))
        .route("/api/v1/notifications/unread_count", get(misc::unread_count))
        .route("/api/v1/notifications/{id}", get(misc::notification_get))
        .route("/api/v1/notifications/{id}/dismiss", post(misc::dismiss_notification))
        .route("/api/v1/follow_requests", get(misc::follow_requests))
        .route("/api/v1/follow_requests/{id}/authorize", post(misc::authorize_follow))
        .route("/api/v1/follow_requests/{id}/reject", post(misc::reject_follow))
        .route("/api/v2/search", get(misc::search))
        .route("/api/v1/preferences", get(misc::preferences))
        .route("/api/v1/markers", get(misc::markers).post(misc::save_markers))
        .route("/api/v1/custom_emojis", get(misc::empty_list))
        .route("/api/v1/filters", get(filters::index_v1).post(filters::create_v1))
        .route("/api/v1/filters/{id}", get(filters::get_v1).delete(filters::delete_v1))
        .route("/api/v2/filters", get(filters::index).post(filters::create))
        .route(
            "/api/v2/filters/{id}",
            get(filters::get).put(filters::update).delete(filters::delete),
        )
        .route(
            "/api/v2/filters/{id}/keywords",
            get(filters::keywords).post(filters::add_keyword),
        )
        .route(
            "/api/v2/filters/keywords/{id}",
            get(filters::get_keyword)
                .put(filters::update_keyword)
                .delete(filters::delete_keyword),
        )
        .route(
            "/api/v2/filters/{id}/statuses",
            get(filters::statuses).post(filters::add_status),
        )
        .route(
            "/api/v2/filters/statuses/{id}",
            get(filters::get_status).delete(filters::delete_status),
        )
        .route("/api/v1/lists", get(lists::index).post(lists::create))
        .route(
            "/api/v1/lists/{id}",
            get(lists::get).put(lists::update).delete(lists::delete),
        )
        .route(
            "/api/v1/lists/{id}/accounts",
            get(lists::accounts).post(lists::add).delete(lists::remove),
        )
        .route("/api/v1/announcements", get(misc::empty_list))
        .route("/api/v1/conversations", get(conversations::list))
        .route(
            "/api/v1/conversations/{id}",
            axum::routing::delete(conversations::remove),
        )
        .route("/api/v1/conversations/{id}/read", post(conversations::read))
        .route("/api/v1/blocks", get(blocks::blocked))
        .route("/api/v1/mutes", get(blocks::muted))
        .route("/api/v1/reports", post(reports::create))
        .route("/api/v1/polls/{id}", get(polls::get))
        .route("/api/v1/polls/{id}/votes", post(polls::vote))
        .route("/api/v1/bookmarks", get(misc::bookmarks))
        .route("/api/v1/favourites", get(misc::favourites))
        .route("/api/v1/followed_tags", get(misc::empty_list))
        .route("/api/v1/trends/tags", get(misc::empty_list))
        .route("/api/v1/trends/statuses", get(misc::empty_list))
        .route("/api/v1/suggestions", get(misc::empty_list))
        .route("/api/v2/suggestions", get(misc::empty_list))
        .route(
            "/api/v1/domain_blocks",
            get(blocks::domains)
                .post(blocks::block_domain)
                .delete(blocks::unblock_domain),
        )
        .route("/api/v1/endorsements", get(misc::empty_list))
        .route("/api/v1/featured_tags", get(misc::empty_list))
        .route("/avatars/original/missing.png", get(misc::default_avatar))
        .route("/headers/original/missing.png", get(misc::default_avatar))
        .route("/api/staffroom/v1/openapi.json", get(events::openapi))
        .route("/api/staffroom/v1/events", get(events::list).post(events::create))
        .route(
            "/api/staffroom/v1/events/{id}",
            get(events::get).put(events::update).delete(events::delete),
        )
        .route("/api/staffroom/v1/events/{id}/interested", post(events::interested))
        .route("/api/staffroom/v1/events/{id}/invite", post(events::invite))
        .route("/api/staffroom/v1/events/{id}/attendees", get(events::attendees))
        .route("/api/staffroom/v1/events/{id}/join", post(events::join))
        .route("/api/staffroom/v1/events/{id}/leave", post(events::leave))
        .route("/api/staffroom/v1/events/{id}/cancel", post(events::cancel))
        .route("/api/staffroom/v1/events/{id}/participants", get(events::participants))
        .route(
            "/api/staffroom/v1/events/{id}/participants/{account_id}/approve",
            post(events::approve),
        )
        .route(
            "/api/staffroom/v1/events/{id}/participants/{account_id}/reject",
            post(events::reject),
        )
        .route("/api/{*rest}", get(misc::api_not_found).post(misc::api_not_found))
}

/// The `Link` header of a page keeps the query's other parameters (types, filters, flags), so
/// the next page answers the same question: only the window (`max_id`, `min_id`, `since_id`,
/// `limit`) changes.
pub async fn keep_query_in_links(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    const WINDOW: [&str; 4] = ["max_id", "min_id", "since_id", "limit"];
    let kept: Vec<(String, String)> = req
        .uri()
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .filter(|(k, _)| !WINDOW.contains(&k.as_ref()))
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .take(50)
                .collect()
        })
        .unwrap_or_default();
    let mut res = next.run(req).await;
    if kept.is_empty() {
        return res;
    }
    let Some(link) = res.headers().get("link").and_then(|v| v.to_str().ok()) else {
        return res;
    };
    let rewritten: Vec<String> = link
        .split(", ")
        .map(|part| {
            let Some((target, rest)) = part.strip_prefix('<').and_then(|p| p.split_once('>')) else {
                return part.to_owned();
            };
            match url::Url::parse(target) {
                Ok(mut u) => {
                    u.query_pairs_mut().extend_pairs(&kept);
                    format!("<{u}>{rest}")
                }
                Err(_) => part.to_owned(),
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&rewritten.join(", ")) {
        res.headers_mut().insert("link", v);
    }
    res
}
