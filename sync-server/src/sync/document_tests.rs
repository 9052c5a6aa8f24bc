use automerge::transaction::Transactable;
use automerge::{ReadDoc, ROOT};

use super::*;

const NO_LIMIT: u64 = u64::MAX;

fn put(doc: &mut Automerge, key: &str, value: &str) {
    doc.transact::<_, _, AutomergeError>(|tx| {
        tx.put(ROOT, key, value)?;
        Ok(())
    })
    .expect("local edit");
}

fn get(doc: &Automerge, key: &str) -> Option<String> {
    doc.get(ROOT, key).ok().flatten().and_then(|(v, _)| v.into_string().ok())
}

/// Syncs a client document with the server's until neither has anything to say, persisting
/// (here: recording) each accepted chunk as the hub would. Returns the chunks "stored".
fn sync_until_quiet(client: &mut Automerge, state: &mut sync::State, server: &mut Document, conn: ConnId) -> Vec<Chunk> {
    let mut stored = Vec::new();
    for _ in 0..20 {
        let mut progressed = false;
        if let Some(m) = client.generate_sync_message(state) {
            progressed = true;
            match server.receive(conn, &m.encode(), NO_LIMIT) {
                Outcome::Accepted { chunk } => {
                    if let Some(c) = chunk {
                        server.persisted(&c);
                        stored.push(c);
                    }
                }
                other => panic!("unexpected outcome {other:?}"),
            }
        }
        if let Some(reply) = server.generate(conn) {
            progressed = true;
            let m = sync::Message::decode(&reply).expect("server messages decode");
            client.receive_sync_message(state, m).expect("client applies");
        }
        if !progressed {
            return stored;
        }
    }
    panic!("sync did not settle");
}

fn server_with(values: &[(&str, &str)]) -> (Document, Vec<Chunk>) {
    let mut seed = Automerge::new();
    for (k, v) in values {
        put(&mut seed, k, v);
    }
    let snapshot = make_chunk(ChunkKind::Snapshot, seed.save());
    (Document::load(vec![snapshot.clone()]), vec![snapshot])
}

#[test]
fn a_fresh_device_gets_everything_and_its_edits_come_back_as_a_chunk() {
    let (mut server, mut store) = server_with(&[("name", "Ada")]);
    server.add_peer(1);
    let mut phone = Automerge::new();
    let mut state = sync::State::new();
    sync_until_quiet(&mut phone, &mut state, &mut server, 1);
    assert_eq!(get(&phone, "name").as_deref(), Some("Ada"));

    put(&mut phone, "city", "Berlin");
    store.extend(sync_until_quiet(&mut phone, &mut state, &mut server, 1));
    assert_eq!(get(server.automerge(), "city").as_deref(), Some("Berlin"));

    // What was persisted is enough to rebuild the same document.
    let reloaded = Document::load(store);
    assert_eq!(reloaded.heads(), server.heads());
}

#[test]
fn another_connection_learns_a_change_through_its_own_state() {
    let (mut server, _) = server_with(&[]);
    server.add_peer(1);
    server.add_peer(2);
    let (mut phone, mut phone_state) = (Automerge::new(), sync::State::new());
    let (mut laptop, mut laptop_state) = (Automerge::new(), sync::State::new());
    sync_until_quiet(&mut phone, &mut phone_state, &mut server, 1);
    sync_until_quiet(&mut laptop, &mut laptop_state, &mut server, 2);

    put(&mut phone, "note", "from phone");
    sync_until_quiet(&mut phone, &mut phone_state, &mut server, 1);
    // The laptop hasn't said anything, yet the server has a message for it: the fan-out.
    let push = server.generate(2).expect("a message for the laptop");
    let m = sync::Message::decode(&push).expect("decodes");
    laptop.receive_sync_message(&mut laptop_state, m).expect("applies");
    sync_until_quiet(&mut laptop, &mut laptop_state, &mut server, 2);
    assert_eq!(get(&laptop, "note").as_deref(), Some("from phone"));
}

#[test]
fn malformed_sync_messages_are_rejected_without_touching_the_doc() {
    let (mut server, _) = server_with(&[("k", "v")]);
    let heads = server.heads();
    let outcome = server.receive(1, b"definitely not a sync message", NO_LIMIT);
    assert!(matches!(outcome, Outcome::Rejected { chunk: None, error: SyncError::Malformed(_) }), "{outcome:?}");
    assert_eq!(server.heads(), heads);
}

#[test]
fn garbage_changes_are_rejected_with_a_reason() {
    let (mut server, _) = server_with(&[("k", "v")]);
    let heads = server.heads();
    let message = sync::Message {
        heads: vec![],
        need: vec![],
        have: vec![],
        changes: vec![vec![0x85, 0x6f, 0x4a, 0x83, 1, 2, 3, 4, 5]].into(),
        flags: None,
        version: sync::MessageVersion::V1,
    };
    let outcome = server.receive(1, &message.encode(), NO_LIMIT);
    let Outcome::Rejected { chunk: None, error: SyncError::BadChange(reason) } = outcome else {
        panic!("expected a bad change, got {outcome:?}")
    };
    assert!(!reason.is_empty());
    assert_eq!(server.heads(), heads);
}

#[test]
fn a_change_that_conflicts_with_history_is_rejected() {
    // Two devices wrongly sharing an actor id both write seq 1: automerge refuses the second.
    let actor = ActorId::random();
    let (mut server, _) = server_with(&[]);
    let mut first = Automerge::new().with_actor(actor.clone());
    put(&mut first, "a", "1");
    let mut first_state = sync::State::new();
    sync_until_quiet(&mut first, &mut first_state, &mut server, 1);

    let mut second = Automerge::new().with_actor(actor);
    put(&mut second, "a", "2");
    let change = second.get_last_local_change().expect("has a change").raw_bytes().to_vec();
    let message = sync::Message {
        heads: second.get_heads(),
        need: vec![],
        have: vec![],
        changes: vec![change].into(),
        flags: None,
        version: sync::MessageVersion::V1,
    };
    let heads = server.heads();
    let outcome = server.receive(2, &message.encode(), NO_LIMIT);
    assert!(matches!(outcome, Outcome::Rejected { error: SyncError::BadChange(_), .. }), "{outcome:?}");
    assert_eq!(server.heads(), heads);
    assert_eq!(get(server.automerge(), "a").as_deref(), Some("1"));
}

#[test]
fn growing_past_the_quota_poisons_the_in_memory_copy() {
    let (mut server, _) = server_with(&[]);
    let limit = server.stored_bytes() + 50;
    let mut phone = Automerge::new();
    put(&mut phone, "big", &"x".repeat(500));
    let mut state = sync::State::new();
    // First round trip: the server asks for the change.
    let m = phone.generate_sync_message(&mut state).expect("first message");
    assert!(matches!(server.receive(1, &m.encode(), limit), Outcome::Accepted { chunk: None }));
    let reply = server.generate(1).expect("server replies");
    phone.receive_sync_message(&mut state, sync::Message::decode(&reply).expect("decodes")).expect("ok");
    let m = phone.generate_sync_message(&mut state).expect("phone sends its change");
    match server.receive(1, &m.encode(), limit) {
        Outcome::Poisoned { error: SyncError::Quota { would_be, limit: l } } => {
            assert!(would_be > l);
            assert_eq!(l, limit);
        }
        other => panic!("expected quota, got {other:?}"),
    }
}

#[test]
fn compaction_snapshot_replaces_exactly_the_known_chunks() {
    let (mut server, mut store) = server_with(&[("k", "v")]);
    server.add_peer(1);
    let mut phone = Automerge::new();
    let mut state = sync::State::new();
    sync_until_quiet(&mut phone, &mut state, &mut server, 1);
    let mut rounds = 0;
    while !server.needs_compaction() {
        put(&mut phone, "k", &format!("value {rounds}"));
        store.extend(sync_until_quiet(&mut phone, &mut state, &mut server, 1));
        rounds += 1;
        assert!(rounds < 100, "compaction never became due");
    }
    let plan = server.start_compaction().expect("due");
    assert!(server.start_compaction().is_none(), "one at a time");
    let snapshot = plan.snapshot();
    let mut expected: Vec<_> = store.iter().map(|c| c.hash).collect();
    expected.sort();
    let mut replaced = plan.replaced().to_vec();
    replaced.sort();
    assert_eq!(replaced, expected);
    server.compacted(&snapshot, plan.replaced());
    assert_eq!(server.stored_bytes(), snapshot.bytes.len() as u64);
    let reloaded = Document::load(vec![snapshot]);
    assert_eq!(reloaded.heads(), server.heads());
}

#[test]
fn merging_chunks_stored_elsewhere_moves_heads_once() {
    let (mut server, store) = server_with(&[]);
    let mut other = Document::load(store);
    let ((), chunk) = other.change(|d| put(d, "from", "instance two"));
    let chunk = chunk.expect("a change");
    assert!(server.merge_stored(vec![chunk.clone()]));
    assert!(!server.merge_stored(vec![chunk]), "already known");
    assert_eq!(get(server.automerge(), "from").as_deref(), Some("instance two"));
}
