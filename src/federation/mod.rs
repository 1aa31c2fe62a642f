//! ActivityPub: the wire shapes (`protocol`) and the converters between them and our rows.
//! Incoming activities, the delivery queue and signed fetches arrive here with groups.

pub mod activities;
pub mod actors;
pub mod collections;
pub mod delivery;
mod event_inbox;
pub mod events;
pub mod fetch;
pub mod inbox;
pub mod objects;
pub mod policy;
pub mod protocol;
mod relay;
pub mod remote;
pub mod signatures;

/// The media type of ActivityPub documents we serve.
pub const ACTIVITY_JSON: &str = "application/activity+json";
