//! A device speaking automerge-repo network protocol v1 over a real WebSocket, written
//! against the protocol (not against Kith's server code): join, wait for peer, then
//! request/sync for one document. It keeps its Automerge document across reconnects, like a
//! phone that goes offline and comes back.

use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{Automerge, AutomergeError, ChangeHash, ReadDoc, ROOT};
use futures::{SinkExt, StreamExt};
use sync_server::sync::messages::{Message, PeerId};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::header::AUTHORIZATION;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long any single wait for the server may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(20);

/// Opens a WebSocket to `ws_url` with `Authorization: Bearer <token>`. Returns the HTTP
/// status as an error if the upgrade is refused.
pub async fn open_socket(ws_url: &str, token: &str) -> anyhow::Result<Socket> {
    let mut request = ws_url.into_client_request()?;
    request.headers_mut().insert(AUTHORIZATION, format!("Bearer {token}").parse()?);
    let mut config = WebSocketConfig::default();
    config.max_message_size = None;
    config.max_frame_size = None;
    let (socket, _) = tokio_tungstenite::connect_async_with_config(request, Some(config), true).await?;
    Ok(socket)
}

/// Everything the server said that is not sync data.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Unavailable(String),
    Error(String),
    Closed,
}

pub struct Device {
    pub peer_id: String,
    pub doc_id: String,
    pub doc: Automerge,
    state: sync::State,
    socket: Option<Socket>,
    server_peer: Option<String>,
    /// `storageId` the server advertised in `peer`.
    pub server_storage_id: Option<String>,
    pub server_is_ephemeral: Option<bool>,
}

impl Device {
    /// A new device with an empty document (it will `request` the document).
    pub fn new(doc_id: &str) -> Device {
        Device {
            peer_id: format!("device-{}", uuid::Uuid::new_v4()),
            doc_id: doc_id.to_owned(),
            doc: Automerge::new(),
            state: sync::State::new(),
            socket: None,
            server_peer: None,
            server_storage_id: None,
            server_is_ephemeral: None,
        }
    }

    /// Connects and completes the join/peer handshake.
    pub async fn connect(&mut self, ws_url: &str, token: &str) -> anyhow::Result<()> {
        let socket = open_socket(ws_url, token).await?;
        self.connect_over(socket).await
    }

    pub async fn connect_over(&mut self, socket: Socket) -> anyhow::Result<()> {
        self.socket = Some(socket);
        // A new connection is a new sync session: the server's state for us starts fresh too.
        self.state = sync::State::new();
        self.send(&Message::Join {
            sender: PeerId(self.peer_id.clone()),
            supported_versions: Some(vec!["1".into()]),
            metadata: Some(sync_server::sync::messages::PeerMetadata {
                storage_id: Some(format!("storage-{}", self.peer_id)),
                is_ephemeral: false,
            }),
        })
        .await?;
        match self.next_message().await? {
            Some(Message::Peer { sender, target, selected_version, metadata }) => {
                anyhow::ensure!(target.0 == self.peer_id, "peer message addressed to {target}");
                anyhow::ensure!(selected_version == "1", "server selected version {selected_version}");
                self.server_peer = Some(sender.0);
                self.server_storage_id = metadata.as_ref().and_then(|m| m.storage_id.clone());
                self.server_is_ephemeral = metadata.map(|m| m.is_ephemeral);
                Ok(())
            }
            other => bail!("expected peer, got {other:?}"),
        }
    }

    pub fn is_connected(&self) -> bool {
        self.socket.is_some()
    }

    /// Drops the connection without a word, like a phone losing signal.
    pub fn disconnect(&mut self) {
        self.socket = None;
    }

    pub fn put(&mut self, key: &str, value: &str) {
        let _ = self.doc.transact::<_, _, AutomergeError>(|tx| {
            tx.put(ROOT, key, value)?;
            Ok(())
        });
    }

    pub fn get(&self, key: &str) -> Option<String> {
        self.doc.get(ROOT, key).ok().flatten().and_then(|(v, _)| v.into_string().ok())
    }

    /// Adds a contact the way any Kith device does (crdt-model's op, one transaction).
    pub fn add_contact(&mut self, display: &str) -> anyhow::Result<crdt_model::ContactId> {
        let draft = crdt_model::ContactDraft {
            name: crdt_model::Name { display: display.to_owned(), ..Default::default() },
            ..Default::default()
        };
        Ok(crdt_model::create_contact(&mut self.doc, draft, chrono::Utc::now())?)
    }

    /// Display names of every contact, sorted, as the model hydrates them.
    pub fn contact_names(&self) -> Vec<String> {
        contact_names(&self.doc)
    }

    pub fn heads(&self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// The heads the server last told us it has (what it has made durable).
    pub fn server_heads(&self) -> Option<&Vec<ChangeHash>> {
        self.state.their_heads.as_ref()
    }

    pub async fn send(&mut self, m: &Message) -> anyhow::Result<()> {
        self.send_raw(m.encode()).await
    }

    pub async fn send_raw(&mut self, frame: Vec<u8>) -> anyhow::Result<()> {
        let socket = self.socket.as_mut().context("not connected")?;
        socket.send(WsMessage::Binary(frame.into())).await?;
        Ok(())
    }

    /// A `sync` (or `request`, when we have nothing yet) message for our document, with the
    /// given automerge sync bytes.
    pub fn sync_message(&self, data: Vec<u8>) -> Message {
        let sender = PeerId(self.peer_id.clone());
        let target = PeerId(self.server_peer.clone().unwrap_or_default());
        let document_id = self.doc_id.clone();
        if self.doc.get_heads().is_empty() {
            Message::Request { sender, target, document_id, data }
        } else {
            Message::Sync { sender, target, document_id, data }
        }
    }

    /// Next protocol message; `None` when the server closed the socket.
    pub async fn next_message(&mut self) -> anyhow::Result<Option<Message>> {
        let socket = self.socket.as_mut().context("not connected")?;
        loop {
            let frame = tokio::time::timeout(WAIT, socket.next()).await.map_err(|_| anyhow!("server silent for {WAIT:?}"))?;
            match frame {
                Some(Ok(WsMessage::Binary(b))) => return Ok(Some(Message::decode(&b)?)),
                Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_) | WsMessage::Frame(_))) => continue,
                Some(Ok(WsMessage::Text(t))) => bail!("server sent a text frame: {t}"),
                Some(Ok(WsMessage::Close(_))) | None | Some(Err(_)) => {
                    self.socket = None;
                    return Ok(None);
                }
            }
        }
    }

    /// Handles one incoming message: sync data is applied; anything else is returned.
    async fn handle_one(&mut self) -> anyhow::Result<Option<Event>> {
        match self.next_message().await? {
            None => Ok(Some(Event::Closed)),
            Some(Message::Sync { data, document_id, .. }) if document_id == self.doc_id => {
                let m = sync::Message::decode(&data).context("server sent a bad sync message")?;
                self.doc.receive_sync_message(&mut self.state, m)?;
                Ok(None)
            }
            Some(Message::DocUnavailable { document_id, .. }) => Ok(Some(Event::Unavailable(document_id))),
            Some(Message::Error { message, .. }) => Ok(Some(Event::Error(message))),
            Some(other) => bail!("unexpected message {other:?}"),
        }
    }

    /// Sends whatever our sync state says to send.
    pub async fn push(&mut self) -> anyhow::Result<()> {
        if let Some(m) = self.doc.generate_sync_message(&mut self.state) {
            let msg = self.sync_message(m.encode());
            self.send(&msg).await?;
        }
        Ok(())
    }

    /// Syncs until the server has acknowledged exactly our heads (so everything we have is
    /// durable on the server, and we have everything it has).
    pub async fn sync(&mut self) -> anyhow::Result<()> {
        match self.sync_or_event().await? {
            None => Ok(()),
            Some(e) => bail!("sync interrupted: {e:?}"),
        }
    }

    /// Like [`Device::sync`], but returns the first non-sync event instead of failing.
    pub async fn sync_or_event(&mut self) -> anyhow::Result<Option<Event>> {
        loop {
            self.push().await?;
            let ours = self.doc.get_heads();
            if !ours.is_empty() && self.state.their_heads.as_ref() == Some(&ours) {
                return Ok(None);
            }
            if let Some(e) = self.handle_one().await? {
                return Ok(Some(e));
            }
        }
    }

    /// Waits, applying what the server pushes, until `pred` holds for our document.
    pub async fn wait_until(&mut self, what: &str, pred: impl Fn(&Automerge) -> bool) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + WAIT;
        while !pred(&self.doc) {
            anyhow::ensure!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
            self.push().await?;
            if let Some(e) = self.handle_one().await? {
                bail!("while waiting for {what}: {e:?}");
            }
        }
        Ok(())
    }

    /// Reads until the server reports something other than sync data.
    pub async fn next_event(&mut self) -> anyhow::Result<Event> {
        loop {
            if let Some(e) = self.handle_one().await? {
                return Ok(e);
            }
        }
    }
}

/// Display names of every contact in `doc`, sorted.
pub fn contact_names(doc: &Automerge) -> Vec<String> {
    let mut names: Vec<String> = crdt_model::load(doc).doc.contacts.values().map(|c| c.name.display.clone()).collect();
    names.sort();
    names
}
