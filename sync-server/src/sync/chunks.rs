//! What a document is stored as — content-addressed chunks — and the bookkeeping of a loaded
//! document's chunks: which hashes it knows are in the store and how many bytes they hold, to
//! decide when to compact and to enforce the per-user quota. The chunk types live here, in the
//! pure layer, and the store imports them (`store` → `sync`, never the other way round).

use std::collections::HashMap;

use sha2::{Digest, Sha256};

/// Incremental changes or a compacted snapshot; both are plain Automerge bytes that
/// `Automerge::load_incremental` accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChunkKind {
    Incremental,
    Snapshot,
}

/// A content-addressed piece of a document: `hash` is the SHA-256 of `bytes`, so two
/// instances writing the same chunk is harmless.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunk {
    pub kind: ChunkKind,
    pub hash: [u8; 32],
    pub bytes: Vec<u8>,
}

/// Builds a content-addressed chunk (hash = SHA-256 of the bytes).
pub fn make_chunk(kind: ChunkKind, bytes: Vec<u8>) -> Chunk {
    let hash: [u8; 32] = Sha256::digest(&bytes).into();
    Chunk { kind, hash, bytes }
}

#[derive(Debug, Default)]
pub struct ChunkBook {
    chunks: HashMap<[u8; 32], (ChunkKind, u64)>,
    snapshot_bytes: u64,
    incremental_bytes: u64,
}

impl ChunkBook {
    pub fn knows(&self, hash: &[u8; 32]) -> bool {
        self.chunks.contains_key(hash)
    }

    pub fn record(&mut self, chunk: &Chunk) {
        let len = chunk.bytes.len() as u64;
        if self.chunks.insert(chunk.hash, (chunk.kind, len)).is_some() {
            return;
        }
        match chunk.kind {
            ChunkKind::Snapshot => self.snapshot_bytes += len,
            ChunkKind::Incremental => self.incremental_bytes += len,
        }
    }

    /// Every byte the store holds for this document (what the quota limits).
    pub fn total_bytes(&self) -> u64 {
        self.snapshot_bytes + self.incremental_bytes
    }

    /// Compacting rewrites the whole document, so it only pays once the increments outweigh
    /// the snapshot: the cost stays linear in the bytes written.
    pub fn should_compact(&self) -> bool {
        self.incremental_bytes > self.snapshot_bytes
    }

    /// The hashes a snapshot of the current in-memory document replaces: exactly the chunks
    /// this process knows, never a newer chunk another instance appended meanwhile.
    pub fn replaced_by_snapshot(&self) -> Vec<[u8; 32]> {
        self.chunks.keys().copied().collect()
    }

    /// The store replaced `replaced` with `snapshot`. Chunks stored after the snapshot's copy
    /// was taken (the save runs without the document's lock) stay, and keep counting.
    pub fn compacted(&mut self, snapshot: &Chunk, replaced: &[[u8; 32]]) {
        for hash in replaced {
            if let Some((kind, len)) = self.chunks.remove(hash) {
                match kind {
                    ChunkKind::Snapshot => self.snapshot_bytes -= len,
                    ChunkKind::Incremental => self.incremental_bytes -= len,
                }
            }
        }
        self.record(snapshot);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compacts_once_increments_outweigh_the_snapshot() {
        let mut book = ChunkBook::default();
        let snap = make_chunk(ChunkKind::Snapshot, vec![0; 100]);
        book.record(&snap);
        let inc1 = make_chunk(ChunkKind::Incremental, vec![1; 60]);
        book.record(&inc1);
        assert!(!book.should_compact());
        book.record(&inc1); // same content-addressed chunk twice counts once
        assert_eq!(book.total_bytes(), 160);
        let inc2 = make_chunk(ChunkKind::Incremental, vec![2; 60]);
        book.record(&inc2);
        assert!(book.should_compact());
        let mut replaced = book.replaced_by_snapshot();
        replaced.sort();
        let mut expected = vec![snap.hash, inc1.hash, inc2.hash];
        expected.sort();
        assert_eq!(replaced, expected);

        // A chunk stored while the snapshot was being saved is not part of it.
        let late = make_chunk(ChunkKind::Incremental, vec![4; 10]);
        book.record(&late);
        let new_snap = make_chunk(ChunkKind::Snapshot, vec![3; 150]);
        book.compacted(&new_snap, &replaced);
        assert_eq!(book.total_bytes(), 160);
        assert!(book.knows(&new_snap.hash) && book.knows(&late.hash) && !book.knows(&inc1.hash));
        assert!(!book.should_compact());
    }
}
