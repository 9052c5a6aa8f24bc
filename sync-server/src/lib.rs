//! The `kith` server: HTTP API, WebSocket sync, storage.

pub mod app;
pub mod auth;
pub mod calendar;
pub mod cli;
pub mod config;
pub mod data_files;
pub mod dav;
pub mod http_server;
pub mod error;
pub mod handlers;
pub mod hub_observer;
pub mod ids;
pub mod live;
pub mod reminder_replan;
pub mod reminder_service;
pub mod metrics;
pub mod security_headers;
pub mod shutdown;
pub mod state;
pub mod store;
pub mod sync;
pub mod web;
pub mod web_embedded;

/// The allocator both `kith` binaries install: mimalloc, which (unlike glibc's malloc) can
/// give freed memory back to the OS — once its threads are told to, see [`kith_alloc`].
pub use kith_alloc::Allocator;
