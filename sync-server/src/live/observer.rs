//! What the hub reports about itself, to whoever assembled it. The hub neither counts into
//! the server's metrics nor talks to the allocator: it calls this, and the server's
//! implementation (`crate::hub_observer`) does both. Tests pass [`NoObserver`] or one that
//! records what it was told.

/// Every method has a do-nothing default, so an observer implements only what it uses.
pub trait HubObserver: Send + Sync + 'static {
    /// `bytes` were written to the store (a change, or a compaction's snapshot).
    fn persisted(&self, _bytes: u64) {}
    /// The idle sweep dropped `docs` documents from memory: their memory can go back to the OS.
    fn released(&self, _docs: usize) {}
    /// A sync frame arrived from a peer.
    fn message_in(&self) {}
    /// A sync frame was written to a peer.
    fn message_out(&self) {}
}

/// Reports to no one.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoObserver;

impl HubObserver for NoObserver {}
