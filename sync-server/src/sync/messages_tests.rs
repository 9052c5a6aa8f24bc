use super::*;

fn cbor(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).expect("test value encodes");
    out
}

fn map(entries: &[(&str, Value)]) -> Value {
    Value::Map(entries.iter().map(|(k, v)| (text(k), v.clone())).collect())
}

#[test]
fn decodes_a_join_as_the_js_client_sends_it() {
    // cbor-x writes `undefined` for an unset storageId.
    let frame = cbor(&map(&[
        ("type", text("join")),
        ("senderId", text("peer-abc")),
        ("peerMetadata", map(&[("storageId", Value::Null), ("isEphemeral", Value::Bool(true))])),
        ("supportedProtocolVersions", Value::Array(vec![text("1")])),
    ]));
    assert_eq!(
        Message::decode(&frame),
        Ok(Message::Join {
            sender: PeerId("peer-abc".into()),
            supported_versions: Some(vec!["1".into()]),
            metadata: Some(PeerMetadata { storage_id: None, is_ephemeral: true }),
        })
    );
}

#[test]
fn every_message_round_trips() {
    let a = PeerId("a".into());
    let b = PeerId("b".into());
    let messages = vec![
        Message::Join {
            sender: a.clone(),
            supported_versions: Some(vec!["1".into()]),
            metadata: Some(PeerMetadata { storage_id: Some("s".into()), is_ephemeral: false }),
        },
        Message::Peer {
            sender: b.clone(),
            target: a.clone(),
            selected_version: "1".into(),
            metadata: Some(PeerMetadata { storage_id: Some("srv".into()), is_ephemeral: false }),
        },
        Message::Leave { sender: a.clone() },
        Message::Request { sender: a.clone(), target: b.clone(), document_id: "d".into(), data: vec![0x42, 1] },
        Message::Sync { sender: a.clone(), target: b.clone(), document_id: "d".into(), data: vec![0x42] },
        Message::DocUnavailable { sender: b.clone(), target: a.clone(), document_id: "d".into() },
        Message::Ephemeral {
            sender: a.clone(),
            target: b.clone(),
            count: 7,
            session_id: "sess".into(),
            document_id: "d".into(),
            data: vec![1, 2, 3],
        },
        Message::Error { message: "bad".into(), sender: Some(b.clone()), target: Some(a.clone()) },
    ];
    for m in messages {
        assert_eq!(Message::decode(&m.encode()), Ok(m.clone()), "{}", m.kind());
    }
}

#[test]
fn peer_message_carries_the_fields_the_js_client_reads() {
    let frame = Message::Peer {
        sender: PeerId("srv".into()),
        target: PeerId("c".into()),
        selected_version: PROTOCOL_V1.into(),
        metadata: Some(PeerMetadata { storage_id: Some("st".into()), is_ephemeral: false }),
    }
    .encode();
    let value: Value = ciborium::from_reader(frame.as_slice()).expect("valid cbor");
    let Value::Map(entries) = value else { panic!("not a map") };
    let get = |k: &str| entries.iter().find(|(key, _)| key == &text(k)).map(|(_, v)| v.clone());
    assert_eq!(get("selectedProtocolVersion"), Some(text("1")));
    assert_eq!(get("targetId"), Some(text("c")));
    let Some(Value::Map(meta)) = get("peerMetadata") else { panic!("no peerMetadata") };
    assert!(meta.contains(&(text("storageId"), text("st"))));
    assert!(meta.contains(&(text("isEphemeral"), Value::Bool(false))));
}

#[test]
fn gossip_messages_are_ignored_not_rejected() {
    let frame = cbor(&map(&[
        ("type", text("remote-subscription-change")),
        ("senderId", text("a")),
        ("targetId", text("b")),
        ("add", Value::Array(vec![])),
    ]));
    assert_eq!(
        Message::decode(&frame),
        Ok(Message::Ignored { kind: "remote-subscription-change".into(), sender: Some(PeerId("a".into())) })
    );
}

#[test]
fn bad_frames_get_errors_that_say_what_is_wrong() {
    let err = Message::decode(b"\xff\x00garbage").expect_err("not cbor");
    assert!(matches!(err, DecodeError::NotCbor(_)), "{err}");

    let err = Message::decode(&cbor(&Value::Array(vec![]))).expect_err("array");
    assert_eq!(err, DecodeError::NotAMap);

    let err = Message::decode(&cbor(&map(&[("senderId", text("a"))]))).expect_err("no type");
    assert_eq!(err, DecodeError::NoType);

    let err = Message::decode(&cbor(&map(&[("type", text("teleport"))]))).expect_err("unknown");
    assert_eq!(err.to_string(), "unknown message type `teleport`");

    let err = Message::decode(&cbor(&map(&[
        ("type", text("sync")),
        ("senderId", text("a")),
        ("targetId", text("b")),
        ("data", Value::Bytes(vec![1])),
    ])))
    .expect_err("missing documentId");
    assert_eq!(err.to_string(), "`sync` message is missing field `documentId`");

    let err = Message::decode(&cbor(&map(&[
        ("type", text("sync")),
        ("senderId", text("a")),
        ("targetId", text("b")),
        ("documentId", text("d")),
        ("data", text("not bytes")),
    ])))
    .expect_err("wrong data type");
    assert_eq!(err.to_string(), "`sync` message field `data` should be a byte string");
}

#[test]
fn accepts_tagged_uint8_arrays() {
    let frame = cbor(&map(&[
        ("type", text("sync")),
        ("senderId", text("a")),
        ("targetId", text("b")),
        ("documentId", text("d")),
        ("data", Value::Tag(64, Box::new(Value::Bytes(vec![9])))),
    ]));
    let Ok(Message::Sync { data, .. }) = Message::decode(&frame) else { panic!("should decode") };
    assert_eq!(data, vec![9]);
}
