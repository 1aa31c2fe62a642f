//! Builders of outgoing activities: pure functions from ids and objects to JSON, no I/O.

use serde_json::{Value, json};

pub const AS_CONTEXT: &str = "https://www.w3.org/ns/activitystreams";

pub fn follow(id: &str, actor: &str, object: &str) -> Value {
    json!({ "@context": AS_CONTEXT, "id": id, "type": "Follow", "actor": actor, "object": object })
}

/// Accept or Reject of a follow; `follow` is the Follow activity, embedded as Mastodon expects.
pub fn answer_follow(kind: &str, id: &str, actor: &str, follow: Value) -> Value {
    let to = follow["actor"].clone();
    json!({ "@context": AS_CONTEXT, "id": id, "type": kind, "actor": actor, "object": follow, "to": [to] })
}

pub fn undo(id: &str, actor: &str, inner: Value) -> Value {
    let to = inner["object"].clone();
    json!({ "@context": AS_CONTEXT, "id": id, "type": "Undo", "actor": actor, "object": inner, "to": [to] })
}

/// Create or Update of an object, addressed as the object is.
pub fn create_or_update(kind: &str, id: &str, actor: &str, object: &Value) -> Value {
    let mut a = json!({
        "@context": AS_CONTEXT, "id": id, "type": kind, "actor": actor, "object": object,
        "to": object["to"].clone(), "cc": object["cc"].clone(),
    });
    if let Some(audience) = object.get("audience") {
        a["audience"] = audience.clone();
    }
    if let Some(published) = object.get("published") {
        a["published"] = published.clone();
    }
    a
}

/// A group's Announce of an activity or object to its members (FEP-1b12).
pub fn announce(id: &str, group: &str, object: Value, to: Vec<String>, cc: Vec<String>) -> Value {
    json!({
        "@context": AS_CONTEXT, "id": id, "type": "Announce", "actor": group, "object": object,
        "to": to, "cc": cc, "audience": group,
    })
}

pub fn delete(id: &str, actor: &str, object: &str, to: Vec<String>, cc: Vec<String>) -> Value {
    json!({
        "@context": AS_CONTEXT, "id": id, "type": "Delete", "actor": actor,
        "object": { "id": object, "type": "Tombstone" }, "to": to, "cc": cc,
    })
}

/// A group banning an actor (Lemmy's shape: `target` is the group).
pub fn block(id: &str, group: &str, object: &str, reason: &str) -> Value {
    json!({
        "@context": AS_CONTEXT, "id": id, "type": "Block", "actor": group, "object": object, "target": group,
        "summary": reason, "to": [object], "audience": group,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_embeds_the_follow_and_addresses_the_follower() {
        let f = follow(
            "https://b.example/f/1",
            "https://b.example/users/ada",
            "https://a.example/groups/maths",
        );
        let a = answer_follow(
            "Accept",
            "https://a.example/a/1",
            "https://a.example/groups/maths",
            f.clone(),
        );
        assert_eq!(a["object"], f);
        assert_eq!(a["to"][0], "https://b.example/users/ada");
        let u = undo("https://b.example/u/1", "https://b.example/users/ada", f);
        assert_eq!(u["to"][0], "https://a.example/groups/maths");
    }

    #[test]
    fn create_copies_the_object_addressing() {
        let note = json!({ "id": "n", "to": ["x"], "cc": ["y"], "audience": "g", "published": "2026-01-01T00:00:00Z" });
        let c = create_or_update("Create", "c", "a", &note);
        assert_eq!(
            (c["to"][0].as_str(), c["cc"][0].as_str(), c["audience"].as_str()),
            (Some("x"), Some("y"), Some("g"))
        );
    }
}
