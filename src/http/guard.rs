//! Middleware every request passes: text PostgreSQL cannot store is refused at the door, and
//! every response carries the headers browsers need to keep our pages safe.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::AppError;

/// Whether percent-decoded text holds a NUL character (which PostgreSQL refuses in text).
pub fn has_nul(raw: &str) -> bool {
    raw.contains('\0') || percent_encoding_nul(raw)
}

fn percent_encoding_nul(raw: &str) -> bool {
    let b = raw.as_bytes();
    b.windows(3).any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
}

/// Refuses a request whose path or query holds a NUL character, with a 400 in our usual shape,
/// on both engines alike.
pub async fn refuse_nul(req: Request, next: Next) -> Response {
    let uri = req.uri();
    if has_nul(uri.path()) || uri.query().is_some_and(has_nul) {
        return AppError::BadRequest("the request contains a NUL character".into()).into_response();
    }
    next.run(req).await
}

/// While the last health check could not reach the database, answers 503 with `Retry-After` at
/// once (the health and readiness endpoints still answer, to say so).
pub async fn database_down(
    axum::extract::State(state): axum::extract::State<crate::app::AppState>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    if state.db_health.is_unreachable() && path != "/health" && path != "/ready" {
        return AppError::Internal(anyhow::Error::new(sqlx::Error::PoolTimedOut)).into_response();
    }
    next.run(req).await
}

/// Adds `nosniff` everywhere, and to HTML pages a strict Content-Security-Policy, no framing and
/// a referrer policy that keeps codes and tokens in our URLs to ourselves.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    let html = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if html {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(super::html::content_security_policy()),
        );
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    }
    res
}
