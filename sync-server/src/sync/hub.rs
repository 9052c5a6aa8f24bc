//! The [`Hub`]: one in-memory copy per document, shared by all connections of its owner and by
//! the server's own edits. Loaded from the store on demand, dropped after `doc_idle` with no
//! connection. Every change is persisted before anything that includes it leaves the process:
//! the document's lock is held across the store write, and connections generate their
//! messages under that same lock.

use std::collections::HashMap;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use automerge::Automerge;
use futures::StreamExt;
use tokio::sync::{broadcast, Mutex as AsyncMutex, OwnedMutexGuard};

use crate::store::bus::{ChangeBus, DocChanged, LocalBus, RemoteChange};
use super::connection::ServerIdentity;
use super::document::{ConnId, Document, SyncError};
use super::inbox::Inbox;
use super::messages::PeerId;
use crate::ids::{DocId, UserId};
use crate::metrics::Metrics;
use crate::store::{Chunk, DocumentStore, StoreError};

/// Tunables, from `KITH_DOC_IDLE_SECS`, `KITH_MAX_MESSAGE_BYTES`, `KITH_MAX_DOC_BYTES`.
#[derive(Clone, Debug)]
pub struct HubConfig {
    /// Advertised in the `peer` message; must stay the same across restarts (see
    /// [`storage_id_for`]).
    pub storage_id: String,
    pub doc_idle: Duration,
    pub max_message_bytes: usize,
    pub max_doc_bytes: u64,
    /// What one sync message's changes may inflate to (`KITH_MAX_INFLATED_BYTES`).
    pub max_inflated_bytes: u64,
    /// A socket that has not sent `join` by then is closed (`KITH_SYNC_JOIN_TIMEOUT_SECS`).
    pub join_timeout: Duration,
}

impl HubConfig {
    pub fn new(storage_id: String) -> Self {
        HubConfig {
            storage_id,
            doc_idle: Duration::from_secs(60),
            max_message_bytes: 16 * 1024 * 1024,
            max_doc_bytes: 64 * 1024 * 1024,
            max_inflated_bytes: super::document::DEFAULT_MAX_INFLATED_BYTES,
            join_timeout: Duration::from_secs(10),
        }
    }
}

/// A storage id that stays the same as long as the data does: derived from where the data
/// lives, hashed so no part of the URL (a password, say) is ever shown to clients.
pub fn storage_id_for(database_url: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(database_url.as_bytes());
    format!("kith-{}", hex::encode(&digest[..16]))
}

#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error("no such document")]
    NotFound,
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    #[error("document would grow to {would_be} bytes, over the limit of {limit} bytes")]
    Quota { would_be: u64, limit: u64 },
    #[error("reading the document failed: {0}")]
    Reader(String),
}

/// Documents stored in at most this many bytes load on the async worker (a few ms).
const INLINE_LOAD_BYTES: usize = 256 * 1024;

pub type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

/// Cheap to clone; all clones share one registry.
#[derive(Clone)]
pub struct Hub {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) store: Arc<dyn DocumentStore>,
    bus: Arc<dyn ChangeBus>,
    pub(super) config: HubConfig,
    pub(super) identity: ServerIdentity,
    pub(super) clock: Clock,
    docs: Mutex<HashMap<DocId, Arc<Slot>>>,
    changes: broadcast::Sender<DocChanged>,
    pub(super) next_conn: AtomicU64,
    /// The server's counters: the hub counts persisted bytes, the /sync loop messages.
    metrics: Arc<Metrics>,
}

impl Inner {
    pub(super) fn docs_get(&self, doc: DocId) -> Option<Arc<AsyncMutex<SlotState>>> {
        self.docs.lock().ok()?.get(&doc).map(|s| s.state.clone())
    }
}

pub(super) struct Slot {
    state: Arc<AsyncMutex<SlotState>>,
}

pub(super) enum SlotState {
    /// Registered, being loaded by whoever holds the lock.
    Empty,
    Loaded(Box<Loaded>),
    /// Removed from the registry; whoever finds this must look the document up again.
    Evicted,
}

pub(super) struct Loaded {
    pub(super) document: Document,
    pub(super) owner: UserId,
    pub(super) inboxes: HashMap<ConnId, Arc<Inbox>>,
    pub(super) idle_since: Option<Instant>,
}

/// A locked, loaded document.
pub(super) struct DocGuard {
    pub(super) doc: DocId,
    guard: OwnedMutexGuard<SlotState>,
}

impl DocGuard {
    pub(super) fn loaded(&mut self) -> &mut Loaded {
        match &mut *self.guard {
            SlotState::Loaded(l) => l,
            // DocGuard is only built around a Loaded state, and only this module changes it.
            _ => unreachable!("DocGuard always holds a loaded document"),
        }
    }
}

impl Hub {
    /// A hub for a single instance (no cross-instance bus). Must be called inside a tokio
    /// runtime: it starts the idle sweeper.
    pub fn new(store: Arc<dyn DocumentStore>, config: HubConfig) -> Hub {
        Hub::with_bus(store, Arc::new(LocalBus), config)
    }

    pub fn with_bus(store: Arc<dyn DocumentStore>, bus: Arc<dyn ChangeBus>, config: HubConfig) -> Hub {
        Hub::with_clock(store, bus, config, Arc::new(Instant::now))
    }

    /// As [`Hub::with_bus`], reading time from `clock` (tests drive idle expiry with it).
    pub fn with_clock(store: Arc<dyn DocumentStore>, bus: Arc<dyn ChangeBus>, config: HubConfig, clock: Clock) -> Hub {
        let identity = ServerIdentity {
            peer_id: PeerId(format!("kith-server-{}", uuid::Uuid::new_v4())),
            storage_id: config.storage_id.clone(),
        };
        let (changes, _) = broadcast::channel(1024);
        let hub = Hub {
            inner: Arc::new(Inner {
                store,
                bus: bus.clone(),
                config,
                identity,
                clock,
                docs: Mutex::new(HashMap::new()),
                changes,
                next_conn: AtomicU64::new(1),
                metrics: Arc::new(Metrics::default()),
            }),
        };
        spawn_sweeper(Arc::downgrade(&hub.inner));
        spawn_bus_listener(Arc::downgrade(&hub.inner), bus);
        hub
    }

    pub fn config(&self) -> &HubConfig {
        &self.inner.config
    }

    /// The counters this hub feeds; `AppState` renders the same instance at `/metrics`.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.inner.metrics
    }

    /// Fires after every change this instance accepted is durable (devices' and the server's
    /// own), and after changes another instance stored are merged into a copy held here (so
    /// a re-plan from that copy sees both sides of concurrent edits). Reminders re-plan from
    /// it. Lagging receivers miss events, never block writers.
    pub fn subscribe_changes(&self) -> broadcast::Receiver<DocChanged> {
        self.inner.changes.subscribe()
    }

    /// Reads the current document (loading it if needed).
    pub async fn read_doc<T>(&self, doc: DocId, f: impl FnOnce(&Automerge) -> T) -> Result<T, HubError> {
        let mut g = self.lock_for_server(doc).await?;
        Ok(f(g.loaded().document.automerge()))
    }

    /// Runs `f` on a copy of the current document, on a blocking thread, and returns it with
    /// the document's owner (known in memory: no store query). For long reads (hydrating a
    /// big document takes ~300 ms) that must neither hold the document's lock — a device's
    /// edit would wait — nor occupy an async worker thread, which every connection shares.
    /// The copy is cheap: automerge's columnar op set is copied, not rebuilt (~4 ms for a
    /// 5,000-contact document, microseconds for a typical one).
    pub async fn read_detached<T: Send + 'static>(
        &self,
        doc: DocId,
        f: impl FnOnce(&Automerge) -> T + Send + 'static,
    ) -> Result<(UserId, T), HubError> {
        let (owner, copy) = {
            let mut g = self.lock_for_server(doc).await?;
            let l = g.loaded();
            (l.owner, l.document.automerge().fork())
        };
        let out = tokio::task::spawn_blocking(move || f(&copy)).await.map_err(|e| {
            tracing::error!(%doc, error = %e, "a detached document read panicked");
            HubError::Reader("it stopped unexpectedly".to_owned())
        })?;
        Ok((owner, out))
    }

    /// The server's own edit (import, reminder actions): persisted, then fanned out live to
    /// every connection of the document, like a device's change.
    pub async fn change_doc<T>(&self, doc: DocId, f: impl FnOnce(&mut Automerge) -> T) -> Result<T, HubError> {
        let mut g = self.lock_for_server(doc).await?;
        let l = g.loaded();
        let (out, chunk) = match catch_unwind(AssertUnwindSafe(|| l.document.change(f))) {
            Ok(r) => r,
            Err(panic) => {
                self.evict(g);
                resume_unwind(panic);
            }
        };
        let Some(chunk) = chunk else { return Ok(out) };
        if let Some(SyncError::Quota { would_be, limit }) = l.document.over_quota(&chunk, self.inner.config.max_doc_bytes) {
            self.evict(g);
            return Err(HubError::Quota { would_be, limit });
        }
        if let Err(e) = self.persist(&mut g, chunk, None).await {
            self.evict(g);
            return Err(HubError::Store(e));
        }
        self.compact_if_due(&mut g);
        Ok(out)
    }

    /// How many documents are in memory (for metrics and tests).
    pub fn loaded_docs(&self) -> usize {
        self.inner.docs.lock().map(|d| d.len()).unwrap_or(0)
    }

    /// The documents in memory: what a change listener that lagged behind re-reads.
    pub fn loaded_doc_ids(&self) -> Vec<DocId> {
        self.inner.docs.lock().map(|d| d.keys().copied().collect()).unwrap_or_default()
    }

    /// Drops every document that has had no connection for `doc_idle` as of `now`. The
    /// background sweeper calls this; tests call it with a chosen `now`.
    pub fn sweep_idle(&self, now: Instant) -> usize {
        let idle = self.inner.config.doc_idle;
        let Ok(mut docs) = self.inner.docs.lock() else { return 0 };
        let before = docs.len();
        docs.retain(|_, slot| {
            // A slot someone holds is in use; look again next sweep.
            let Ok(mut state) = slot.state.try_lock() else { return true };
            let expired = match &*state {
                SlotState::Loaded(l) => {
                    l.inboxes.is_empty() && l.idle_since.is_some_and(|t| now.saturating_duration_since(t) >= idle)
                }
                SlotState::Empty => false,
                SlotState::Evicted => true,
            };
            if expired {
                *state = SlotState::Evicted;
            }
            !expired
        });
        before - docs.len()
    }

    pub(super) fn now(&self) -> Instant {
        (self.inner.clock)()
    }

    /// Whether `user` owns `doc`, asking the store only when the document isn't in memory.
    /// Never creates anything for an unknown id.
    pub(super) async fn owns(&self, user: UserId, doc: DocId) -> Result<bool, HubError> {
        let slot = self.inner.docs.lock().ok().and_then(|d| d.get(&doc).cloned());
        if let Some(slot) = slot {
            if let SlotState::Loaded(l) = &*slot.state.lock().await {
                return Ok(l.owner == user);
            }
        }
        Ok(self.inner.store.doc_owner(doc).await? == Some(user))
    }

    /// Locks `doc` for the server's own use (no connection involved): a document nobody has
    /// open starts its idle time again, so it is not dropped right after being used.
    async fn lock_for_server(&self, doc: DocId) -> Result<DocGuard, HubError> {
        let mut g = self.lock(doc).await?;
        let now = self.now();
        let l = g.loaded();
        if l.inboxes.is_empty() {
            l.idle_since = Some(now);
        }
        Ok(g)
    }

    /// Locks `doc`, loading it first if it isn't in memory.
    pub(super) async fn lock(&self, doc: DocId) -> Result<DocGuard, HubError> {
        self.lock_known(doc, None).await
    }

    /// As [`Hub::lock`]; `owner`, when the caller already knows it (a user's own document, read
    /// with their session), spares a load the owner lookup. Concurrent lockers of a document
    /// that isn't loaded share one load: the first loads under the slot's lock, the others
    /// wait for that lock and find it loaded.
    pub(super) async fn lock_known(&self, doc: DocId, owner: Option<UserId>) -> Result<DocGuard, HubError> {
        loop {
            let slot = {
                let Ok(mut docs) = self.inner.docs.lock() else { return Err(HubError::NotFound) };
                docs.entry(doc).or_insert_with(|| Arc::new(Slot { state: Arc::new(AsyncMutex::new(SlotState::Empty)) })).clone()
            };
            let mut guard = slot.state.clone().lock_owned().await;
            match &*guard {
                SlotState::Loaded(_) => return Ok(DocGuard { doc, guard }),
                SlotState::Evicted => continue,
                SlotState::Empty => match self.load(doc, owner).await {
                    Ok(loaded) => {
                        *guard = SlotState::Loaded(Box::new(loaded));
                        return Ok(DocGuard { doc, guard });
                    }
                    Err(e) => {
                        *guard = SlotState::Evicted;
                        self.unregister(doc, &slot);
                        return Err(e);
                    }
                },
            }
        }
    }

    async fn load(&self, doc: DocId, owner: Option<UserId>) -> Result<Loaded, HubError> {
        let owner = match owner {
            Some(owner) => owner,
            None => self.inner.store.doc_owner(doc).await?.ok_or(HubError::NotFound)?,
        };
        let chunks = self.inner.store.load_chunks(doc).await?;
        // Rebuilding a big document takes a while: on a blocking thread, so a burst of
        // reconnecting users loading their documents never delays another socket's handshake.
        // Small ones load right here (a storm of tiny blocking jobs only thrashes the pool).
        let stored: usize = chunks.iter().map(|c| c.bytes.len()).sum();
        let document = if stored <= INLINE_LOAD_BYTES {
            Document::load(chunks)
        } else {
            tokio::task::spawn_blocking(move || Document::load(chunks))
                .await
                .map_err(|e| HubError::Reader(format!("loading stopped unexpectedly: {e}")))?
        };
        Ok(Loaded { document, owner, inboxes: HashMap::new(), idle_since: Some(self.now()) })
    }

    fn unregister(&self, doc: DocId, slot: &Arc<Slot>) {
        if let Ok(mut docs) = self.inner.docs.lock() {
            if docs.get(&doc).is_some_and(|s| Arc::ptr_eq(s, slot)) {
                docs.remove(&doc);
            }
        }
    }

    /// Throws the in-memory copy away (it may hold changes that must not be kept). Every
    /// connection that had it open is woken; its next access reloads from the store and
    /// starts a fresh sync state.
    pub(super) fn evict(&self, mut g: DocGuard) {
        let inboxes: Vec<_> = g.loaded().inboxes.values().cloned().collect();
        *g.guard = SlotState::Evicted;
        if let Ok(mut docs) = self.inner.docs.lock() {
            docs.remove(&g.doc);
        }
        let doc = g.doc;
        drop(g);
        for inbox in inboxes {
            inbox.mark_dirty(doc);
        }
    }

    /// Stores `chunk`, then (only then) wakes every connection of the document except
    /// `except` (the sender, who gets a direct reply), and tells reminders and other instances.
    pub(super) async fn persist(&self, g: &mut DocGuard, chunk: Chunk, except: Option<ConnId>) -> Result<(), StoreError> {
        let doc = g.doc;
        self.inner.store.append_chunk(doc, &chunk).await?;
        Metrics::add(&self.inner.metrics.persisted_bytes, chunk.bytes.len() as u64);
        let l = g.loaded();
        l.document.persisted(&chunk);
        for (id, inbox) in &l.inboxes {
            if Some(*id) != except {
                inbox.mark_dirty(doc);
            }
        }
        let _ = self.inner.changes.send(DocChanged { doc });
        let bus = self.inner.bus.clone();
        let heads = l.document.heads();
        tokio::spawn(async move {
            if let Err(e) = bus.publish(doc, &heads).await {
                tracing::warn!(error = %e, "could not publish a document change to other instances");
            }
        });
        Ok(())
    }

    /// Compaction rewrites the document, so it runs in its own task, off the path that
    /// delivers the change to the user's devices.
    pub(super) fn compact_if_due(&self, g: &mut DocGuard) {
        if !g.loaded().document.needs_compaction() {
            return;
        }
        let hub = self.clone();
        let doc = g.doc;
        tokio::spawn(async move {
            let Ok(g) = hub.lock(doc).await else { return };
            // Saving the whole document is heavy: a blocking thread, not an async worker.
            let Ok((mut g, due)) = tokio::task::spawn_blocking(move || {
                let mut g = g;
                let due = g.loaded().document.compaction_due();
                (g, due)
            })
            .await
            else {
                return;
            };
            let Some((snapshot, replaced)) = due else { return };
            match hub.inner.store.compact(doc, &snapshot, &replaced).await {
                Ok(()) => {
                    Metrics::add(&hub.inner.metrics.persisted_bytes, snapshot.bytes.len() as u64);
                    g.loaded().document.compacted(&snapshot);
                }
                Err(e) => tracing::warn!(error = %e, %doc, "compaction failed; will retry after the next change"),
            }
        });
    }

    /// Another instance stored chunks for `doc`: merge them if the document is in memory.
    async fn on_remote_change(&self, doc: DocId) {
        let slot = self.inner.docs.lock().ok().and_then(|d| d.get(&doc).cloned());
        let Some(slot) = slot else {
            tracing::debug!(%doc, "another instance changed a document not in memory here");
            return;
        };
        let mut guard = slot.state.clone().lock_owned().await;
        let SlotState::Loaded(l) = &mut *guard else { return };
        match self.inner.store.load_chunks(doc).await {
            Ok(chunks) => {
                let moved = l.document.merge_stored(chunks);
                tracing::debug!(%doc, moved, peers = l.inboxes.len(), "merged another instance's chunks");
                if moved {
                    for inbox in l.inboxes.values() {
                        inbox.mark_dirty(doc);
                    }
                    let _ = self.inner.changes.send(DocChanged { doc });
                }
            }
            Err(e) => tracing::warn!(error = %e, %doc, "could not load chunks another instance announced"),
        }
    }
}

fn spawn_sweeper(inner: Weak<Inner>) {
    let Some(strong) = inner.upgrade() else { return };
    let period = (strong.config.doc_idle / 2).clamp(Duration::from_millis(50), Duration::from_secs(30));
    drop(strong);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        loop {
            tick.tick().await;
            let Some(inner) = inner.upgrade() else { return };
            let hub = Hub { inner };
            // The dropped documents' pages belong to whichever workers allocated them, and
            // mimalloc returns them to the OS only once those workers allocate again: ask
            // each to do it when it next goes idle (the runtime's park hook, `cli::run`).
            if hub.sweep_idle(hub.now()) > 0 {
                kith_alloc::request_release();
            }
        }
    });
}

fn spawn_bus_listener(inner: Weak<Inner>, bus: Arc<dyn ChangeBus>) {
    let mut remote = bus.remote_changes();
    tokio::spawn(async move {
        while let Some(change) = remote.next().await {
            let Some(inner) = inner.upgrade() else { return };
            let hub = Hub { inner };
            match change {
                RemoteChange::Doc(doc) => hub.on_remote_change(doc).await,
                RemoteChange::Missed => {
                    // Catch up every document in memory; the rest load fresh when opened.
                    for doc in hub.loaded_doc_ids() {
                        hub.on_remote_change(doc).await;
                    }
                }
            }
        }
    });
}

#[cfg(test)]
#[path = "hub_tests.rs"]
mod tests;
