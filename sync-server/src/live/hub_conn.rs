//! One connection's handle on the [`Hub`]: which documents it has open, its inbox, and the
//! operations the WebSocket shell performs for the [`crate::sync::connection::Connection`]'s
//! effects.

use std::collections::HashSet;
use std::sync::Arc;

use super::hub::{DocGuard, Hub, HubError, SlotState};
use super::inbox::Inbox;
use crate::ids::{DocId, UserId};
use crate::sync::connection::{Ephemeral, ServerIdentity};
use crate::sync::document::{precheck, ConnId, SyncError};

/// Who a connection acts for: the signed-in user and, when authentication already read it
/// from the user's row, their own document — the one every device opens first, which then
/// needs no owner lookup (in a reconnect storm those lookups queue on the database while the
/// client's handshake timer runs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnOwner {
    pub user: UserId,
    pub own_doc: Option<DocId>,
}

impl From<UserId> for ConnOwner {
    fn from(user: UserId) -> Self {
        ConnOwner { user, own_doc: None }
    }
}

impl Hub {
    /// Registers a new connection of `owner`. Nothing is loaded until it opens a document.
    pub fn connect(&self, owner: impl Into<ConnOwner>) -> HubConnection {
        let ConnOwner { user, own_doc } = owner.into();
        let id = self.inner.next_conn.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        HubConnection { hub: self.clone(), id, user, own_doc, inbox: Arc::new(Inbox::default()), open: HashSet::new() }
    }

    pub fn identity(&self) -> &ServerIdentity {
        &self.inner.identity
    }

    /// Locks `doc` only if it is in memory: leaving must never load anything.
    async fn lock_if_loaded(&self, doc: DocId) -> Option<tokio::sync::OwnedMutexGuard<SlotState>> {
        let slot = self.inner.docs_get(doc)?;
        let guard = slot.lock_owned().await;
        matches!(&*guard, SlotState::Loaded(_)).then_some(guard)
    }

    async fn leave(&self, conn: ConnId, docs: impl IntoIterator<Item = DocId>) {
        for doc in docs {
            let Some(mut guard) = self.lock_if_loaded(doc).await else { continue };
            if let SlotState::Loaded(l) = &mut *guard {
                l.core.leave(conn, self.now());
                l.inboxes.remove(&conn);
            }
        }
    }
}

/// Messages whose changes inflate to at most this are checked and applied on the async
/// worker: a few milliseconds at most.
const INLINE_BYTES: u64 = 256 * 1024;

pub struct HubConnection {
    hub: Hub,
    id: ConnId,
    user: UserId,
    /// The user's own document, known from their session: opened without asking the store.
    own_doc: Option<DocId>,
    inbox: Arc<Inbox>,
    /// Only documents the user owns; bounded by what they own, whatever the peer asks for.
    open: HashSet<DocId>,
}

impl HubConnection {
    pub fn id(&self) -> ConnId {
        self.id
    }

    pub fn user(&self) -> UserId {
        self.user
    }

    pub fn inbox(&self) -> &Arc<Inbox> {
        &self.inbox
    }

    /// Opens `doc` for this connection if its user owns it. `Ok(false)` means "answer
    /// doc-unavailable": nothing was loaded or remembered for it.
    pub async fn open(&mut self, doc: DocId) -> Result<bool, HubError> {
        if self.open.contains(&doc) {
            return Ok(true);
        }
        let own = self.own_doc == Some(doc);
        if !own && !self.hub.owns(self.user, doc).await? {
            return Ok(false);
        }
        let mut g = match self.hub.lock_known(doc, own.then_some(self.user)).await {
            Ok(g) => g,
            Err(HubError::NotFound) => return Ok(false),
            Err(e) => return Err(e),
        };
        if g.loaded().core.owner() != self.user {
            return Ok(false);
        }
        self.join(&mut g);
        self.open.insert(doc);
        Ok(true)
    }

    /// (Re-)joins the document's peer set: after an eviction the reloaded copy has forgotten
    /// this connection, which then starts a fresh sync state.
    fn join(&self, g: &mut DocGuard) {
        let l = g.loaded();
        l.core.join(self.id);
        l.inboxes.insert(self.id, self.inbox.clone());
    }

    async fn lock_open(&mut self, doc: DocId) -> Result<DocGuard, SyncError> {
        let mut g = self.hub.lock(doc).await.map_err(|e| {
            tracing::warn!(error = %e, %doc, "could not load document");
            SyncError::Unloadable
        })?;
        if g.loaded().core.owner() != self.user {
            return Err(SyncError::Unloadable);
        }
        self.join(&mut g);
        Ok(g)
    }

    /// Applies the peer's sync message to `doc` (opened before). Returns the reply for the
    /// peer, generated only after the changes it carried are durable. An error is for the
    /// peer: send it, then close.
    pub async fn receive(&mut self, doc: DocId, data: &[u8]) -> Result<Option<Vec<u8>>, SyncError> {
        // Most messages are small: checked and applied right here, as cheaply as before. A
        // message whose changes inflate past `INLINE_BYTES` is checked again with the real
        // limit on a blocking thread, before the lock, and applied on one, so neither a hostile
        // message nor a big legitimate one occupies an async worker that every connection's
        // handshake shares. (Sending every message to the blocking pool instead made a
        // reconnect storm 3× slower: thousands of tiny jobs thrash its threads.)
        let limit = self.hub.config().max_inflated_bytes;
        let (message, small) = match precheck(data, INLINE_BYTES.min(limit)) {
            Ok(message) => (message, true),
            Err(SyncError::Inflated { .. }) if limit > INLINE_BYTES => {
                let bytes = data.to_vec();
                let message = tokio::task::spawn_blocking(move || precheck(&bytes, limit))
                    .await
                    .map_err(|_| SyncError::BadChange("the change could not be checked".to_owned()))??;
                (message, false)
            }
            Err(e) => return Err(e),
        };
        let mut g = self.lock_open(doc).await?;
        let (max, id) = (self.hub.config().max_doc_bytes, self.id);
        let effects = if small {
            g.loaded().core.receive(id, message, max)
        } else {
            // The locked document travels to a blocking thread and back.
            let (effects, back) = tokio::task::spawn_blocking(move || {
                let effects = g.loaded().core.receive(id, message, max);
                (effects, g)
            })
            .await
            .map_err(|e| {
                tracing::error!(error = %e, %doc, "applying a sync message stopped unexpectedly");
                SyncError::Unloadable
            })?;
            g = back;
            effects
        };
        let done = self.hub.perform(g, effects).await;
        match done.refused {
            Some(error) => Err(error),
            None => Ok(done.reply),
        }
    }

    /// A sync message for the peer about `doc`, if it is missing something (called when the
    /// inbox says `doc` changed).
    pub async fn generate(&mut self, doc: DocId) -> Option<Vec<u8>> {
        if !self.open.contains(&doc) {
            return None;
        }
        let mut g = self.lock_open(doc).await.ok()?;
        g.loaded().core.generate(self.id)
    }

    /// Hands an ephemeral message to the user's other connections that have the doc open.
    pub async fn forward(&mut self, e: Ephemeral) {
        if !self.open.contains(&e.doc) {
            return;
        }
        let Ok(mut g) = self.lock_open(e.doc).await else { return };
        let l = g.loaded();
        for conn in l.core.others(self.id) {
            if let Some(inbox) = l.inboxes.get(&conn) {
                inbox.push_ephemeral(e.clone());
            }
        }
    }

    /// Leaves every open document; those left without connections start their idle timer.
    pub async fn disconnect(mut self) {
        let docs: Vec<DocId> = self.open.drain().collect();
        self.hub.leave(self.id, docs).await;
    }
}

impl Drop for HubConnection {
    /// A shell that ends without `disconnect` (a panic, a dropped future) still leaves.
    fn drop(&mut self) {
        if self.open.is_empty() {
            return;
        }
        let docs: Vec<DocId> = self.open.drain().collect();
        let (hub, id) = (self.hub.clone(), self.id);
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move { hub.leave(id, docs).await });
        }
    }
}
