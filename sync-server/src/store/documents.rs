//! Documents: each user's Automerge document, stored as content-addressed chunks.

use async_trait::async_trait;

use super::StoreResult;
use crate::ids::{DocId, UserId};

// The chunk types belong to the sync layer, which must not import the store; the store
// stores what it is given.
pub use crate::sync::chunks::{Chunk, ChunkKind};

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
