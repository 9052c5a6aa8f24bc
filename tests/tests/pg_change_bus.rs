//! LISTEN/NOTIFY between two hubs on one PostgreSQL schema, in one process (only when
//! `TEST_DATABASE_URL` is set): a change accepted by hub 1 wakes hub 2's connection of the
//! same document, which then hands its device the change, loaded from the database.

use std::sync::Arc;
use std::time::{Duration, Instant};

use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT};
use chrono::Utc;
use kith_tests::stores::in_fresh_pg_schema;
use sync_server::ids::DocId;
use sync_server::store::postgres::bus::PgChangeBus;
use sync_server::store::postgres::PostgresStore;
use sync_server::store::Store;
use sync_server::live::{Hub, HubConfig, HubConnection};

/// A device: its document and its sync state with the server.
struct Peer {
    doc: AutoCommit,
    state: sync::State,
}

impl Peer {
    fn new() -> Self {
        Peer { doc: AutoCommit::new(), state: sync::State::new() }
    }

    fn receive(&mut self, data: &[u8]) -> anyhow::Result<()> {
        let msg = sync::Message::decode(data)?;
        self.doc.sync().receive_sync_message(&mut self.state, msg)?;
        Ok(())
    }
}

/// Runs the sync protocol between `peer` and its server connection until neither has
/// anything left to say (bounded).
async fn exchange(conn: &mut HubConnection, doc: DocId, peer: &mut Peer) -> anyhow::Result<()> {
    for _ in 0..20 {
        let Some(msg) = peer.doc.sync().generate_sync_message(&mut peer.state) else { return Ok(()) };
        match conn.receive(doc, &msg.encode()).await? {
            Some(reply) => peer.receive(&reply)?,
            None => return Ok(()),
        }
    }
    anyhow::bail!("sync did not settle in 20 rounds")
}

async fn hub_on(url: &str) -> anyhow::Result<(Hub, Arc<dyn Store>)> {
    let store = PostgresStore::connect(url).await?;
    let bus = PgChangeBus::start(store.pool().clone()).await?;
    let store: Arc<dyn Store> = Arc::new(store);
    let hub = Hub::with_bus(store.clone(), Arc::new(bus), HubConfig::new("kith-test".into()));
    Ok((hub, store))
}

async fn scenario(url: String) -> anyhow::Result<()> {
    let (hub1, store) = hub_on(&url).await?;
    let (hub2, _) = hub_on(&url).await?;
    let doc = DocId::random();
    let email = format!("bus-{}@example.test", uuid::Uuid::new_v4());
    let user = store.create_user(&email, "$argon2id$fake", doc, Utc::now()).await?;

    let (mut c1, mut c2) = (hub1.connect(user), hub2.connect(user));
    assert!(c1.open(doc).await? && c2.open(doc).await?);
    let (mut phone, mut laptop) = (Peer::new(), Peer::new());
    exchange(&mut c1, doc, &mut phone).await?;
    exchange(&mut c2, doc, &mut laptop).await?;

    for i in 0..5 {
        let key = format!("edit-{i}");
        phone.doc.put(ROOT, &key, i)?;
        let hash = phone.doc.commit().ok_or_else(|| anyhow::anyhow!("empty change"))?;
        exchange(&mut c1, doc, &mut phone).await?; // durable on hub 1, NOTIFY sent
        let accepted = Instant::now();

        // Hub 2 hears of it and marks the laptop's connection dirty.
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let (dirty, _) = c2.inbox().take();
            if dirty.contains(&doc) {
                if let Some(msg) = c2.generate(doc).await {
                    laptop.receive(&msg)?;
                }
                if laptop.doc.get_change_by_hash(&hash).is_some() {
                    break;
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            anyhow::ensure!(!left.is_zero(), "edit {i} never reached hub 2's connection");
            let _ = tokio::time::timeout(left, c2.inbox().wait()).await;
        }
        eprintln!("edit {i}: hub 1 -> hub 2 in {:?}", accepted.elapsed());
        exchange(&mut c2, doc, &mut laptop).await?;
    }
    c1.disconnect().await;
    c2.disconnect().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_on_one_hub_reaches_a_connection_on_another() {
    in_fresh_pg_schema("the LISTEN/NOTIFY test", scenario).await;
}
