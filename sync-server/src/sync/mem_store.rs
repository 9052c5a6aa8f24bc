//! A tiny in-memory [`Store`] for the hub's unit tests: documents and chunks only (the
//! account methods are not needed here). It can be told to fail writes, to test that a
//! failed write is never announced.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::ids::{DocId, SessionId, UserId};
use crate::store::{Chunk, SessionRecord, Store, StoreError, StoreResult, UserRecord};

#[derive(Default)]
pub struct MemStore {
    owners: Mutex<HashMap<DocId, UserId>>,
    chunks: Mutex<HashMap<DocId, Vec<Chunk>>>,
    pub fail_writes: AtomicBool,
    pub owner_lookups: AtomicUsize,
}

impl MemStore {
    pub fn add_doc(&self, doc: DocId, owner: UserId, chunks: Vec<Chunk>) {
        self.owners.lock().expect("lock").insert(doc, owner);
        self.chunks.lock().expect("lock").insert(doc, chunks);
    }

    pub fn chunks_of(&self, doc: DocId) -> Vec<Chunk> {
        self.chunks.lock().expect("lock").get(&doc).cloned().unwrap_or_default()
    }

    fn unsupported<T>() -> StoreResult<T> {
        Err(StoreError::NotFound)
    }
}

#[async_trait]
impl Store for MemStore {
    async fn create_user(&self, _: &str, _: &str, _: DocId, _: DateTime<Utc>) -> StoreResult<UserId> {
        Self::unsupported()
    }
    async fn user_by_email(&self, _: &str) -> StoreResult<Option<UserRecord>> {
        Self::unsupported()
    }
    async fn user_by_id(&self, _: UserId) -> StoreResult<Option<UserRecord>> {
        Self::unsupported()
    }
    async fn list_users(&self) -> StoreResult<Vec<UserRecord>> {
        Self::unsupported()
    }
    async fn set_password_hash(&self, _: UserId, _: &str) -> StoreResult<()> {
        Self::unsupported()
    }
    async fn delete_user(&self, _: UserId) -> StoreResult<()> {
        Self::unsupported()
    }
    async fn create_session(&self, _: UserId, _: &[u8; 32], _: &str, _: DateTime<Utc>) -> StoreResult<SessionId> {
        Self::unsupported()
    }
    async fn session_by_token_hash(&self, _: &[u8; 32], _: DateTime<Utc>) -> StoreResult<Option<SessionRecord>> {
        Self::unsupported()
    }
    async fn list_sessions(&self, _: UserId) -> StoreResult<Vec<SessionRecord>> {
        Self::unsupported()
    }
    async fn delete_session(&self, _: UserId, _: SessionId) -> StoreResult<()> {
        Self::unsupported()
    }
    async fn delete_other_sessions(&self, _: UserId, _: Option<SessionId>) -> StoreResult<Vec<SessionId>> {
        Self::unsupported()
    }

    async fn doc_owner(&self, doc: DocId) -> StoreResult<Option<UserId>> {
        self.owner_lookups.fetch_add(1, Ordering::Relaxed);
        Ok(self.owners.lock().expect("lock").get(&doc).copied())
    }

    async fn load_chunks(&self, doc: DocId) -> StoreResult<Vec<Chunk>> {
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
