//! One WebSocket connection's protocol state, sans IO: frames in, [`Effect`]s out. The shell
//! (ws.rs) performs the effects — it asks the hub about documents and writes frames — and
//! feeds the answers back in. Nothing here touches a socket, a clock or storage, so every
//! handshake and abuse case is a plain unit test.

use std::collections::HashSet;

use crate::ids::DocId;

use super::messages::{Message, PeerId, PeerMetadata, PROTOCOL_V1};

/// What the server says about itself in the handshake.
#[derive(Clone, Debug)]
pub struct ServerIdentity {
    /// This process's peer id (ephemeral, like any automerge-repo peer id).
    pub peer_id: PeerId,
    /// Stable across restarts: tied to the database, so clients can keep sync state for it
    /// and show "saved on the server" from the server's heads.
    pub storage_id: String,
}

/// An ephemeral message travelling from one of a user's connections to the others.
#[derive(Clone, Debug, PartialEq)]
pub struct Ephemeral {
    pub sender: PeerId,
    pub count: u64,
    pub session_id: String,
    pub doc: DocId,
    pub data: Vec<u8>,
}

/// What the shell must do, in order.
#[derive(Debug, PartialEq)]
pub enum Effect {
    /// Write this frame to the peer.
    Send(Vec<u8>),
    /// The peer asked for `doc` for the first time on this connection: ask the hub whether the
    /// user owns it, then call [`Connection::opened`] or [`Connection::unavailable`].
    Open { doc: DocId, data: Vec<u8> },
    /// Apply this automerge sync message to `doc` (already open on this connection).
    Sync { doc: DocId, data: Vec<u8> },
    /// Pass this on to the user's other connections that have `doc` open.
    Forward(Ephemeral),
    /// Close the connection (after the frames before this effect). `error` says why, if the
    /// close is the peer's fault; `None` for a polite `leave`.
    Close { error: Option<String> },
}

#[derive(Debug)]
enum Phase {
    AwaitingJoin,
    Joined(PeerId),
    Closed,
}

pub struct Connection {
    server: ServerIdentity,
    max_message_bytes: usize,
    phase: Phase,
    /// Documents the hub has confirmed this user owns. Only ever holds owned ids, so a peer
    /// asking for random ids grows nothing.
    open: HashSet<DocId>,
}

impl Connection {
    pub fn new(server: ServerIdentity, max_message_bytes: usize) -> Self {
        Connection { server, max_message_bytes, phase: Phase::AwaitingJoin, open: HashSet::new() }
    }

    /// The peer id given at join, once joined.
    pub fn peer(&self) -> Option<&PeerId> {
        match &self.phase {
            Phase::Joined(p) => Some(p),
            _ => None,
        }
    }

    pub fn is_closed(&self) -> bool {
        matches!(self.phase, Phase::Closed)
    }

    pub fn is_open(&self, doc: DocId) -> bool {
        self.open.contains(&doc)
    }

    /// A binary frame arrived.
    pub fn on_frame(&mut self, frame: &[u8]) -> Vec<Effect> {
        if self.is_closed() {
            return Vec::new();
        }
        if frame.len() > self.max_message_bytes {
            return self.fail(format!(
                "message of {} bytes exceeds the limit of {} bytes",
                frame.len(),
                self.max_message_bytes
            ));
        }
        let message = match Message::decode(frame) {
            Ok(m) => m,
            Err(e) => return self.fail(e.to_string()),
        };
        match &self.phase {
            Phase::AwaitingJoin => self.on_join(message),
            Phase::Joined(peer) => {
                let peer = peer.clone();
                self.on_joined(peer, message)
            }
            Phase::Closed => Vec::new(),
        }
    }

    /// A text frame arrived: the protocol is binary CBOR only.
    pub fn on_text_frame(&mut self) -> Vec<Effect> {
        self.fail("text frames are not part of the protocol; send binary CBOR".to_owned())
    }

    /// The frame was larger than the transport's own limit, so its bytes never reached us.
    pub fn on_oversize_frame(&mut self) -> Vec<Effect> {
        self.fail(format!("message exceeds the limit of {} bytes", self.max_message_bytes))
    }

    fn on_join(&mut self, message: Message) -> Vec<Effect> {
        let Message::Join { sender, supported_versions, .. } = message else {
            return self.fail(format!("expected a join message first, got `{}`", message.kind()));
        };
        // The reference server treats a missing list as "1".
        let supports_v1 = supported_versions.is_none_or(|v| v.iter().any(|s| s == PROTOCOL_V1));
        if !supports_v1 {
            return self.fail("unsupported protocol version; this server speaks \"1\"".to_owned());
        }
        self.phase = Phase::Joined(sender.clone());
        vec![Effect::Send(self.peer_message(sender))]
    }

    fn peer_message(&self, target: PeerId) -> Vec<u8> {
        Message::Peer {
            sender: self.server.peer_id.clone(),
            target,
            selected_version: PROTOCOL_V1.to_owned(),
            metadata: Some(PeerMetadata {
                storage_id: Some(self.server.storage_id.clone()),
                is_ephemeral: false,
            }),
        }
        .encode()
    }

    fn on_joined(&mut self, peer: PeerId, message: Message) -> Vec<Effect> {
        if let Some(sender) = message.sender() {
            if sender != &peer {
                return self.fail(format!(
                    "senderId `{sender}` does not match the peer id `{peer}` this connection joined with"
                ));
            }
        }
        match message {
            // A repeated join from the same peer (reconnect logic racing) is answered again.
            Message::Join { .. } => vec![Effect::Send(self.peer_message(peer))],
            Message::Request { document_id, data, .. } | Message::Sync { document_id, data, .. } => {
                match document_id.parse::<DocId>() {
                    Err(_) => vec![Effect::Send(self.unavailable_frame(&peer, document_id))],
                    Ok(doc) if self.open.contains(&doc) => vec![Effect::Sync { doc, data }],
                    Ok(doc) => vec![Effect::Open { doc, data }],
                }
            }
            Message::Ephemeral { sender, count, session_id, document_id, data, .. } => {
                match document_id.parse::<DocId>() {
                    // Presence for documents this connection hasn't opened goes nowhere.
                    Ok(doc) if self.open.contains(&doc) => {
                        vec![Effect::Forward(Ephemeral { sender, count, session_id, doc, data })]
                    }
                    _ => Vec::new(),
                }
            }
            // The peer doesn't have a document we never offered: nothing to do.
            Message::DocUnavailable { .. } | Message::Ignored { .. } => Vec::new(),
            Message::Leave { .. } => {
                self.phase = Phase::Closed;
                vec![Effect::Close { error: None }]
            }
            Message::Error { message, .. } => {
                self.phase = Phase::Closed;
                vec![Effect::Close { error: Some(format!("peer reported an error: {message}")) }]
            }
            Message::Peer { .. } => self.fail("`peer` is the server's message; clients send `join`".to_owned()),
        }
    }

    /// The hub confirmed the user owns `doc`; apply the sync message that asked for it.
    pub fn opened(&mut self, doc: DocId, data: Vec<u8>) -> Vec<Effect> {
        if self.is_closed() {
            return Vec::new();
        }
        self.open.insert(doc);
        vec![Effect::Sync { doc, data }]
    }

    /// The user does not own `doc` (or it does not exist): say so, and remember nothing.
    pub fn unavailable(&mut self, doc: DocId) -> Vec<Effect> {
        match self.peer().cloned() {
            Some(peer) => vec![Effect::Send(self.unavailable_frame(&peer, doc.to_string()))],
            None => Vec::new(),
        }
    }

    fn unavailable_frame(&self, peer: &PeerId, document_id: String) -> Vec<u8> {
        Message::DocUnavailable { sender: self.server.peer_id.clone(), target: peer.clone(), document_id }.encode()
    }

    /// A sync message from the hub for the peer (a reply or a fan-out of someone's change).
    pub fn sync_frame(&self, doc: DocId, data: Vec<u8>) -> Option<Vec<u8>> {
        let peer = self.peer()?;
        Some(
            Message::Sync {
                sender: self.server.peer_id.clone(),
                target: peer.clone(),
                document_id: doc.to_string(),
                data,
            }
            .encode(),
        )
    }

    /// Another connection's ephemeral message, re-addressed to this peer.
    pub fn ephemeral_frame(&self, e: Ephemeral) -> Option<Vec<u8>> {
        let peer = self.peer()?;
        if !self.open.contains(&e.doc) || &e.sender == peer {
            return None;
        }
        Some(
            Message::Ephemeral {
                sender: e.sender,
                target: peer.clone(),
                count: e.count,
                session_id: e.session_id,
                document_id: e.doc.to_string(),
                data: e.data,
            }
            .encode(),
        )
    }

    /// Protocol failure: tell the peer what was wrong, then close.
    pub fn fail(&mut self, message: String) -> Vec<Effect> {
        let target = self.peer().cloned();
        self.phase = Phase::Closed;
        let frame = Message::Error { message: message.clone(), sender: Some(self.server.peer_id.clone()), target }.encode();
        vec![Effect::Send(frame), Effect::Close { error: Some(message) }]
    }
}

#[cfg(test)]
#[path = "connection_tests.rs"]
mod tests;
