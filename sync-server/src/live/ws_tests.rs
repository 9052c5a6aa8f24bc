use std::sync::Arc;

use automerge::sync::{self as am_sync, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{Automerge, AutomergeError, ReadDoc, ROOT};
use futures::channel::mpsc;

use super::*;
use crate::ids::{DocId, UserId};
use crate::store::ChunkKind;
use crate::sync::chunks::make_chunk;
use crate::live::hub::HubConfig;
use crate::live::mem_store::MemStore;
use crate::sync::messages::{Message, PeerId};

/// One end of an in-memory "socket" running the real shell on the other end.
struct Wire {
    to_server: mpsc::UnboundedSender<Result<WsMessage, String>>,
    from_server: mpsc::UnboundedReceiver<WsMessage>,
    task: tokio::task::JoinHandle<()>,
}

impl Wire {
    fn open(hub: &Hub, user: UserId) -> Wire {
        let (to_server, server_in) = mpsc::unbounded();
        let (server_out, from_server) = mpsc::unbounded();
        let task = tokio::spawn(serve(server_out, server_in, hub.clone(), user, None));
        Wire { to_server, from_server, task }
    }

    fn send(&self, m: &Message) {
        self.to_server.unbounded_send(Ok(WsMessage::Binary(m.encode().into()))).expect("server alive");
    }

    async fn recv(&mut self) -> Option<WsMessage> {
        tokio::time::timeout(Duration::from_secs(10), self.from_server.next()).await.expect("server answers in time")
    }

    async fn recv_message(&mut self) -> Message {
        loop {
            match self.recv().await {
                Some(WsMessage::Binary(b)) => return Message::decode(&b).expect("server frames decode"),
                Some(WsMessage::Ping(_)) => continue,
                other => panic!("expected a binary frame, got {other:?}"),
            }
        }
    }
}

fn join(peer: &str) -> Message {
    Message::Join { sender: PeerId(peer.into()), supported_versions: Some(vec!["1".into()]), metadata: None }
}

fn setup() -> (Hub, UserId, DocId) {
    setup_with(HubConfig::new("st".into()))
}

fn setup_with(config: HubConfig) -> (Hub, UserId, DocId) {
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
    (Hub::new(store, config), user, doc)
}

/// Drives a device's sync loop over the wire until `done`: it sends what automerge has to say
/// and applies what the server answers, as every client does. Answering matters: when a
/// Bloom filter wrongly says the other side already has a change (~1% of the time), only the
/// answer to a `need` carries it.
async fn sync_until(
    wire: &mut Wire,
    peer: &str,
    doc: DocId,
    (am, state): (&mut Automerge, &mut am_sync::State),
    what: &str,
    done: impl Fn(&Automerge, &am_sync::State) -> bool,
) {
    for _ in 0..50 {
        if let Some(m) = am.generate_sync_message(state) {
            wire.send(&Message::Sync {
                sender: PeerId(peer.into()),
                target: PeerId("server".into()),
                document_id: doc.to_string(),
                data: m.encode(),
            });
        }
        if done(am, state) {
            return;
        }
        match wire.recv_message().await {
            Message::Sync { data, .. } => {
                let m = am_sync::Message::decode(&data).expect("valid");
                am.receive_sync_message(state, m).expect("applies");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    panic!("{peer} never saw {what}");
}

/// The device holds `key`.
fn holds(key: &'static str) -> impl Fn(&Automerge, &am_sync::State) -> bool {
    move |am, _| am.get(ROOT, key).ok().flatten().is_some()
}

/// The server's heads include every change the device has.
fn server_has_all(am: &Automerge, state: &am_sync::State) -> bool {
    state.their_heads.as_ref().is_some_and(|theirs| am.get_heads().iter().all(|h| theirs.contains(h)))
}

#[tokio::test]
async fn handshake_sync_and_live_push_over_the_shell() {
    let (hub, user, doc) = setup();
    let mut phone = Wire::open(&hub, user);
    phone.send(&join("phone"));
    assert!(matches!(phone.recv_message().await, Message::Peer { target, .. } if target.0 == "phone"));

    let mut laptop = Wire::open(&hub, user);
    laptop.send(&join("laptop"));
    assert!(matches!(laptop.recv_message().await, Message::Peer { .. }));

    let (mut phone_doc, mut phone_state) = (Automerge::new(), am_sync::State::new());
    sync_until(&mut phone, "phone", doc, (&mut phone_doc, &mut phone_state), "schema", holds("schema")).await;
    let (mut laptop_doc, mut laptop_state) = (Automerge::new(), am_sync::State::new());
    sync_until(&mut laptop, "laptop", doc, (&mut laptop_doc, &mut laptop_state), "schema", holds("schema")).await;

    phone_doc
        .transact::<_, _, AutomergeError>(|tx| {
            tx.put(ROOT, "pushed", "yes")?;
            Ok(())
        })
        .expect("edit");
    // The phone syncs until the server has its edit (its first message may carry only heads).
    sync_until(&mut phone, "phone", doc, (&mut phone_doc, &mut phone_state), "its edit stored", server_has_all).await;
    // The laptop made no change of its own and has nothing to ask, and still receives the
    // phone's: what it gets next is the server's push.
    assert!(laptop_doc.generate_sync_message(&mut laptop_state).is_none(), "the laptop is quiet");
    sync_until(&mut laptop, "laptop", doc, (&mut laptop_doc, &mut laptop_state), "the phone's edit", holds("pushed")).await;
}

#[tokio::test]
async fn protocol_errors_are_reported_then_the_socket_closes() {
    let (hub, user, doc) = setup();
    let mut wire = Wire::open(&hub, user);
    wire.send(&join("p"));
    wire.recv_message().await;
    wire.send(&Message::Sync {
        sender: PeerId("p".into()),
        target: PeerId("server".into()),
        document_id: doc.to_string(),
        data: b"not a sync message".to_vec(),
    });
    let Message::Error { message, .. } = wire.recv_message().await else { panic!("expected error") };
    assert!(message.starts_with("malformed sync message"), "{message}");
    assert!(matches!(wire.recv().await, Some(WsMessage::Close(Some(f))) if f.code == CLOSE_PROTOCOL_ERROR));
    tokio::time::timeout(Duration::from_secs(10), wire.task).await.expect("shell ends").expect("no panic");
}

#[tokio::test]
async fn foreign_doc_gets_doc_unavailable_and_the_connection_lives_on() {
    let (hub, _user, doc) = setup();
    let stranger = UserId(uuid::Uuid::new_v4());
    let mut wire = Wire::open(&hub, stranger);
    wire.send(&join("p"));
    wire.recv_message().await;
    for _ in 0..2 {
        wire.send(&Message::Request {
            sender: PeerId("p".into()),
            target: PeerId("server".into()),
            document_id: doc.to_string(),
            data: am_sync::Message::decode(&Automerge::new().generate_sync_message(&mut am_sync::State::new()).expect("m").encode())
                .expect("m")
                .encode(),
        });
        assert!(matches!(wire.recv_message().await, Message::DocUnavailable { document_id, .. } if document_id == doc.to_string()));
    }
    assert_eq!(hub.loaded_docs(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_socket_that_never_joins_is_closed_after_the_join_timeout() {
    // Shorter than `Wire::recv`'s own patience.
    let (hub, user, _doc) = setup_with(HubConfig { join_timeout: Duration::from_secs(3), ..HubConfig::new("st".into()) });
    let timeout = hub.config().join_timeout;
    let mut silent = Wire::open(&hub, user);
    let mut joined = Wire::open(&hub, user);
    joined.send(&join("phone"));
    assert!(matches!(joined.recv_message().await, Message::Peer { .. }));

    let started = tokio::time::Instant::now();
    match silent.recv_message().await {
        Message::Error { message, .. } => assert!(message.contains("no join"), "{message}"),
        other => panic!("expected an error, got {other:?}"),
    }
    assert!(matches!(silent.recv().await, Some(WsMessage::Close(Some(_)))));
    assert!(started.elapsed() >= timeout, "closed early: {:?}", started.elapsed());
    tokio::time::timeout(Duration::from_secs(1), silent.task).await.expect("the task ends").expect("no panic");

    // The joined one stays open well past the deadline (pings only).
    tokio::time::advance(timeout * 3).await;
    joined.send(&join("phone"));
    assert!(matches!(joined.recv_message().await, Message::Peer { .. }));
}
