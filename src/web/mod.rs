//! The web interface: server-rendered pages for members, in their language, complete without
//! JavaScript. Handlers are thin: they read the request's [`Ctx`] (session, language, CSRF
//! token), call services, convert to page models (`pages`) and render a template.
//!
//! Every form carries a CSRF token ([`CsrfForm`] checks it); the session cookie is `HttpOnly`,
//! `SameSite=Lax`, and `Secure` when the node is served over https.

pub mod admin;
pub mod auth;
pub mod events;
pub mod feed;
pub mod groups;
pub mod i18n;
pub mod oauth;
pub mod pages;
pub mod settings;
pub mod social;

use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::Engine;
use serde::de::DeserializeOwned;

use crate::app::AppState;
use crate::services::accounts::Account;
use crate::services::sessions::{self, Session};
use i18n::Tr;

pub const SESSION_COOKIE: &str = "staffroom_session";
pub const CSRF_COOKIE: &str = "staffroom_csrf";
pub const LANG_COOKIE: &str = "staffroom_lang";

/// What every page of a request knows: who is signed in, in which language, the CSRF token
/// its forms carry, and where it is.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub tr: Tr,
    pub session: Option<Arc<Session>>,
    pub csrf: String,
    pub secure: bool,
    pub node_name: String,
    /// The request's path and query (where to come back to after signing in).
    pub here: String,
}

impl Ctx {
    pub fn me(&self) -> Option<&Account> {
        self.session.as_deref().map(|s| &s.account)
    }

    /// The signed-in member, or a redirect to the sign-in page.
    pub fn member(&self) -> Result<&Account, WebError> {
        self.me().ok_or(WebError::SignIn)
    }

    /// A cookie with our attributes: HttpOnly, SameSite=Lax, Secure over https, for the whole site.
    pub fn cookie(&self, name: &'static str, value: String, max_age_days: i64) -> Cookie<'static> {
        Cookie::build((name, value))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure)
            .max_age(cookie::time::Duration::days(max_age_days))
            .build()
    }
}

tokio::task_local! {
    /// The request's context, for rendering errors in its language.
    static CTX: Ctx;
}

/// The token forms of a signed-in browser carry: derived from the session's secret, so it changes
/// with each sign-in and cannot be guessed from the (readable) page of another session.
fn session_csrf(secret: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(openssl::sha::sha256(format!("csrf:{secret}").as_bytes()))
}

fn plausible_token(s: &str) -> bool {
    (20..=100).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Middleware: builds the request's [`Ctx`] (one session lookup when a session cookie is sent),
/// and gives an anonymous browser its CSRF cookie with the first page that has forms.
pub async fn context(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let jar = CookieJar::from_headers(req.headers());
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0);
    let ip = crate::api::auth::client_ip(req.headers(), peer, &state.config.trusted_proxy_networks());
    let session = match jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()) {
        Some(secret) => match sessions::resume(&state, &secret, &ip.to_string()).await {
            Ok(s) => s.map(Arc::new),
            Err(e) => return WebError::Internal(e).into_response(),
        },
        None => None,
    };
    let anonymous = jar
        .get(CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| plausible_token(v));
    let fresh = anonymous.is_none() && session.is_none();
    let csrf = match (&session, anonymous) {
        (Some(s), _) => session_csrf(&s.secret),
        (None, Some(t)) => t,
        (None, None) => crate::api::auth::new_secret(),
    };
    let accept = req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    let lang = i18n::negotiate(
        session.as_ref().and_then(|s| s.row.locale.as_deref()),
        jar.get(LANG_COOKIE).map(|c| c.value()),
        accept,
    );
    let ctx = Ctx {
        tr: Tr::new(&lang),
        session,
        csrf,
        secure: state.config.scheme() == "https",
        node_name: state.config.node.name.clone(),
        here: req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".into()),
    };
    req.extensions_mut().insert(ctx.clone());
    let cookie = fresh.then(|| ctx.cookie(CSRF_COOKIE, ctx.csrf.clone(), 365));
    let mut res = CTX.scope(ctx, next.run(req)).await;
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if let Some(c) = cookie.filter(|_| html)
        && let Ok(v) = HeaderValue::from_str(&c.to_string())
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| WebError::Internal(anyhow::anyhow!("the web context middleware is missing")))
    }
}

/// Why a page could not be shown; rendered as a page in the request's language.
#[derive(Debug)]
pub enum WebError {
    NotFound,
    /// Input the person can correct; the message is already in their language.
    BadRequest(String),
    Forbidden(String),
    /// The form's CSRF token did not match (an old page, or another site posting).
    Csrf,
    /// The page needs a signed-in member.
    SignIn,
    TooMany(String),
    Internal(anyhow::Error),
}

impl From<anyhow::Error> for WebError {
    fn from(e: anyhow::Error) -> Self {
        WebError::Internal(e)
    }
}

impl From<sqlx::Error> for WebError {
    fn from(e: sqlx::Error) -> Self {
        WebError::Internal(e.into())
    }
}

impl From<crate::api::ApiError> for WebError {
    fn from(e: crate::api::ApiError) -> Self {
        match e.status {
            StatusCode::NOT_FOUND => WebError::NotFound,
            StatusCode::FORBIDDEN => WebError::Forbidden(e.message.clone()),
            StatusCode::UNAUTHORIZED => WebError::SignIn,
            s if s.is_client_error() => WebError::BadRequest(e.message.clone()),
            _ => WebError::Internal(anyhow::anyhow!("{}", e.message)),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let ctx = CTX.try_with(Ctx::clone).ok();
        if let WebError::SignIn = self {
            let next = ctx.as_ref().map(|c| c.here.clone()).unwrap_or_else(|| "/".into());
            let target = format!("/auth/sign_in?next={}", pages::urlencode(&next));
            return Redirect::to(&target).into_response();
        }
        let ctx = ctx.unwrap_or_else(|| Ctx {
            tr: Tr::new("en"),
            session: None,
            csrf: String::new(),
            secure: false,
            node_name: "Staffroom".into(),
            here: "/".into(),
        });
        let (status, message) = match self {
            WebError::NotFound => (StatusCode::NOT_FOUND, ctx.tr.t("error-not-found")),
            WebError::BadRequest(m) => (StatusCode::UNPROCESSABLE_ENTITY, m),
            WebError::Forbidden(m) => (StatusCode::FORBIDDEN, m),
            WebError::Csrf => (StatusCode::FORBIDDEN, ctx.tr.t("error-csrf")),
            WebError::TooMany(m) => (StatusCode::TOO_MANY_REQUESTS, m),
            WebError::Internal(e) => {
                tracing::error!(error = %format!("{e:#}"), "web page failed");
                let status = if crate::storage::cause_is_unavailable(&e) {
                    StatusCode::SERVICE_UNAVAILABLE
                } else {
                    StatusCode::INTERNAL_SERVER_ERROR
                };
                (status, ctx.tr.t("error-internal"))
            }
            WebError::SignIn => unreachable!("answered above"),
        };
        let mut res = pages::render(
            status,
            &pages::ErrorPage {
                c: pages::Chrome::new(&ctx),
                message,
            },
        );
        if status == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("10"));
        }
        res
    }
}

/// A urlencoded form whose CSRF token (`csrf`) was checked; bad bodies are a page, not a panic.
pub struct CsrfForm<T>(pub T);

#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = WebError;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let ctx = req
            .extensions()
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| WebError::Internal(anyhow::anyhow!("the web context middleware is missing")))?;
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| WebError::BadRequest(ctx.tr.t("error-form")))?;
        let field: CsrfField =
            serde_html_form::from_bytes(&bytes).map_err(|_| WebError::BadRequest(ctx.tr.t("error-form")))?;
        if !crate::api::auth::same_secret(&field.csrf, &ctx.csrf) {
            return Err(WebError::Csrf);
        }
        serde_html_form::from_bytes(&bytes)
            .map(CsrfForm)
            .map_err(|_| WebError::BadRequest(ctx.tr.t("error-form")))
    }
}

/// A local path to go back to (never another site: `//host` and `/\host` are refused).
pub fn local_target(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") && n.len() <= 500 => {
            n.to_owned()
        }
        _ => "/".into(),
    }
}

/// The style sheet, served with a long cache life.
async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/style.css"),
    )
        .into_response()
}

/// The web interface's routes (the pages shared with ActivityPub are negotiated in `http`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/static/style.css", get(style))
        .route("/auth/sign_in", get(auth::sign_in_page).post(auth::sign_in))
        .route("/auth/sign_out", post(auth::sign_out))
        .route("/auth/sign_up", get(auth::sign_up_page).post(auth::sign_up))
        .route("/settings/language", post(auth::set_language))
        .route("/settings/sessions", get(auth::sessions_page))
        .route(
            "/settings/profile",
            get(settings::profile_page).post(settings::save_profile),
        )
        .route("/settings/password", post(settings::change_password))
        .route("/settings/apps", get(settings::apps_page))
        .route("/settings/apps/{id}/revoke", post(settings::revoke_app))
        .route("/settings/sessions/{id}/revoke", post(auth::revoke_session))
        .route(
            "/web/statuses",
            post(feed::compose).layer(axum::extract::DefaultBodyLimit::max(
                feed::WEB_ATTACHMENTS * crate::services::media::MAX_IMAGE_BYTES + 64 * 1024,
            )),
        )
        .route("/web/statuses/{id}/{action}", post(feed::act))
        .route("/public", get(feed::public))
        .route("/groups", get(groups::directory))
        .route("/notifications", get(social::list))
        .route("/web/accounts/{id}/{action}", post(social::follow))
        .route("/events", get(events::list))
        .route("/web/events/{id}/rsvp", post(events::rsvp))
        .route("/groups/remote/{id}", get(groups::remote))
        .route("/web/groups/{id}/{action}", post(groups::membership))
        .route("/groups/{name}/requests", get(groups::requests))
        .route(
            "/groups/{name}/requests/{actor_id}/{decision}",
            post(groups::decide_request),
        )
        .route("/tags/{tag}", get(feed::tag))
        .route("/about", get(feed::about))
        .route("/admin/registrations", get(admin::registrations))
        .route("/admin/registrations/{id}/{decision}", post(admin::decide))
}
