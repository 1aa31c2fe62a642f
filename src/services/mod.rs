//! Domain logic. HTTP handlers and CLI commands call these; they call storage.

pub mod accounts;
pub mod content;
pub mod events;
pub mod groups;
pub mod inbound;
pub mod limits;
pub mod media;
pub mod node;
pub mod notify;
pub mod posts;
pub mod social;
pub mod visibility;
