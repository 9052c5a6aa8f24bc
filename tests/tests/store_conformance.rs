//! One behaviour for every `Store`: the same tests run on a fresh SQLite file always and on a
//! fresh PostgreSQL schema when `TEST_DATABASE_URL` is set.

use std::collections::BTreeSet;
use std::sync::Arc;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, Automerge, ReadDoc, ROOT};
use chrono::{DateTime, Duration, TimeZone, Utc};
use kith_tests::stores::on_every_store;
use sha2::{Digest, Sha256};
use sync_server::ids::{DocId, SessionId, UserId};
use sync_server::store::{Chunk, ChunkKind, Store, StoreError};

/// Whole milliseconds, which both databases store exactly.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 29, 0, 30, 0).single().expect("valid time")
}

fn email(tag: &str) -> String {
    format!("{tag}-{}@example.test", uuid::Uuid::new_v4())
}

fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn chunk(kind: ChunkKind, bytes: Vec<u8>) -> Chunk {
    Chunk { kind, hash: Sha256::digest(&bytes).into(), bytes }
}

async fn new_user(store: &Arc<dyn Store>, tag: &str) -> (UserId, DocId) {
    let doc = DocId::random();
    let user = store.create_user(&email(tag), "$argon2id$v=19$fake", doc, t0()).await.expect("create user");
    (user, doc)
}

#[tokio::test]
async fn accounts_round_trip_and_conflict_by_name() {
    on_every_store(|backend, store, _| async move {
        let alice_email = email("alice");
        let doc = DocId::random();
        let alice = store.create_user(&alice_email, "hash-1", doc, t0()).await.expect("create");

        let by_email = store.user_by_email(&alice_email).await.expect("by email").expect("found");
        assert_eq!(by_email.id, alice, "{backend:?}");
        assert_eq!(by_email.doc_id, doc, "{backend:?}");
        assert_eq!(by_email.password_hash, "hash-1", "{backend:?}");
        assert_eq!(by_email.created_at, t0(), "{backend:?}");
        let by_id = store.user_by_id(alice).await.expect("by id").expect("found");
        assert_eq!(by_id.email, alice_email, "{backend:?}");
        assert_eq!(store.doc_owner(doc).await.expect("owner"), Some(alice), "{backend:?}");

        // The same email again is a conflict named "email", and leaves nothing behind.
        let other_doc = DocId::random();
        let dup = store.create_user(&alice_email, "hash-2", other_doc, t0()).await;
        assert!(matches!(dup, Err(StoreError::Conflict("email"))), "{backend:?}: {dup:?}");
        assert_eq!(store.doc_owner(other_doc).await.expect("owner"), None, "{backend:?}");

        store.set_password_hash(alice, "hash-3").await.expect("set hash");
        let after = store.user_by_id(alice).await.expect("by id").expect("found");
        assert_eq!(after.password_hash, "hash-3", "{backend:?}");

        let (bob, _) = new_user(&store, "bob").await;
        let ids: BTreeSet<UserId> = store.list_users().await.expect("list").iter().map(|u| u.id).collect();
        assert_eq!(ids, BTreeSet::from([alice, bob]), "{backend:?}");

        let nobody = UserId(uuid::Uuid::new_v4());
        assert!(store.user_by_id(nobody).await.expect("by id").is_none(), "{backend:?}");
        assert!(store.user_by_email("nobody@example.test").await.expect("by email").is_none());
        assert!(store.doc_owner(DocId::random()).await.expect("owner").is_none(), "{backend:?}");
    })
    .await;
}

#[tokio::test]
async fn sessions_are_found_by_token_hash_and_scoped_to_their_user() {
    on_every_store(|backend, store, _| async move {
        let (alice, _) = new_user(&store, "alice").await;
        let (bob, _) = new_user(&store, "bob").await;
        let phone = store.create_session(alice, &token_hash("phone"), "Phone", t0()).await.expect("session");
        let laptop = store.create_session(alice, &token_hash("laptop"), "Laptop", t0()).await.expect("session");
        let tablet = store.create_session(alice, &token_hash("tablet"), "Tablet", t0()).await.expect("session");
        let bobs = store.create_session(bob, &token_hash("bob"), "Bob", t0()).await.expect("session");

        // Looking a session up marks it seen.
        let later = t0() + Duration::minutes(5);
        let found = store.session_by_token_hash(&token_hash("phone"), later).await.expect("lookup").expect("found");
        assert_eq!((found.id, found.user_id), (phone, alice), "{backend:?}");
        assert_eq!(found.device_name, "Phone", "{backend:?}");
        assert_eq!(found.created_at, t0(), "{backend:?}");
        assert_eq!(found.last_seen_at, later, "{backend:?}");
        let listed = store.list_sessions(alice).await.expect("list");
        assert_eq!(listed.len(), 3, "{backend:?}");
        let phone_row = listed.iter().find(|s| s.id == phone).expect("phone listed");
        assert_eq!(phone_row.last_seen_at, later, "{backend:?}");
        assert!(store.session_by_token_hash(&token_hash("nope"), later).await.expect("lookup").is_none());

        // A token hash is unique.
        let dup = store.create_session(bob, &token_hash("phone"), "Again", t0()).await;
        assert!(matches!(dup, Err(StoreError::Conflict(_))), "{backend:?}: {dup:?}");

        // Bob cannot delete Alice's session.
        let res = store.delete_session(bob, laptop).await;
        assert!(matches!(res, Err(StoreError::NotFound)), "{backend:?}: {res:?}");
        store.delete_session(alice, laptop).await.expect("delete own session");
        assert!(store.session_by_token_hash(&token_hash("laptop"), later).await.expect("lookup").is_none());

        // "Sign out everywhere else" keeps exactly the current device, and only Alice's.
        let removed = store.delete_other_sessions(alice, Some(phone)).await.expect("delete others");
        assert_eq!(removed, vec![tablet], "{backend:?}");
        let left: Vec<SessionId> = store.list_sessions(alice).await.expect("list").iter().map(|s| s.id).collect();
        assert_eq!(left, vec![phone], "{backend:?}");
        assert_eq!(store.list_sessions(bob).await.expect("list").len(), 1, "{backend:?}");
        let removed = store.delete_other_sessions(bob, None).await.expect("delete all");
        assert_eq!(removed, vec![bobs], "{backend:?}");
    })
    .await;
}

/// A real Automerge document: `n` changes by one actor, returned as incremental chunks.
fn edits(doc: &mut AutoCommit, from: usize, to: usize) -> Vec<Chunk> {
    (from..to)
        .map(|i| {
            doc.put(ROOT, format!("k{i}"), i as i64).expect("put");
            chunk(ChunkKind::Incremental, doc.save_incremental())
        })
        .collect()
}

fn hydrate(chunks: &[Chunk]) -> Automerge {
    let mut doc = Automerge::new();
    for c in chunks {
        doc.load_incremental(&c.bytes).expect("stored chunk loads");
    }
    doc
}

#[tokio::test]
async fn appending_a_chunk_twice_stores_it_once() {
    on_every_store(|backend, store, reopen| async move {
        let (_, doc) = new_user(&store, "chunks").await;
        assert!(store.load_chunks(doc).await.expect("load").is_empty(), "{backend:?}");
        let mut am = AutoCommit::new();
        let written = edits(&mut am, 0, 3);
        for c in &written {
            store.append_chunk(doc, c).await.expect("append");
        }
        // A second instance persisting the same change is harmless.
        let other = reopen().await;
        other.append_chunk(doc, &written[1]).await.expect("append again");
        store.append_chunk(doc, &written[2]).await.expect("append again");

        let loaded = store.load_chunks(doc).await.expect("load");
        assert_eq!(loaded, written, "{backend:?}: stored once each, in write order");

        let res = store.append_chunk(DocId::random(), &written[0]).await;
        assert!(matches!(res, Err(StoreError::NotFound)), "{backend:?}: {res:?}");
    })
    .await;
}

#[tokio::test]
async fn compaction_keeps_chunks_written_concurrently() {
    on_every_store(|backend, store, reopen| async move {
        let (_, doc) = new_user(&store, "compact").await;
        let mut am = AutoCommit::new();
        for c in edits(&mut am, 0, 20) {
            store.append_chunk(doc, &c).await.expect("append");
        }

        // Instance 1 reads the document and builds a snapshot of what it saw...
        let seen = store.load_chunks(doc).await.expect("load");
        let snapshot = chunk(ChunkKind::Snapshot, hydrate(&seen).save());
        let replaced: Vec<[u8; 32]> = seen.iter().map(|c| c.hash).collect();

        // ...while instance 2 keeps writing newer changes, before and during the compaction.
        let other = reopen().await;
        let newer = edits(&mut am, 20, 60);
        other.append_chunk(doc, &newer[0]).await.expect("append");
        let writer = {
            let other = other.clone();
            let rest = newer[1..].to_vec();
            tokio::spawn(async move {
                for c in &rest {
                    other.append_chunk(doc, c).await.expect("concurrent append");
                }
            })
        };
        store.compact(doc, &snapshot, &replaced).await.expect("compact");
        writer.await.expect("writer");

        let after = store.load_chunks(doc).await.expect("load");
        let hashes: BTreeSet<[u8; 32]> = after.iter().map(|c| c.hash).collect();
        let mut expected: BTreeSet<[u8; 32]> = newer.iter().map(|c| c.hash).collect();
        expected.insert(snapshot.hash);
        assert_eq!(hashes, expected, "{backend:?}: the snapshot plus every newer chunk, nothing else");
        assert_eq!(after.iter().filter(|c| c.kind == ChunkKind::Snapshot).count(), 1);

        let loaded = hydrate(&after);
        for i in 0..60 {
            let key = format!("k{i}");
            assert!(loaded.get(ROOT, &key).expect("read").is_some(), "{backend:?}: lost {key}");
        }

        // Compacting again with a snapshot that lists itself as replaced keeps it.
        let again = store.load_chunks(doc).await.expect("load");
        let snap2 = chunk(ChunkKind::Snapshot, hydrate(&again).save());
        let mut replaced2: Vec<[u8; 32]> = again.iter().map(|c| c.hash).collect();
        replaced2.push(snap2.hash);
        store.compact(doc, &snap2, &replaced2).await.expect("compact again");
        let last = store.load_chunks(doc).await.expect("load");
        assert_eq!(last, vec![snap2], "{backend:?}");

        let res = store.compact(DocId::random(), &snapshot, &[]).await;
        assert!(matches!(res, Err(StoreError::NotFound)), "{backend:?}: {res:?}");
    })
    .await;
}

#[tokio::test]
async fn two_instances_compacting_at_once_lose_nothing() {
    on_every_store(|backend, store, reopen| async move {
        let (_, doc) = new_user(&store, "race").await;
        let mut am = AutoCommit::new();
        for c in edits(&mut am, 0, 10) {
            store.append_chunk(doc, &c).await.expect("append");
        }
        let other = reopen().await;
        let mut tasks = Vec::new();
        for s in [store.clone(), other.clone()] {
            tasks.push(tokio::spawn(async move {
                let seen = s.load_chunks(doc).await.expect("load");
                let snap = chunk(ChunkKind::Snapshot, hydrate(&seen).save());
                let replaced: Vec<[u8; 32]> = seen.iter().map(|c| c.hash).collect();
                s.compact(doc, &snap, &replaced).await.expect("compact");
            }));
        }
        for t in tasks {
            t.await.expect("compaction task");
        }
        let loaded = hydrate(&store.load_chunks(doc).await.expect("load"));
        for i in 0..10 {
            assert!(loaded.get(ROOT, format!("k{i}")).expect("read").is_some(), "{backend:?}: lost k{i}");
        }
    })
    .await;
}

#[tokio::test]
async fn deleting_a_user_leaves_nothing_of_theirs() {
    on_every_store(|backend, store, _| async move {
        let (alice, doc) = new_user(&store, "gone").await;
        let (bob, bob_doc) = new_user(&store, "stays").await;
        store.create_session(alice, &token_hash("a1"), "Phone", t0()).await.expect("session");
        store.create_session(bob, &token_hash("b1"), "Phone", t0()).await.expect("session");
        let mut am = AutoCommit::new();
        for c in edits(&mut am, 0, 3) {
            store.append_chunk(doc, &c).await.expect("append");
            store.append_chunk(bob_doc, &c).await.expect("append");
        }

        store.delete_user(alice).await.expect("delete");

        assert!(store.user_by_id(alice).await.expect("by id").is_none(), "{backend:?}");
        assert!(store.doc_owner(doc).await.expect("owner").is_none(), "{backend:?}");
        assert!(store.load_chunks(doc).await.expect("load").is_empty(), "{backend:?}");
        assert!(store.list_sessions(alice).await.expect("list").is_empty(), "{backend:?}");
        assert!(store.session_by_token_hash(&token_hash("a1"), t0()).await.expect("lookup").is_none());
        // The email is free again; Bob is untouched.
        let users: Vec<UserId> = store.list_users().await.expect("list").iter().map(|u| u.id).collect();
        assert_eq!(users, vec![bob], "{backend:?}");
        assert_eq!(store.load_chunks(bob_doc).await.expect("load").len(), 3, "{backend:?}");
        assert!(store.session_by_token_hash(&token_hash("b1"), t0()).await.expect("lookup").is_some());
    })
    .await;
}

#[tokio::test]
async fn app_passwords_are_found_by_hash_bounded_per_user_and_revoked_by_their_owner_only() {
    use sync_server::ids::AppPasswordId;
    on_every_store(|backend, store, _| async move {
        let (alice, _) = new_user(&store, "alice").await;
        let (bob, _) = new_user(&store, "bob").await;
        let h1 = token_hash("app-1");
        let id = store.create_app_password(alice, "Ada's iPhone", &h1, 2, t0()).await.expect("create");
        let found = store.app_password_by_hash(&h1, t0()).await.expect("lookup").expect("found");
        assert_eq!((found.id, found.user_id, found.name.as_str()), (id, alice, "Ada's iPhone"), "{backend:?}");
        assert_eq!(found.created_at, t0(), "{backend:?}");
        assert_eq!(found.last_used_at, Some(t0()), "{backend:?}: a lookup marks it used");
        // Within a minute the mark is not rewritten; later it is.
        let soon = store.app_password_by_hash(&h1, t0() + Duration::seconds(30)).await.expect("lookup").expect("found");
        assert_eq!(soon.last_used_at, Some(t0()), "{backend:?}");
        let later = store.app_password_by_hash(&h1, t0() + Duration::minutes(5)).await.expect("lookup").expect("found");
        assert_eq!(later.last_used_at, Some(t0() + Duration::minutes(5)), "{backend:?}");
        assert!(store.app_password_by_hash(&token_hash("nope"), t0()).await.expect("lookup").is_none());

        // The per-user limit holds, and is per user.
        store.create_app_password(alice, "second", &token_hash("app-2"), 2, t0() + Duration::seconds(1)).await.expect("second");
        let third = store.create_app_password(alice, "third", &token_hash("app-3"), 2, t0()).await;
        assert!(matches!(third, Err(StoreError::Conflict("app_password_limit"))), "{backend:?}: {third:?}");
        store.create_app_password(bob, "bob's", &token_hash("app-b"), 2, t0()).await.expect("bob's own");

        let listed = store.list_app_passwords(alice).await.expect("list");
        assert_eq!(listed.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), vec!["Ada's iPhone", "second"], "{backend:?}");

        // Only the owner revokes; a revoked one is gone.
        assert!(matches!(store.delete_app_password(bob, id).await, Err(StoreError::NotFound)), "{backend:?}");
        assert!(matches!(store.delete_app_password(alice, AppPasswordId(uuid::Uuid::new_v4())).await, Err(StoreError::NotFound)));
        store.delete_app_password(alice, id).await.expect("revoke");
        assert!(store.app_password_by_hash(&h1, t0()).await.expect("lookup").is_none(), "{backend:?}");
        assert_eq!(store.list_app_passwords(alice).await.expect("list").len(), 1);
    })
    .await;
}

#[tokio::test]
async fn calendar_feeds_are_one_per_user_found_by_hash_and_replaced_on_rotation() {
    on_every_store(|backend, store, _| async move {
        let (alice, _) = new_user(&store, "cal-alice").await;
        let (bob, _) = new_user(&store, "cal-bob").await;
        let (first, second) = (token_hash("feed-1"), token_hash("feed-2"));
        assert_eq!(store.calendar_feed_created_at(alice).await.expect("created at"), None, "{backend:?}");
        assert_eq!(store.calendar_feed_owner(&first).await.expect("owner"), None, "{backend:?}");

        store.replace_calendar_feed(alice, &first, t0()).await.expect("turn on");
        assert_eq!(store.calendar_feed_owner(&first).await.expect("owner"), Some(alice), "{backend:?}");
        assert_eq!(store.calendar_feed_created_at(alice).await.expect("created at"), Some(t0()), "{backend:?}");

        // Rotating: the old secret opens nothing, the new one opens Alice's.
        let later = t0() + Duration::hours(1);
        store.replace_calendar_feed(alice, &second, later).await.expect("rotate");
        assert_eq!(store.calendar_feed_owner(&first).await.expect("owner"), None, "{backend:?}");
        assert_eq!(store.calendar_feed_owner(&second).await.expect("owner"), Some(alice), "{backend:?}");
        assert_eq!(store.calendar_feed_created_at(alice).await.expect("created at"), Some(later), "{backend:?}");

        // A secret hash is one user's only.
        let taken = store.replace_calendar_feed(bob, &second, t0()).await;
        assert!(matches!(taken, Err(StoreError::Conflict("secret_hash"))), "{backend:?}: {taken:?}");
        assert_eq!(store.calendar_feed_created_at(bob).await.expect("created at"), None, "{backend:?}");

        assert!(store.delete_calendar_feed(alice).await.expect("off"), "{backend:?}");
        assert!(!store.delete_calendar_feed(alice).await.expect("off again"), "{backend:?}");
        assert_eq!(store.calendar_feed_owner(&second).await.expect("owner"), None, "{backend:?}");

        // Deleting the user deletes their feed.
        store.replace_calendar_feed(bob, &first, t0()).await.expect("bob on");
        store.delete_user(bob).await.expect("delete bob");
        assert_eq!(store.calendar_feed_owner(&first).await.expect("owner"), None, "{backend:?}");
    })
    .await;
}
