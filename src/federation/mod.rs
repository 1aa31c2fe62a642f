//! ActivityPub, the protocol side: the wire shapes (`protocol`, and `inbound` for the
//! activities we accept), the converters between them and our rows, signatures and keys,
//! signed fetches, the HTTP inbox (verify and store), the relay rule and the delivery queue.
//! What a received activity changes is decided in `services::inbound`; this module imports
//! nothing from `services`.

pub mod activities;
pub mod actors;
pub mod collections;
pub mod delivery;
pub mod events;
pub mod fetch;
pub mod inbound;
pub mod inbox;
pub mod integrity;
pub mod keys;
pub mod objects;
pub mod policy;
pub mod protocol;
pub mod relay;
pub mod remote;
pub mod rfc9421;
pub mod signatures;

/// The media type of ActivityPub documents we serve.
pub const ACTIVITY_JSON: &str = "application/activity+json";
