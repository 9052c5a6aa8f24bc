//! One document in memory as the server shares it — its owner, the connections that have it
//! open, whether a change is waiting to be stored — as a state machine without IO: events in
//! (a peer's sync message, the server's own edit, "the store wrote that chunk", "another
//! instance stored chunks"), [`DocEffect`]s out. The shell (`live::hub`) holds the document's
//! lock while it performs them, so one event and its effects run at a time.
//!
//! The rule this file exists for: nothing that includes a change leaves before the change is
//! durable. A change yields [`DocEffect::Persist`] and nothing else; only [`SharedDoc::persist_done`]
//! releases the reply, the wake-ups and the announcements.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use automerge::sync;
use automerge::{Automerge, ChangeHash};

use super::chunks::Chunk;
use super::document::{Compaction, ConnId, Document, Outcome, SyncError};
use crate::ids::UserId;

/// What the shell must do, in order.
#[derive(Debug, PartialEq)]
pub enum DocEffect {
    /// Write this chunk durably, then call [`SharedDoc::persist_done`] with the result.
    Persist(Chunk),
    /// Send this sync message to the connection whose message caused it.
    Reply { to: ConnId, data: Vec<u8> },
    /// These connections' peers may be missing something: each generates a message when its
    /// socket is ready ([`SharedDoc::generate`]).
    Wake(Vec<ConnId>),
    /// The document changed durably: tell local listeners (reminders re-plan from it).
    Changed,
    /// Tell other instances sharing the database, with the new heads.
    Publish(Vec<ChangeHash>),
    /// The change that caused this is refused; a connection sends `error` to its peer and
    /// closes, the server's own edit returns it.
    Refuse(SyncError),
    /// Throw the in-memory copy away (it holds something that must not be kept, or the store
    /// failed); every connection is woken and the next access reloads from the store.
    Evict,
    /// The increments outweigh the snapshot: compact, off the path that delivers the change
    /// ([`SharedDoc::compaction`], then [`SharedDoc::compacted`]).
    Compact,
}

/// Who caused a change: a connection gets the reply, the server's own edit none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Peer(ConnId),
    Server,
}

/// A change waiting for the store.
#[derive(Debug)]
struct Pending {
    chunk: Chunk,
    origin: Origin,
    /// The rest of the message was bad: after the valid part is stored, refuse with this.
    error: Option<SyncError>,
}

pub struct SharedDoc {
    document: Document,
    owner: UserId,
    /// Connections that have the document open (ordered, so effects are deterministic).
    conns: BTreeSet<ConnId>,
    /// Since when no connection has had it open; `None` while one has.
    idle_since: Option<Instant>,
    pending: Option<Pending>,
}

impl SharedDoc {
    /// The store loaded these chunks for `owner`'s document at `now`.
    pub fn load(owner: UserId, chunks: Vec<Chunk>, now: Instant) -> SharedDoc {
        SharedDoc::new(owner, Document::load(chunks), now)
    }

    pub fn new(owner: UserId, document: Document, now: Instant) -> SharedDoc {
        SharedDoc { document, owner, conns: BTreeSet::new(), idle_since: Some(now), pending: None }
    }

    pub fn owner(&self) -> UserId {
        self.owner
    }

    pub fn automerge(&self) -> &Automerge {
        self.document.automerge()
    }

    pub fn document(&self) -> &Document {
        &self.document
    }

    pub fn connections(&self) -> impl Iterator<Item = ConnId> + '_ {
        self.conns.iter().copied()
    }

    /// `conn` opened the document (again: after an eviction the reloaded copy has forgotten
    /// it, and it starts a fresh sync state).
    pub fn join(&mut self, conn: ConnId) {
        if !self.document.has_peer(conn) {
            self.document.add_peer(conn);
        }
        self.conns.insert(conn);
        self.idle_since = None;
    }

    /// `conn` closed; the last one to leave starts the idle time.
    pub fn leave(&mut self, conn: ConnId, now: Instant) {
        self.document.remove_peer(conn);
        self.conns.remove(&conn);
        if self.conns.is_empty() {
            self.idle_since = Some(now);
        }
    }

    /// The server used the document: one nobody has open starts its idle time again, so it
    /// is not dropped right after being used.
    pub fn touch(&mut self, now: Instant) {
        if self.conns.is_empty() {
            self.idle_since = Some(now);
        }
    }

    /// Whether the document may leave memory: no connection for `idle` as of `now`, and no
    /// change waiting for the store.
    pub fn expired(&self, now: Instant, idle: Duration) -> bool {
        self.conns.is_empty()
            && self.pending.is_none()
            && self.idle_since.is_some_and(|t| now.saturating_duration_since(t) >= idle)
    }

    /// A peer's sync message (it passed [`super::document::precheck`]) arrived on `conn`.
    pub fn receive(&mut self, conn: ConnId, message: sync::Message, max_doc_bytes: u64) -> Vec<DocEffect> {
        debug_assert!(self.pending.is_none(), "one change at a time: finish the persist first");
        match self.document.receive_checked(conn, message, max_doc_bytes) {
            Outcome::Accepted { chunk: Some(chunk) } => self.wait_for_store(chunk, Origin::Peer(conn), None),
            Outcome::Accepted { chunk: None } => {
                // Nothing new to store: answer right away (the peer may be missing something).
                let mut effects: Vec<_> = self.reply(conn).into_iter().collect();
                effects.extend(self.compact_if_due());
                effects
            }
            Outcome::Rejected { chunk: Some(chunk), error } => {
                self.wait_for_store(chunk, Origin::Peer(conn), Some(error))
            }
            Outcome::Rejected { chunk: None, error } => vec![DocEffect::Refuse(error)],
            Outcome::Poisoned { error } => vec![DocEffect::Evict, DocEffect::Refuse(error)],
        }
    }

    /// The server's own edit. Returns `f`'s result and the effects. A panic in `f` leaves the
    /// copy half-changed: the caller must evict it.
    pub fn change<T>(&mut self, f: impl FnOnce(&mut Automerge) -> T, max_doc_bytes: u64) -> (T, Vec<DocEffect>) {
        debug_assert!(self.pending.is_none(), "one change at a time: finish the persist first");
        let (out, chunk) = self.document.change(f);
        let Some(chunk) = chunk else { return (out, Vec::new()) };
        if let Some(quota) = self.document.over_quota(&chunk, max_doc_bytes) {
            return (out, vec![DocEffect::Evict, DocEffect::Refuse(quota)]);
        }
        (out, self.wait_for_store(chunk, Origin::Server, None))
    }

    fn wait_for_store(&mut self, chunk: Chunk, origin: Origin, error: Option<SyncError>) -> Vec<DocEffect> {
        self.pending = Some(Pending { chunk: chunk.clone(), origin, error });
        vec![DocEffect::Persist(chunk)]
    }

    /// The store finished the write [`DocEffect::Persist`] asked for: `stored` says whether
    /// it succeeded. Only now does anything that includes the change leave: the other
    /// connections are woken, listeners and other instances told, the sender answered.
    pub fn persist_done(&mut self, stored: bool) -> Vec<DocEffect> {
        let Some(Pending { chunk, origin, error }) = self.pending.take() else { return Vec::new() };
        if !stored {
            // The copy holds a change the store does not: it must not be served.
            return vec![DocEffect::Evict, DocEffect::Refuse(error.unwrap_or(SyncError::Storage))];
        }
        self.document.persisted(&chunk);
        let others: Vec<ConnId> = self.conns.iter().copied().filter(|c| Origin::Peer(*c) != origin).collect();
        let mut effects = Vec::new();
        if !others.is_empty() {
            effects.push(DocEffect::Wake(others));
        }
        effects.push(DocEffect::Changed);
        effects.push(DocEffect::Publish(self.document.heads()));
        if let Some(error) = error {
            effects.push(DocEffect::Refuse(error));
            return effects;
        }
        if let Origin::Peer(conn) = origin {
            effects.extend(self.reply(conn));
        }
        effects.extend(self.compact_if_due());
        effects
    }

    fn reply(&mut self, conn: ConnId) -> Option<DocEffect> {
        self.document.generate(conn).map(|data| DocEffect::Reply { to: conn, data })
    }

    fn compact_if_due(&self) -> Option<DocEffect> {
        self.document.needs_compaction().then_some(DocEffect::Compact)
    }

    /// A sync message for `conn`'s peer, if it is missing something (after a wake-up).
    pub fn generate(&mut self, conn: ConnId) -> Option<Vec<u8>> {
        self.document.generate(conn)
    }

    /// The connections other than `conn` that have the document open: where an ephemeral
    /// message from `conn` goes.
    pub fn others(&self, conn: ConnId) -> Vec<ConnId> {
        self.conns.iter().copied().filter(|c| *c != conn).collect()
    }

    /// Another instance stored chunks for this document; the store loaded them. When they
    /// moved the document, every connection is woken and local listeners told (the other
    /// instance already told the others).
    pub fn merge_stored(&mut self, chunks: Vec<Chunk>) -> Vec<DocEffect> {
        if !self.document.merge_stored(chunks) {
            return Vec::new();
        }
        let mut effects = Vec::new();
        if !self.conns.is_empty() {
            effects.push(DocEffect::Wake(self.conns.iter().copied().collect()));
        }
        effects.push(DocEffect::Changed);
        effects
    }

    /// A copy to snapshot and the chunks it replaces, if compaction is (still) due and not
    /// already under way. Cheap: the save happens on the copy, wherever the caller likes.
    pub fn compaction(&mut self) -> Option<Compaction> {
        self.document.start_compaction()
    }

    /// The store replaced the chunks with the snapshot.
    pub fn compacted(&mut self, snapshot: &Chunk, replaced: &[[u8; 32]]) {
        self.document.compacted(snapshot, replaced);
    }

    /// The compaction did not happen (the save or the store failed).
    pub fn compaction_failed(&mut self) {
        self.document.compaction_failed();
    }
}

#[cfg(test)]
#[path = "shared_doc_tests.rs"]
mod tests;
