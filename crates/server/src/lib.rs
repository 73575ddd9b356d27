//! The mentorpost server: configuration, storage, the HTTP API and background work.
//!
//! Layout:
//! - [`cli`]: the `mentorpost` command line (thin `main` calls [`cli::main`]).
//! - [`app`]: builds the state and runs the server on a caller-owned listener.
//! - [`state`]: the shared state handlers, sockets and jobs reach.
//! - [`config`]: settings and their defaults; [`config_file`]: the optional TOML file.
//! - [`drain`]: keeping on serving for a moment before a stop.
//! - [`db`]: one code path for SQLite and PostgreSQL; the SQLite group-commit writer.
//! - [`store`]: every SQL statement, by aggregate.
//! - [`http`]: routes, extractors, permission guard, OpenAPI.
//! - [`live`]: WebSocket delivery, the fan-out hub, cross-instance signals.
//! - [`health`]: contact-health figures (no content) for routes and summaries.
//! - [`mail`]: outgoing mail.
//! - [`inbound`]: incoming mail: SMTP listener, routing, bounces.
//! - [`erasure`]: erasing a person, started at once and completed in batches.
//! - [`telemetry`]: Prometheus metrics on a listener of their own.
//! - [`demo`]: the demo programme.
//! - [`probe`]: `mentorpost probe`, the container health check.
#![forbid(unsafe_code)]

pub mod app;
pub mod cli;
pub mod config;
pub mod config_file;
pub mod db;
pub mod demo;
pub mod drain;
pub mod erasure;
pub mod error;
pub mod health;
pub mod http;
pub mod i18n;
pub mod inbound;
pub mod live;
pub mod mail;
pub mod probe;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod web;

pub use app::App;
pub use config::Config;
pub use state::AppState;
