//! The `kith` server: HTTP API, WebSocket sync, storage.

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod data_files;
pub mod http_server;
pub mod error;
pub mod handlers;
pub mod ids;
pub mod reminder_replan;
pub mod reminder_service;
pub mod live_sockets;
pub mod metrics;
pub mod security_headers;
pub mod shutdown;
pub mod state;
pub mod store;
pub mod sync;
pub mod web;

/// The allocator both `kith` binaries install: mimalloc, which (unlike glibc's malloc) can
/// give freed memory back to the OS — once its threads are told to, see [`kith_alloc`].
pub use kith_alloc::Allocator;
