//! The vocabulary every layer shares: who may see a post ([`Visibility`]), the limits on
//! content whatever way it arrives (typed in an app, received over ActivityPub), and the two
//! text rules both sides apply (HTML from elsewhere is sanitised; hashtags are normalised).
//! It imports nothing of the application, so storage, federation, services and the HTTP
//! boundaries can all use it.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use crate::text::escape_html;

pub const MAX_CONTENT_CHARS: usize = 10_000;
pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_MENTIONS: usize = 20;
pub const MAX_HASHTAGS: usize = 20;
/// Attachments on one post.
pub const MAX_ATTACHMENTS: usize = 4;
/// Tags (categories) on one event.
pub const MAX_EVENT_TAGS: usize = 10;
/// Remote HTML larger than this is refused before parsing.
pub const MAX_REMOTE_HTML_BYTES: usize = 100_000;

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.tags(HashSet::from([
        "p",
        "br",
        "a",
        "span",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "del",
        "ul",
        "ol",
        "li",
        "blockquote",
        "code",
        "pre",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
    ]))
    .tag_attributes(HashMap::from([
        ("a", HashSet::from(["href", "class"])),
        ("span", HashSet::from(["class"])),
        ("ol", HashSet::from(["start"])),
    ]))
    .url_schemes(HashSet::from(["http", "https", "mailto"]))
    .link_rel(Some("nofollow noopener noreferrer"))
    .add_generic_attributes(HashSet::<&str>::new());
    b
});

/// Cleans HTML from elsewhere: only formatting, links and the classes mentions and hashtags use.
pub fn sanitize_html(html: &str) -> String {
    if html.len() > MAX_REMOTE_HTML_BYTES {
        return escape_html(&html.chars().take(MAX_CONTENT_CHARS).collect::<String>());
    }
    SANITIZER.clean(html).to_string()
}

/// A hashtag as stored and addressed (`/tags/{name}`): without `#`, lower-case, letters, digits
/// and `_` only, not only digits, at most 60 characters. `None` when it is no hashtag.
pub fn normalize_tag(tag: &str) -> Option<String> {
    let t = tag.trim().trim_start_matches('#').to_lowercase();
    let ok = !t.is_empty()
        && t.chars().count() <= 60
        && t.chars().all(|c| c.is_alphanumeric() || c == '_')
        && t.chars().any(|c| !c.is_ascii_digit());
    ok.then_some(t)
}
