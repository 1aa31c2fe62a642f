//! The activities we accept, as typed structs read leniently (the fediverse sends one-or-many,
//! id-or-object), and the error that ends processing one. What an activity *does* is decided in
//! `services::inbound`, one module per family; this module only says what arrived.

use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};
use url::Url;

use super::fetch::FetchError;
use super::policy::authority;
use super::protocol::id_of;
use super::remote::ResolveError;
use crate::app::AppState;
use crate::storage::posts;

/// Why processing an activity stopped.
#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    /// Worth trying again (a remote server did not answer, the database was busy).
    #[error("temporary: {0}")]
    Temporary(String),
    /// Our database was busy or unreachable: tried again later, however often.
    #[error("database unavailable: {0}")]
    Busy(String),
    /// The activity is not acceptable; it is dropped.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ProcessError {
    fn from(e: sqlx::Error) -> Self {
        if crate::storage::is_unavailable(&e) {
            ProcessError::Busy(e.to_string())
        } else {
            ProcessError::Internal(e.into())
        }
    }
}

impl From<ResolveError> for ProcessError {
    fn from(e: ResolveError) -> Self {
        match e {
            ResolveError::Fetch(FetchError::Network(..)) | ResolveError::Fetch(FetchError::Status(..)) => {
                ProcessError::Temporary(e.to_string())
            }
            other => ProcessError::Invalid(other.to_string()),
        }
    }
}

pub fn invalid(m: impl Into<String>) -> ProcessError {
    ProcessError::Invalid(m.into())
}

/// The `type` of a document: a string, or the first string of an array (some servers send
/// `["Create", "pt:Thing"]`).
pub fn type_of(v: &Value) -> Option<&str> {
    match &v["type"] {
        Value::String(s) => Some(s),
        Value::Array(items) => items.iter().find_map(Value::as_str),
        _ => None,
    }
}

fn one_url<'de, D: Deserializer<'de>>(d: D) -> Result<Url, D::Error> {
    let v = Value::deserialize(d)?;
    id_of(&v).ok_or_else(|| serde::de::Error::custom("expected a URL or an object with an id"))
}

fn maybe_url<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Url>, D::Error> {
    Ok(id_of(&Value::deserialize(d)?))
}

/// An activity's `object`: named by its id, or embedded (then `value` holds it whole).
#[derive(Debug, Clone, Default)]
pub struct ObjectRef {
    pub id: Option<Url>,
    pub kind: Option<String>,
    pub actor: Option<Url>,
    /// The embedded object's own `object` (an embedded Follow's followee, a Join's event).
    pub object: Option<Url>,
    pub target: Option<Url>,
    pub value: Value,
}

impl ObjectRef {
    pub fn from_value(value: &Value) -> Self {
        ObjectRef {
            id: id_of(value),
            kind: type_of(value).map(str::to_owned),
            actor: value.get("actor").and_then(id_of),
            object: value.get("object").and_then(id_of),
            target: value.get("target").and_then(id_of),
            value: value.clone(),
        }
    }

    /// True when the object is embedded (not only an id).
    pub fn is_embedded(&self) -> bool {
        self.value.is_object()
    }

    pub fn is(&self, kind: &str) -> bool {
        self.kind.as_deref() == Some(kind)
    }
}

impl<'de> Deserialize<'de> for ObjectRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(ObjectRef::from_value(&Value::deserialize(d)?))
    }
}

/// An activity on one object: Follow, Like, Delete, Join, Leave, Undo, Accept, Reject,
/// TentativeAccept, Create, Update, Announce, Block, Add, Remove, Lock, Invite.
#[derive(Debug, Clone, Deserialize)]
pub struct Activity {
    #[serde(default, deserialize_with = "maybe_url")]
    pub id: Option<Url>,
    #[serde(deserialize_with = "one_url")]
    pub actor: Url,
    #[serde(default)]
    pub object: ObjectRef,
    #[serde(default, deserialize_with = "maybe_url")]
    pub target: Option<Url>,
}

impl Activity {
    /// The object's id, or an error naming what is missing.
    pub fn object_id(&self, what: &str) -> Result<&Url, ProcessError> {
        self.object
            .id
            .as_ref()
            .ok_or_else(|| invalid(format!("{what} without object")))
    }

    pub fn id_str(&self) -> Option<&str> {
        self.id.as_ref().map(Url::as_str)
    }
}

/// The activities we act on, by family. Anything else is accepted and not acted on.
#[derive(Debug, Clone)]
pub enum Inbound {
    Follow(Activity),
    /// Accept (`true`) or Reject (`false`): of a Follow, a Join, an Invite, or an RSVP to an Event.
    Answer(Activity, bool),
    TentativeAccept(Activity),
    Undo(Activity),
    /// Create (`false`) or Update (`true`).
    Create(Activity, bool),
    Delete(Activity),
    Like(Activity),
    Announce(Activity),
    /// A group's moderation: Block of a member, Add/Remove to its featured collection, Lock.
    Moderation(Activity, Moderation),
    Join(Activity),
    Leave(Activity),
    Invite(Activity),
    /// A report: its objects (people and posts) are read from the raw activity.
    Flag(Activity),
    Other(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moderation {
    Block,
    Add,
    Remove,
    Lock,
}

impl Inbound {
    /// Reads an activity by its type; a known type with an unusable shape is an error.
    pub fn parse(v: &Value) -> Result<Inbound, ProcessError> {
        let kind = type_of(v).ok_or_else(|| invalid("an activity needs a type"))?;
        let a =
            || serde_json::from_value::<Activity>(v.clone()).map_err(|e| invalid(format!("unreadable {kind}: {e}")));
        Ok(match kind {
            "Follow" => Inbound::Follow(a()?),
            "Accept" => Inbound::Answer(a()?, true),
            "Reject" => Inbound::Answer(a()?, false),
            "TentativeAccept" => Inbound::TentativeAccept(a()?),
            "Undo" => Inbound::Undo(a()?),
            "Create" => Inbound::Create(a()?, false),
            "Update" => Inbound::Create(a()?, true),
            "Delete" => Inbound::Delete(a()?),
            "Like" => Inbound::Like(a()?),
            "Announce" => Inbound::Announce(a()?),
            "Block" => Inbound::Moderation(a()?, Moderation::Block),
            "Add" => Inbound::Moderation(a()?, Moderation::Add),
            "Remove" => Inbound::Moderation(a()?, Moderation::Remove),
            "Lock" => Inbound::Moderation(a()?, Moderation::Lock),
            "Join" => Inbound::Join(a()?),
            "Leave" => Inbound::Leave(a()?),
            "Invite" => Inbound::Invite(a()?),
            "Flag" => Inbound::Flag(a()?),
            other => Inbound::Other(other.to_owned()),
        })
    }
}

/// The object of an activity: embedded, or fetched by id (only from its own origin). A post we
/// hold is answered from storage (its id and type).
pub async fn object_of(state: &AppState, object: &ObjectRef) -> Result<Value, ProcessError> {
    if object.is_embedded() {
        return Ok(object.value.clone());
    }
    let url = object.id.as_ref().ok_or_else(|| invalid("no object"))?;
    fetch_object(state, url).await
}

/// An object fetched from its origin by id, signed by the node (a post we hold: from storage).
pub async fn fetch_object(state: &AppState, url: &Url) -> Result<Value, ProcessError> {
    if let Some(p) = posts::find_by_ap_id(&state.db, url.as_str()).await? {
        return Ok(json!({ "id": p.ap_id, "type": p.kind }));
    }
    let signer = super::remote::node_signer(state).await?;
    let (final_url, doc) = super::fetch::fetch_json(state, url, &signer)
        .await
        .map_err(ResolveError::from)?;
    if doc.get("id").and_then(id_of).map(|i| authority(&i)) != Some(authority(&final_url)) {
        return Err(invalid("fetched object is not from its origin"));
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `*.json` under `dir`, recursively.
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "json") {
                out.push(p);
            }
        }
    }

    #[test]
    fn a_busy_database_is_a_reason_to_wait_not_to_drop() {
        assert!(matches!(
            ProcessError::from(sqlx::Error::PoolTimedOut),
            ProcessError::Busy(_)
        ));
        assert!(matches!(
            ProcessError::from(sqlx::Error::PoolClosed),
            ProcessError::Busy(_)
        ));
        assert!(matches!(
            ProcessError::from(sqlx::Error::RowNotFound),
            ProcessError::Internal(_)
        ));
    }

    #[test]
    fn lenient_shapes() {
        // `actor` as an array (Prismo), `type` as an array, the object embedded.
        let v = json!({
            "id": "https://a.example/1", "type": ["Like", "x:Vote"],
            "actor": ["https://a.example/u/ana"], "object": { "id": "https://b.example/p/1", "type": "Note" }
        });
        let Inbound::Like(a) = Inbound::parse(&v).unwrap() else {
            panic!("a Like")
        };
        assert_eq!(a.actor.as_str(), "https://a.example/u/ana");
        assert_eq!(a.object.id.unwrap().as_str(), "https://b.example/p/1");
        // An Undo naming only the id of what it undoes.
        let v = json!({ "id": "https://a.example/2", "type": "Undo", "actor": "https://a.example/u/ana",
                        "object": "https://a.example/1" });
        let Inbound::Undo(u) = Inbound::parse(&v).unwrap() else {
            panic!("an Undo")
        };
        assert!(!u.object.is_embedded() && u.object.kind.is_none());
        // Unknown types are accepted and not acted on; a known type without an actor is refused.
        assert!(
            matches!(Inbound::parse(&json!({"type": "Dislike", "actor": "https://a.example/u/ana"})).unwrap(), Inbound::Other(k) if k == "Dislike")
        );
        assert!(Inbound::parse(&json!({"type": "Follow", "object": "https://a.example/u/b"})).is_err());
        assert!(Inbound::parse(&json!({"actor": "https://a.example/u/b"})).is_err());
    }

    #[test]
    fn reads_what_other_servers_send() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/wire");
        if !dir.is_dir() {
            eprintln!("SKIPPED: {} is missing, the wire corpus was not read", dir.display());
            return;
        }
        let mut files = Vec::new();
        walk(&dir, &mut files);
        let (mut acted_on, mut other) = (0, 0);
        for path in &files {
            let Ok(v) = serde_json::from_str::<Value>(&std::fs::read_to_string(path).unwrap()) else {
                continue;
            };
            let (Some(kind), Some(_)) = (type_of(&v), v.get("actor")) else {
                continue;
            };
            match Inbound::parse(&v) {
                Ok(Inbound::Other(k)) => {
                    assert_eq!(k, kind, "{}", path.display());
                    other += 1;
                }
                Ok(_) => acted_on += 1,
                Err(e) => panic!("{}: {e}", path.display()),
            }
        }
        eprintln!("wire corpus: {acted_on} activities read, {other} of types not acted on");
        assert!(acted_on >= 40, "only {acted_on} activities among the wire fixtures");

        // The fields that matter, on a few real shapes.
        let read =
            |rel: &str| -> Value { serde_json::from_str(&std::fs::read_to_string(dir.join(rel)).unwrap()).unwrap() };
        let Inbound::Undo(u) = Inbound::parse(&read("lemmy/activities/following/undo_follow.json")).unwrap() else {
            panic!("Lemmy's Undo")
        };
        assert!(u.object.is("Follow") && u.object.is_embedded());
        assert_eq!(
            u.object.actor.as_ref(),
            Some(&u.actor),
            "the Undo's Follow is the actor's own"
        );
        assert!(u.object.object.is_some(), "the followed group is named");
        let Inbound::Moderation(m, Moderation::Add) =
            Inbound::parse(&read("lemmy/activities/community/add_featured_post.json")).unwrap()
        else {
            panic!("Lemmy's Add to featured")
        };
        assert!(m.target.is_some_and(|t| t.path().ends_with("/featured")));
        let Inbound::Announce(a) =
            Inbound::parse(&read("lemmy/activities/community/announce_create_page.json")).unwrap()
        else {
            panic!("Lemmy's Announce")
        };
        assert!(a.object.is("Create") && a.object.actor.is_some());
    }
}
