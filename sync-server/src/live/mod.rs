//! The shell around the sans-IO sync core (`crate::sync`): everything that waits, spawns,
//! times or stores. It holds the documents in memory and performs the effects the core
//! returns, in order, under each document's lock.
//!
//! - [`hub`]: the registry of loaded documents; loads from and writes to the store, runs
//!   the idle sweeper, compaction and the cross-instance bus listener.
//! - [`hub_conn`]: one connection's handle on the hub.
//! - [`inbox`]: how the hub wakes a connection.
//! - [`ws`]: the WebSocket loop around `sync::connection::Connection` (the route that upgrades
//!   to it is `handlers::sync`).
//! - [`sockets`]: which sessions have a socket open, to close them from outside.
//! - [`observer`]: what the hub reports (counters, memory to release), passed in at start.

pub mod hub;
pub mod hub_conn;
pub mod inbox;
pub mod observer;
pub mod sockets;
pub mod ws;
#[cfg(test)]
mod mem_store;

// The bus is the store's (it travels through the database); re-exported for the hub's users.
pub use crate::store::bus::{BusError, ChangeBus, DocChanged, LocalBus, RemoteChange};
pub use crate::sync::SyncError;
pub use hub::{storage_id_for, Hub, HubConfig, HubError};
pub use hub_conn::{ConnOwner, HubConnection};
pub use observer::{HubObserver, NoObserver};
pub use sockets::{CloseReason, LiveSockets, SocketTicket};
