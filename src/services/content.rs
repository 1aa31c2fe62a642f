//! Post content: sanitising remote HTML with an allowlist, rendering local plain text with
//! linked mentions, hashtags and URLs, and the limits on both.

use crate::text::escape_html;

pub use crate::model::{
    MAX_CONTENT_CHARS, MAX_HASHTAGS, MAX_MENTIONS, MAX_REMOTE_HTML_BYTES, MAX_TITLE_CHARS, normalize_tag, sanitize_html,
};

/// A piece of a local post's text.
#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    Text(String),
    /// `@name` or `@name@domain`.
    Mention {
        name: String,
        domain: Option<String>,
    },
    Hashtag(String),
    Link(String),
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'
}

/// Splits plain text into text, mentions, hashtags and links.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut buf = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let boundary = |i: usize| i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_' || chars[i - 1] == '/');
    while i < chars.len() {
        let c = chars[i];
        let rest: String = chars[i..chars.len().min(i + 8)].iter().collect();
        if (rest.starts_with("https://") || rest.starts_with("http://")) && boundary(i) {
            let end = (i..chars.len())
                .find(|&j| chars[j].is_whitespace())
                .unwrap_or(chars.len());
            let mut url: String = chars[i..end].iter().collect();
            while url.ends_with(['.', ',', ')', '!', '?', ';', ':']) {
                url.pop();
            }
            let n = url.chars().count();
            flush(&mut buf, &mut out);
            out.push(Token::Link(url));
            i += n;
            continue;
        }
        if c == '@' && boundary(i) {
            let mut j = i + 1;
            while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            if j > i + 1 {
                let name: String = chars[i + 1..j].iter().collect();
                let mut domain = None;
                if j < chars.len() && chars[j] == '@' {
                    let mut k = j + 1;
                    while k < chars.len() && (is_name_char(chars[k]) || chars[k] == ':') {
                        k += 1;
                    }
                    let mut d: String = chars[j + 1..k].iter().collect();
                    while d.ends_with(['.', '-', ':']) {
                        d.pop();
                    }
                    if !d.is_empty() {
                        j += 1 + d.chars().count();
                        domain = Some(d.to_ascii_lowercase());
                    }
                }
                flush(&mut buf, &mut out);
                out.push(Token::Mention { name, domain });
                i = j;
                continue;
            }
        }
        if c == '#' && boundary(i) {
            let mut j = i + 1;
            while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            if j > i + 1 && chars[i + 1..j].iter().any(|c| !c.is_ascii_digit()) {
                flush(&mut buf, &mut out);
                out.push(Token::Hashtag(chars[i + 1..j].iter().collect()));
                i = j;
                continue;
            }
        }
        buf.push(c);
        i += 1;
    }
    flush(&mut buf, &mut out);
    out
}

fn flush(buf: &mut String, out: &mut Vec<Token>) {
    if !buf.is_empty() {
        out.push(Token::Text(std::mem::take(buf)));
    }
}

/// A mention resolved to an actor.
#[derive(Debug, Clone)]
pub struct ResolvedMention {
    pub handle: String,
    pub href: String,
}

/// Renders tokens as HTML paragraphs; `mention_href` gives the actor URL of a resolved mention
/// (unresolved ones stay text), `tag_href` the page of a hashtag.
pub fn render(
    tokens: &[Token],
    mention_href: impl Fn(&str, Option<&str>) -> Option<String>,
    tag_href: impl Fn(&str) -> String,
) -> String {
    let mut html = String::new();
    for t in tokens {
        match t {
            Token::Text(s) => html.push_str(&escape_html(s)),
            Token::Link(u) => html.push_str(&format!(
                "<a href=\"{0}\" rel=\"nofollow noopener noreferrer\">{0}</a>",
                escape_html(u)
            )),
            Token::Hashtag(tag) => html.push_str(&format!(
                "<a href=\"{}\" class=\"mention hashtag\" rel=\"tag\">#<span>{}</span></a>",
                escape_html(&tag_href(tag)),
                escape_html(tag)
            )),
            Token::Mention { name, domain } => match mention_href(name, domain.as_deref()) {
                Some(href) => html.push_str(&format!(
                    "<span class=\"h-card\"><a href=\"{}\" class=\"u-url mention\">@<span>{}</span></a></span>",
                    escape_html(&href),
                    escape_html(name)
                )),
                None => {
                    html.push('@');
                    html.push_str(&escape_html(name));
                    if let Some(d) = domain {
                        html.push('@');
                        html.push_str(&escape_html(d));
                    }
                }
            },
        }
    }
    html.replace("\r\n", "\n")
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", p.replace('\n', "<br>")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes_with_an_allowlist() {
        let dirty = "<p onclick=\"x()\">Hi <script>alert(1)</script><a href=\"javascript:x\">j</a> \
                     <a href=\"https://ok.example\" class=\"mention\">ok</a><img src=x></p>";
        let clean = sanitize_html(dirty);
        assert!(
            !clean.contains("script")
                && !clean.contains("onclick")
                && !clean.contains("javascript")
                && !clean.contains("<img")
        );
        assert!(clean.contains("href=\"https://ok.example\""));
        assert!(clean.contains("class=\"mention\""));
    }

    #[test]
    fn normalizes_tags() {
        assert_eq!(normalize_tag("#Éducation").as_deref(), Some("éducation"));
        assert_eq!(normalize_tag(" STEM_2027 ").as_deref(), Some("stem_2027"));
        assert_eq!(normalize_tag("2027"), None, "numbers are no hashtags");
        assert_eq!(normalize_tag("two words"), None);
        assert_eq!(normalize_tag("#"), None);
        assert_eq!(normalize_tag(&"a".repeat(61)), None);
    }

    #[test]
    fn finds_mentions_hashtags_and_links() {
        let t =
            tokenize("Hi @ada and @group@Partner.Example:8080, see #Maths2026 and https://x.example/a. Mail a@b.c #1");
        assert!(t.contains(&Token::Mention {
            name: "ada".into(),
            domain: None
        }));
        assert!(t.contains(&Token::Mention {
            name: "group".into(),
            domain: Some("partner.example:8080".into())
        }));
        assert!(t.contains(&Token::Hashtag("Maths2026".into())));
        assert!(t.contains(&Token::Link("https://x.example/a".into())));
        assert!(
            !t.iter()
                .any(|x| matches!(x, Token::Mention { name, .. } if name == "b")),
            "emails are no mentions"
        );
        assert!(!t.contains(&Token::Hashtag("1".into())), "numbers are no hashtags");
    }

    #[test]
    fn renders_escaped_html() {
        let html = render(
            &tokenize("<b>hi</b> @ada #tag\n\nbye"),
            |n, _| (n == "ada").then(|| "https://a.example/users/ada".to_owned()),
            |t| format!("https://a.example/tags/{t}"),
        );
        assert_eq!(
            html,
            "<p>&lt;b&gt;hi&lt;/b&gt; <span class=\"h-card\"><a href=\"https://a.example/users/ada\" class=\"u-url mention\">@<span>ada</span></a></span> \
             <a href=\"https://a.example/tags/tag\" class=\"mention hashtag\" rel=\"tag\">#<span>tag</span></a></p><p>bye</p>"
        );
    }
}
