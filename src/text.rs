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

/// HTML as plain text: tags dropped, paragraphs and line breaks kept as blank lines and line
/// breaks, character references decoded.
pub fn html_to_plain(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.replace("</p>", "\n\n").replace("<br>", "\n").chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    decode_entities(&out).trim().to_owned()
}

/// Decodes HTML character references: the five markup ones, `&nbsp;`, and numeric ones.
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest[..rest.len().min(12)].find(';');
        let decoded = end.and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                n if n.starts_with("#x") || n.starts_with("#X") => {
                    u32::from_str_radix(&n[2..], 16).ok().and_then(char::from_u32)
                }
                n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            };
            c.map(|c| (c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_reads_as_plain_text() {
        assert_eq!(
            html_to_plain("<p>Spoilers &amp; <b>plot</b> &#8212; &#x41;&lt;3</p><p>&bogus; &</p>"),
            "Spoilers & plot \u{2014} A<3\n\n&bogus; &"
        );
    }

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
