//! The automerge-repo network protocol v1 on the wire: CBOR maps with a `type` field, exactly
//! as `@automerge/automerge-repo-network-websocket` 2.5 encodes them (cbor-x, no records, byte
//! strings untagged). Decoding is strict about what we act on and lenient about the rest:
//! unknown keys are ignored, `remote-subscription-change` / `remote-heads-changed` decode to
//! [`Message::Ignored`] because Kith has no heads gossip to offer.

use ciborium::Value;

/// An automerge-repo peer id: an opaque string chosen by the peer for the life of a process.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PeerId(pub String);

impl std::fmt::Display for PeerId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The only protocol version there is.
pub const PROTOCOL_V1: &str = "1";

/// `peerMetadata` of join/peer messages.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PeerMetadata {
    pub storage_id: Option<String>,
    pub is_ephemeral: bool,
}

/// One protocol message. Document ids stay strings here: whether a string is a valid
/// [`crate::ids::DocId`] is the connection's business (it answers `doc-unavailable`), not a
/// decoding error.
#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    Join {
        sender: PeerId,
        /// `None` when the peer omitted the field; the reference server then assumes "1".
        supported_versions: Option<Vec<String>>,
        metadata: Option<PeerMetadata>,
    },
    Peer {
        sender: PeerId,
        target: PeerId,
        selected_version: String,
        metadata: Option<PeerMetadata>,
    },
    Leave {
        sender: PeerId,
    },
    Request {
        sender: PeerId,
        target: PeerId,
        document_id: String,
        data: Vec<u8>,
    },
    Sync {
        sender: PeerId,
        target: PeerId,
        document_id: String,
        data: Vec<u8>,
    },
    DocUnavailable {
        sender: PeerId,
        target: PeerId,
        document_id: String,
    },
    Ephemeral {
        sender: PeerId,
        target: PeerId,
        count: u64,
        session_id: String,
        document_id: String,
        data: Vec<u8>,
    },
    Error {
        message: String,
        sender: Option<PeerId>,
        target: Option<PeerId>,
    },
    /// A known message type Kith deliberately does not act on (heads gossip).
    Ignored {
        kind: String,
        sender: Option<PeerId>,
    },
}

/// Why a frame is not a protocol message. The text is safe to send back to the peer: it only
/// describes the peer's own input.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("message is not valid CBOR: {0}")]
    NotCbor(String),
    #[error("message is not a CBOR map")]
    NotAMap,
    #[error("message has no string field `type`")]
    NoType,
    #[error("unknown message type `{0}`")]
    UnknownType(String),
    #[error("`{kind}` message is missing field `{field}`")]
    MissingField { kind: String, field: &'static str },
    #[error("`{kind}` message field `{field}` should be {expected}")]
    WrongType {
        kind: String,
        field: &'static str,
        expected: &'static str,
    },
}

impl Message {
    /// The `type` string on the wire.
    pub fn kind(&self) -> &str {
        match self {
            Message::Join { .. } => "join",
            Message::Peer { .. } => "peer",
            Message::Leave { .. } => "leave",
            Message::Request { .. } => "request",
            Message::Sync { .. } => "sync",
            Message::DocUnavailable { .. } => "doc-unavailable",
            Message::Ephemeral { .. } => "ephemeral",
            Message::Error { .. } => "error",
            Message::Ignored { kind, .. } => kind,
        }
    }

    /// The `senderId`, for every message type that carries one.
    pub fn sender(&self) -> Option<&PeerId> {
        match self {
            Message::Join { sender, .. }
            | Message::Peer { sender, .. }
            | Message::Leave { sender }
            | Message::Request { sender, .. }
            | Message::Sync { sender, .. }
            | Message::DocUnavailable { sender, .. }
            | Message::Ephemeral { sender, .. } => Some(sender),
            Message::Error { sender, .. } | Message::Ignored { sender, .. } => sender.as_ref(),
        }
    }

    pub fn decode(bytes: &[u8]) -> Result<Message, DecodeError> {
        let value: Value =
            ciborium::from_reader(bytes).map_err(|e| DecodeError::NotCbor(e.to_string()))?;
        let Value::Map(entries) = value else {
            return Err(DecodeError::NotAMap);
        };
        let fields = Fields { entries: &entries, kind: String::new() };
        let kind = match fields.get("type") {
            Some(Value::Text(t)) => t.clone(),
            _ => return Err(DecodeError::NoType),
        };
        let f = Fields { entries: &entries, kind };
        let msg = match f.kind.as_str() {
            "join" => Message::Join {
                sender: f.peer("senderId")?,
                supported_versions: f.opt_strings("supportedProtocolVersions")?,
                metadata: f.metadata()?,
            },
            "peer" => Message::Peer {
                sender: f.peer("senderId")?,
                target: f.peer("targetId")?,
                selected_version: f.text("selectedProtocolVersion")?,
                metadata: f.metadata()?,
            },
            "leave" => Message::Leave { sender: f.peer("senderId")? },
            "request" => Message::Request {
                sender: f.peer("senderId")?,
                target: f.peer("targetId")?,
                document_id: f.text("documentId")?,
                data: f.bytes("data")?,
            },
            "sync" => Message::Sync {
                sender: f.peer("senderId")?,
                target: f.peer("targetId")?,
                document_id: f.text("documentId")?,
                data: f.bytes("data")?,
            },
            "doc-unavailable" => Message::DocUnavailable {
                sender: f.peer("senderId")?,
                target: f.peer("targetId")?,
                document_id: f.text("documentId")?,
            },
            "ephemeral" => Message::Ephemeral {
                sender: f.peer("senderId")?,
                target: f.peer("targetId")?,
                count: f.uint("count")?,
                session_id: f.text("sessionId")?,
                document_id: f.text("documentId")?,
                data: f.bytes("data")?,
            },
            "error" => Message::Error {
                message: f.text("message")?,
                sender: f.opt_text("senderId")?.map(PeerId),
                target: f.opt_text("targetId")?.map(PeerId),
            },
            "remote-subscription-change" | "remote-heads-changed" => Message::Ignored {
                kind: f.kind.clone(),
                sender: f.opt_text("senderId")?.map(PeerId),
            },
            _ => return Err(DecodeError::UnknownType(f.kind)),
        };
        Ok(msg)
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut map: Vec<(Value, Value)> = vec![entry("type", text(self.kind()))];
        match self {
            Message::Join { sender, supported_versions, metadata } => {
                map.push(entry("senderId", text(&sender.0)));
                if let Some(v) = supported_versions {
                    let list = v.iter().map(|s| text(s)).collect();
                    map.push(entry("supportedProtocolVersions", Value::Array(list)));
                }
                if let Some(m) = metadata {
                    map.push(entry("peerMetadata", metadata_value(m)));
                }
            }
            Message::Peer { sender, target, selected_version, metadata } => {
                map.push(entry("senderId", text(&sender.0)));
                map.push(entry("targetId", text(&target.0)));
                map.push(entry("selectedProtocolVersion", text(selected_version)));
                if let Some(m) = metadata {
                    map.push(entry("peerMetadata", metadata_value(m)));
                }
            }
            Message::Leave { sender } => map.push(entry("senderId", text(&sender.0))),
            Message::Request { sender, target, document_id, data }
            | Message::Sync { sender, target, document_id, data } => {
                map.push(entry("senderId", text(&sender.0)));
                map.push(entry("targetId", text(&target.0)));
                map.push(entry("documentId", text(document_id)));
                map.push(entry("data", Value::Bytes(data.clone())));
            }
            Message::DocUnavailable { sender, target, document_id } => {
                map.push(entry("senderId", text(&sender.0)));
                map.push(entry("targetId", text(&target.0)));
                map.push(entry("documentId", text(document_id)));
            }
            Message::Ephemeral { sender, target, count, session_id, document_id, data } => {
                map.push(entry("senderId", text(&sender.0)));
                map.push(entry("targetId", text(&target.0)));
                map.push(entry("count", Value::Integer((*count).into())));
                map.push(entry("sessionId", text(session_id)));
                map.push(entry("documentId", text(document_id)));
                map.push(entry("data", Value::Bytes(data.clone())));
            }
            Message::Error { message, sender, target } => {
                map.push(entry("message", text(message)));
                if let Some(s) = sender {
                    map.push(entry("senderId", text(&s.0)));
                }
                if let Some(t) = target {
                    map.push(entry("targetId", text(&t.0)));
                }
            }
            Message::Ignored { sender, .. } => {
                if let Some(s) = sender {
                    map.push(entry("senderId", text(&s.0)));
                }
            }
        }
        let mut out = Vec::new();
        // Writing a Value into a Vec cannot fail: there is no I/O and every Value is encodable.
        if ciborium::into_writer(&Value::Map(map), &mut out).is_err() {
            out.clear();
        }
        out
    }
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

fn entry(key: &str, value: Value) -> (Value, Value) {
    (text(key), value)
}

fn metadata_value(m: &PeerMetadata) -> Value {
    let mut map = Vec::new();
    if let Some(id) = &m.storage_id {
        map.push(entry("storageId", text(id)));
    }
    map.push(entry("isEphemeral", Value::Bool(m.is_ephemeral)));
    Value::Map(map)
}

/// Field access with errors that name the message type and the field.
struct Fields<'a> {
    entries: &'a [(Value, Value)],
    kind: String,
}

impl Fields<'_> {
    /// The value of `key`; an explicit CBOR null/undefined counts as absent (cbor-x writes
    /// `undefined` for JS properties that exist but are unset).
    fn get(&self, key: &str) -> Option<&Value> {
        self.entries.iter().find_map(|(k, v)| match (k, v) {
            (_, Value::Null) => None,
            (Value::Text(t), v) if t == key => Some(v),
            _ => None,
        })
    }

    fn missing(&self, field: &'static str) -> DecodeError {
        DecodeError::MissingField { kind: self.kind.clone(), field }
    }

    fn wrong(&self, field: &'static str, expected: &'static str) -> DecodeError {
        DecodeError::WrongType { kind: self.kind.clone(), field, expected }
    }

    fn opt_text(&self, field: &'static str) -> Result<Option<String>, DecodeError> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::Text(t)) => Ok(Some(t.clone())),
            Some(_) => Err(self.wrong(field, "a string")),
        }
    }

    fn text(&self, field: &'static str) -> Result<String, DecodeError> {
        self.opt_text(field)?.ok_or_else(|| self.missing(field))
    }

    fn peer(&self, field: &'static str) -> Result<PeerId, DecodeError> {
        self.text(field).map(PeerId)
    }

    fn bytes(&self, field: &'static str) -> Result<Vec<u8>, DecodeError> {
        match self.get(field) {
            None => Err(self.missing(field)),
            Some(Value::Bytes(b)) => Ok(b.clone()),
            // Tagged typed arrays (RFC 8746, tag 64 = uint8) from encoders that tag them.
            Some(Value::Tag(64, inner)) => match inner.as_ref() {
                Value::Bytes(b) => Ok(b.clone()),
                _ => Err(self.wrong(field, "a byte string")),
            },
            Some(_) => Err(self.wrong(field, "a byte string")),
        }
    }

    fn uint(&self, field: &'static str) -> Result<u64, DecodeError> {
        match self.get(field) {
            None => Err(self.missing(field)),
            Some(Value::Integer(i)) => u64::try_from(*i).map_err(|_| self.wrong(field, "an unsigned integer")),
            Some(_) => Err(self.wrong(field, "an unsigned integer")),
        }
    }

    fn opt_strings(&self, field: &'static str) -> Result<Option<Vec<String>>, DecodeError> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::Text(t) => Ok(t.clone()),
                    _ => Err(self.wrong(field, "an array of strings")),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(self.wrong(field, "an array of strings")),
        }
    }

    /// `peerMetadata` as the JS client sends it, or `metadata` as the README's CDDL spells it.
    fn metadata(&self) -> Result<Option<PeerMetadata>, DecodeError> {
        let Some(value) = self.get("peerMetadata").or_else(|| self.get("metadata")) else {
            return Ok(None);
        };
        let Value::Map(entries) = value else {
            return Err(self.wrong("peerMetadata", "a map"));
        };
        let inner = Fields { entries, kind: self.kind.clone() };
        let storage_id = inner.opt_text("storageId")?;
        let is_ephemeral = match inner.get("isEphemeral") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(self.wrong("isEphemeral", "a boolean")),
        };
        Ok(Some(PeerMetadata { storage_id, is_ephemeral }))
    }
}

#[cfg(test)]
#[path = "messages_tests.rs"]
mod tests;
