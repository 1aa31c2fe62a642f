//! Server-rendered HTML pages for browsers: small, standalone, no JavaScript.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::text::escape_html;

/// A full page; `title` is escaped here, `head` and `body` are HTML the caller escaped.
pub fn page(status: StatusCode, title: &str, head: &str, body: &str) -> Response {
    let title = escape_html(title);
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n{head}\n<style>body{{font-family:system-ui,sans-serif;max-width:42rem;\
         margin:2rem auto;padding:0 1rem;line-height:1.5;color:#222}}header{{border-bottom:1px solid #ddd;\
         margin-bottom:1rem}}.handle{{color:#666}}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    );
    (status, Html(html)).into_response()
}
