//! The `kith` server: HTTP API, WebSocket sync, storage.

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod error;
pub mod handlers;
pub mod ids;
pub mod reminder_replan;
pub mod reminder_service;
pub mod live_sockets;
pub mod metrics;
pub mod shutdown;
pub mod state;
pub mod store;
pub mod sync;
pub mod web;

/// The allocator both `kith` binaries install. glibc's malloc keeps what a burst of work
/// freed (password hashing, thousands of sessions' buffers) resident for good; mimalloc
/// gives it back to the OS, so memory returns to its baseline once the burst is over.
pub use mimalloc::MiMalloc as Allocator;
