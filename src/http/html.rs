//! Server-rendered HTML pages for browsers: small, standalone, no JavaScript.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::text::escape_html;

/// The one style sheet of our pages, inline (its hash is allowed by the Content-Security-Policy).
pub const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;\
line-height:1.5;color:#222}header{border-bottom:1px solid #ddd;margin-bottom:1rem}.handle{color:#666}\
img{max-width:100%}";

/// The Content-Security-Policy of every HTML page: nothing runs, nothing frames us, styles only
/// from our own sheet (`/static/style.css`, or the inline one of the OAuth pages), images from
/// here or https.
pub fn content_security_policy() -> &'static str {
    static CSP: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    CSP.get_or_init(|| {
        let hash = openssl::base64::encode_block(&openssl::sha::sha256(STYLE.as_bytes()));
        format!(
            "default-src 'none'; img-src 'self' https: data:; media-src 'self' https:; style-src 'self' 'sha256-{hash}'; \
             base-uri 'none'; frame-ancestors 'none'"
        )
    })
}

/// A full page; `title` is escaped here, `head` and `body` are HTML the caller escaped.
pub fn page(status: StatusCode, title: &str, head: &str, body: &str) -> Response {
    let title = escape_html(title);
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n{head}\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    );
    (status, Html(html)).into_response()
}
