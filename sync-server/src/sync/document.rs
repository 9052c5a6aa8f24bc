//! One loaded document and the sync state of every connection that has it open — pure: the hub
//! persists the chunks this returns before it lets anyone generate a message from the new state.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use automerge::sync::{self, SyncDoc};
use automerge::{ActorId, Automerge, AutomergeError, ChangeHash, LoadOptions, OnPartialLoad, VerificationMode};

use super::chunk_guard::{check_chunks, Budget, ChunkError};
use super::chunks::{make_chunk, Chunk, ChunkBook, ChunkKind};

/// Identifies one live connection within this process.
pub type ConnId = u64;

/// Why a peer's sync message was refused. The text goes to the peer in an `error` message, so
/// it describes their input and never our internals.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum SyncError {
    #[error("malformed sync message: {0}")]
    Malformed(String),
    #[error("change could not be applied: {0}")]
    BadChange(String),
    #[error("change inflates to more than {limit} bytes, this server's limit")]
    Inflated { limit: u64 },
    #[error("document would grow to {would_be} bytes, over this account's limit of {limit} bytes")]
    Quota { would_be: u64, limit: u64 },
    #[error("the server could not save the change, so it was not accepted; try again later")]
    Storage,
    #[error("the document could not be loaded; try again later")]
    Unloadable,
}

/// What receiving a sync message did to the document.
#[derive(Debug)]
pub enum Outcome {
    /// Persist `chunk` (if any), then reply and tell the other connections.
    Accepted { chunk: Option<Chunk> },
    /// The peer sent something bad. Whatever did apply is valid: persist `chunk`, then send
    /// the peer `error` and close it.
    Rejected { chunk: Option<Chunk>, error: SyncError },
    /// The in-memory copy now holds changes that must not be kept (over quota, or automerge
    /// panicked mid-apply): reload it from the store, then send the peer `error`.
    Poisoned { error: SyncError },
}

pub struct Document {
    doc: Automerge,
    peers: HashMap<ConnId, sync::State>,
    book: ChunkBook,
    /// A compaction's copy has been handed out and its result not yet reported.
    compacting: bool,
}

/// A compaction handed to the shell: a copy of the document and the chunks it covers. Saving
/// the copy is the heavy part; it needs no lock, so the document keeps serving meanwhile.
pub struct Compaction {
    copy: Automerge,
    replaced: Vec<[u8; 32]>,
}

impl Compaction {
    /// The snapshot to store in place of [`Compaction::replaced`]. Heavy: saves everything.
    pub fn snapshot(&self) -> Chunk {
        make_chunk(ChunkKind::Snapshot, self.copy.save())
    }

    pub fn replaced(&self) -> &[[u8; 32]] {
        &self.replaced
    }
}

impl Document {
    /// Rebuilds the document from its stored chunks, snapshots first. A chunk that does not
    /// parse is skipped (and stays in the store untouched) rather than making the whole
    /// document unavailable.
    pub fn load(mut chunks: Vec<Chunk>) -> Document {
        chunks.sort_by_key(|c| c.kind != ChunkKind::Snapshot);
        let mut doc = Automerge::new();
        let mut book = ChunkBook::default();
        for chunk in &chunks {
            match doc.load_incremental(&chunk.bytes) {
                Ok(_) => book.record(chunk),
                Err(e) => tracing::warn!(hash = %hex::encode(chunk.hash), error = %e, "skipping unreadable chunk"),
            }
        }
        // Server-side edits get an actor of their own per load, so sequence numbers never clash.
        doc.set_actor(ActorId::random());
        Document { doc, peers: HashMap::new(), book, compacting: false }
    }

    pub fn automerge(&self) -> &Automerge {
        &self.doc
    }

    pub fn heads(&self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    pub fn stored_bytes(&self) -> u64 {
        self.book.total_bytes()
    }

    pub fn add_peer(&mut self, conn: ConnId) {
        self.peers.entry(conn).or_default();
    }

    pub fn remove_peer(&mut self, conn: ConnId) {
        self.peers.remove(&conn);
    }

    pub fn has_peer(&self, conn: ConnId) -> bool {
        self.peers.contains_key(&conn)
    }

    pub fn peer_ids(&self) -> Vec<ConnId> {
        self.peers.keys().copied().collect()
    }

    /// After a reload every peer starts its sync afresh: their old states may name changes
    /// the reloaded document no longer has.
    pub fn take_peers_from(&mut self, old: Document) {
        for conn in old.peers.into_keys() {
            self.add_peer(conn);
        }
    }

    /// Applies a peer's sync message (checking it first, see [`precheck`]). Nothing here is
    /// announced: the caller persists the returned chunk first.
    pub fn receive(&mut self, conn: ConnId, data: &[u8], max_doc_bytes: u64) -> Outcome {
        match precheck(data, DEFAULT_MAX_INFLATED_BYTES) {
            Ok(message) => self.receive_checked(conn, message, max_doc_bytes),
            Err(error) => Outcome::Rejected { chunk: None, error },
        }
    }

    /// Applies a sync message that passed [`precheck`].
    pub fn receive_checked(&mut self, conn: ConnId, message: sync::Message, max_doc_bytes: u64) -> Outcome {
        let before = self.doc.get_heads();
        let state = self.peers.entry(conn).or_default();
        let doc = &mut self.doc;
        let applied = catch_unwind(AssertUnwindSafe(|| doc.receive_sync_message(state, message)));
        let chunk = self.new_chunk(&before);
        let error = match applied {
            Err(_) => {
                return Outcome::Poisoned { error: SyncError::BadChange("automerge could not apply it".into()) };
            }
            Ok(Err(e)) => Some(SyncError::BadChange(e.to_string())),
            Ok(Ok(())) => None,
        };
        if let Some(c) = &chunk {
            if let Some(quota) = self.over_quota(c, max_doc_bytes) {
                return Outcome::Poisoned { error: quota };
            }
        }
        match error {
            None => Outcome::Accepted { chunk },
            Some(error) => Outcome::Rejected { chunk, error },
        }
    }

    /// A sync message for `conn`, if it has anything to learn.
    pub fn generate(&mut self, conn: ConnId) -> Option<Vec<u8>> {
        let state = self.peers.get_mut(&conn)?;
        self.doc.generate_sync_message(state).map(sync::Message::encode)
    }

    /// Runs a server-side edit; returns its result and the chunk to persist. Panics inside
    /// `f` propagate: the caller must treat the document as poisoned.
    pub fn change<T>(&mut self, f: impl FnOnce(&mut Automerge) -> T) -> (T, Option<Chunk>) {
        let before = self.doc.get_heads();
        let out = f(&mut self.doc);
        (out, self.new_chunk(&before))
    }

    pub fn over_quota(&self, chunk: &Chunk, limit: u64) -> Option<SyncError> {
        let would_be = self.book.total_bytes() + chunk.bytes.len() as u64;
        (would_be > limit).then_some(SyncError::Quota { would_be, limit })
    }

    /// The chunk is durable now.
    pub fn persisted(&mut self, chunk: &Chunk) {
        self.book.record(chunk);
    }

    /// Whether [`Document::start_compaction`] would hand out a compaction: the increments
    /// outweigh the snapshot and none is in flight.
    pub fn needs_compaction(&self) -> bool {
        self.book.should_compact() && !self.compacting
    }

    /// A copy to snapshot and the chunks it covers, when compaction is due; until
    /// [`Document::compacted`] or [`Document::compaction_failed`] no second one is handed out.
    pub fn start_compaction(&mut self) -> Option<Compaction> {
        if !self.needs_compaction() {
            return None;
        }
        self.compacting = true;
        Some(Compaction { copy: self.doc.clone(), replaced: self.book.replaced_by_snapshot() })
    }

    /// The store replaced `replaced` with `snapshot`.
    pub fn compacted(&mut self, snapshot: &Chunk, replaced: &[[u8; 32]]) {
        self.book.compacted(snapshot, replaced);
        self.compacting = false;
    }

    /// The compaction did not happen; a later change may ask again.
    pub fn compaction_failed(&mut self) {
        self.compacting = false;
    }

    /// Merges chunks another instance stored. Returns whether the heads moved.
    pub fn merge_stored(&mut self, chunks: Vec<Chunk>) -> bool {
        let before = self.doc.get_heads();
        for chunk in &chunks {
            if self.book.knows(&chunk.hash) {
                continue;
            }
            match self.doc.load_incremental(&chunk.bytes) {
                Ok(_) => self.book.record(chunk),
                Err(e) => tracing::warn!(hash = %hex::encode(chunk.hash), error = %e, "skipping unreadable chunk"),
            }
        }
        self.doc.get_heads() != before
    }

    fn new_chunk(&self, before: &[ChangeHash]) -> Option<Chunk> {
        if self.doc.get_heads() == before {
            return None;
        }
        let bytes = self.doc.save_after(before);
        (!bytes.is_empty()).then(|| make_chunk(ChunkKind::Incremental, bytes))
    }
}

/// The default bound on what one sync message's changes may inflate to (`KITH_MAX_INFLATED_BYTES`).
pub const DEFAULT_MAX_INFLATED_BYTES: u64 = 64 * 1024 * 1024;

/// Everything about a peer's sync message that needs no document: decoding it, bounding what
/// its changes inflate to (all of them together within `max_inflated_bytes`), and parsing each
/// change. CPU-heavy for big messages, so the hub runs it on a blocking thread before it takes
/// the document's lock.
pub fn precheck(data: &[u8], max_inflated_bytes: u64) -> Result<sync::Message, SyncError> {
    let message = sync::Message::decode(data).map_err(|e| SyncError::Malformed(e.to_string()))?;
    let mut budget = Budget::new(max_inflated_bytes);
    for bytes in message.changes.iter() {
        // Before automerge parses it: automerge inflates without a limit.
        check_chunks(bytes, &mut budget).map_err(|e| match e {
            ChunkError::TooLarge { limit } => SyncError::Inflated { limit },
            other => SyncError::BadChange(other.to_string()),
        })?;
        // automerge skips unreadable change chunks silently; check them here so the peer
        // learns its change was refused instead of believing it synced.
        check_chunk(bytes).map_err(SyncError::BadChange)?;
    }
    Ok(message)
}

/// A change chunk or a whole saved document must parse and pass its checksum on its own.
/// Missing dependencies are fine here (they may arrive later or already be in the document).
fn check_chunk(bytes: &[u8]) -> Result<(), String> {
    if bytes.is_empty() {
        return Err("empty change".to_owned());
    }
    let options = LoadOptions::new()
        .on_partial_load(OnPartialLoad::Error)
        .verification_mode(VerificationMode::Check);
    match catch_unwind(AssertUnwindSafe(|| Automerge::load_with_options(bytes, options))) {
        Ok(Ok(_)) | Ok(Err(AutomergeError::MissingDeps)) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("change could not be parsed".to_owned()),
    }
}

#[cfg(test)]
#[path = "document_tests.rs"]
mod tests;
