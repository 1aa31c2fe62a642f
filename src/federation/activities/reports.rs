//! Reports (`Flag`), in the two shapes servers read: Mastodon's, sent by the node's application
//! actor to the reported person's server (the reporter stays anonymous there); Lemmy's, sent by
//! the reporter to a group, one post at a time, for the group's moderators.

use serde_json::{Value, json};

use super::AS_CONTEXT;

/// A report of an account and some of its posts, as Mastodon sends it.
pub fn flag_account(id: &str, node_actor: &str, target: &str, posts: &[String], comment: &str) -> Value {
    let mut object = vec![Value::from(target)];
    object.extend(posts.iter().map(|p| Value::from(p.as_str())));
    json!({
        "@context": AS_CONTEXT, "id": id, "type": "Flag", "actor": node_actor, "content": comment,
        "object": object, "to": [target],
    })
}

/// A report of one post to the group it is in, as Lemmy sends it.
pub fn flag_in_group(id: &str, reporter: &str, post: &str, group: &str, comment: &str) -> Value {
    json!({
        "@context": AS_CONTEXT, "id": id, "type": "Flag", "actor": reporter, "object": post,
        "to": [group], "audience": group, "summary": comment,
    })
}

#[cfg(test)]
mod tests {
    use super::super::shape::{fixture, same_shape};
    use super::*;

    #[test]
    fn reports_have_the_shapes_mastodon_and_lemmy_send() {
        let ours = flag_account(
            "https://a.example/activities/1",
            "https://a.example/actor",
            "https://b.example/users/1",
            &["https://b.example/posts/2".into()],
            "spam",
        );
        if let Some(theirs) = fixture("mastodon/activities/flag.json") {
            same_shape(&ours, &theirs);
        }
        let ours = flag_in_group(
            "https://a.example/activities/2",
            "https://a.example/users/ada",
            "https://b.example/post/7",
            "https://b.example/c/main",
            "report this post",
        );
        if let Some(theirs) = fixture("lemmy/activities/community/report_page.json") {
            same_shape(&ours, &theirs);
        }
    }
}
