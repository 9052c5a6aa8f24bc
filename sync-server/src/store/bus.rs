//! How a change accepted on one `kith` instance reaches the connections on the others.
//! With SQLite there is one instance, so [`LocalBus`] does nothing; the PostgreSQL store
//! provides a `LISTEN/NOTIFY` implementation.

use async_trait::async_trait;
use automerge::ChangeHash;
use futures::stream::BoxStream;

use crate::ids::DocId;

/// A document changed durably.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocChanged {
    pub doc: DocId,
}

/// What another instance told us.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RemoteChange {
    /// This document changed.
    Doc(DocId),
    /// Notifications may have been lost (the bus reconnected): any loaded document may be
    /// behind the store.
    Missed,
}

#[derive(Debug, thiserror::Error)]
#[error("change bus: {0}")]
pub struct BusError(pub String);

#[async_trait]
pub trait ChangeBus: Send + Sync + 'static {
    /// Called after a change to `doc` is durable, with the document's new heads, so other
    /// instances can reload the chunks they don't have. Failure only delays other instances.
    async fn publish(&self, doc: DocId, heads: &[ChangeHash]) -> Result<(), BusError>;

    /// Changes other instances published (never this instance's own). The hub calls this
    /// once at start and reloads any document it has in memory when one arrives.
    fn remote_changes(&self) -> BoxStream<'static, RemoteChange>;
}

/// The single-instance bus: nothing to tell, nothing to hear.
#[derive(Debug, Default, Clone, Copy)]
pub struct LocalBus;

#[async_trait]
impl ChangeBus for LocalBus {
    async fn publish(&self, _doc: DocId, _heads: &[ChangeHash]) -> Result<(), BusError> {
        Ok(())
    }

    fn remote_changes(&self) -> BoxStream<'static, RemoteChange> {
        Box::pin(futures::stream::pending())
    }
}
