//! SqliteStore against a real file in a temp dir.

use chrono::{Duration, TimeZone, Utc};
use sha2::{Digest, Sha256};

use super::SqliteStore;
use crate::ids::DocId;
use crate::store::{AccountStore, Chunk, ChunkKind, DocumentStore, SessionStore, StoreError};

async fn fresh() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("nested/kith.db").display());
    let store = SqliteStore::open(&url).await.expect("open");
    (dir, store)
}

fn chunk(kind: ChunkKind, bytes: &[u8]) -> Chunk {
    Chunk { kind, hash: Sha256::digest(bytes).into(), bytes: bytes.to_vec() }
}

fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).single().expect("valid time")
}

#[tokio::test]
async fn users_round_trip_and_duplicate_email_is_a_conflict() {
    let (_dir, store) = fresh().await;
    let doc = DocId::random();
    let id = store.create_user("a@example.com", "phc", doc, t0()).await.expect("create");
    let user = store.user_by_email("a@example.com").await.expect("query").expect("found");
    assert_eq!((user.id, user.doc_id, user.created_at), (id, doc, t0()));
    assert_eq!(store.user_by_id(id).await.expect("query").map(|u| u.email), Some("a@example.com".into()));
    assert_eq!(store.doc_owner(doc).await.expect("owner"), Some(id));
    assert!(store.doc_owner(DocId::random()).await.expect("owner").is_none());

    let again = store.create_user("a@example.com", "phc", DocId::random(), t0()).await;
    assert!(matches!(again, Err(StoreError::Conflict("email"))), "{again:?}");
    let same_doc = store.create_user("b@example.com", "phc", doc, t0()).await;
    assert!(matches!(same_doc, Err(StoreError::Conflict("doc_id"))), "{same_doc:?}");
    assert_eq!(store.list_users().await.expect("list").len(), 1);
}

#[tokio::test]
async fn sessions_are_found_by_hash_and_deleted_per_user() {
    let (_dir, store) = fresh().await;
    let alice = store.create_user("a@example.com", "phc", DocId::random(), t0()).await.expect("a");
    let bob = store.create_user("b@example.com", "phc", DocId::random(), t0()).await.expect("b");
    let s1 = store.create_session(alice, &[1; 32], "phone", t0()).await.expect("s1");
    let s2 = store.create_session(alice, &[2; 32], "laptop", t0()).await.expect("s2");
    let dup = store.create_session(bob, &[1; 32], "x", t0()).await;
    assert!(matches!(dup, Err(StoreError::Conflict("token_hash"))), "{dup:?}");

    let later = t0() + Duration::minutes(5);
    let found = store.session_by_token_hash(&[1; 32], later).await.expect("q").expect("found");
    assert_eq!((found.id, found.user_id, found.device_name.as_str()), (s1, alice, "phone"));
    assert_eq!(found.last_seen_at, later);
    assert!(store.session_by_token_hash(&[9; 32], later).await.expect("q").is_none());

    // bob cannot delete alice's session
    assert!(matches!(store.delete_session(bob, s1).await, Err(StoreError::NotFound)));
    store.delete_session(alice, s1).await.expect("delete own");
    assert!(store.session_by_token_hash(&[1; 32], later).await.expect("q").is_none());

    let s3 = store.create_session(alice, &[3; 32], "tablet", t0()).await.expect("s3");
    let removed = store.delete_other_sessions(alice, Some(s3)).await.expect("others");
    assert_eq!(removed, vec![s2]);
    let left: Vec<_> = store.list_sessions(alice).await.expect("list").into_iter().map(|s| s.id).collect();
    assert_eq!(left, vec![s3]);
}

#[tokio::test]
async fn appending_the_same_chunk_twice_stores_it_once() {
    let (_dir, store) = fresh().await;
    let doc = DocId::random();
    store.create_user("a@example.com", "phc", doc, t0()).await.expect("user");
    let a = chunk(ChunkKind::Snapshot, b"snapshot");
    let b = chunk(ChunkKind::Incremental, b"change one");
    for c in [&a, &b, &a, &b] {
        store.append_chunk(doc, c).await.expect("append");
    }
    assert_eq!(store.load_chunks(doc).await.expect("load"), vec![a, b]);
    // a document nobody created
    let orphan = store.append_chunk(DocId::random(), &chunk(ChunkKind::Incremental, b"x")).await;
    assert!(matches!(orphan, Err(StoreError::NotFound)), "{orphan:?}");
}

#[tokio::test]
async fn compact_deletes_only_the_replaced_chunks() {
    let (_dir, store) = fresh().await;
    let doc = DocId::random();
    store.create_user("a@example.com", "phc", doc, t0()).await.expect("user");
    let old_snap = chunk(ChunkKind::Snapshot, b"old snapshot");
    let c1 = chunk(ChunkKind::Incremental, b"c1");
    let c2 = chunk(ChunkKind::Incremental, b"c2");
    let concurrent = chunk(ChunkKind::Incremental, b"arrived during compaction");
    for c in [&old_snap, &c1, &c2, &concurrent] {
        store.append_chunk(doc, c).await.expect("append");
    }
    let new_snap = chunk(ChunkKind::Snapshot, b"new snapshot");
    // the snapshot's own hash in `replaced` must not delete it
    store
        .compact(doc, &new_snap, &[old_snap.hash, c1.hash, c2.hash, new_snap.hash])
        .await
        .expect("compact");
    assert_eq!(store.load_chunks(doc).await.expect("load"), vec![concurrent, new_snap]);
}

#[tokio::test]
async fn deleting_a_user_removes_their_sessions_documents_and_chunks() {
    let (_dir, store) = fresh().await;
    let doc = DocId::random();
    let id = store.create_user("a@example.com", "phc", doc, t0()).await.expect("user");
    store.create_session(id, &[1; 32], "phone", t0()).await.expect("session");
    store.append_chunk(doc, &chunk(ChunkKind::Snapshot, b"s")).await.expect("chunk");
    store.delete_user(id).await.expect("delete");
    assert!(store.user_by_id(id).await.expect("q").is_none());
    assert!(store.doc_owner(doc).await.expect("q").is_none());
    assert!(store.load_chunks(doc).await.expect("q").is_empty());
    assert!(store.session_by_token_hash(&[1; 32], t0()).await.expect("q").is_none());
    assert!(matches!(store.delete_user(id).await, Err(StoreError::NotFound)));
}

#[tokio::test]
async fn reopening_keeps_data_and_reapplies_no_migrations() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("kith.db").display());
    let doc = DocId::random();
    {
        let store = SqliteStore::open(&url).await.expect("open");
        store.create_user("a@example.com", "phc", doc, t0()).await.expect("user");
        store.pool().close().await;
    }
    let store = SqliteStore::open(&url).await.expect("reopen");
    assert!(store.doc_owner(doc).await.expect("q").is_some());
}

#[tokio::test]
async fn in_memory_databases_work() {
    let store = SqliteStore::open("sqlite::memory:").await.expect("open");
    store.create_user("a@example.com", "phc", DocId::random(), t0()).await.expect("user");
    assert_eq!(store.list_users().await.expect("list").len(), 1);
}

#[tokio::test]
async fn open_refuses_unknown_schemes_without_echoing_secrets() {
    let err = crate::store::open("mysql://root:hunter2@db/kith").await.err().expect("refused");
    let text = err.to_string();
    assert!(text.contains("mysql") && !text.contains("hunter2"), "{text}");
}

#[tokio::test]
async fn authenticating_never_waits_for_the_write_lock_and_last_seen_is_written_later() {
    use sqlx::{ConnectOptions, Connection};
    let (dir, store) = fresh().await;
    let alice = store.create_user("a@example.com", "phc", DocId::random(), t0()).await.expect("a");
    let session = store.create_session(alice, &[1; 32], "phone", t0()).await.expect("session");
    let stored = |store: SqliteStore| async move {
        let ms: i64 = sqlx::query_scalar("SELECT last_seen_at FROM sessions")
            .fetch_one(store.pool())
            .await
            .expect("row");
        ms
    };
    // Someone else holds SQLite's write lock (a big import, a compaction, another process).
    let mut writer = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(dir.path().join("nested/kith.db"))
        .connect()
        .await
        .expect("second connection");
    sqlx::query("BEGIN IMMEDIATE").execute(&mut writer).await.expect("write lock");

    // A device authenticating a session last seen long ago is answered anyway: the sighting
    // is noted, not written (on main this waited for the lock, up to the 10 s busy timeout).
    let later = t0() + Duration::minutes(5);
    let found = tokio::time::timeout(std::time::Duration::from_secs(2), store.session_by_token_hash(&[1; 32], later))
        .await
        .expect("authentication waited for the write lock")
        .expect("q")
        .expect("found");
    assert_eq!(found.last_seen_at, later);
    // Listing devices shows it before it is written.
    let listed = store.list_sessions(alice).await.expect("list");
    assert_eq!((listed[0].id, listed[0].last_seen_at), (session, later));

    // Once the lock is free, a batch writes it.
    sqlx::query("ROLLBACK").execute(&mut writer).await.expect("release");
    writer.close().await.expect("close");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while stored(store.clone()).await != later.timestamp_millis() {
        assert!(std::time::Instant::now() < deadline, "last_seen_at never written");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
