//! The shared document driven the way the hub drives it, with no runtime, no clock and no
//! sleeps: simulated devices send messages, a `Vec` plays the store, and the effects are
//! performed by hand until nothing moves. Every run is deterministic: the devices' actors and
//! all change times are fixed, so their change hashes (and with them the sync protocol's Bloom
//! filters, whose ~1% false positives hold a change back for a round) are the same every run.
//! Only the server's own edits get a random actor (as in production); the tests that make them
//! run to quiescence rather than counting rounds.

use std::collections::{BTreeSet, VecDeque};

use automerge::sync::SyncDoc;
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, AutomergeError, ReadDoc, ROOT};

use super::*;
use crate::sync::chunks::{make_chunk, ChunkKind};
use crate::sync::connection::{Connection, Effect, ServerIdentity};
use crate::sync::document::{precheck, DEFAULT_MAX_INFLATED_BYTES};
use crate::sync::messages::{Message, PeerId};

const NO_LIMIT: u64 = u64::MAX;

fn put(doc: &mut Automerge, key: &str, value: &str) {
    doc.transact_with::<_, _, AutomergeError, _>(
        |_| CommitOptions::default().with_time(0),
        |tx| {
            tx.put(ROOT, key, value)?;
            Ok(())
        },
    )
    .expect("local edit");
}

/// A fixed actor per simulated peer, so every run makes the same changes.
fn actor(n: u8) -> ActorId {
    ActorId::from([n; 16])
}

fn get(doc: &Automerge, key: &str) -> Option<String> {
    doc.get(ROOT, key).ok().flatten().and_then(|(v, _)| v.into_string().ok())
}

fn t0() -> Instant {
    // Any fixed instant will do: time only ever comes in as an argument.
    Instant::now()
}

fn owner() -> UserId {
    UserId(uuid::Uuid::from_u128(7))
}

struct Device {
    conn: ConnId,
    doc: Automerge,
    state: sync::State,
}

impl Device {
    fn new(conn: ConnId) -> Device {
        Device { conn, doc: Automerge::new().with_actor(actor(conn as u8)), state: sync::State::new() }
    }

    fn apply(&mut self, data: &[u8]) {
        let m = sync::Message::decode(data).expect("the server's messages decode");
        self.doc.receive_sync_message(&mut self.state, m).expect("the device applies it");
    }
}

/// One document, its devices, a store, and the record of what the effects did.
struct Sim {
    core: SharedDoc,
    store: Vec<Chunk>,
    devices: Vec<Device>,
    max_doc_bytes: u64,
    /// Connections woken and not yet served.
    dirty: BTreeSet<ConnId>,
    /// Whether the next store write fails.
    fail_writes: bool,
    refused: Vec<SyncError>,
    writes: usize,
    changed: usize,
    published: usize,
    evictions: usize,
    compactions: usize,
}

impl Sim {
    fn new(devices: usize) -> Sim {
        let mut seed = Automerge::new().with_actor(actor(0));
        put(&mut seed, "schema", "1");
        let store = vec![make_chunk(ChunkKind::Snapshot, seed.save())];
        let mut core = SharedDoc::load(owner(), store.clone(), t0());
        let devices: Vec<Device> = (1..=devices as ConnId).map(Device::new).collect();
        for d in &devices {
            core.join(d.conn);
        }
        Sim {
            core,
            store,
            devices,
            max_doc_bytes: NO_LIMIT,
            dirty: BTreeSet::new(),
            fail_writes: false,
            refused: Vec::new(),
            writes: 0,
            changed: 0,
            published: 0,
            evictions: 0,
            compactions: 0,
        }
    }

    fn device(&mut self, conn: ConnId) -> &mut Device {
        self.devices.iter_mut().find(|d| d.conn == conn).expect("a device of this simulation")
    }

    /// Device `conn` sends what it has to say, if anything; returns whether it did.
    fn send_from(&mut self, conn: ConnId) -> bool {
        let d = self.device(conn);
        let Some(m) = d.doc.generate_sync_message(&mut d.state) else { return false };
        let message = precheck(&m.encode(), DEFAULT_MAX_INFLATED_BYTES).expect("devices send valid messages");
        let effects = self.core.receive(conn, message, self.max_doc_bytes);
        self.perform(effects);
        true
    }

    /// What the hub does with the effects, with a `Vec` for the store.
    fn perform(&mut self, effects: Vec<DocEffect>) {
        let mut queue = VecDeque::from(effects);
        while let Some(effect) = queue.pop_front() {
            match effect {
                DocEffect::Persist(chunk) => {
                    let stored = !self.fail_writes;
                    if stored {
                        self.store.push(chunk);
                        self.writes += 1;
                    }
                    queue.extend(self.core.persist_done(stored));
                }
                DocEffect::Reply { to, data } => self.device(to).apply(&data),
                DocEffect::Wake(conns) => self.dirty.extend(conns),
                DocEffect::Changed => self.changed += 1,
                DocEffect::Publish(heads) => {
                    assert_eq!(heads, self.core.automerge().get_heads(), "publishes the new heads");
                    self.published += 1;
                }
                DocEffect::Refuse(e) => self.refused.push(e),
                DocEffect::Evict => {
                    // Reload from the store; every device reconnects with a fresh server state.
                    self.evictions += 1;
                    self.core = SharedDoc::load(owner(), self.store.clone(), t0());
                    for d in &self.devices {
                        self.core.join(d.conn);
                    }
                    self.dirty.extend(self.devices.iter().map(|d| d.conn));
                }
                DocEffect::Compact => {
                    let plan = self.core.compaction().expect("compaction is due when asked for");
                    let snapshot = plan.snapshot();
                    self.store.retain(|c| !plan.replaced().contains(&c.hash));
                    self.store.push(snapshot.clone());
                    self.core.compacted(&snapshot, plan.replaced());
                    self.compactions += 1;
                }
            }
        }
    }

    /// Runs every device and every wake-up until nothing moves.
    fn settle(&mut self) {
        for _ in 0..200 {
            let mut moved = false;
            let conns: Vec<ConnId> = self.devices.iter().map(|d| d.conn).collect();
            for conn in conns {
                moved |= self.send_from(conn);
            }
            for conn in std::mem::take(&mut self.dirty) {
                if let Some(data) = self.core.generate(conn) {
                    self.device(conn).apply(&data);
                    moved = true;
                }
            }
            if !moved {
                return;
            }
        }
        panic!("the simulation did not settle");
    }

    /// What the store holds, loaded the way the hub loads it.
    fn reloaded(&self) -> Automerge {
        Document::load(self.store.clone()).automerge().clone()
    }
}

#[test]
fn three_devices_editing_at_once_converge_and_the_store_holds_every_change() {
    let mut sim = Sim::new(3);
    sim.settle();
    for (i, d) in sim.devices.iter_mut().enumerate() {
        put(&mut d.doc, &format!("from-{i}"), "hello");
    }
    sim.settle();
    let heads = sim.core.automerge().get_heads();
    for d in &sim.devices {
        assert_eq!(d.doc.get_heads(), heads, "device {} holds what the server holds", d.conn);
        for i in 0..3 {
            assert_eq!(get(&d.doc, &format!("from-{i}")).as_deref(), Some("hello"));
        }
    }
    assert_eq!(sim.reloaded().get_heads(), heads, "nothing lives only in memory");
    assert!(sim.refused.is_empty() && sim.evictions == 0);
    assert_eq!(sim.writes, 3, "one write per device's change");
    assert_eq!((sim.changed, sim.published), (3, 3), "one announcement per write");
}

#[test]
fn nothing_that_includes_a_change_leaves_before_the_store_has_it() {
    let mut sim = Sim::new(2);
    sim.settle();
    put(&mut sim.devices[0].doc, "k", "v");
    let d = &mut sim.devices[0];
    let m = d.doc.generate_sync_message(&mut d.state).expect("has a change to send");
    let message = precheck(&m.encode(), DEFAULT_MAX_INFLATED_BYTES).expect("valid");

    let effects = sim.core.receive(1, message, NO_LIMIT);
    let [DocEffect::Persist(chunk)] = effects.as_slice() else { panic!("only a store write first: {effects:?}") };
    assert_eq!(chunk.kind, ChunkKind::Incremental);

    let effects = sim.core.persist_done(true);
    assert_eq!(effects[0], DocEffect::Wake(vec![2]), "the other device, not the sender");
    assert_eq!(effects[1], DocEffect::Changed);
    assert!(matches!(effects[2], DocEffect::Publish(_)));
    assert!(matches!(effects[3], DocEffect::Reply { to: 1, .. }), "the sender gets its answer last: {effects:?}");
    assert_eq!(effects.len(), 4);
    assert_eq!(sim.core.persist_done(true), Vec::new(), "a write is finished once");
}

#[test]
fn a_failed_write_is_refused_evicted_and_never_announced() {
    let mut sim = Sim::new(2);
    sim.settle();
    sim.fail_writes = true;
    put(&mut sim.devices[0].doc, "lost", "1");
    assert!(sim.send_from(1));
    assert_eq!(sim.refused, vec![SyncError::Storage]);
    assert_eq!(sim.evictions, 1);
    assert_eq!((sim.changed, sim.published), (0, 0));
    assert_eq!(get(sim.core.automerge(), "lost"), None, "the reloaded copy does not have it");
    // The other device syncs with the reloaded copy and never sees the refused change.
    sim.devices.remove(0);
    sim.core.leave(1, t0());
    sim.dirty.remove(&1);
    sim.fail_writes = false;
    sim.settle();
    assert_eq!(get(&sim.devices[0].doc, "lost"), None);
}

#[test]
fn a_change_over_the_quota_poisons_the_copy_and_is_never_kept() {
    let mut sim = Sim::new(1);
    sim.settle();
    sim.max_doc_bytes = sim.store.iter().map(|c| c.bytes.len() as u64).sum::<u64>() + 50;
    put(&mut sim.devices[0].doc, "big", &"x".repeat(2_000));
    assert!(sim.send_from(1));
    assert!(matches!(sim.refused.as_slice(), [SyncError::Quota { .. }]), "{:?}", sim.refused);
    assert_eq!(sim.evictions, 1);
    assert_eq!(sim.store.len(), 1, "nothing was written");
    assert_eq!(get(sim.core.automerge(), "big"), None);

    // The server's own edit is held to the same limit.
    let (_, effects) = sim.core.change(|doc| put(doc, "big", &"y".repeat(2_000)), sim.max_doc_bytes);
    assert!(matches!(effects.as_slice(), [DocEffect::Evict, DocEffect::Refuse(SyncError::Quota { .. })]), "{effects:?}");
}

#[test]
fn a_change_that_conflicts_with_history_is_refused_without_a_write() {
    let mut sim = Sim::new(1);
    sim.settle();
    let reused = actor(42);
    let mut first = Automerge::new().with_actor(reused.clone());
    put(&mut first, "a", "1");
    sim.devices[0].doc.merge(&mut first).expect("merge");
    sim.settle();
    let stored = sim.store.len();

    // A second device wrongly reusing the actor id writes seq 1 again.
    let mut second = Automerge::new().with_actor(reused);
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
    let effects = sim.core.receive(9, message, NO_LIMIT);
    assert!(matches!(effects.as_slice(), [DocEffect::Refuse(SyncError::BadChange(_))]), "{effects:?}");
    assert_eq!(sim.store.len(), stored);
    assert_eq!(get(sim.core.automerge(), "a").as_deref(), Some("1"));
}

#[test]
fn the_servers_own_edit_is_stored_then_reaches_every_device() {
    let mut sim = Sim::new(2);
    sim.settle();
    let (out, effects) = sim.core.change(
        |doc| {
            put(doc, "imported", "yes");
            42
        },
        NO_LIMIT,
    );
    assert_eq!(out, 42);
    assert!(matches!(effects.as_slice(), [DocEffect::Persist(_)]), "{effects:?}");
    sim.perform(effects);
    assert_eq!(sim.dirty, BTreeSet::from([1, 2]), "every device is woken, none answered directly");
    assert_eq!((sim.changed, sim.published), (1, 1));
    sim.settle();
    for d in &sim.devices {
        assert_eq!(get(&d.doc, "imported").as_deref(), Some("yes"));
    }
    // An edit that changes nothing writes nothing and tells no one.
    let ((), effects) = sim.core.change(|_| (), NO_LIMIT);
    assert_eq!(effects, Vec::new());
}

#[test]
fn compaction_is_asked_for_once_increments_outweigh_the_snapshot_and_loses_nothing() {
    let mut sim = Sim::new(2);
    sim.settle();
    for i in 0..40 {
        put(&mut sim.devices[i % 2].doc, &format!("k{i}"), &"v".repeat(40));
        sim.settle();
    }
    assert!(sim.compactions >= 1, "forty increments outweigh a tiny snapshot");
    assert!(sim.store.len() < 41, "the chunk list shrank: {}", sim.store.len());
    let reloaded = sim.reloaded();
    assert_eq!(reloaded.get_heads(), sim.core.automerge().get_heads());
    assert_eq!(get(&reloaded, "k39").as_deref(), Some(&*"v".repeat(40)));
}

#[test]
fn another_instances_chunks_wake_every_device_and_are_not_published_again() {
    let mut sim = Sim::new(2);
    sim.settle();
    // Another instance loaded the same chunks, took an edit and stored it.
    let mut elsewhere = Document::load(sim.store.clone());
    let ((), chunk) = elsewhere.change(|doc| put(doc, "remote", "1"));
    let chunk = chunk.expect("a change");
    sim.store.push(chunk.clone());

    let effects = sim.core.merge_stored(sim.store.clone());
    assert_eq!(effects, vec![DocEffect::Wake(vec![1, 2]), DocEffect::Changed]);
    sim.perform(effects);
    sim.settle();
    for d in &sim.devices {
        assert_eq!(get(&d.doc, "remote").as_deref(), Some("1"));
    }
    assert_eq!(sim.published, 0);
    assert_eq!(sim.core.merge_stored(vec![chunk]), Vec::new(), "known chunks move nothing");
}

#[test]
fn a_document_expires_only_after_its_last_connection_left_for_the_idle_time() {
    let idle = Duration::from_secs(60);
    let start = t0();
    let mut core = SharedDoc::load(owner(), Vec::new(), start);
    assert!(!core.expired(start + idle / 2, idle));
    assert!(core.expired(start + idle, idle), "loaded and never opened");
    core.join(1);
    core.join(2);
    assert!(!core.expired(start + idle * 10, idle), "open documents stay");
    core.leave(1, start + idle);
    assert!(!core.expired(start + idle * 10, idle), "one connection is enough");
    core.leave(2, start + idle * 2);
    assert!(!core.expired(start + idle * 2 + idle / 2, idle));
    core.touch(start + idle * 3);
    assert!(!core.expired(start + idle * 3 + idle / 2, idle), "the server's use restarts the idle time");
    assert!(core.expired(start + idle * 4, idle));
    assert_eq!(core.others(1), Vec::<ConnId>::new());
}

/// The whole protocol, frames in and out, for two devices of one user and a stranger: what
/// the WebSocket shell and the hub do, performed by hand.
#[test]
fn two_devices_handshake_sync_and_a_stranger_gets_nothing() {
    let server = ServerIdentity { peer_id: PeerId("server".into()), storage_id: "kith-test".into() };
    let doc_id = crate::ids::DocId::random();
    let mut store = Sim::new(0).store;
    let mut core = SharedDoc::load(owner(), store.clone(), t0());

    struct Peer {
        name: &'static str,
        user: UserId,
        conn: ConnId,
        protocol: Connection,
        doc: Automerge,
        state: sync::State,
        inbox: Vec<Message>,
    }
    let stranger = UserId(uuid::Uuid::from_u128(8));
    let mut peers: Vec<Peer> = [("laptop", owner(), 1), ("phone", owner(), 2), ("stranger", stranger, 3)]
        .into_iter()
        .map(|(name, user, conn)| Peer {
            name,
            user,
            conn,
            protocol: Connection::new(server.clone(), 1 << 20),
            doc: Automerge::new().with_actor(actor(conn as u8)),
            state: sync::State::new(),
            inbox: Vec::new(),
        })
        .collect();
    put(&mut peers[0].doc, "name", "Ada");

    // Performs one peer's protocol effects; the document's effects feed more frames.
    fn perform(p: &mut Peer, effects: Vec<Effect>, core: &mut SharedDoc, store: &mut Vec<Chunk>, wake: &mut Vec<ConnId>) {
        let mut queue = VecDeque::from(effects);
        while let Some(effect) = queue.pop_front() {
            match effect {
                Effect::Send(frame) => p.inbox.push(Message::decode(&frame).expect("server frames decode")),
                Effect::Open { doc, data } => {
                    // The hub's ownership check.
                    if core.owner() == p.user {
                        core.join(p.conn);
                        queue.extend(p.protocol.opened(doc, data));
                    } else {
                        queue.extend(p.protocol.unavailable(doc));
                    }
                }
                Effect::Sync { doc, data } => {
                    let message = precheck(&data, DEFAULT_MAX_INFLATED_BYTES).expect("valid");
                    let mut effects = VecDeque::from(core.receive(p.conn, message, NO_LIMIT));
                    while let Some(e) = effects.pop_front() {
                        match e {
                            DocEffect::Persist(chunk) => {
                                store.push(chunk);
                                effects.extend(core.persist_done(true));
                            }
                            DocEffect::Reply { data, .. } => queue.extend(p.protocol.sync_frame(doc, data).map(Effect::Send)),
                            DocEffect::Wake(conns) => wake.extend(conns),
                            DocEffect::Changed | DocEffect::Publish(_) | DocEffect::Compact => {}
                            other => panic!("{} caused {other:?}", p.name),
                        }
                    }
                }
                other => panic!("{} caused {other:?}", p.name),
            }
        }
    }

    let (mut wake, mut settled, mut refusals) = (Vec::new(), false, 0);
    for p in peers.iter_mut() {
        let join = Message::Join { sender: PeerId(p.name.into()), supported_versions: Some(vec!["1".into()]), metadata: None };
        let effects = p.protocol.on_frame(&join.encode());
        perform(p, effects, &mut core, &mut store, &mut wake);
        assert!(matches!(p.inbox.pop(), Some(Message::Peer { .. })), "{} is greeted", p.name);
    }
    for _ in 0..50 {
        let mut moved = false;
        for p in peers.iter_mut() {
            for m in std::mem::take(&mut p.inbox) {
                if let Message::Sync { data, .. } = m {
                    let m = sync::Message::decode(&data).expect("decodes");
                    p.doc.receive_sync_message(&mut p.state, m).expect("applies");
                }
            }
            if let Some(m) = p.doc.generate_sync_message(&mut p.state) {
                moved = true;
                let frame = Message::Request {
                    sender: PeerId(p.name.into()),
                    target: PeerId("server".into()),
                    document_id: doc_id.to_string(),
                    data: m.encode(),
                }
                .encode();
                let effects = p.protocol.on_frame(&frame);
                perform(p, effects, &mut core, &mut store, &mut wake);
            }
        }
        for conn in std::mem::take(&mut wake) {
            let p = peers.iter_mut().find(|p| p.conn == conn).expect("a peer");
            if let Some(frame) = core.generate(conn).and_then(|data| p.protocol.sync_frame(doc_id, data)) {
                moved = true;
                p.inbox.push(Message::decode(&frame).expect("decodes"));
            }
        }
        // The stranger's answers: doc-unavailable, never data.
        for m in std::mem::take(&mut peers[2].inbox) {
            assert!(matches!(m, Message::DocUnavailable { .. }), "the stranger got {m:?}");
            refusals += 1;
        }
        moved |= peers.iter().any(|p| !p.inbox.is_empty());
        if !moved {
            settled = true;
            break;
        }
    }
    assert!(settled, "the exchange settled");
    assert!(refusals >= 1, "the stranger was told the document is unavailable");
    assert_eq!(get(&peers[1].doc, "name").as_deref(), Some("Ada"), "the phone has the laptop's edit");
    assert_eq!(peers[1].doc.get_heads(), core.automerge().get_heads());
    assert_eq!(get(&peers[2].doc, "name"), None, "the stranger has nothing");
    assert!(!peers[2].protocol.is_open(doc_id));
    assert_eq!(Document::load(store).automerge().get_heads(), core.automerge().get_heads(), "the store holds the edit");
}

#[test]
fn the_document_keeps_taking_changes_while_its_snapshot_is_saved() {
    let mut sim = Sim::new(1);
    sim.settle();
    // Increments outweigh the tiny seed snapshot after a few edits; hold the compaction open.
    let mut plan = None;
    for i in 0..10 {
        put(&mut sim.devices[0].doc, &format!("before-{i}"), &"v".repeat(40));
        let d = &mut sim.devices[0];
        let m = d.doc.generate_sync_message(&mut d.state).expect("a change to send");
        let effects = sim.core.receive(1, precheck(&m.encode(), DEFAULT_MAX_INFLATED_BYTES).expect("valid"), NO_LIMIT);
        let [DocEffect::Persist(chunk)] = effects.as_slice() else { panic!("{effects:?}") };
        sim.store.push(chunk.clone());
        let after = sim.core.persist_done(true);
        let due = after.contains(&DocEffect::Compact);
        for e in after {
            if let DocEffect::Reply { to, data } = e {
                sim.device(to).apply(&data);
            }
        }
        if due {
            plan = sim.core.compaction();
            break;
        }
    }
    let plan = plan.expect("compaction came due");
    assert!(sim.core.compaction().is_none(), "one compaction at a time");

    // Meanwhile the device edits on; its changes are stored as increments.
    put(&mut sim.devices[0].doc, "during", "yes");
    sim.settle();
    let snapshot = plan.snapshot();
    sim.store.retain(|c| !plan.replaced().contains(&c.hash));
    sim.store.push(snapshot.clone());
    sim.core.compacted(&snapshot, plan.replaced());

    assert_eq!(get(&sim.reloaded(), "during").as_deref(), Some("yes"), "the late change is still stored");
    assert_eq!(get(&sim.reloaded(), "before-0").as_deref(), Some("v".repeat(40).as_str()));
    assert_eq!(sim.reloaded().get_heads(), sim.core.automerge().get_heads());
    assert_eq!(sim.core.document().stored_bytes(), sim.store.iter().map(|c| c.bytes.len() as u64).sum::<u64>(), "the books match the store");
}
