//! Activities about events: Join, Leave, TentativeAccept (maybe), Invite, and the Delete of an
//! event (a Tombstone that remembers it was an Event).

use serde_json::{Value, json};

use super::AS_CONTEXT;
use crate::federation::protocol::PUBLIC;
use crate::storage::actors::ActorRow;
use crate::storage::events::EventRow;

/// `Join` of an event (RSVP).
pub fn join(id: &str, actor: &ActorRow, e: &EventRow) -> Value {
    json!({ "@context": AS_CONTEXT, "id": id, "type": "Join", "actor": actor.ap_id, "object": e.ap_id })
}

/// `Leave` of an event.
pub fn leave(id: &str, actor: &ActorRow, e: &EventRow) -> Value {
    json!({ "@context": AS_CONTEXT, "id": id, "type": "Leave", "actor": actor.ap_id, "object": e.ap_id })
}

/// `TentativeAccept` of an event ("maybe"), as Friendica sends it, to the event's host.
pub fn tentative_accept(id: &str, actor: &ActorRow, e: &EventRow, host: &ActorRow) -> Value {
    json!({ "@context": AS_CONTEXT, "id": id, "type": "TentativeAccept", "actor": actor.ap_id,
        "object": e.ap_id, "to": [host.ap_id] })
}

/// `Invite` to an event (Mobilizon's shape: the event as object, the invitee as target).
pub fn invite(id: &str, sender: &ActorRow, e: &EventRow, who: &ActorRow) -> Value {
    json!({ "@context": AS_CONTEXT, "id": id, "type": "Invite", "actor": sender.ap_id,
        "object": e.ap_id, "target": who.ap_id, "to": [who.ap_id] })
}

/// `Delete` of an event, with a Tombstone, addressed like the event.
pub fn delete(id: &str, sender: &ActorRow, e: &EventRow) -> Value {
    let to = if e.visibility == crate::model::Visibility::Public {
        PUBLIC
    } else {
        sender.ap_id.as_str()
    };
    json!({ "@context": AS_CONTEXT, "id": id, "type": "Delete", "actor": sender.ap_id,
        "object": { "id": e.ap_id, "type": "Tombstone", "formerType": "Event" },
        "to": [to], "cc": sender.followers_url.iter().collect::<Vec<_>>() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::federation::activities::shape::{fixture, same_shape};

    fn actor(id: &str) -> ActorRow {
        let a: crate::federation::protocol::RemoteActor = serde_json::from_value(json!({
            "id": id, "type": "Person", "inbox": format!("{id}/inbox"), "followers": format!("{id}/followers"),
            "publicKey": { "id": format!("{id}#main-key"), "owner": id, "publicKeyPem": "-----BEGIN PUBLIC KEY-----" }
        }))
        .unwrap();
        crate::federation::remote::remote_actor_to_row(&a, None).unwrap()
    }

    fn rows() -> (ActorRow, ActorRow, EventRow) {
        let e = crate::federation::events::remote_event_to_row(
            &json!({ "id": "https://b.example/events/1", "type": "Event", "name": "Seminar",
                     "startTime": "2027-03-12T09:00:00Z", "to": [PUBLIC] }),
            2,
            None,
        )
        .unwrap();
        (
            actor("https://a.example/users/ada"),
            actor("https://b.example/users/bo"),
            e,
        )
    }

    #[test]
    fn shaped_as_mobilizon_and_mastodon_send_them() {
        let Some(theirs) = fixture("mobilizon-tests/mobilizon-join-activity.json") else {
            return;
        };
        let (ada, bo, e) = rows();
        same_shape(&join("https://a.example/j/1", &ada, &e), &theirs);
        same_shape(
            &leave("https://a.example/l/1", &ada, &e),
            &fixture("mobilizon-tests/mobilizon-leave-activity.json").unwrap(),
        );
        let inv = invite("https://b.example/i/1", &bo, &e, &ada);
        same_shape(
            &inv,
            &fixture("mobilizon-tests/mobilizon-invite-activity.json").unwrap(),
        );
        assert_eq!(
            (inv["target"].as_str(), inv["to"][0].as_str()),
            (Some(ada.ap_id.as_str()), Some(ada.ap_id.as_str()))
        );
        let d = delete("https://b.example/d/1", &bo, &e);
        same_shape(&d, &fixture("mastodon/activities/delete.json").unwrap());
        assert_eq!(
            (d["object"]["formerType"].as_str(), d["to"][0].as_str()),
            (Some("Event"), Some(PUBLIC))
        );
        // Friendica's "maybe": the event itself, to its host.
        let m = tentative_accept("https://a.example/m/1", &ada, &e, &bo);
        assert_eq!(
            (m["type"].as_str(), m["object"].as_str(), m["to"][0].as_str()),
            (Some("TentativeAccept"), Some(e.ap_id.as_str()), Some(bo.ap_id.as_str()))
        );
    }
}
