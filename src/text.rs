//! Small text helpers shared by the HTML pages and the ActivityPub converters.

/// Escapes the five characters that matter in HTML text and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Plain text (a bio typed by a member) as HTML: paragraphs on blank lines, `<br>` on line breaks.
pub fn plain_to_html(s: &str) -> String {
    let s = s.replace("\r\n", "\n");
    s.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", escape_html(p).replace('\n', "<br>")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_paragraphs() {
        assert_eq!(
            escape_html("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(
            plain_to_html("Hi <b>\nthere\n\nSecond"),
            "<p>Hi &lt;b&gt;<br>there</p><p>Second</p>"
        );
        assert_eq!(plain_to_html("  "), "");
    }
}
