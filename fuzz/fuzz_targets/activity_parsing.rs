//! Activities and objects as other servers send them: reading them into our rows never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use staffroom::federation::objects::{RemoteObject, remote_attachments, remote_object_to_row};
use staffroom::federation::protocol::{RemoteActor, addresses, first_url, id_of};

fuzz_target!(|data: &[u8]| {
    let Ok(v) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    for field in ["id", "actor", "object", "to", "cc", "audience", "url", "attributedTo"] {
        let _ = id_of(&v[field]);
        let _ = addresses(&v[field]);
        let _ = first_url(&v[field]);
    }
    // The typed reading every received activity goes through.
    let _ = staffroom::federation::inbound::Inbound::parse(&v);
    let object = if v["object"].is_object() { &v["object"] } else { &v };
    if let Ok(o) = serde_json::from_value::<RemoteObject>(object.clone()) {
        let _ = (o.author(), o.recipients(), o.mentions(), o.in_reply_to(), o.is_public());
        let _ = remote_object_to_row(&o, 1, None, staffroom::model::Visibility::Public);
    }
    let _ = remote_attachments(&object["attachment"]);
    let _ = staffroom::federation::events::remote_event_to_row(object, 1, None);
    if let Ok(a) = serde_json::from_value::<RemoteActor>(v.clone()) {
        let _ = staffroom::federation::remote::remote_actor_to_row(&a, None);
    }
});
