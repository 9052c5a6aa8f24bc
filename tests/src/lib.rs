//! Kith end-to-end test support: a real server on 127.0.0.1:0 and protocol-v1 clients.

pub mod captured_logs;
pub mod client;
pub mod dav;
pub mod db_scan;
pub mod device;
pub mod eventually;
pub mod load;
pub mod ntfy_receiver;
pub mod process;
pub mod push_service;
pub mod reminder_server;
pub mod reminder_support;
pub mod server;
pub mod smtp_receiver;
pub mod stores;
pub mod two_instances;

pub use server::{unique_email, TestServer};
