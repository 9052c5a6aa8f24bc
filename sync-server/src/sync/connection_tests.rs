use super::*;

fn server() -> ServerIdentity {
    ServerIdentity { peer_id: PeerId("server".into()), storage_id: "storage-1".into() }
}

fn conn() -> Connection {
    Connection::new(server(), 1024)
}

fn join(sender: &str) -> Vec<u8> {
    Message::Join { sender: PeerId(sender.into()), supported_versions: Some(vec!["1".into()]), metadata: None }
        .encode()
}

fn sync(sender: &str, doc: &str, data: &[u8]) -> Vec<u8> {
    Message::Sync {
        sender: PeerId(sender.into()),
        target: PeerId("server".into()),
        document_id: doc.into(),
        data: data.to_vec(),
    }
    .encode()
}

fn sent(effects: &[Effect]) -> Vec<Message> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(f) => Some(Message::decode(f).expect("server frames decode")),
            _ => None,
        })
        .collect()
}

fn error_text(effects: &[Effect]) -> String {
    match sent(effects).as_slice() {
        [Message::Error { message, .. }] => {
            assert!(matches!(effects.last(), Some(Effect::Close { error: Some(_) })), "error then close");
            message.clone()
        }
        other => panic!("expected one error message, got {other:?}"),
    }
}

#[test]
fn join_is_answered_with_peer_carrying_storage_id() {
    let mut c = conn();
    let effects = c.on_frame(&join("phone"));
    assert_eq!(
        sent(&effects),
        vec![Message::Peer {
            sender: PeerId("server".into()),
            target: PeerId("phone".into()),
            selected_version: "1".into(),
            metadata: Some(PeerMetadata { storage_id: Some("storage-1".into()), is_ephemeral: false }),
        }]
    );
    assert_eq!(c.peer(), Some(&PeerId("phone".into())));
}

#[test]
fn join_without_version_list_is_v1_but_other_versions_are_refused() {
    let mut c = conn();
    let frame = Message::Join { sender: PeerId("p".into()), supported_versions: None, metadata: None }.encode();
    assert!(matches!(sent(&c.on_frame(&frame)).as_slice(), [Message::Peer { .. }]));

    let mut c = conn();
    let frame =
        Message::Join { sender: PeerId("p".into()), supported_versions: Some(vec!["2".into()]), metadata: None }
            .encode();
    assert!(error_text(&c.on_frame(&frame)).contains("unsupported protocol version"));
    assert!(c.is_closed());
}

#[test]
fn anything_before_join_is_an_error() {
    let mut c = conn();
    let doc = DocId::random().to_string();
    let text = error_text(&c.on_frame(&sync("p", &doc, &[0x42])));
    assert_eq!(text, "expected a join message first, got `sync`");
}

#[test]
fn first_sync_for_a_doc_asks_the_hub_then_later_ones_go_straight_through() {
    let mut c = conn();
    c.on_frame(&join("p"));
    let doc = DocId::random();
    let effects = c.on_frame(&sync("p", &doc.to_string(), &[1]));
    assert_eq!(effects, vec![Effect::Open { doc, data: vec![1] }]);
    assert!(!c.is_open(doc), "nothing remembered until the hub says yes");
    assert_eq!(c.opened(doc, vec![1]), vec![Effect::Sync { doc, data: vec![1] }]);
    assert_eq!(c.on_frame(&sync("p", &doc.to_string(), &[2])), vec![Effect::Sync { doc, data: vec![2] }]);
}

#[test]
fn unowned_and_garbage_doc_ids_get_doc_unavailable() {
    let mut c = conn();
    c.on_frame(&join("p"));
    let doc = DocId::random();
    let reply = sent(&c.unavailable(doc));
    assert_eq!(
        reply,
        vec![Message::DocUnavailable {
            sender: PeerId("server".into()),
            target: PeerId("p".into()),
            document_id: doc.to_string()
        }]
    );
    assert!(!c.is_open(doc));

    let reply = sent(&c.on_frame(&sync("p", "not-a-doc-id", &[1])));
    assert!(matches!(reply.as_slice(), [Message::DocUnavailable { document_id, .. }] if document_id == "not-a-doc-id"));
    assert!(!c.is_closed());
}

#[test]
fn a_different_sender_id_after_join_closes_the_connection() {
    let mut c = conn();
    c.on_frame(&join("phone"));
    let text = error_text(&c.on_frame(&sync("someone-else", &DocId::random().to_string(), &[1])));
    assert_eq!(text, "senderId `someone-else` does not match the peer id `phone` this connection joined with");
    assert!(c.is_closed());
    assert!(c.on_frame(&sync("phone", &DocId::random().to_string(), &[1])).is_empty(), "closed stays closed");
}

#[test]
fn oversize_non_cbor_and_unknown_frames_are_errors() {
    let mut c = conn();
    c.on_frame(&join("p"));
    assert_eq!(error_text(&c.on_frame(&[0u8; 1025])), "message of 1025 bytes exceeds the limit of 1024 bytes");

    let mut c = conn();
    c.on_frame(&join("p"));
    assert!(error_text(&c.on_frame(b"\xff\xfe\xfd")).starts_with("message is not valid CBOR"));

    let mut c = conn();
    c.on_frame(&join("p"));
    let mut frame = Vec::new();
    let v = ciborium::Value::Map(vec![(ciborium::Value::Text("type".into()), ciborium::Value::Text("warp".into()))]);
    ciborium::into_writer(&v, &mut frame).expect("encodes");
    assert_eq!(error_text(&c.on_frame(&frame)), "unknown message type `warp`");
}

#[test]
fn ephemeral_is_forwarded_only_for_open_docs_and_not_echoed() {
    let mut c = conn();
    c.on_frame(&join("p"));
    let doc = DocId::random();
    let frame = Message::Ephemeral {
        sender: PeerId("p".into()),
        target: PeerId("server".into()),
        count: 1,
        session_id: "s".into(),
        document_id: doc.to_string(),
        data: vec![5],
    }
    .encode();
    assert!(c.on_frame(&frame).is_empty(), "not open yet");
    c.opened(doc, vec![]);
    let effects = c.on_frame(&frame);
    let [Effect::Forward(e)] = effects.as_slice() else { panic!("expected forward, got {effects:?}") };
    assert!(c.ephemeral_frame(e.clone()).is_none(), "never echoed to its sender");

    let mut other = conn();
    other.on_frame(&join("laptop"));
    assert!(other.ephemeral_frame(e.clone()).is_none(), "laptop hasn't opened the doc");
    other.opened(doc, vec![]);
    let frame = other.ephemeral_frame(e.clone()).expect("forwarded");
    assert!(matches!(Message::decode(&frame), Ok(Message::Ephemeral { target, .. }) if target.0 == "laptop"));
}

#[test]
fn leave_closes_politely_and_gossip_is_ignored() {
    let mut c = conn();
    c.on_frame(&join("p"));
    let gossip = Message::Ignored { kind: "remote-heads-changed".into(), sender: Some(PeerId("p".into())) };
    assert!(c.on_frame(&gossip.encode()).is_empty());
    let effects = c.on_frame(&Message::Leave { sender: PeerId("p".into()) }.encode());
    assert_eq!(effects, vec![Effect::Close { error: None }]);
}
