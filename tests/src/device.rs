//! A lean device speaking automerge-repo protocol v1 over a WebSocket: join, then sync one
//! document with the server. Works against Kith (`/sync?token=`) and the reference alike.
//! Built for the load generator and the multi-instance tests: one document, no heads gossip,
//! and a cancel-safe [`Device::next`] so thousands of them can sit in `select!` loops.

use std::time::Duration;

use automerge::sync::{self, SyncDoc};
use automerge::{AutoCommit, ChangeHash};
use futures::{SinkExt, StreamExt};
use sync_server::sync::messages::{Message, PeerId, PeerMetadata, PROTOCOL_V1};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub struct Device {
    ws: Ws,
    me: PeerId,
    server: PeerId,
    doc_id: String,
    pub doc: AutoCommit,
    state: sync::State,
}

/// The next thing on the socket, close frames included (see [`Device::next_or_close`]).
pub enum Incoming {
    Message(Message),
    /// The server sent a WebSocket close frame.
    Close { code: u16, reason: String },
    /// The connection ended without a close frame.
    Ended,
}

/// What arrived from the server.
pub enum Event {
    /// A sync message was applied; the document may have new changes.
    Synced,
    /// Something we don't act on (ephemeral, heads gossip, pings).
    Other,
}

impl Device {
    /// Connects and completes the handshake. `has_doc`: the device already holds the document
    /// (it sends `sync`, as automerge-repo does after `repo.create()`), else it asks (`request`).
    pub async fn connect(url: &str, doc_id: &str, doc: AutoCommit, has_doc: bool) -> anyhow::Result<Self> {
        // disable_nagle: as a phone's WebSocket does; small frames must not wait for ACKs.
        let (mut ws, _) = tokio_tungstenite::connect_async_with_config(url, None, true).await?;
        let me = PeerId(format!("loadgen-{}", uuid::Uuid::new_v4()));
        let join = Message::Join {
            sender: me.clone(),
            supported_versions: Some(vec![PROTOCOL_V1.to_owned()]),
            // As a browser with IndexedDB presents itself.
            metadata: Some(PeerMetadata { storage_id: Some(uuid::Uuid::new_v4().to_string()), is_ephemeral: false }),
        };
        ws.send(Frame::binary(join.encode())).await?;
        let server = loop {
            match next_message(&mut ws).await? {
                Message::Peer { sender, .. } => break sender,
                Message::Error { message, .. } => anyhow::bail!("server refused join: {message}"),
                _ => continue,
            }
        };
        let mut device = Device { ws, me, server, doc_id: doc_id.to_owned(), doc, state: sync::State::new() };
        device.send_sync(!has_doc).await?;
        Ok(device)
    }

    /// Sends our next sync message, if automerge says there is one.
    pub async fn send_sync(&mut self, as_request: bool) -> anyhow::Result<()> {
        let Some(msg) = self.doc.sync().generate_sync_message(&mut self.state) else { return Ok(()) };
        let (sender, target, document_id, data) =
            (self.me.clone(), self.server.clone(), self.doc_id.clone(), msg.encode());
        let frame = if as_request {
            Message::Request { sender, target, document_id, data }
        } else {
            Message::Sync { sender, target, document_id, data }
        };
        self.ws.send(Frame::binary(frame.encode())).await?;
        Ok(())
    }

    /// Asks the server for some other document on this connection (a `request` carrying an
    /// empty document's first sync message), as a peer probing ids would. The answer is read
    /// with [`Device::next`]; `doc-unavailable` is what Kith must say for anything not the user's.
    pub async fn request_other(&mut self, doc_id: &str) -> anyhow::Result<()> {
        let data = AutoCommit::new()
            .sync()
            .generate_sync_message(&mut sync::State::new())
            .map(|m| m.encode())
            .unwrap_or_default();
        let frame =
            Message::Request { sender: self.me.clone(), target: self.server.clone(), document_id: doc_id.to_owned(), data };
        self.ws.send(Frame::binary(frame.encode())).await?;
        Ok(())
    }

    /// Waits for the next frame from the server, applies it and answers it.
    pub async fn recv(&mut self) -> anyhow::Result<Event> {
        let msg = self.next().await?;
        self.handle(msg).await
    }

    /// The next protocol message. Cancel-safe (only reads), so it can sit in a `select!`;
    /// [`Device::handle`] then runs to completion outside it.
    pub async fn next(&mut self) -> anyhow::Result<Message> {
        next_message(&mut self.ws).await
    }

    /// As [`Device::next`], but tells a close frame (and its code) apart from a dropped
    /// connection, for tests of how the server says goodbye. Cancel-safe.
    pub async fn next_or_close(&mut self) -> anyhow::Result<Incoming> {
        loop {
            match self.ws.next().await {
                None => return Ok(Incoming::Ended),
                Some(Err(e)) => return Err(e.into()),
                Some(Ok(Frame::Binary(bytes))) => return Ok(Incoming::Message(Message::decode(&bytes)?)),
                Some(Ok(Frame::Close(frame))) => {
                    let (code, reason) = frame.map_or((1005, String::new()), |f| (u16::from(f.code), f.reason.to_string()));
                    return Ok(Incoming::Close { code, reason });
                }
                Some(Ok(_)) => continue,
            }
        }
    }

    /// The heads the server last said it has (the changes it has acknowledged).
    pub fn server_heads(&self) -> Option<Vec<ChangeHash>> {
        self.state.their_heads.clone()
    }

    /// Applies a message from the server and answers it.
    pub async fn handle(&mut self, msg: Message) -> anyhow::Result<Event> {
        match msg {
            Message::Sync { data, .. } | Message::Request { data, .. } => {
                let msg = sync::Message::decode(&data)?;
                self.doc.sync().receive_sync_message(&mut self.state, msg)?;
                self.send_sync(false).await?;
                Ok(Event::Synced)
            }
            Message::DocUnavailable { document_id, .. } => anyhow::bail!("document {document_id} unavailable"),
            Message::Error { message, .. } => anyhow::bail!("server error: {message}"),
            _ => Ok(Event::Other),
        }
    }

    /// The server has exactly what we have.
    pub fn in_sync(&mut self) -> bool {
        let heads = self.doc.get_heads();
        self.state.their_heads.as_ref() == Some(&heads)
    }

    pub fn has_change(&mut self, hash: &ChangeHash) -> bool {
        self.doc.get_change_by_hash(hash).is_some()
    }

    /// Handles server messages until `done` holds; fails after `timeout`.
    pub async fn until(&mut self, timeout: Duration, mut done: impl FnMut(&mut Self) -> bool) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + timeout;
        while !done(self) {
            let msg = tokio::time::timeout_at(deadline, self.next())
                .await
                .map_err(|_| anyhow::anyhow!("condition not reached within {timeout:?}"))??;
            self.handle(msg).await?;
        }
        Ok(())
    }

    /// The local document, e.g. to reconnect with it elsewhere, as a device keeps its data.
    pub fn into_doc(self) -> AutoCommit {
        self.doc
    }

    pub async fn close(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(1), self.ws.close(None)).await;
    }
}

async fn next_message(ws: &mut Ws) -> anyhow::Result<Message> {
    loop {
        match ws.next().await {
            None => anyhow::bail!("server closed the connection"),
            Some(Err(e)) => return Err(e.into()),
            Some(Ok(Frame::Binary(bytes))) => return Ok(Message::decode(&bytes)?),
            Some(Ok(Frame::Close(_))) => anyhow::bail!("server closed the connection"),
            Some(Ok(_)) => continue, // ping/pong/text: not protocol messages
        }
    }
}
