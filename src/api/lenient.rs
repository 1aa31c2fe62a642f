//! Reading parameters the way Mastodon does: a boolean may come as a JSON boolean or as its
//! string form (`true`, `"true"`, `"1"`, `"on"`), an id as a JSON number or a string, whether the
//! body is JSON or a form. Every handler field that holds one of these reads it through here.

use serde::{Deserialize, Deserializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum Raw {
    Bool(bool),
    Int(i64),
    Text(String),
}

/// The truth of a string form, as Rails reads it.
pub fn truth(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "on" | "t" | "yes" => Some(true),
        "false" | "0" | "off" | "f" | "no" | "" => Some(false),
        _ => None,
    }
}

/// `#[serde(default, deserialize_with = "lenient::flag")]` on an `Option<bool>`.
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Option::<Raw>::deserialize(d)? {
        None => None,
        Some(Raw::Bool(b)) => Some(b),
        Some(Raw::Int(i)) => Some(i != 0),
        Some(Raw::Text(s)) => {
            Some(truth(&s).ok_or_else(|| serde::de::Error::custom(format!("`{s}` is not a boolean")))?)
        }
    })
}

/// `#[serde(default, deserialize_with = "lenient::number")]` on an `Option<i64>`: a whole
/// number given as a JSON number or a string; an empty string or null is none.
pub fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Option::<Raw>::deserialize(d)? {
        None => None,
        Some(Raw::Int(i)) => Some(i),
        Some(Raw::Text(s)) if s.trim().is_empty() => None,
        Some(Raw::Text(s)) => Some(
            s.trim()
                .parse()
                .map_err(|_| serde::de::Error::custom(format!("`{s}` is not a number")))?,
        ),
        Some(Raw::Bool(b)) => return Err(serde::de::Error::custom(format!("`{b}` is not a number"))),
    })
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    Many(Vec<Raw>),
    One(Raw),
}

/// `#[serde(default, deserialize_with = "lenient::ids")]` on a `Vec<String>`: ids given as
/// strings or numbers, one or a list of them.
pub fn ids<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let all = match OneOrMany::deserialize(d)? {
        OneOrMany::Many(v) => v,
        OneOrMany::One(r) => vec![r],
    };
    Ok(all
        .into_iter()
        .map(|r| match r {
            Raw::Bool(b) => b.to_string(),
            Raw::Int(i) => i.to_string(),
            Raw::Text(s) => s,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, Default)]
    struct Form {
        #[serde(default, deserialize_with = "flag")]
        on: Option<bool>,
        #[serde(default, deserialize_with = "ids")]
        ids: Vec<String>,
    }

    #[test]
    fn json_and_forms_read_alike() {
        for body in [
            r#"{"on": true}"#,
            r#"{"on": "true"}"#,
            r#"{"on": "1"}"#,
            r#"{"on": 1}"#,
            r#"{"on": "on"}"#,
        ] {
            let f: Form = serde_json::from_str(body).unwrap();
            assert_eq!(f.on, Some(true), "{body}");
        }
        let f: Form = serde_json::from_str(r#"{"on": false, "ids": [1, "2"]}"#).unwrap();
        assert_eq!((f.on, f.ids), (Some(false), vec!["1".to_owned(), "2".to_owned()]));
        for form in ["on=true", "on=1", "on=on"] {
            let f: Form = serde_html_form::from_str(form).unwrap();
            assert_eq!(f.on, Some(true), "{form}");
        }
        let f: Form = serde_html_form::from_str("on=0&ids=3&ids=4").unwrap();
        assert_eq!((f.on, f.ids), (Some(false), vec!["3".to_owned(), "4".to_owned()]));
        let f: Form = serde_html_form::from_str("").unwrap();
        assert_eq!(f.on, None);
        assert!(serde_json::from_str::<Form>(r#"{"on": "maybe"}"#).is_err());
    }
}
