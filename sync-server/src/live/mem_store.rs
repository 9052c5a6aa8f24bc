//! A tiny in-memory [`DocumentStore`] for the hub's unit tests: documents and chunks, the
//! one area the hub needs. It can be told to fail writes, to test that a
//! failed write is never announced.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use async_trait::async_trait;

use crate::ids::{DocId, UserId};
use crate::store::{Chunk, DocumentStore, StoreError, StoreResult};

#[derive(Default)]
pub struct MemStore {
    owners: Mutex<HashMap<DocId, UserId>>,
    chunks: Mutex<HashMap<DocId, Vec<Chunk>>>,
    pub fail_writes: AtomicBool,
    pub owner_lookups: AtomicUsize,
    pub chunk_loads: AtomicUsize,
}

impl MemStore {
    pub fn add_doc(&self, doc: DocId, owner: UserId, chunks: Vec<Chunk>) {
        self.owners.lock().expect("lock").insert(doc, owner);
        self.chunks.lock().expect("lock").insert(doc, chunks);
    }

    pub fn chunks_of(&self, doc: DocId) -> Vec<Chunk> {
        self.chunks.lock().expect("lock").get(&doc).cloned().unwrap_or_default()
    }
}

#[async_trait]
impl DocumentStore for MemStore {
    async fn doc_owner(&self, doc: DocId) -> StoreResult<Option<UserId>> {
        self.owner_lookups.fetch_add(1, Ordering::Relaxed);
        Ok(self.owners.lock().expect("lock").get(&doc).copied())
    }

    async fn load_chunks(&self, doc: DocId) -> StoreResult<Vec<Chunk>> {
        self.chunk_loads.fetch_add(1, Ordering::Relaxed);
        // Let concurrent lockers pile up, as they do behind a busy database.
        tokio::task::yield_now().await;
        Ok(self.chunks_of(doc))
    }

    async fn append_chunk(&self, doc: DocId, chunk: &Chunk) -> StoreResult<()> {
        if self.fail_writes.load(Ordering::SeqCst) {
            return Err(StoreError::NotFound);
        }
        let mut all = self.chunks.lock().expect("lock");
        let list = all.entry(doc).or_default();
        if !list.iter().any(|c| c.hash == chunk.hash) {
            list.push(chunk.clone());
        }
        Ok(())
    }

    async fn compact(&self, doc: DocId, snapshot: &Chunk, replaced: &[[u8; 32]]) -> StoreResult<()> {
        if self.fail_writes.load(Ordering::SeqCst) {
            return Err(StoreError::NotFound);
        }
        let mut all = self.chunks.lock().expect("lock");
        let list = all.entry(doc).or_default();
        list.retain(|c| !replaced.contains(&c.hash));
        list.push(snapshot.clone());
        Ok(())
    }
}
