//! What the hub tells a connection: "document X changed, generate a message for your peer"
//! and ephemeral messages from the user's other devices. Changes coalesce into a set of dirty
//! documents, so a slow peer never queues up one message per change — when it is ready it
//! gets a single message carrying everything it is missing.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use tokio::sync::Notify;

use crate::ids::DocId;
use crate::sync::connection::Ephemeral;

/// Presence is lossy by design; a peer that doesn't keep up loses the oldest.
const MAX_QUEUED_EPHEMERAL: usize = 64;

#[derive(Default)]
pub struct Inbox {
    dirty: Mutex<HashSet<DocId>>,
    ephemeral: Mutex<VecDeque<Ephemeral>>,
    notify: Notify,
}

impl Inbox {
    pub fn mark_dirty(&self, doc: DocId) {
        if let Ok(mut d) = self.dirty.lock() {
            d.insert(doc);
        }
        self.notify.notify_one();
    }

    pub fn push_ephemeral(&self, e: Ephemeral) {
        if let Ok(mut q) = self.ephemeral.lock() {
            if q.len() >= MAX_QUEUED_EPHEMERAL {
                q.pop_front();
            }
            q.push_back(e);
        }
        self.notify.notify_one();
    }

    /// Waits until something was marked or pushed since the last [`Inbox::take`].
    pub async fn wait(&self) {
        self.notify.notified().await;
    }

    pub fn take(&self) -> (Vec<DocId>, Vec<Ephemeral>) {
        let dirty = self.dirty.lock().map(|mut d| d.drain().collect()).unwrap_or_default();
        let eph = self.ephemeral.lock().map(|mut q| q.drain(..).collect()).unwrap_or_default();
        (dirty, eph)
    }
}
