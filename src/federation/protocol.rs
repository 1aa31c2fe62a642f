//! Wire shapes of the ActivityPub documents Staffroom serves.

use activitypub_federation::protocol::public_key::PublicKey;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

/// The JSON-LD context of actors: ActivityStreams, security (keys) and the extension terms
/// Mastodon and Lemmy use.
pub fn actor_context() -> Value {
    serde_json::json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        "https://w3id.org/security/multikey/v1",
        {
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "toot": "http://joinmastodon.org/ns#",
            "discoverable": "toot:discoverable",
            "indexable": "toot:indexable",
            "featured": { "@id": "toot:featured", "@type": "@id" },
            "lemmy": "https://join-lemmy.org/ns#",
            "postingRestrictedToMods": "lemmy:postingRestrictedToMods"
        }
    ])
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    #[serde(rename = "@context")]
    pub context: Value,
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: String,
    pub preferred_username: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<Url>,
    pub inbox: Url,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outbox: Option<Url>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub followers: Option<Url>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub following: Option<Url>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub featured: Option<Url>,
    /// For groups: the collection of moderators, as Lemmy publishes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributed_to: Option<Url>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub posting_restricted_to_mods: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Endpoints>,
    pub public_key: PublicKey,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<Image>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
    pub published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    pub manually_approves_followers: bool,
    pub discoverable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indexable: Option<bool>,
    /// Ed25519 keys as Multikeys (FEP-521a).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assertion_method: Vec<Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    pub shared_inbox: Url,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    #[serde(rename = "type")]
    pub kind: String,
    pub url: Url,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
}

/// An `OrderedCollection` that shows its size and points at its first page.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderedCollection {
    #[serde(rename = "@context")]
    pub context: Value,
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: String,
    pub total_items: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<Url>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last: Option<Url>,
}

/// One page of an `OrderedCollection`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderedCollectionPage {
    #[serde(rename = "@context")]
    pub context: Value,
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: String,
    pub part_of: Url,
    pub total_items: i64,
    pub ordered_items: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<Url>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prev: Option<Url>,
}

/// Times on the wire: RFC 3339 in UTC with a `Z`, as Mastodon writes them.
pub fn wire_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// An actor as other servers publish it: only `id`, `type`, `inbox` and `publicKey` are required;
/// everything else is read leniently (Mastodon, Lemmy, Mobilizon, Friendica… differ).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteActor {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: String,
    pub preferred_username: Option<String>,
    pub name: Option<String>,
    pub summary: Option<String>,
    #[serde(default)]
    pub url: Value,
    pub inbox: Url,
    pub outbox: Option<Url>,
    pub followers: Option<Url>,
    pub following: Option<Url>,
    pub featured: Option<Url>,
    pub endpoints: Option<RemoteEndpoints>,
    pub public_key: PublicKey,
    #[serde(default)]
    pub icon: Value,
    #[serde(default)]
    pub image: Value,
    #[serde(default)]
    pub manually_approves_followers: Option<bool>,
    #[serde(default)]
    pub discoverable: Option<bool>,
    pub published: Option<String>,
    #[serde(default)]
    pub posting_restricted_to_mods: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteEndpoints {
    pub shared_inbox: Option<Url>,
}

/// The URL in a value that may be a string, a Link or Image object, or an array of them.
pub fn first_url(v: &Value) -> Option<Url> {
    match v {
        // Only web addresses: a `data:` URL or a `payto:` address is no link to pass on.
        Value::String(s) => Url::parse(s).ok().filter(|u| matches!(u.scheme(), "https" | "http")),
        Value::Array(items) => items.iter().find_map(first_url),
        Value::Object(o) => o.get("href").or_else(|| o.get("url")).and_then(first_url),
        _ => None,
    }
}

/// The id of a value that may be a URL string, an object with an `id`, or an array of those
/// (the first; Prismo sends `actor` as an array).
pub fn id_of(v: &Value) -> Option<Url> {
    match v {
        Value::String(s) => Url::parse(s).ok(),
        Value::Object(o) => o.get("id").and_then(id_of),
        Value::Array(items) => items.first().and_then(id_of),
        _ => None,
    }
}

/// Every URL in an addressing field (`to`, `cc`, `audience`), which may be a string or an array.
/// The items of a property that may hold one value or an array of them (`tag`, `attachment`,
/// …): servers send a single tag as an object, not a one-element array.
pub fn items(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

pub fn addresses(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().filter_map(|i| id_of(i).map(|u| u.to_string())).collect(),
        Value::Object(_) => id_of(v).map(|u| vec![u.to_string()]).unwrap_or_default(),
        _ => Vec::new(),
    }
}

pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// Whether an addressing list names the public collection (in any of its spellings).
pub fn is_public_address(a: &str) -> bool {
    a == PUBLIC || a == "as:Public" || a == "Public"
}
