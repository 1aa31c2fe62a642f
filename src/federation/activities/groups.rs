//! What groups send: the Announce that relays an activity or a post to the members
//! (FEP-1b12), bans (`Block`, Lemmy's shape), pins (`Add`/`Remove` to the featured collection),
//! locks, and stewards appointed or removed (`Add`/`Remove` to the moderators collection).

use serde_json::{Value, json};

use super::AS_CONTEXT;

/// A group's Announce of an activity or object to its members (FEP-1b12).
pub fn announce(id: &str, group: &str, object: Value, to: Vec<String>, cc: Vec<String>) -> Value {
    json!({
        "@context": AS_CONTEXT, "id": id, "type": "Announce", "actor": group, "object": object,
        "to": to, "cc": cc, "audience": group,
    })
}

/// A group banning an actor (Lemmy's shape: `target` is the group).
pub fn block(id: &str, group: &str, object: &str, reason: &str) -> Value {
    json!({
        "@context": AS_CONTEXT, "id": id, "type": "Block", "actor": group, "object": object, "target": group,
        "summary": reason, "to": [object], "audience": group,
    })
}

/// The group acting on something it holds: `Add`/`Remove` of a post to `target` (its featured
/// collection), `Add`/`Remove` of a member to its moderators collection, or `Lock` of a post.
pub fn moderation(
    kind: &str,
    id: &str,
    group: &str,
    object: &str,
    target: Option<&str>,
    to: &[String],
    cc: &[String],
) -> Value {
    let mut a = json!({
        "@context": AS_CONTEXT, "id": id, "type": kind, "actor": group, "object": object,
        "to": to, "cc": cc, "audience": group,
    });
    if let Some(t) = target {
        a["target"] = json!(t);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::federation::activities::shape::{fixture, same_shape};
    use crate::federation::activities::{follow, undo};

    const G: &str = "https://a.example/groups/maths";

    #[test]
    fn shaped_as_lemmy_sends_them() {
        let Some(theirs) = fixture("lemmy/activities/community/announce_create_page.json") else {
            return;
        };
        let create = json!({ "id": "https://b.example/a/1", "type": "Create", "actor": "https://b.example/u/bo",
                             "object": { "id": "https://b.example/p/1", "type": "Page" } });
        let a = announce(
            "https://a.example/a/2",
            G,
            create,
            vec!["https://www.w3.org/ns/activitystreams#Public".into()],
            vec![],
        );
        same_shape(&a, &theirs);
        assert_eq!(a["audience"], G);
        let ban = block("https://a.example/a/3", G, "https://b.example/u/bo", "spam");
        same_shape(&ban, &fixture("lemmy/activities/block/block_user.json").unwrap());
        same_shape(
            &undo("https://a.example/a/4", G, ban),
            &fixture("lemmy/activities/block/undo_block_user.json").unwrap(),
        );
        let featured = format!("{G}/featured");
        let members = vec![format!("{G}/followers")];
        let pin = moderation(
            "Add",
            "https://a.example/a/5",
            G,
            "https://a.example/posts/1",
            Some(&featured),
            &members,
            &[],
        );
        same_shape(
            &pin,
            &fixture("lemmy/activities/community/add_featured_post.json").unwrap(),
        );
        let unpin = moderation(
            "Remove",
            "https://a.example/a/6",
            G,
            "https://a.example/posts/1",
            Some(&featured),
            &members,
            &[],
        );
        same_shape(
            &unpin,
            &fixture("lemmy/activities/community/remove_featured_post.json").unwrap(),
        );
        let lock = moderation(
            "Lock",
            "https://a.example/a/7",
            G,
            "https://a.example/posts/1",
            None,
            &members,
            &[],
        );
        same_shape(&lock, &fixture("lemmy/activities/community/lock_page.json").unwrap());
        same_shape(
            &undo("https://a.example/a/8", G, lock),
            &fixture("lemmy/activities/community/undo_lock_page.json").unwrap(),
        );
        let moderators = format!("{G}/moderators");
        let add = moderation(
            "Add",
            "https://a.example/a/9",
            G,
            "https://b.example/u/bo",
            Some(&moderators),
            &members,
            &[],
        );
        same_shape(&add, &fixture("lemmy/activities/community/add_mod.json").unwrap());
        let remove = moderation(
            "Remove",
            "https://a.example/a/10",
            G,
            "https://b.example/u/bo",
            Some(&moderators),
            &members,
            &[],
        );
        same_shape(&remove, &fixture("lemmy/activities/community/remove_mod.json").unwrap());
        // A Follow of the group is a member's, never the group's.
        assert_eq!(follow("f", "https://b.example/u/bo", G)["object"], G);
    }
}
