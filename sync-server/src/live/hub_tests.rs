use std::sync::atomic::Ordering;

use automerge::sync::{self as am_sync, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{AutomergeError, ReadDoc, ROOT};

use super::*;
use crate::store::ChunkKind;
use crate::sync::chunks::make_chunk;
use crate::live::hub_conn::{ConnOwner, HubConnection};
use crate::live::mem_store::MemStore;

struct Device {
    doc: Automerge,
    state: am_sync::State,
    conn: HubConnection,
    target: DocId,
}

impl Device {
    async fn new(hub: &Hub, user: UserId, target: DocId) -> Device {
        let mut conn = hub.connect(user);
        assert!(conn.open(target).await.expect("store works"), "user owns the doc");
        Device { doc: Automerge::new(), state: am_sync::State::new(), conn, target }
    }

    fn put(&mut self, key: &str, value: &str) {
        self.doc
            .transact::<_, _, AutomergeError>(|tx| {
                tx.put(ROOT, key, value)?;
                Ok(())
            })
            .expect("local edit");
    }

    fn get(&self, key: &str) -> Option<String> {
        get(&self.doc, key)
    }

    fn apply(&mut self, reply: Option<Vec<u8>>) -> bool {
        let Some(bytes) = reply else { return false };
        let m = am_sync::Message::decode(&bytes).expect("server sends valid sync messages");
        self.doc.receive_sync_message(&mut self.state, m).expect("applies");
        true
    }

    /// Runs the sync loop, including messages the hub pushed through the inbox, until quiet.
    async fn sync(&mut self) -> Result<(), SyncError> {
        for _ in 0..50 {
            let mut progressed = false;
            let (dirty, _) = self.conn.inbox().take();
            for doc in dirty {
                let reply = self.conn.generate(doc).await;
                progressed |= self.apply(reply);
            }
            if let Some(m) = self.doc.generate_sync_message(&mut self.state) {
                progressed = true;
                let reply = self.conn.receive(self.target, &m.encode()).await?;
                self.apply(reply);
            }
            if !progressed {
                return Ok(());
            }
        }
        panic!("sync did not settle");
    }
}

impl Device {
    /// Syncs (letting the hub's background tasks run) until `done` holds; fails after 10 s.
    async fn sync_until(&mut self, done: impl Fn(&Device) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            tokio::time::sleep(Duration::from_millis(5)).await;
            self.sync().await.expect("syncs");
            if done(self) {
                return;
            }
            assert!(tokio::time::Instant::now() < deadline, "condition not reached within 10 s");
        }
    }
}

fn get(doc: &Automerge, key: &str) -> Option<String> {
    doc.get(ROOT, key).ok().flatten().and_then(|(v, _)| v.into_string().ok())
}

fn config() -> HubConfig {
    let mut c = HubConfig::new("test-storage".into());
    c.doc_idle = Duration::from_secs(3600); // tests sweep by hand
    c
}

fn setup_with(config: HubConfig) -> (Hub, Arc<MemStore>, UserId, DocId) {
    let store = Arc::new(MemStore::default());
    let user = UserId(uuid::Uuid::new_v4());
    let doc = DocId::random();
    let mut seed = Automerge::new();
    seed.transact::<_, _, AutomergeError>(|tx| {
        tx.put(ROOT, "schema", 1)?;
        Ok(())
    })
    .expect("seed");
    store.add_doc(doc, user, vec![make_chunk(ChunkKind::Snapshot, seed.save())]);
    let hub = Hub::new(store.clone(), config);
    (hub, store, user, doc)
}

fn setup() -> (Hub, Arc<MemStore>, UserId, DocId) {
    setup_with(config())
}

#[tokio::test]
async fn a_change_from_one_device_reaches_the_other_after_it_is_stored() {
    let (hub, store, user, doc) = setup();
    let mut phone = Device::new(&hub, user, doc).await;
    let mut laptop = Device::new(&hub, user, doc).await;
    phone.sync().await.expect("phone syncs");
    laptop.sync().await.expect("laptop syncs");
    assert_eq!(hub.loaded_docs(), 1, "one copy shared by both connections");

    let mut changes = hub.subscribe_changes();
    phone.put("name", "Grace");
    phone.sync().await.expect("phone syncs");
    assert_eq!(changes.try_recv().ok(), Some(DocChanged { doc }));
    let stored = Document::load(store.chunks_of(doc));
    assert_eq!(get(stored.automerge(), "name").as_deref(), Some("Grace"), "durable");

    laptop.sync().await.expect("laptop syncs");
    assert_eq!(laptop.get("name").as_deref(), Some("Grace"));
}

#[tokio::test]
async fn foreign_and_unknown_ids_are_unavailable_and_cost_nothing() {
    let (hub, store, user, doc) = setup();
    let stranger = UserId(uuid::Uuid::new_v4());
    let mut conn = hub.connect(stranger);
    assert!(!conn.open(doc).await.expect("ok"), "someone else's doc");
    for _ in 0..100 {
        assert!(!conn.open(DocId::random()).await.expect("ok"));
    }
    assert_eq!(hub.loaded_docs(), 0, "nothing loaded or registered for ids the user doesn't own");
    assert!(store.owner_lookups.load(Ordering::Relaxed) >= 101);

    // Loaded for its owner, still refused to the stranger (checked against the loaded owner).
    let _owner = Device::new(&hub, user, doc).await;
    assert!(!conn.open(doc).await.expect("ok"));
}

#[tokio::test]
async fn a_failed_write_is_never_announced() {
    let (hub, store, user, doc) = setup();
    let mut phone = Device::new(&hub, user, doc).await;
    let mut laptop = Device::new(&hub, user, doc).await;
    phone.sync().await.expect("sync");
    laptop.sync().await.expect("sync");
    let _ = laptop.conn.inbox().take();

    store.fail_writes.store(true, Ordering::SeqCst);
    phone.put("lost", "yes");
    assert_eq!(phone.sync().await, Err(SyncError::Storage));
    // The laptop is woken (the copy was dropped) but nothing it can get mentions the change.
    store.fail_writes.store(false, Ordering::SeqCst);
    laptop.sync().await.expect("laptop still syncs");
    assert_eq!(laptop.get("lost"), None);
    let stored = Document::load(store.chunks_of(doc));
    assert_eq!(get(stored.automerge(), "lost"), None);
}

#[tokio::test]
async fn documents_without_connections_are_dropped_after_the_idle_time_and_reloaded() {
    let mut cfg = config();
    cfg.doc_idle = Duration::from_secs(60);
    let (hub, _store, user, doc) = setup_with(cfg);
    let mut phone = Device::new(&hub, user, doc).await;
    phone.put("k", "v");
    phone.sync().await.expect("sync");
    let t0 = Instant::now();
    assert_eq!(hub.sweep_idle(t0 + Duration::from_secs(3600)), 0, "connected docs stay");
    phone.conn.disconnect().await;
    let left = Instant::now();
    assert_eq!(hub.sweep_idle(left + Duration::from_secs(30)), 0, "not idle long enough");
    assert_eq!(hub.sweep_idle(left + Duration::from_secs(61)), 1);
    assert_eq!(hub.loaded_docs(), 0);

    let value = hub.read_doc(doc, |d| get(d, "k")).await.expect("reloads on demand");
    assert_eq!(value.as_deref(), Some("v"));
}

#[tokio::test]
async fn server_edits_are_persisted_and_fanned_out() {
    let (hub, store, user, doc) = setup();
    let mut phone = Device::new(&hub, user, doc).await;
    phone.sync().await.expect("sync");
    let mut changes = hub.subscribe_changes();
    hub.change_doc(doc, |d| {
        d.transact::<_, _, AutomergeError>(|tx| {
            tx.put(ROOT, "from", "server")?;
            Ok(())
        })
        .expect("edit")
    })
    .await
    .expect("change_doc");
    assert_eq!(changes.try_recv().ok(), Some(DocChanged { doc }));
    assert!(get(Document::load(store.chunks_of(doc)).automerge(), "from").is_some());
    phone.sync().await.expect("sync");
    assert_eq!(phone.get("from").as_deref(), Some("server"));
    assert!(matches!(hub.read_doc(DocId::random(), |_| ()).await, Err(HubError::NotFound)));
    assert_eq!(hub.loaded_docs(), 1, "a miss leaves nothing behind");
}

#[tokio::test]
async fn bad_input_from_one_device_leaves_the_document_and_others_intact() {
    let (hub, _store, user, doc) = setup();
    let mut phone = Device::new(&hub, user, doc).await;
    let mut laptop = Device::new(&hub, user, doc).await;
    phone.sync().await.expect("sync");
    laptop.sync().await.expect("sync");

    let err = phone.conn.receive(doc, b"junk").await.expect_err("malformed");
    assert!(matches!(err, SyncError::Malformed(_)));
    laptop.put("still", "working");
    laptop.sync().await.expect("laptop keeps syncing");
    assert_eq!(hub.read_doc(doc, |d| get(d, "still")).await.expect("read").as_deref(), Some("working"));
}

#[tokio::test]
async fn quota_is_enforced_and_the_over_quota_change_is_never_kept() {
    let mut cfg = config();
    cfg.max_doc_bytes = 2_000;
    let (hub, store, user, doc) = setup_with(cfg);
    let mut phone = Device::new(&hub, user, doc).await;
    let mut laptop = Device::new(&hub, user, doc).await;
    phone.sync().await.expect("sync");
    laptop.sync().await.expect("sync");
    phone.put("big", &"x".repeat(5_000));
    let err = phone.sync().await.expect_err("over quota");
    assert!(matches!(err, SyncError::Quota { limit: 2_000, .. }), "{err:?}");
    assert_eq!(hub.read_doc(doc, |d| get(d, "big")).await.expect("read"), None);
    assert_eq!(get(Document::load(store.chunks_of(doc)).automerge(), "big"), None);
    laptop.put("small", "ok");
    laptop.sync().await.expect("others keep syncing");
    let mut third = Device::new(&hub, user, doc).await;
    third.sync().await.expect("sync");
    assert_eq!(third.get("small").as_deref(), Some("ok"));
    assert_eq!(third.get("big"), None);
}

#[tokio::test]
async fn compaction_keeps_everything_and_shrinks_the_chunk_list() {
    let (hub, store, user, doc) = setup();
    let mut phone = Device::new(&hub, user, doc).await;
    for i in 0..40 {
        phone.put("counter", &i.to_string());
        phone.sync().await.expect("sync");
    }
    // Compaction runs in its own task; wait for it to have happened at least once.
    let deadline = Instant::now() + Duration::from_secs(10);
    while store.chunks_of(doc).len() > 20 {
        assert!(Instant::now() < deadline, "never compacted");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let _ = hub.read_doc(doc, |_| ()).await; // let any in-flight compaction finish
    let chunks = store.chunks_of(doc);
    assert!(chunks.iter().any(|c| c.kind == ChunkKind::Snapshot));
    let reloaded = Document::load(chunks);
    assert_eq!(get(reloaded.automerge(), "counter").as_deref(), Some("39"));
    assert_eq!(reloaded.heads(), phone.doc.get_heads());
}

/// A bus fed by the test, standing in for another instance's notifications.
struct ScriptedBus(std::sync::Mutex<Option<tokio::sync::mpsc::UnboundedReceiver<RemoteChange>>>);

#[async_trait::async_trait]
impl ChangeBus for ScriptedBus {
    async fn publish(&self, _doc: DocId, _heads: &[automerge::ChangeHash]) -> Result<(), crate::store::bus::BusError> {
        Ok(())
    }

    fn remote_changes(&self) -> futures::stream::BoxStream<'static, RemoteChange> {
        let rx = self.0.lock().expect("not poisoned").take().expect("subscribed once");
        futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|c| (c, rx)) }).boxed()
    }
}

#[tokio::test]
async fn after_the_bus_missed_notifications_loaded_documents_catch_up_from_the_store() {
    let store = Arc::new(MemStore::default());
    let (user, doc) = (UserId(uuid::Uuid::new_v4()), DocId::random());
    let mut seed = Automerge::new();
    seed.transact::<_, _, AutomergeError>(|tx| tx.put(ROOT, "schema", 1)).expect("seed");
    store.add_doc(doc, user, vec![make_chunk(ChunkKind::Snapshot, seed.save())]);
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let hub = Hub::with_bus(store.clone(), Arc::new(ScriptedBus(std::sync::Mutex::new(Some(rx)))), config());
    let mut phone = Device::new(&hub, user, doc).await;
    phone.sync().await.expect("phone syncs");

    // A notification for this document arrives: the phone gets the change.
    edit_elsewhere(&store, doc, "told").await;
    tx.send(RemoteChange::Doc(doc)).expect("hub listens");
    phone.sync_until(|p| p.get("told").is_some()).await;
    // A change whose notification was lost: nothing moves until the bus reports the gap.
    edit_elsewhere(&store, doc, "missed").await;
    phone.sync_until(|_| true).await;
    assert_eq!(phone.get("missed"), None, "no notification, no reload");
    tx.send(RemoteChange::Missed).expect("hub listens");
    phone.sync_until(|p| p.get("missed").is_some()).await;
    assert_eq!(phone.get("told").as_deref(), Some("elsewhere"));
}

/// Another instance's edit of `doc`, stored as an incremental chunk.
async fn edit_elsewhere(store: &MemStore, doc: DocId, key: &str) {
    let mut other = Document::load(store.chunks_of(doc)).automerge().clone();
    let before = other.get_heads();
    other
        .transact::<_, _, AutomergeError>(|tx| {
            tx.put(ROOT, key, "elsewhere")?;
            Ok(())
        })
        .expect("edit");
    let chunk = make_chunk(ChunkKind::Incremental, other.save_after(&before));
    store.append_chunk(doc, &chunk).await.expect("stored");
}

#[tokio::test]
async fn another_instances_change_merged_here_is_announced_once_to_change_listeners() {
    let (_, store, user, doc) = setup();
    let other_doc = DocId::random();
    store.add_doc(other_doc, user, store.chunks_of(doc));
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let hub = Hub::with_bus(store.clone(), Arc::new(ScriptedBus(std::sync::Mutex::new(Some(rx)))), config());
    hub.read_doc(doc, |_| ()).await.expect("loaded here");
    hub.read_doc(other_doc, |_| ()).await.expect("loaded here");
    let mut changes = hub.subscribe_changes();

    edit_elsewhere(&store, doc, "a").await;
    tx.send(RemoteChange::Doc(doc)).expect("bus");
    // Announced again with nothing new (e.g. a duplicate NOTIFY): not passed on.
    tx.send(RemoteChange::Doc(doc)).expect("bus");
    // Announcements are handled in order, so once this one arrives the others are done.
    edit_elsewhere(&store, other_doc, "x").await;
    tx.send(RemoteChange::Doc(other_doc)).expect("bus");

    let mut seen = Vec::new();
    while seen.last() != Some(&DocChanged { doc: other_doc }) {
        let got = tokio::time::timeout(Duration::from_secs(10), changes.recv()).await.expect("announced");
        seen.push(got.expect("open"));
    }
    assert_eq!(seen, vec![DocChanged { doc }, DocChanged { doc: other_doc }]);
    assert_eq!(hub.read_doc(doc, |d| get(d, "a")).await.expect("read").as_deref(), Some("elsewhere"));
}

#[tokio::test]
async fn the_own_doc_known_from_the_session_opens_without_owner_lookups() {
    let (hub, store, user, doc) = setup();
    let mut conn = hub.connect(ConnOwner { user, own_doc: Some(doc) });
    assert!(conn.open(doc).await.expect("ok"));
    assert_eq!(store.owner_lookups.load(Ordering::Relaxed), 0, "the session named the owner");
    assert_eq!(conn.receive(doc, &sync_request()).await.map(|r| r.is_some()), Ok(true));

    // Any other document is still checked against the store, and refused if not theirs.
    let other = DocId::random();
    store.add_doc(other, UserId(uuid::Uuid::new_v4()), Vec::new());
    assert!(!conn.open(other).await.expect("ok"));
    assert_eq!(store.owner_lookups.load(Ordering::Relaxed), 1);
}

#[tokio::test]
async fn a_claimed_own_doc_that_belongs_to_someone_else_stays_unavailable() {
    // The loaded copy knows its real owner; a wrong `own_doc` cannot override it.
    let (hub, _store, user, doc) = setup();
    let _owner = Device::new(&hub, user, doc).await;
    let stranger = UserId(uuid::Uuid::new_v4());
    let mut conn = hub.connect(ConnOwner { user: stranger, own_doc: Some(doc) });
    assert!(!conn.open(doc).await.expect("ok"));
}

#[tokio::test]
async fn devices_opening_one_document_at_once_share_one_load() {
    let (hub, store, user, doc) = setup();
    let opens = (0..16).map(|_| {
        let hub = hub.clone();
        tokio::spawn(async move {
            let mut conn = hub.connect(ConnOwner { user, own_doc: Some(doc) });
            conn.open(doc).await.expect("ok")
        })
    });
    for opened in futures::future::join_all(opens).await {
        assert!(opened.expect("task"));
    }
    assert_eq!(store.chunk_loads.load(Ordering::Relaxed), 1);
}

/// A first sync message from an empty peer, as a device sends with `request`.
fn sync_request() -> Vec<u8> {
    Automerge::new().generate_sync_message(&mut am_sync::State::new()).expect("a first message").encode()
}
