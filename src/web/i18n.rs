//! The interface's languages: every string comes from `locales/<language>/main.ftl` (Fluent);
//! adding a language is adding a folder. The language is the member's setting, else the
//! `staffroom_lang` cookie, else the browser's `Accept-Language`, else English.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // No Unicode isolation marks around arguments: pages are HTML with `dir` set.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The languages the interface speaks, by their tag, English first.
pub fn available() -> Vec<String> {
    let mut tags: Vec<String> = LOCALES.locales().map(|l| l.to_string()).collect();
    tags.sort_by_key(|t| (t != "en", t.clone()));
    tags
}

/// One of [`available`] for a tag such as `fr`, `fr-BE` or `DE`; `None` when not spoken.
pub fn supported(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    available().into_iter().find(|t| *t == primary)
}

/// Chooses the language: the member's setting, the cookie, then `Accept-Language` by q-value.
pub fn negotiate(setting: Option<&str>, cookie: Option<&str>, accept_language: Option<&str>) -> String {
    if let Some(t) = setting.and_then(supported).or_else(|| cookie.and_then(supported)) {
        return t;
    }
    let mut offers: Vec<(f32, usize, String)> = Vec::new();
    for (i, item) in accept_language.unwrap_or_default().split(',').take(20).enumerate() {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or_default();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if let Some(t) = supported(tag).filter(|_| q > 0.0) {
            offers.push((q, i, t));
        }
    }
    offers.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    offers.into_iter().next().map(|o| o.2).unwrap_or_else(|| "en".into())
}

/// Strings of one language.
#[derive(Debug, Clone)]
pub struct Tr {
    pub tag: String,
    id: LanguageIdentifier,
}

impl Tr {
    pub fn new(tag: &str) -> Tr {
        let tag = supported(tag).unwrap_or_else(|| "en".into());
        let id = tag.parse().unwrap_or_default();
        Tr { tag, id }
    }

    /// The text of `key`.
    pub fn t(&self, key: &str) -> String {
        LOCALES.lookup(&self.id, key)
    }

    /// The text of `key` with named arguments (numbers are plural-aware in Fluent).
    pub fn with(&self, key: &str, args: &[(&'static str, FluentValue<'static>)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> =
            args.iter().map(|(k, v)| (Cow::Borrowed(*k), v.clone())).collect();
        LOCALES.lookup_with_args(&self.id, key, &args)
    }

    /// Like [`Tr::with`], but `None` when no language has `key`.
    pub fn try_with(&self, key: &str, args: &[(&'static str, FluentValue<'static>)]) -> Option<String> {
        let args: HashMap<Cow<'static, str>, FluentValue> =
            args.iter().map(|(k, v)| (Cow::Borrowed(*k), v.clone())).collect();
        LOCALES.try_lookup_complete(&self.id, key, Some(&args))
    }

    /// A date and time in this language (in UTC, with its zone named).
    pub fn datetime(&self, at: DateTime<Utc>) -> String {
        let locale = match self.tag.as_str() {
            "fr" => chrono::Locale::fr_FR,
            "de" => chrono::Locale::de_DE,
            "tr" => chrono::Locale::tr_TR,
            _ => chrono::Locale::en_GB,
        };
        at.format_localized("%-d %B %Y, %H:%M UTC", locale)
            .to_string()
            .trim()
            .to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_setting_then_the_cookie_then_accept_language() {
        assert_eq!(negotiate(Some("de"), Some("fr"), Some("tr")), "de");
        assert_eq!(negotiate(None, Some("fr"), Some("tr")), "fr");
        assert_eq!(
            negotiate(Some("xx"), None, Some("nl;q=0.9, tr-TR;q=0.8, en;q=0.5")),
            "tr"
        );
        assert_eq!(negotiate(None, None, Some("fr-BE,fr;q=0.9,en;q=0.8")), "fr");
        assert_eq!(negotiate(None, None, Some("de;q=0, en")), "en");
        assert_eq!(negotiate(None, None, None), "en");
    }

    #[test]
    fn every_language_has_every_key_of_english() {
        let english = std::fs::read_to_string("locales/en/main.ftl").unwrap();
        let keys = |s: &str| -> Vec<String> {
            s.lines()
                .filter(|l| !l.starts_with([' ', '#', '\t']) && l.contains(" ="))
                .map(|l| l.split(" =").next().unwrap().trim().to_owned())
                .collect()
        };
        let en = keys(&english);
        assert!(en.len() > 50, "English has {} keys", en.len());
        for tag in available() {
            let text = std::fs::read_to_string(format!("locales/{tag}/main.ftl")).unwrap();
            let theirs = keys(&text);
            let missing: Vec<&String> = en.iter().filter(|k| !theirs.contains(k)).collect();
            assert!(missing.is_empty(), "{tag} lacks {missing:?}");
        }
    }

    #[test]
    fn dates_are_written_in_the_language() {
        let at = "2026-03-05T14:30:00Z".parse().unwrap();
        assert_eq!(Tr::new("fr").datetime(at), "5 mars 2026, 14:30 UTC");
        assert_eq!(Tr::new("de").datetime(at), "5 März 2026, 14:30 UTC");
        assert_eq!(Tr::new("en").datetime(at), "5 March 2026, 14:30 UTC");
    }
}
