//! Posts on the wire: our rows as Note/Page objects, and objects from elsewhere as rows.

use serde::Deserialize;
use serde_json::{Value, json};
use url::Url;

use super::protocol::{PUBLIC, addresses, first_url, id_of, items, wire_time};
use crate::model::Visibility;
use crate::storage::actors::ActorRow;
use crate::storage::posts::PostRow;

/// The addressing of a post: who it is `to` and `cc`.
pub fn addressing(
    post: &PostRow,
    author: &ActorRow,
    group: Option<&ActorRow>,
    mentions: &[String],
) -> (Vec<String>, Vec<String>) {
    let mut to = Vec::new();
    let mut cc: Vec<String> = Vec::new();
    if let Some(g) = group {
        to.push(g.ap_id.clone());
    }
    match post.visibility {
        Visibility::Public => {
            to.push(PUBLIC.to_owned());
            cc.extend(author.followers_url.clone());
        }
        // Mastodon's shape: the followers, and the public in `cc` (kept out of public timelines).
        Visibility::Unlisted => {
            to.extend(author.followers_url.clone());
            cc.push(PUBLIC.to_owned());
        }
        // Members-only: the group's members, never the public; outside groups, the followers.
        Visibility::Members => match group {
            Some(g) => to.extend(g.followers_url.clone()),
            None => to.extend(author.followers_url.clone()),
        },
        // Only the people mentioned, each named in `to` (and in a `Mention` tag).
        Visibility::Direct => to.extend(mentions.iter().cloned()),
    }
    cc.extend(mentions.iter().cloned());
    cc.retain(|a| !to.contains(a));
    cc.dedup();
    (to, cc)
}

/// A stored post as the ActivityPub object other servers fetch.
pub fn post_to_ap(post: &PostRow, author: &ActorRow, group: Option<&ActorRow>) -> Value {
    let tags: Value = serde_json::from_str(&post.tags).unwrap_or(json!([]));
    let mentions: Vec<String> = tags
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["type"] == "Mention")
        .filter_map(|t| t["href"].as_str().map(str::to_owned))
        .filter(|h| group.is_none_or(|g| &g.ap_id != h))
        .collect();
    let (to, cc) = addressing(post, author, group, &mentions);
    let mut o = json!({
        "@context": [super::activities::AS_CONTEXT, { "sensitive": "as:sensitive", "Hashtag": "as:Hashtag" }],
        "id": post.ap_id,
        "type": post.kind,
        "attributedTo": author.ap_id,
        "content": post.content_html,
        "mediaType": "text/html",
        "published": wire_time(post.published_at),
        "to": to,
        "cc": cc,
        "sensitive": post.sensitive,
        "tag": tags,
        "url": post.url.clone().unwrap_or_else(|| post.ap_id.clone()),
    });
    if let Some(title) = &post.title {
        o["name"] = json!(title);
    }
    if let Some(summary) = &post.summary {
        o["summary"] = json!(summary);
    }
    if let Some(language) = &post.language {
        o["contentMap"] = json!({ language: post.content_html });
    }
    let attachments: Vec<Value> = serde_json::from_str::<Value>(&post.attachments)
        .unwrap_or(json!([]))
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            json!({
                "type": if a["type"] == "image" { "Image" } else { "Document" },
                "mediaType": a["media_type"], "url": a["url"], "name": a["description"],
                "width": a["width"], "height": a["height"],
            })
        })
        .collect();
    if !attachments.is_empty() {
        o["attachment"] = Value::Array(attachments);
    }
    if let Some(source) = &post.source {
        o["source"] = json!({ "content": source, "mediaType": "text/plain" });
    }
    if let Some(g) = group {
        o["audience"] = json!(g.ap_id);
    }
    if let Some(r) = &post.in_reply_to {
        o["inReplyTo"] = json!(r);
    }
    if let Some(u) = post.updated_at {
        o["updated"] = json!(wire_time(u));
    }
    o
}

/// A Note, Page or Article from another server, read leniently.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteObject {
    pub id: Url,
    /// The type; given as an array (`["Note", "Article"]`), the first one.
    #[serde(rename = "type", deserialize_with = "first_type")]
    pub kind: String,
    #[serde(default)]
    pub attributed_to: Value,
    pub name: Option<String>,
    pub summary: Option<String>,
    pub content: Option<String>,
    /// The content by language (`{"en": "…"}`); some servers send only this.
    #[serde(default)]
    pub content_map: Value,
    pub media_type: Option<String>,
    #[serde(default)]
    pub in_reply_to: Value,
    #[serde(default)]
    pub to: Value,
    #[serde(default)]
    pub cc: Value,
    #[serde(default)]
    pub audience: Value,
    #[serde(default)]
    pub tag: Value,
    #[serde(default)]
    pub url: Value,
    pub published: Option<String>,
    pub updated: Option<String>,
    #[serde(default)]
    pub sensitive: Option<bool>,
    #[serde(default)]
    pub attachment: Value,
}

pub const POST_TYPES: &[&str] = &[
    "Note", "Page", "Article", "Question", "Event", "Audio", "Video", "Image", "Document",
];

/// Objects that are themselves a file (PeerTube's videos, Funkwhale's tracks, a lone photo):
/// stored as a post whose attachment is the object.
const MEDIA_OBJECTS: &[&str] = &["Audio", "Video", "Image", "Document"];

/// Types with a title (`name`); a Note's `name` is no title (Mastodon reads it only when there
/// is no content).
const TITLED: &[&str] = &["Page", "Article", "Event", "Audio", "Video", "Image", "Document"];

fn first_type<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let v = Value::deserialize(d)?;
    super::inbound::type_of(&json!({ "type": v }))
        .map(str::to_owned)
        .ok_or_else(|| serde::de::Error::custom("expected a type or an array of types"))
}

impl RemoteObject {
    /// The author: the first actor in `attributedTo` (Lemmy and PeerTube list a group too).
    pub fn author(&self) -> Option<Url> {
        match &self.attributed_to {
            Value::Array(items) => items
                .iter()
                .find(|i| !i.is_object() || i["type"] == "Person" || i["type"].is_null())
                .and_then(id_of)
                .or_else(|| items.iter().find_map(id_of)),
            other => id_of(other),
        }
    }

    /// Every address in `to`, `cc` and `audience`.
    pub fn recipients(&self) -> Vec<String> {
        let mut all = addresses(&self.to);
        all.extend(addresses(&self.cc));
        all.extend(addresses(&self.audience));
        all
    }

    /// Hrefs of `Mention` tags.
    pub fn mentions(&self) -> Vec<String> {
        items(&self.tag)
            .into_iter()
            .filter(|t| t["type"] == "Mention")
            .filter_map(|t| t["href"].as_str().map(str::to_owned))
            .collect()
    }

    /// The content: `content`, or else a language's in `contentMap` (English first, then the
    /// first given).
    pub fn content(&self) -> Option<&str> {
        self.content.as_deref().filter(|c| !c.is_empty()).or_else(|| {
            let map = self.content_map.as_object()?;
            map.get("en")
                .and_then(Value::as_str)
                .or_else(|| map.values().find_map(Value::as_str))
        })
    }

    /// The language: `contentMap`'s key for the content given (or its only or first key).
    pub fn language(&self) -> Option<String> {
        let map = self.content_map.as_object()?;
        let content = self.content();
        let key = map
            .iter()
            .find(|(_, v)| v.is_string() && v.as_str() == content)
            .map(|(k, _)| k)
            .or_else(|| map.keys().next())?;
        crate::model::normalize_language(key)
    }

    pub fn in_reply_to(&self) -> Option<Url> {
        match &self.in_reply_to {
            Value::Array(items) => items.iter().find_map(id_of),
            other => id_of(other),
        }
    }

    pub fn is_public(&self) -> bool {
        self.recipients().iter().any(|a| super::protocol::is_public_address(a))
    }

    /// Public and meant for public timelines: the public in `to` (in `cc` only, it is unlisted).
    pub fn is_listed(&self) -> bool {
        addresses(&self.to)
            .iter()
            .any(|a| super::protocol::is_public_address(a))
    }
}

fn parse_time(s: &Option<String>) -> Option<chrono::DateTime<chrono::Utc>> {
    s.as_deref()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// Converts a remote object into a row for `author`, in `group` (if any), with `visibility`.
pub fn remote_object_to_row(
    o: &RemoteObject,
    author_id: i64,
    group_id: Option<i64>,
    visibility: Visibility,
) -> PostRow {
    let now = crate::storage::now();
    let titled = TITLED.contains(&o.kind.as_str());
    let content = o
        .content()
        .or(if titled { None } else { o.name.as_deref() })
        .unwrap_or_default();
    let content = if o.media_type.as_deref().is_some_and(|m| m.starts_with("text/markdown")) {
        crate::text::plain_to_html(content)
    } else {
        crate::model::sanitize_html(content)
    };
    let tags: Vec<Value> = items(&o.tag)
        .into_iter()
        .filter(|t| t["type"] == "Mention" || t["type"] == "Hashtag")
        .take(crate::model::MAX_MENTIONS + crate::model::MAX_HASHTAGS)
        .map(|t| json!({ "type": t["type"], "href": t["href"], "name": t["name"] }))
        .collect();
    PostRow {
        id: crate::ids::id_at(now),
        ap_id: o.id.to_string(),
        url: first_url(&o.url).map(|u| u.to_string()),
        author_id,
        group_id,
        in_reply_to: o.in_reply_to().map(|u| u.to_string()),
        kind: if POST_TYPES.contains(&o.kind.as_str()) && !MEDIA_OBJECTS.contains(&o.kind.as_str()) {
            o.kind.clone()
        } else {
            "Note".into()
        },
        title: o
            .name
            .clone()
            .filter(|_| titled)
            .map(|t| t.chars().take(crate::model::MAX_TITLE_CHARS).collect()),
        content_html: content,
        source: None,
        summary: o.summary.as_deref().and_then(crate::model::plain_summary),
        language: o.language(),
        visibility,
        tags: Value::Array(tags).to_string(),
        attachments: Value::Array(
            if MEDIA_OBJECTS.contains(&o.kind.as_str()) && items(&o.attachment).is_empty() {
                remote_attachments(&json!([media_object_file(o)]))
            } else {
                remote_attachments(&o.attachment)
            },
        )
        .to_string(),
        // Mastodon marks the post; some servers mark each attachment.
        sensitive: o.sensitive.unwrap_or(false) || items(&o.attachment).iter().any(|a| a["sensitive"] == true),
        local: false,
        pinned_at: None,
        locked: false,
        published_at: parse_time(&o.published).unwrap_or(now),
        updated_at: parse_time(&o.updated),
        deleted_at: None,
        created_at: now,
        relay_id: group_id.map(|_| crate::ids::id_at(now)),
    }
}

/// The file a media object is, as an attachment: of its `url`s, the first whose media type is a
/// picture, a video or a sound (PeerTube lists its page first), else the first.
fn media_object_file(o: &RemoteObject) -> Value {
    let links = items(&o.url);
    let file = links.iter().find(|l| {
        l["mediaType"]
            .as_str()
            .is_some_and(|m| m.starts_with("video/") || m.starts_with("audio/") || m.starts_with("image/"))
    });
    match file {
        Some(l) => json!({ "type": o.kind, "url": l, "mediaType": l["mediaType"], "name": o.summary }),
        None => json!({ "type": o.kind, "url": o.url, "mediaType": o.media_type, "name": o.summary }),
    }
}

/// Attachments of a remote object (images, video, audio, documents), as we store them.
pub fn remote_attachments(v: &Value) -> Vec<Value> {
    items(v)
        .into_iter()
        // A `Link` (a web page, a `payto:` address) or a property is no file.
        .filter(|a| a.is_object() && !matches!(a["type"].as_str(), Some("Link" | "PropertyValue")))
        .take(crate::model::MAX_ATTACHMENTS * 2)
        .filter_map(|a| {
            let url = first_url(&a["url"]).or_else(|| first_url(&a["href"]))?;
            let media_type = a["mediaType"].as_str().unwrap_or_default();
            let kind = match media_type.split('/').next().unwrap_or_default() {
                "image" => "image",
                "video" => "video",
                "audio" => "audio",
                _ if a["type"] == "Image" => "image",
                _ => "unknown",
            };
            let id = crate::ids::new_id();
            Some(json!({
                "id": id.to_string(), "type": kind, "url": url, "remote_url": url, "media_type": media_type,
                "description": a["name"].as_str().unwrap_or_default().chars().take(1500).collect::<String>(),
                "width": a["width"].as_i64(), "height": a["height"].as_i64(),
            }))
        })
        .collect()
}

/// The most options read from a remote poll, and the longest option title kept.
const MAX_REMOTE_OPTIONS: usize = 20;
const MAX_REMOTE_OPTION_CHARS: usize = 200;

/// Makes a post's object a `Question` (Mastodon's poll): its options as Notes with their vote
/// counts under `oneOf` (one choice) or `anyOf` (several), its end, and whether it is closed.
pub fn add_poll(
    o: &mut Value,
    poll: &crate::storage::polls::PollRow,
    counts: &[i64],
    voters: Option<i64>,
    now: chrono::DateTime<chrono::Utc>,
) {
    o["type"] = json!("Question");
    let options: Vec<Value> = poll
        .titles()
        .iter()
        .enumerate()
        .map(|(i, t)| {
            json!({ "type": "Note", "name": t,
                    "replies": { "type": "Collection", "totalItems": counts.get(i).copied().unwrap_or(0) } })
        })
        .collect();
    o[if poll.multiple { "anyOf" } else { "oneOf" }] = Value::Array(options);
    if let Some(end) = poll.expires_at {
        o["endTime"] = json!(wire_time(end));
        if end <= now {
            o["closed"] = json!(wire_time(end));
        }
    }
    if let Some(v) = voters {
        o["votersCount"] = json!(v);
    }
}

/// The poll of a remote `Question`, read leniently (options as an array or one object, counts
/// from `replies.totalItems`, the end from `endTime` or `closed`); `None` without options.
pub fn remote_poll(object: &Value, post_id: i64) -> Option<crate::storage::polls::PollRow> {
    let (items, multiple) = match (object.get("oneOf"), object.get("anyOf")) {
        (Some(v), _) if !v.is_null() => (v, false),
        (_, Some(v)) if !v.is_null() => (v, true),
        _ => return None,
    };
    let items: Vec<&Value> = match items {
        Value::Array(a) => a.iter().take(MAX_REMOTE_OPTIONS).collect(),
        v @ Value::Object(_) => vec![v],
        _ => return None,
    };
    let mut titles = Vec::new();
    let mut counts = Vec::new();
    for item in items {
        let Some(name) = item.get("name").and_then(Value::as_str) else {
            continue;
        };
        titles.push(name.chars().take(MAX_REMOTE_OPTION_CHARS).collect::<String>());
        counts.push(
            item.pointer("/replies/totalItems")
                .and_then(Value::as_i64)
                .unwrap_or(0)
                .max(0),
        );
    }
    if titles.is_empty() {
        return None;
    }
    let time = |k: &str| {
        object
            .get(k)
            .and_then(Value::as_str)
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map(|t| t.with_timezone(&chrono::Utc))
    };
    Some(crate::storage::polls::PollRow {
        post_id,
        options: json!(titles).to_string(),
        counts: json!(counts).to_string(),
        multiple,
        hide_totals: false,
        expires_at: time("endTime").or_else(|| time("closed")),
        voters_count: object.get("votersCount").and_then(Value::as_i64).filter(|n| *n >= 0),
    })
}
