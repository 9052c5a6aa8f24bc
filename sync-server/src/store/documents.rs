//! Documents: each user's Automerge document, stored as content-addressed chunks.

use async_trait::async_trait;

use super::StoreResult;
use crate::ids::{DocId, UserId};

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

#[async_trait]
pub trait DocumentStore: Send + Sync + 'static {
    /// Who owns `doc`, if anyone. Never loads chunks.
    async fn doc_owner(&self, doc: DocId) -> StoreResult<Option<UserId>>;
    async fn load_chunks(&self, doc: DocId) -> StoreResult<Vec<Chunk>>;
    /// Durable when this returns. Appending a chunk whose hash is already stored is a no-op.
    async fn append_chunk(&self, doc: DocId, chunk: &Chunk) -> StoreResult<()>;
    /// Stores `snapshot` and deletes exactly the chunks in `replaced` (those the snapshot
    /// includes), in one transaction holding the document's row lock, so a concurrent
    /// writer's newer chunk survives.
    async fn compact(&self, doc: DocId, snapshot: &Chunk, replaced: &[[u8; 32]]) -> StoreResult<()>;
}
