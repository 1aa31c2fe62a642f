//! Staffroom: a federated community server for networks of teachers and educators.
//! See ARCHITECTURE.md for how a request and an activity flow through these modules.

pub mod api;
pub mod app;
pub mod cli;
pub mod config;
pub mod federation;
pub mod http;
pub mod ids;
pub mod model;
pub mod server;
pub mod services;
pub mod storage;
pub mod telemetry;
pub mod text;
pub mod web;
