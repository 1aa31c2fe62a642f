//! Content negotiation between ActivityPub JSON and HTML pages, by the `Accept` header.

use axum::http::HeaderMap;
use axum::http::header::ACCEPT;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wants {
    ActivityJson,
    Html,
    /// No preference for either (no header, or only `*/*`): the route decides.
    Either,
}

/// Reads `Accept` with its q-values. `application/activity+json`, `application/ld+json` (with
/// any profile) and `application/json` ask for ActivityPub; `text/html` for a page. A tie goes
/// to ActivityPub, as servers send `Accept: application/activity+json, text/html;q=...` rarely
/// and browsers never list JSON types first.
pub fn wants(headers: &HeaderMap) -> Wants {
    let Some(accept) = headers.get(ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Wants::Either;
    };
    let (mut ap, mut html) = (0.0f32, 0.0f32);
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0)
            .clamp(0.0, 1.0);
        match media.as_str() {
            "application/activity+json" | "application/ld+json" | "application/json" => ap = ap.max(q),
            "text/html" | "application/xhtml+xml" => html = html.max(q),
            _ => {}
        }
    }
    if ap > 0.0 && ap >= html {
        Wants::ActivityJson
    } else if html > 0.0 {
        Wants::Html
    } else {
        Wants::Either
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn w(accept: &str) -> Wants {
        let mut h = HeaderMap::new();
        h.insert(ACCEPT, HeaderValue::from_str(accept).unwrap());
        wants(&h)
    }

    #[test]
    fn negotiates_like_browsers_and_servers_ask() {
        assert_eq!(w("application/activity+json"), Wants::ActivityJson);
        assert_eq!(
            w("application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\""),
            Wants::ActivityJson
        );
        assert_eq!(
            w("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
            Wants::Html
        );
        assert_eq!(w("application/activity+json, text/html;q=0.1"), Wants::ActivityJson);
        assert_eq!(w("text/html, application/activity+json;q=0.5"), Wants::Html);
        assert_eq!(w("*/*"), Wants::Either);
        assert_eq!(w("application/activity+json;q=0"), Wants::Either);
        assert_eq!(wants(&HeaderMap::new()), Wants::Either);
    }
}
