//! Documents and their content-addressed chunks on SQLite.

use async_trait::async_trait;
use sqlx::{QueryBuilder, Row, Sqlite};

use super::codec::{self, map_err};
use super::SqliteStore;
use crate::ids::{DocId, UserId};
use crate::store::{Chunk, DocumentStore, StoreResult};

/// Stays well under SQLite's bound-parameter limit in `compact`'s `IN (...)` list.
const DELETE_BATCH: usize = 500;

#[async_trait]
impl DocumentStore for SqliteStore {
    async fn doc_owner(&self, doc: DocId) -> StoreResult<Option<UserId>> {
        let pool = &self.pool;
        let row = sqlx::query("SELECT user_id FROM documents WHERE id = ?")
            .bind(&doc.0[..])
            .fetch_optional(pool)
            .await?;
        match row {
            Some(row) => Ok(Some(UserId(codec::uuid(row.try_get("user_id")?)?))),
            None => Ok(None),
        }
    }

    async fn load_chunks(&self, doc: DocId) -> StoreResult<Vec<Chunk>> {
        let pool = &self.pool;
        let rows = sqlx::query("SELECT kind, hash, bytes FROM doc_chunks WHERE doc_id = ? ORDER BY seq")
            .bind(&doc.0[..])
            .fetch_all(pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(Chunk {
                    kind: codec::kind(row.try_get("kind")?)?,
                    hash: codec::hash(row.try_get("hash")?)?,
                    bytes: row.try_get("bytes")?,
                })
            })
            .collect()
    }

    /// `ON CONFLICT DO NOTHING`: the same change persisted twice is stored once. A document
    /// that does not exist is `NotFound` (foreign key).
    async fn append_chunk(&self, doc: DocId, chunk: &Chunk) -> StoreResult<()> {
        // A device's change: its turn at the write lock comes before background writes'.
        let _turn = self.write_turn().await;
        let pool = &self.pool;
        sqlx::query(
            "INSERT INTO doc_chunks (doc_id, kind, hash, bytes) VALUES (?, ?, ?, ?) \
             ON CONFLICT (doc_id, hash) DO NOTHING",
        )
        .bind(&doc.0[..])
        .bind(codec::kind_str(chunk.kind))
        .bind(&chunk.hash[..])
        .bind(&chunk.bytes)
        .execute(pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    /// Writes the snapshot, then deletes exactly `replaced` (never the snapshot itself), in one
    /// transaction. SQLite has one writer at a time, so the transaction's write lock plays the
    /// part of PostgreSQL's document row lock: a chunk appended concurrently is either before
    /// (and, not being in `replaced`, kept) or after (untouched).
    async fn compact(
        &self,
        doc: DocId,
        snapshot: &Chunk,
        replaced: &[[u8; 32]],
    ) -> StoreResult<()> {
        let pool = &self.pool;
        let mut tx = pool.begin().await?;
        sqlx::query(
            "INSERT INTO doc_chunks (doc_id, kind, hash, bytes) VALUES (?, ?, ?, ?) \
             ON CONFLICT (doc_id, hash) DO NOTHING",
        )
        .bind(&doc.0[..])
        .bind(codec::kind_str(snapshot.kind))
        .bind(&snapshot.hash[..])
        .bind(&snapshot.bytes)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let doomed: Vec<&[u8; 32]> = replaced.iter().filter(|h| **h != snapshot.hash).collect();
        for batch in doomed.chunks(DELETE_BATCH) {
            let mut query: QueryBuilder<Sqlite> =
                QueryBuilder::new("DELETE FROM doc_chunks WHERE doc_id = ");
            query.push_bind(&doc.0[..]).push(" AND hash IN (");
            let mut list = query.separated(", ");
            for hash in batch {
                list.push_bind(&hash[..]);
            }
            list.push_unseparated(")");
            query.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
