//! An actor's Update of itself (a changed profile), public and to its followers.

use serde_json::{Value, json};

use super::AS_CONTEXT;
use crate::federation::protocol::PUBLIC;

pub fn update_actor(id: &str, actor: &Value, followers: Option<&str>) -> Value {
    json!({
        "@context": AS_CONTEXT, "id": id, "type": "Update", "actor": actor["id"], "object": actor,
        "to": [PUBLIC], "cc": followers.into_iter().collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::federation::activities::shape::{fixture, same_shape};

    #[test]
    fn shaped_as_mastodon_sends_it() {
        let Some(theirs) = fixture("mobilizon-tests/mastodon-update.json") else {
            return;
        };
        let me = json!({ "id": "https://a.example/users/ada", "type": "Person", "preferredUsername": "ada" });
        let u = update_actor(
            "https://a.example/a/1",
            &me,
            Some("https://a.example/users/ada/followers"),
        );
        same_shape(&u, &theirs);
        assert_eq!(
            (u["actor"].as_str(), u["cc"][0].as_str()),
            (
                Some("https://a.example/users/ada"),
                Some("https://a.example/users/ada/followers")
            )
        );
    }
}
