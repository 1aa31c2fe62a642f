//! Following: Follow, its Accept or Reject (with the Follow embedded, as Mastodon expects), and
//! Undo of anything we sent.

use serde_json::{Value, json};

use super::AS_CONTEXT;

pub fn follow(id: &str, actor: &str, object: &str) -> Value {
    json!({ "@context": AS_CONTEXT, "id": id, "type": "Follow", "actor": actor, "object": object })
}

/// Accept or Reject of a follow (or of a Join); `follow` is the activity answered, embedded.
pub fn answer_follow(kind: &str, id: &str, actor: &str, follow: Value) -> Value {
    let to = follow["actor"].clone();
    json!({ "@context": AS_CONTEXT, "id": id, "type": kind, "actor": actor, "object": follow, "to": [to] })
}

/// A person blocking another (Mastodon's shape: addressed to the blocked person alone).
pub fn personal_block(id: &str, actor: &str, object: &str) -> Value {
    json!({ "@context": AS_CONTEXT, "id": id, "type": "Block", "actor": actor, "object": object, "to": [object] })
}

/// Undo of `inner` (a Follow, Like, Announce, Lock or Block we sent), embedded whole.
pub fn undo(id: &str, actor: &str, inner: Value) -> Value {
    let to = inner["object"].clone();
    json!({ "@context": AS_CONTEXT, "id": id, "type": "Undo", "actor": actor, "object": inner, "to": [to] })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::federation::activities::shape::{fixture, same_shape};

    fn f() -> Value {
        follow(
            "https://b.example/f/1",
            "https://b.example/users/ada",
            "https://a.example/groups/maths",
        )
    }

    #[test]
    fn accept_embeds_the_follow_and_addresses_the_follower() {
        let a = answer_follow("Accept", "https://a.example/a/1", "https://a.example/groups/maths", f());
        assert_eq!(a["object"], f());
        assert_eq!(a["to"][0], "https://b.example/users/ada");
        let u = undo("https://b.example/u/1", "https://b.example/users/ada", f());
        assert_eq!(u["to"][0], "https://a.example/groups/maths");
    }

    #[test]
    fn shaped_as_mastodon_and_lemmy_send_them() {
        let Some(theirs) = fixture("mastodon/activities/follow.json") else {
            return;
        };
        same_shape(&f(), &theirs);
        same_shape(&f(), &fixture("lemmy/activities/following/follow.json").unwrap());
        let accept = answer_follow("Accept", "https://a.example/a/1", "https://a.example/groups/maths", f());
        same_shape(&accept, &fixture("lemmy/activities/following/accept.json").unwrap());
        same_shape(
            &accept,
            &fixture("mobilizon-tests/mastodon-accept-activity.json").unwrap(),
        );
        let reject = answer_follow("Reject", "https://a.example/a/2", "https://a.example/groups/maths", f());
        same_shape(
            &reject,
            &fixture("mobilizon-tests/mastodon-reject-activity.json").unwrap(),
        );
        let u = undo("https://b.example/u/1", "https://b.example/users/ada", f());
        same_shape(&u, &fixture("mastodon/activities/undo_follow.json").unwrap());
        same_shape(&u, &fixture("lemmy/activities/following/undo_follow.json").unwrap());
    }
}
