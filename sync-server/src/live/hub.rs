//! The [`Hub`]: one in-memory copy per document, shared by all connections of its owner and by
//! the server's own edits. Loaded from the store on demand, dropped after `doc_idle` with no
//! connection. What to do with each event is decided by the document's [`SharedDoc`] (pure,
//! `crate::sync`); the hub performs the effects it returns — store writes, wake-ups,
//! announcements, eviction, compaction — holding the document's lock across them, so every
//! change is stored before anything that includes it leaves the process.

use std::collections::{HashMap, VecDeque};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use automerge::Automerge;
use futures::StreamExt;
use tokio::sync::{broadcast, Mutex as AsyncMutex, OwnedMutexGuard};

use super::inbox::Inbox;
use super::observer::{HubObserver, NoObserver};
use crate::ids::{DocId, UserId};
use crate::store::bus::{ChangeBus, DocChanged, LocalBus, RemoteChange};
use crate::store::{DocumentStore, StoreError};
use crate::sync::chunks::Chunk;
use crate::sync::connection::ServerIdentity;
use crate::sync::document::{ConnId, Document, SyncError, DEFAULT_MAX_INFLATED_BYTES};
use crate::sync::messages::PeerId;
use crate::sync::{DocEffect, SharedDoc};

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
            max_inflated_bytes: DEFAULT_MAX_INFLATED_BYTES,
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
    /// Told about persisted bytes, released documents and (by the /sync loop) messages.
    pub(super) observer: Arc<dyn HubObserver>,
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
    /// The document and every decision about it.
    pub(super) core: SharedDoc,
    /// How to wake each connection the core names.
    pub(super) inboxes: HashMap<ConnId, Arc<Inbox>>,
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
        Hub::start(store, bus, config, clock, Arc::new(NoObserver))
    }

    /// Every part given: the server passes its metrics and memory release as `observer`.
    pub fn start(
        store: Arc<dyn DocumentStore>,
        bus: Arc<dyn ChangeBus>,
        config: HubConfig,
        clock: Clock,
        observer: Arc<dyn HubObserver>,
    ) -> Hub {
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
                observer,
            }),
        };
        spawn_sweeper(Arc::downgrade(&hub.inner));
        spawn_bus_listener(Arc::downgrade(&hub.inner), bus);
        hub
    }

    pub fn config(&self) -> &HubConfig {
        &self.inner.config
    }

    /// What this hub reports to (the /sync loop counts its messages into it too).
    pub fn observer(&self) -> &Arc<dyn HubObserver> {
        &self.inner.observer
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
        Ok(f(g.loaded().core.automerge()))
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
            (l.core.owner(), l.core.automerge().fork())
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
        let max = self.inner.config.max_doc_bytes;
        let core = &mut g.loaded().core;
        let (out, effects) = match catch_unwind(AssertUnwindSafe(|| core.change(f, max))) {
            Ok(r) => r,
            Err(panic) => {
                self.evict(g);
                resume_unwind(panic);
            }
        };
        let done = self.perform(g, effects).await;
        if let Some(e) = done.store_error {
            return Err(HubError::Store(e));
        }
        match done.refused {
            None => Ok(out),
            Some(SyncError::Quota { would_be, limit }) => Err(HubError::Quota { would_be, limit }),
            Some(other) => Err(HubError::Reader(other.to_string())),
        }
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
                SlotState::Loaded(l) => l.core.expired(now, idle),
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
                return Ok(l.core.owner() == user);
            }
        }
        Ok(self.inner.store.doc_owner(doc).await? == Some(user))
    }

    /// Locks `doc` for the server's own use (no connection involved): a document nobody has
    /// open starts its idle time again, so it is not dropped right after being used.
    async fn lock_for_server(&self, doc: DocId) -> Result<DocGuard, HubError> {
        let mut g = self.lock(doc).await?;
        let now = self.now();
        g.loaded().core.touch(now);
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
        Ok(Loaded { core: SharedDoc::new(owner, document, self.now()), inboxes: HashMap::new() })
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

    /// Performs the core's effects for one event, in order, holding the document's lock (a
    /// store write's result is fed back to the core, which may answer with more effects).
    /// Consumes the guard: an eviction drops it.
    pub(super) async fn perform(&self, g: DocGuard, effects: Vec<DocEffect>) -> Done {
        let doc = g.doc;
        let mut g = Some(g);
        let mut done = Done::default();
        let mut queue = VecDeque::from(effects);
        while let Some(effect) = queue.pop_front() {
            let Some(guard) = g.as_mut() else {
                // Evicted: only the refusal for whoever caused it is left to pass on.
                if let DocEffect::Refuse(e) = effect {
                    done.refused = Some(e);
                }
                continue;
            };
            match effect {
                DocEffect::Persist(chunk) => {
                    let stored = self.inner.store.append_chunk(doc, &chunk).await;
                    match &stored {
                        Ok(()) => self.inner.observer.persisted(chunk.bytes.len() as u64),
                        Err(e) => tracing::error!(error = %e, %doc, "could not persist a change"),
                    }
                    queue.extend(guard.loaded().core.persist_done(stored.is_ok()));
                    done.store_error = stored.err();
                }
                DocEffect::Reply { data, .. } => done.reply = Some(data),
                DocEffect::Wake(conns) => {
                    let l = guard.loaded();
                    for conn in conns {
                        if let Some(inbox) = l.inboxes.get(&conn) {
                            inbox.mark_dirty(doc);
                        }
                    }
                }
                DocEffect::Changed => {
                    let _ = self.inner.changes.send(DocChanged { doc });
                }
                DocEffect::Publish(heads) => {
                    let bus = self.inner.bus.clone();
                    tokio::spawn(async move {
                        if let Err(e) = bus.publish(doc, &heads).await {
                            tracing::warn!(error = %e, "could not publish a document change to other instances");
                        }
                    });
                }
                DocEffect::Refuse(e) => done.refused = Some(e),
                DocEffect::Evict => {
                    if let Some(guard) = g.take() {
                        self.evict(guard);
                    }
                }
                DocEffect::Compact => self.compact(doc),
            }
        }
        done
    }

    /// Compaction rewrites the document, so it runs in its own task, off the path that
    /// delivers the change to the user's devices. Only taking the copy holds the document's
    /// lock (a clone, ~2 ms at 5,000 contacts); saving it (~100 ms and up) and the store's
    /// swap happen without it, so a device's handshake or edit never waits behind them.
    fn compact(&self, doc: DocId) {
        let hub = self.clone();
        tokio::spawn(async move {
            let plan = match hub.lock(doc).await {
                Ok(mut g) => g.loaded().core.compaction(),
                Err(_) => return,
            };
            let Some(plan) = plan else { return };
            // Saving the whole document is heavy: a blocking thread, not an async worker.
            let saved = tokio::task::spawn_blocking(move || {
                let snapshot = plan.snapshot();
                (snapshot, plan.replaced().to_vec())
            })
            .await;
            let Ok((snapshot, replaced)) = saved else {
                tracing::warn!(%doc, "saving a compaction snapshot stopped unexpectedly");
                hub.finish_compaction(doc, None).await;
                return;
            };
            match hub.inner.store.compact(doc, &snapshot, &replaced).await {
                Ok(()) => {
                    hub.inner.observer.persisted(snapshot.bytes.len() as u64);
                    hub.finish_compaction(doc, Some((&snapshot, &replaced))).await;
                }
                Err(e) => {
                    tracing::warn!(error = %e, %doc, "compaction failed; will retry after the next change");
                    hub.finish_compaction(doc, None).await;
                }
            }
        });
    }

    /// Tells the document in memory how its compaction ended. One loaded since (after an
    /// eviction) read the store itself; it is told too, which only drops chunks the store no
    /// longer has.
    async fn finish_compaction(&self, doc: DocId, done: Option<(&Chunk, &[[u8; 32]])>) {
        let slot = self.inner.docs.lock().ok().and_then(|d| d.get(&doc).cloned());
        let Some(slot) = slot else { return };
        let mut guard = slot.state.clone().lock_owned().await;
        if let SlotState::Loaded(loaded) = &mut *guard {
            match done {
                Some((snapshot, replaced)) => loaded.core.compacted(snapshot, replaced),
                None => loaded.core.compaction_failed(),
            }
        }
    }

    /// Another instance stored chunks for `doc`: merge them if the document is in memory.
    async fn on_remote_change(&self, doc: DocId) {
        let slot = self.inner.docs.lock().ok().and_then(|d| d.get(&doc).cloned());
        let Some(slot) = slot else {
            tracing::debug!(%doc, "another instance changed a document not in memory here");
            return;
        };
        let guard = slot.state.clone().lock_owned().await;
        if !matches!(&*guard, SlotState::Loaded(_)) {
            return;
        }
        let chunks = match self.inner.store.load_chunks(doc).await {
            Ok(chunks) => chunks,
            Err(e) => {
                tracing::warn!(error = %e, %doc, "could not load chunks another instance announced");
                return;
            }
        };
        let mut g = DocGuard { doc, guard };
        let effects = g.loaded().core.merge_stored(chunks);
        tracing::debug!(%doc, moved = !effects.is_empty(), "merged another instance's chunks");
        self.perform(g, effects).await;
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
            // The dropped documents' memory can go back to the OS: the observer knows how
            // (`crate::hub_observer` asks the allocator).
            let dropped = hub.sweep_idle(hub.now());
            if dropped > 0 {
                hub.inner.observer.released(dropped);
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

/// What performing one event's effects came to, for whoever caused the event.
#[derive(Debug, Default)]
pub(super) struct Done {
    /// The sync message for the connection that sent the event's message.
    pub(super) reply: Option<Vec<u8>>,
    /// Why the event's change was refused.
    pub(super) refused: Option<SyncError>,
    /// The store write that failed (the copy was evicted).
    pub(super) store_error: Option<StoreError>,
}

#[cfg(test)]
#[path = "hub_tests.rs"]
mod tests;
