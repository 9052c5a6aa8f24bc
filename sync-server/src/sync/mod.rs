//! WebSocket sync: the automerge-repo network protocol v1 over `GET /sync`.
//!
//! - [`messages`]: the CBOR wire format.
//! - [`connection`]: one connection's protocol state machine, sans IO.
//! - [`document`]: one document and its peers' sync states, sans IO.
//! - [`hub`] / [`hub_conn`]: the shared in-memory documents, persistence and fan-out.
//! - [`ws`]: the axum/tokio shell.

mod chunk_guard;
mod chunks;
pub mod connection;
pub mod document;
pub mod hub;
pub mod hub_conn;
pub mod inbox;
pub mod messages;
pub mod ws;
#[cfg(test)]
mod mem_store;

// The bus is the store's (it travels through the database); re-exported for the hub's users.
pub use crate::store::bus::{BusError, ChangeBus, DocChanged, LocalBus, RemoteChange};
pub use document::SyncError;
pub use hub::{storage_id_for, Hub, HubConfig, HubError};
pub use hub_conn::{ConnOwner, HubConnection};
