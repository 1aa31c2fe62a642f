//! Builders of outgoing activities: pure functions from ids, rows and objects to JSON, no I/O,
//! one module per family. Each family's tests compare what it builds with what real servers
//! send (`../shared/fixtures/wire`): the same type, the same structural members, and read back
//! by our own lenient reader as the same kind of activity.

pub mod actors;
pub mod events;
pub mod follows;
pub mod groups;
pub mod posts;
pub mod reports;

pub use follows::{answer_follow, follow, undo};
pub use groups::{announce, block};
pub use posts::{create_or_update, delete};

pub const AS_CONTEXT: &str = "https://www.w3.org/ns/activitystreams";

#[cfg(test)]
pub(crate) mod shape {
    //! Comparing a built activity with a real server's.

    use serde_json::Value;

    use crate::federation::inbound::Inbound;

    /// A fixture from `../shared/fixtures/wire`, or `None` (said loudly) when the corpus is missing.
    pub fn fixture(rel: &str) -> Option<Value> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/wire");
        if !dir.is_dir() {
            eprintln!("SKIPPED: {} is missing, {rel} was not compared", dir.display());
            return None;
        }
        let text = std::fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        Some(serde_json::from_str(&text).unwrap())
    }

    fn kind(v: &Value) -> &'static str {
        match v {
            Value::String(_) => "a URL",
            Value::Object(_) => "an object",
            Value::Array(_) => "an array",
            _ => "other",
        }
    }

    fn variant(v: &Value) -> String {
        let parsed = Inbound::parse(v).unwrap_or_else(|e| panic!("unreadable: {e}\n{v:#}"));
        let debug = format!("{parsed:?}");
        // The variant and, for answers and moderation, its flag.
        let name = debug.split('(').next().unwrap_or_default().to_owned();
        match parsed {
            Inbound::Answer(_, accepted) => format!("{name}:{accepted}"),
            Inbound::Create(_, update) => format!("{name}:{update}"),
            Inbound::Moderation(_, m) => format!("{name}:{m:?}"),
            _ => name,
        }
    }

    /// `ours` has the type of the real server's `theirs`, every structural member it has
    /// (`actor`, `object`, `target`), the object in the same form (a URL or embedded) and
    /// the same embedded type, and reads back as the same kind of activity.
    pub fn same_shape(ours: &Value, theirs: &Value) {
        assert_eq!(ours["type"], theirs["type"], "type\nours: {ours:#}\ntheirs: {theirs:#}");
        assert_eq!(
            ours["@context"],
            super::AS_CONTEXT,
            "our activities carry the ActivityStreams context"
        );
        for member in ["id", "actor", "object", "target"] {
            if let Some(t) = theirs.get(member) {
                let o = ours
                    .get(member)
                    .unwrap_or_else(|| panic!("`{member}` missing\nours: {ours:#}"));
                if member == "object" {
                    assert_eq!(kind(o), kind(t), "`object` form\nours: {ours:#}\ntheirs: {theirs:#}");
                    assert_eq!(o.get("type"), t.get("type"), "embedded object's type");
                }
            }
        }
        assert_eq!(variant(ours), variant(theirs), "read back as another kind of activity");
    }
}
