//! The automerge-repo network protocol v1, sans IO: every type here takes events and returns
//! effects, and never touches a socket, a clock, a task or storage. The shell that performs
//! the effects is `crate::live`.
//!
//! - [`messages`]: the CBOR wire format.
//! - [`connection`]: one connection's protocol state machine (handshake, which documents it
//!   may use, errors).
//! - [`document`]: one document and its peers' sync states.
//! - [`shared_doc`]: one document as the server shares it between connections: persist
//!   before anything leaves, fan-out, quota, eviction and compaction decisions.
//! - [`chunks`]: what a document is stored as, and the bookkeeping for quota and compaction.

mod chunk_guard;
pub mod chunks;
pub mod connection;
pub mod document;
pub mod messages;
pub mod shared_doc;

pub use chunks::{Chunk, ChunkKind};
pub use document::SyncError;
pub use shared_doc::{DocEffect, Origin, SharedDoc};
