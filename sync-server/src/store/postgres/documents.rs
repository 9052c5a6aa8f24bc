//! Documents and their content-addressed chunks on PostgreSQL.

use async_trait::async_trait;
use sqlx::Row;

use super::errors::map;
use super::PostgresStore;
use crate::ids::{DocId, UserId};
use crate::store::{Chunk, ChunkKind, DocumentStore, StoreError, StoreResult};

fn kind_str(kind: ChunkKind) -> &'static str {
    match kind {
        ChunkKind::Incremental => "incremental",
        ChunkKind::Snapshot => "snapshot",
    }
}

/// A stored value of the wrong shape is a database fault, not a client's: report it as a
/// decode error (a 500), never panic.
fn corrupt(what: &str) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(
        format!("corrupt {what} in the database").into(),
    ))
}

pub(super) fn doc_id_from(bytes: Vec<u8>) -> StoreResult<DocId> {
    let arr: [u8; 16] = bytes.try_into().map_err(|_| corrupt("document id"))?;
    Ok(DocId(arr))
}

#[async_trait]
impl DocumentStore for PostgresStore {
    async fn doc_owner(&self, doc: DocId) -> StoreResult<Option<UserId>> {
        let pool = &self.pool;
        let row = sqlx::query("SELECT user_id FROM documents WHERE id = $1")
            .bind(&doc.0[..])
            .fetch_optional(pool)
            .await?;
        Ok(row.map(|r| r.try_get("user_id")).transpose()?.map(UserId))
    }

    async fn load_chunks(&self, doc: DocId) -> StoreResult<Vec<Chunk>> {
        let pool = &self.pool;
        let rows =
            sqlx::query("SELECT kind, hash, bytes FROM doc_chunks WHERE doc_id = $1 ORDER BY seq")
                .bind(&doc.0[..])
                .fetch_all(pool)
                .await?;
        rows.iter()
            .map(|row| {
                let kind = match row.try_get::<&str, _>("kind")? {
                    "incremental" => ChunkKind::Incremental,
                    "snapshot" => ChunkKind::Snapshot,
                    _ => return Err(corrupt("chunk kind")),
                };
                let hash: Vec<u8> = row.try_get("hash")?;
                let hash: [u8; 32] = hash.try_into().map_err(|_| corrupt("chunk hash"))?;
                Ok(Chunk {
                    kind,
                    hash,
                    bytes: row.try_get("bytes")?,
                })
            })
            .collect()
    }

    /// `ON CONFLICT DO NOTHING`: the same change persisted by two instances is stored once.
    /// A document that does not exist is `NotFound` (foreign key).
    async fn append_chunk(&self, doc: DocId, chunk: &Chunk) -> StoreResult<()> {
        let pool = &self.pool;
        sqlx::query(
            "INSERT INTO doc_chunks (doc_id, kind, hash, bytes) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (doc_id, hash) DO NOTHING",
        )
        .bind(&doc.0[..])
        .bind(kind_str(chunk.kind))
        .bind(&chunk.hash[..])
        .bind(&chunk.bytes)
        .execute(pool)
        .await
        .map_err(map)?;
        Ok(())
    }

    /// The document row lock serialises compactions of one document across instances; plain
    /// appends don't take it, and survive because only the hashes in `replaced` are deleted.
    async fn compact(
        &self,
        doc: DocId,
        snapshot: &Chunk,
        replaced: &[[u8; 32]],
    ) -> StoreResult<()> {
        let pool = &self.pool;
        let mut tx = pool.begin().await?;
        // NO KEY UPDATE serialises compactions but, unlike FOR UPDATE, does not block the
        // foreign-key check of concurrent appends (FOR KEY SHARE) from other instances.
        let locked = sqlx::query("SELECT id FROM documents WHERE id = $1 FOR NO KEY UPDATE")
            .bind(&doc.0[..])
            .fetch_optional(&mut *tx)
            .await?;
        if locked.is_none() {
            return Err(StoreError::NotFound);
        }
        sqlx::query(
            "INSERT INTO doc_chunks (doc_id, kind, hash, bytes) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (doc_id, hash) DO NOTHING",
        )
        .bind(&doc.0[..])
        .bind(kind_str(snapshot.kind))
        .bind(&snapshot.hash[..])
        .bind(&snapshot.bytes)
        .execute(&mut *tx)
        .await
        .map_err(map)?;
        // Never delete the snapshot itself, even if a caller lists its hash as replaced.
        let replaced: Vec<&[u8]> = replaced
            .iter()
            .filter(|h| **h != snapshot.hash)
            .map(|h| &h[..])
            .collect();
        sqlx::query("DELETE FROM doc_chunks WHERE doc_id = $1 AND hash = ANY($2)")
            .bind(&doc.0[..])
            .bind(&replaced)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
