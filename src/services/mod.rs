//! Domain logic. HTTP handlers and CLI commands call these; they call storage.

pub mod accounts;
pub mod blocks;
pub mod content;
pub mod events;
pub mod filters;
pub mod groups;
pub mod inbound;
pub mod limits;
pub mod lists;
pub mod media;
pub mod node;
pub mod notify;
pub mod polls;
pub mod posts;
pub mod reports;
pub mod sessions;
pub mod social;
pub mod visibility;
