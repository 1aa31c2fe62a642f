//! Posts: Create and Update (addressed as the object is), Delete (with a Tombstone, as Mastodon
//! sends it), and a member's Like or boost (`Announce`) of a post.

use serde_json::{Value, json};

use super::AS_CONTEXT;
use crate::federation::protocol::PUBLIC;

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

pub fn delete(id: &str, actor: &str, object: &str, to: Vec<String>, cc: Vec<String>) -> Value {
    json!({
        "@context": AS_CONTEXT, "id": id, "type": "Delete", "actor": actor,
        "object": { "id": object, "type": "Tombstone" }, "to": to, "cc": cc,
    })
}

/// A member's `Like` or boost (`Announce`) of `post` by `author`, public, and in the post's
/// group's `audience` when it has one (Lemmy routes votes by it).
pub fn reaction(kind: &str, id: &str, actor: &str, post: &str, author: &str, group: Option<&str>) -> Value {
    let mut a = json!({
        "@context": AS_CONTEXT, "id": id, "type": kind, "actor": actor, "object": post,
        "to": [PUBLIC], "cc": [author],
    });
    if let Some(g) = group {
        a["audience"] = json!(g);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::federation::activities::shape::{fixture, same_shape};
    use crate::federation::activities::undo;

    #[test]
    fn create_copies_the_object_addressing() {
        let note = json!({ "id": "n", "to": ["x"], "cc": ["y"], "audience": "g", "published": "2026-01-01T00:00:00Z" });
        let c = create_or_update("Create", "c", "a", &note);
        assert_eq!(
            (c["to"][0].as_str(), c["cc"][0].as_str(), c["audience"].as_str()),
            (Some("x"), Some("y"), Some("g"))
        );
    }

    #[test]
    fn shaped_as_mastodon_and_lemmy_send_them() {
        let Some(theirs) = fixture("mastodon/activities/create_note.json") else {
            return;
        };
        let note = json!({ "id": "https://a.example/posts/1", "type": "Note", "attributedTo": "https://a.example/users/ada",
                           "to": [PUBLIC], "cc": [], "content": "<p>Hi</p>" });
        let ada = "https://a.example/users/ada";
        same_shape(
            &create_or_update("Create", "https://a.example/posts/1/activity", ada, &note),
            &theirs,
        );
        let page = json!({ "id": "https://a.example/posts/2", "type": "Page", "attributedTo": ada,
                           "to": ["https://a.example/groups/maths", PUBLIC], "audience": "https://a.example/groups/maths" });
        let update = create_or_update("Update", "https://a.example/posts/2#u", ada, &page);
        same_shape(
            &update,
            &fixture("lemmy/activities/create_or_update/update_page.json").unwrap(),
        );
        assert_eq!(update["audience"], "https://a.example/groups/maths");
        let d = delete(
            "https://a.example/posts/1#delete",
            ada,
            "https://a.example/posts/1",
            vec![PUBLIC.into()],
            vec![],
        );
        same_shape(&d, &fixture("mastodon/activities/delete.json").unwrap());
        let like = reaction(
            "Like",
            "https://a.example/l/1",
            ada,
            "https://b.example/p/1",
            "https://b.example/u/bo",
            Some("https://b.example/c/main"),
        );
        same_shape(&like, &fixture("mastodon/activities/like_page.json").unwrap());
        same_shape(&like, &fixture("lemmy/activities/voting/like_note.json").unwrap());
        same_shape(
            &undo("https://a.example/u/1", ada, like.clone()),
            &fixture("lemmy/activities/voting/undo_like_note.json").unwrap(),
        );
        same_shape(
            &undo("https://a.example/u/1", ada, like),
            &fixture("mastodon/activities/undo_like_page.json").unwrap(),
        );
        let boost = reaction(
            "Announce",
            "https://a.example/b/1",
            ada,
            "https://b.example/p/1",
            "https://b.example/u/bo",
            None,
        );
        same_shape(&boost, &fixture("mobilizon-tests/mastodon-announce.json").unwrap());
        assert!(boost.get("audience").is_none());
    }
}
