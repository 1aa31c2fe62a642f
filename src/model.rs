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
/// A content warning.
pub const MAX_SUMMARY_CHARS: usize = 500;
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

/// A language tag as stored: an ISO 639 code of two or three letters (lower-case), optionally
/// with one subtag (`pt-BR`, `zh-Hant`). `None` when it is none.
pub fn normalize_language(tag: &str) -> Option<String> {
    let tag = tag.trim().replace('_', "-");
    let (primary, rest) = match tag.split_once('-') {
        Some((p, r)) => (p, Some(r)),
        None => (tag.as_str(), None),
    };
    let primary_ok = (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_alphabetic());
    let rest_ok = rest.is_none_or(|r| (2..=8).contains(&r.len()) && r.chars().all(|c| c.is_ascii_alphanumeric()));
    (primary_ok && rest_ok).then(|| match rest {
        Some(r) => format!("{}-{r}", primary.to_ascii_lowercase()),
        None => primary.to_ascii_lowercase(),
    })
}

/// A content warning from elsewhere as plain text: tags dropped, entities decoded, whitespace
/// folded, at most [`MAX_SUMMARY_CHARS`]. `None` when nothing is left.
pub fn plain_summary(summary: &str) -> Option<String> {
    let text = crate::text::html_to_plain(&summary.chars().take(MAX_REMOTE_HTML_BYTES / 10).collect::<String>());
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let text: String = text.chars().take(MAX_SUMMARY_CHARS).collect();
    (!text.is_empty()).then_some(text)
}

/// Who may see a post or an event. Stored as its lower-case name; shown to apps as Mastodon's
/// name ([`Visibility::mastodon`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Everyone, listed in public timelines.
    Public,
    /// Everyone with the link, left out of public timelines.
    Unlisted,
    /// Its circle: the members of the group it is filed under, or, outside groups, its
    /// author's followers (Mastodon's followers-only).
    Members,
    /// Only the people it is addressed to.
    Direct,
}

impl Visibility {
    pub const fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Unlisted => "unlisted",
            Visibility::Members => "members",
            Visibility::Direct => "direct",
        }
    }

    /// The name Mastodon apps know: members-only shows as `private`.
    pub const fn mastodon(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Unlisted => "unlisted",
            Visibility::Members => "private",
            Visibility::Direct => "direct",
        }
    }

    /// From Mastodon's name (`private` is followers-only, or members-only in a group).
    pub fn from_mastodon(name: &str) -> Option<Self> {
        Some(match name {
            "public" => Visibility::Public,
            "unlisted" => Visibility::Unlisted,
            "private" => Visibility::Members,
            "direct" => Visibility::Direct,
            _ => return None,
        })
    }

    /// Anyone may read it (public or unlisted).
    pub const fn is_open(self) -> bool {
        matches!(self, Visibility::Public | Visibility::Unlisted)
    }

    pub fn members_only(members_only: bool) -> Self {
        if members_only {
            Visibility::Members
        } else {
            Visibility::Public
        }
    }
}

impl std::fmt::Display for Visibility {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Visibility {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "public" => Visibility::Public,
            "unlisted" => Visibility::Unlisted,
            "members" => Visibility::Members,
            "direct" => Visibility::Direct,
            other => return Err(format!("unknown visibility `{other}`")),
        })
    }
}

/// Read from a stored row (`#[sqlx(try_from = "String")]`).
impl TryFrom<String> for Visibility {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visibility_names_round_trip() {
        for v in [
            Visibility::Public,
            Visibility::Unlisted,
            Visibility::Members,
            Visibility::Direct,
        ] {
            assert_eq!(v.as_str().parse::<Visibility>(), Ok(v));
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
        }
        assert_eq!(Visibility::Members.mastodon(), "private");
        assert!("private".parse::<Visibility>().is_err());
    }

    #[test]
    fn hashtags_are_normalised() {
        assert_eq!(normalize_tag("#Fractions").as_deref(), Some("fractions"));
        assert_eq!(normalize_tag("#2026"), None);
        assert_eq!(normalize_tag("a-b"), None);
    }
}
