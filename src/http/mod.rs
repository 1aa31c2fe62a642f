//! The HTTP boundary: routes, middleware and thin handlers that parse, call a service or
//! storage, and convert to the caller's shape (ActivityPub JSON, JRD, NodeInfo, HTML).

pub mod activities;
pub mod actors;
pub mod error;
pub mod events;
pub mod groups;
pub mod guard;
pub mod health;
pub mod html;
pub mod negotiate;
pub mod vtimezone;
pub mod wellknown;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, Request, StatusCode, header};
use axum::routing::{get, post};

use crate::federation::inbox;
use tower_http::cors::{Any, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::app::AppState;
use error::AppError;

/// The whole application, with its middleware.
pub fn router(state: AppState) -> Router {
    let http = &state.config.http;
    let public_cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD, Method::OPTIONS])
        .allow_headers(Any)
        .expose_headers([header::LINK]);

    let api_cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers(Any)
        .expose_headers([header::LINK]);
    let well_known = Router::new()
        .route("/.well-known/webfinger", get(wellknown::webfinger))
        .route("/.well-known/host-meta", get(wellknown::host_meta))
        .route("/.well-known/host-meta.json", get(wellknown::host_meta_json))
        .route("/.well-known/nodeinfo", get(wellknown::nodeinfo_links))
        .route("/nodeinfo/2.0", get(wellknown::nodeinfo_20))
        .route("/nodeinfo/2.1", get(wellknown::nodeinfo_21))
        .layer(public_cors);

    Router::new()
        .route("/", get(crate::web::feed::home))
        .route("/health", get(health::health))
        .route("/ready", get(health::ready))
        .route("/actor", get(actors::application))
        .route("/inbox", post(inbox::post_inbox))
        .route("/actor/inbox", post(inbox::post_inbox))
        .route("/users/{name}/inbox", post(inbox::post_inbox))
        .route("/groups/{name}/inbox", post(inbox::post_inbox))
        .route("/groups/{name}", get(groups::actor))
        .route("/groups/{name}/followers", get(groups::followers))
        .route("/groups/{name}/outbox", get(groups::outbox))
        .route("/groups/{name}/featured", get(groups::featured))
        .route("/groups/{name}/moderators", get(groups::moderators))
        .route("/groups/{name}/modlog", get(groups::modlog))
        .route("/posts/{id}", get(groups::post))
        .route("/activities/{id}", get(activities::activity))
        .route("/events/{file}", get(events::event))
        .route("/events/{id}/attendees", get(events::attendees))
        .route("/calendar.ics", get(events::node_calendar))
        .route("/agenda/{file}", get(events::agenda))
        .route("/{at_name}/calendar.ics", get(events::group_calendar))
        .route("/users/{name}", get(actors::person))
        .route("/users/{name}/outbox", get(actors::outbox))
        .route("/users/{name}/followers", get(actors::followers))
        .route("/users/{name}/following", get(actors::following))
        // `/@name`: matched as one segment because route parameters fill whole segments.
        .route("/{at_name}", get(actors::profile))
        .route("/{at_name}/{id}", get(crate::web::feed::thread))
        .merge(crate::web::router())
        .merge(well_known)
        .merge(
            crate::api::router()
                .layer(axum::middleware::from_fn(crate::api::keep_query_in_links))
                .layer(api_cors),
        )
        .merge(crate::api::oauth_pages(state.clone()))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::web::context))
        .with_state(state.clone())
        .layer(DefaultBodyLimit::max(http.max_body_bytes))
        // The transport limit admits media uploads; every other route keeps the configured
        // limit through `DefaultBodyLimit` (media routes raise theirs).
        .layer(RequestBodyLimitLayer::new(
            http.max_body_bytes
                .max(2 * crate::services::media::MAX_IMAGE_BYTES + 64 * 1024),
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(http.request_timeout_seconds),
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<_>| {
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", method = %req.method(), uri = %req.uri(), request_id = %id)
                })
                .on_response(
                    DefaultOnResponse::new()
                        .level(Level::INFO)
                        .latency_unit(tower_http::LatencyUnit::Millis),
                ),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::database_down,
        ))
        .layer(axum::middleware::from_fn(guard::refuse_nul))
        .layer(axum::middleware::from_fn(guard::security_headers))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

async fn not_found() -> AppError {
    AppError::NotFound
}
