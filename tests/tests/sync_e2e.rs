//! WebSocket sync end to end: real `kith` servers on 127.0.0.1:0 (in-process, and a child
//! process for kill -9), Rust devices speaking automerge-repo protocol v1.

use std::collections::HashSet;

use automerge::sync as am_sync;
use automerge::ReadDoc;
use kith_tests::client::{contact_names, open_socket, Device, Event};
use kith_tests::{unique_email, TestServer};
use sync_server::sync::messages::{Message, PeerId};

use kith_tests::process::{create_account, KithProcess};

const PASSWORD: &str = "correct horse battery staple";

#[tokio::test]
async fn phone_and_laptop_edit_offline_then_converge_and_a_new_device_gets_everything() -> anyhow::Result<()> {
    let server = TestServer::start().await?;
    let email = unique_email("converge");
    let (phone_token, doc) = server.signup(&email, PASSWORD).await?;
    let (laptop_token, _) = server.login(&email, PASSWORD).await?;
    let url = server.ws_url("/sync");

    let mut phone = Device::new(&doc);
    phone.connect(&url, &phone_token).await?;
    phone.sync().await?;
    let mut laptop = Device::new(&doc);
    laptop.connect(&url, &laptop_token).await?;
    laptop.sync().await?;
    assert_eq!(phone.heads(), laptop.heads());
    assert_eq!(phone.server_storage_id, laptop.server_storage_id);
    assert_eq!(phone.server_is_ephemeral, Some(false));

    // Both go offline and edit.
    phone.disconnect();
    laptop.disconnect();
    phone.add_contact("Ada Lovelace")?;
    phone.add_contact("Grace Hopper")?;
    laptop.add_contact("Linus Torvalds")?;
    phone.put("motto", "from the phone");
    laptop.put("motto", "from the laptop");

    phone.connect(&url, &phone_token).await?;
    laptop.connect(&url, &laptop_token).await?;
    phone.sync().await?;
    laptop.sync().await?;
    // The phone hears about the laptop's edits without asking again: live fan-out.
    phone.wait_until("the laptop's contact", |d| contact_names(d).contains(&"Linus Torvalds".to_string())).await?;

    let everyone = vec!["Ada Lovelace".to_string(), "Grace Hopper".into(), "Linus Torvalds".into()];
    assert_eq!(phone.contact_names(), everyone);
    assert_eq!(laptop.contact_names(), everyone);
    assert_eq!(phone.heads(), laptop.heads());
    assert_eq!(phone.get("motto"), laptop.get("motto"), "concurrent writes resolve the same way everywhere");

    let (third_token, _) = server.login(&email, PASSWORD).await?;
    let mut third = Device::new(&doc);
    third.connect(&url, &third_token).await?;
    third.sync().await?;
    assert_eq!(third.contact_names(), everyone);
    assert_eq!(third.heads(), phone.heads());
    Ok(())
}

#[tokio::test]
async fn a_change_reaches_the_other_connected_device_immediately() -> anyhow::Result<()> {
    let server = TestServer::start().await?;
    let email = unique_email("live");
    let (token, doc) = server.signup(&email, PASSWORD).await?;
    let url = server.ws_url("/sync");
    let mut phone = Device::new(&doc);
    phone.connect(&url, &token).await?;
    phone.sync().await?;
    let mut laptop = Device::new(&doc);
    laptop.connect(&url, &token).await?;
    laptop.sync().await?;
    let mut changes = server.state.hub.subscribe_changes();

    for name in ["One", "Two", "Three"] {
        phone.add_contact(name)?;
        // Until the server has it: the sync protocol may need a round trip before it sends a
        // change (a Bloom-filter false positive, or a reply this device has not read yet), and
        // a device that only pushes never reads that reply: 4 of 200 runs hung that way.
        phone.sync().await?;
        laptop.wait_until(name, |d| contact_names(d).contains(&name.to_string())).await?;
    }
    assert!(changes.recv().await.is_ok(), "reminders hear about accepted changes");
    Ok(())
}

#[tokio::test]
async fn another_user_can_neither_read_nor_write_the_document() -> anyhow::Result<()> {
    let server = TestServer::start().await?;
    let url = server.ws_url("/sync");
    let (a_token, a_doc) = server.signup(&unique_email("alice"), PASSWORD).await?;
    let (b_token, b_doc) = server.signup(&unique_email("bob"), PASSWORD).await?;
    let mut alice = Device::new(&a_doc);
    alice.connect(&url, &a_token).await?;
    // Edits always start from the server's document (a device that edits an empty document
    // first would create a rival `contacts` map).
    alice.sync().await?;
    alice.add_contact("Secret Friend")?;
    alice.sync().await?;

    // Bob asks for Alice's document by id: doc-unavailable, no data.
    let mut bob = Device::new(&a_doc);
    bob.connect(&url, &b_token).await?;
    assert_eq!(bob.sync_or_event().await?, Some(Event::Unavailable(a_doc.clone())));
    assert!(bob.contact_names().is_empty());

    // Bob pushes changes into Alice's document id: refused the same way, nothing stored.
    let mut forger = Device::new(&a_doc);
    forger.doc = alice.doc.fork();
    forger.add_contact("Mallory")?;
    forger.connect(&url, &b_token).await?;
    assert_eq!(forger.sync_or_event().await?, Some(Event::Unavailable(a_doc.clone())));
    let names = server.state.hub.read_doc(a_doc.parse()?, contact_names).await?;
    assert_eq!(names, vec!["Secret Friend".to_string()]);

    // The same connection still syncs Bob's own document.
    forger.doc_id = b_doc.clone();
    forger.doc = automerge::Automerge::new();
    forger.sync().await?;

    // A forged senderId (Alice's device's peer id) on Bob's connection closes it.
    let forged = Message::Sync {
        sender: PeerId(alice.peer_id.clone()),
        target: PeerId("server".into()),
        document_id: a_doc.clone(),
        data: vec![0x42],
    };
    forger.send(&forged).await?;
    match forger.next_event().await? {
        Event::Error(text) => assert!(text.contains("does not match the peer id"), "{text}"),
        other => panic!("expected an error, got {other:?}"),
    }
    assert_eq!(forger.next_event().await?, Event::Closed);

    // Alice's token after logout opens nothing.
    let logout = server
        .http()
        .delete(server.url("/api/v1/sessions/current"))
        .bearer_auth(&a_token)
        .send()
        .await?;
    assert!(logout.status().is_success());
    let refused = open_socket(&url, &a_token).await.expect_err("logged-out token");
    assert!(refused.to_string().contains("401"), "{refused}");
    let no_token = tokio_tungstenite::connect_async(url.as_str()).await.expect_err("no token");
    assert!(no_token.to_string().contains("401"), "{no_token}");
    let bad_query = tokio_tungstenite::connect_async(format!("{url}?token=not-a-token")).await.expect_err("bad token");
    assert!(bad_query.to_string().contains("401"), "{bad_query}");
    // The browser form (?token=) works with a live token.
    let (socket, _) = tokio_tungstenite::connect_async(format!("{url}?token={b_token}")).await?;
    let mut by_query = Device::new(&b_doc);
    by_query.connect_over(socket).await?;
    by_query.sync().await?;
    Ok(())
}

#[tokio::test]
async fn every_announced_change_survives_a_restart() -> anyhow::Result<()> {
    let server = TestServer::start().await?;
    let email = unique_email("restart");
    let (token, doc) = server.signup(&email, PASSWORD).await?;
    let mut phone = Device::new(&doc);
    phone.connect(&server.ws_url("/sync"), &token).await?;
    phone.sync().await?;
    for i in 0..12 {
        phone.add_contact(&format!("Contact {i:02}"))?;
        phone.sync().await?;
    }
    let announced = phone.server_heads().cloned().expect("server sent heads");
    phone.disconnect();

    let server = server.restart().await?;
    let mut fresh = Device::new(&doc);
    fresh.connect(&server.ws_url("/sync"), &token).await?;
    fresh.sync().await?;
    assert_eq!(fresh.heads(), announced);
    assert_eq!(fresh.contact_names().len(), 12);

    // The old device reconnects and carries on.
    phone.connect(&server.ws_url("/sync"), &token).await?;
    phone.add_contact("After restart")?;
    phone.sync().await?;
    fresh.wait_until("the post-restart contact", |d| contact_names(d).contains(&"After restart".to_string())).await?;
    Ok(())
}

#[tokio::test]
async fn kill_9_during_a_stream_of_edits_loses_nothing_announced() -> anyhow::Result<()> {
    let data = tempfile::tempdir()?;
    let database_url = format!("sqlite://{}", data.path().join("kith.db").display());
    let kith = KithProcess::start(&database_url).await?;
    let (token, doc) = create_account(&kith.base_url, &unique_email("kill9"), PASSWORD).await?;
    let ws_url = |k: &KithProcess| format!("{}/sync", k.base_url.replacen("http://", "ws://", 1));
    let mut phone = Device::new(&doc);
    phone.connect(&ws_url(&kith), &token).await?;
    phone.sync().await?;

    // Edits stream out without waiting for acknowledgements; acks arrive as they come.
    let mut kith = Some(kith);
    let mut acked = 0;
    for i in 0..40 {
        phone.add_contact(&format!("Streamed {i:02}"))?;
        phone.push().await?;
        if i % 3 == 0 && phone.sync().await.is_ok() {
            acked += 1;
        }
        if i == 30 {
            if let Some(k) = kith.take() {
                k.kill().await?;
            }
            break;
        }
    }
    // Take in whatever the server managed to send before it died.
    while phone.is_connected() {
        if phone.next_event().await? == Event::Closed {
            break;
        }
    }
    let announced = phone.server_heads().cloned().expect("server sent heads");
    assert!(acked > 5, "the stream was acknowledged along the way");

    let kith = KithProcess::start(&database_url).await?;
    let mut fresh = Device::new(&doc);
    fresh.connect(&ws_url(&kith), &token).await?;
    fresh.sync().await?;
    for head in &announced {
        assert!(fresh.doc.get_change_by_hash(head).is_some(), "announced change {head} lost");
    }
    let names: HashSet<String> = fresh.contact_names().into_iter().collect();
    assert!(names.len() >= 28, "only {} contacts survived", names.len());
    Ok(())
}

/// A user's connection that misbehaves gets an `error` saying why and is closed; their
/// document stays intact and another user keeps syncing throughout.
#[tokio::test]
async fn each_bad_input_gets_an_error_and_nobody_else_notices() -> anyhow::Result<()> {
    const MAX_MESSAGE: usize = 256 * 1024;
    const MAX_DOC: usize = 64 * 1024;
    let server = TestServer::start_with(|c| {
        c.max_message_bytes = MAX_MESSAGE;
        c.max_doc_bytes = MAX_DOC;
    })
    .await?;
    let url = server.ws_url("/sync");
    let (token, doc) = server.signup(&unique_email("mallory"), PASSWORD).await?;
    let (other_token, other_doc) = server.signup(&unique_email("bystander"), PASSWORD).await?;
    let mut bystander = Device::new(&other_doc);
    bystander.connect(&url, &other_token).await?;
    bystander.sync().await?;
    let mut owner = Device::new(&doc);
    owner.connect(&url, &token).await?;
    owner.sync().await?;
    owner.add_contact("Keep Me")?;
    owner.sync().await?;

    let garbage_change = am_sync::Message {
        heads: vec![],
        need: vec![],
        have: vec![],
        changes: vec![vec![0x85, 0x6f, 0x4a, 0x83, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3]].into(),
        flags: None,
        version: am_sync::MessageVersion::V1,
    }
    .encode();
    let unknown = {
        let mut out = Vec::new();
        let value = ciborium::Value::Map(vec![
            (ciborium::Value::Text("type".into()), ciborium::Value::Text("teleport".into())),
            (ciborium::Value::Text("senderId".into()), ciborium::Value::Text("x".into())),
        ]);
        ciborium::into_writer(&value, &mut out)?;
        out
    };
    enum Bad {
        Frame(Vec<u8>),
        SyncData(Vec<u8>),
        HugeContact,
    }
    let cases: Vec<(&str, Bad, &str)> = vec![
        ("non-CBOR", Bad::Frame(b"\xff\xfe this is not cbor".to_vec()), "not valid CBOR"),
        ("unknown type", Bad::Frame(unknown), "unknown message type `teleport`"),
        ("oversize frame", Bad::Frame(vec![0xa0; MAX_MESSAGE + 1]), "exceeds the limit"),
        ("far oversize frame", Bad::Frame(vec![0xa0; MAX_MESSAGE * 3]), "exceeds the limit"),
        ("malformed sync message", Bad::SyncData(b"not automerge".to_vec()), "malformed sync message"),
        ("bad change", Bad::SyncData(garbage_change), "change could not be applied"),
        ("quota", Bad::HugeContact, "limit of 65536 bytes"),
    ];
    for (name, bad, expected) in cases {
        let mut mallory = Device::new(&doc);
        mallory.connect(&url, &token).await?;
        mallory.sync().await?;
        let event = match bad {
            Bad::Frame(frame) => {
                mallory.send_raw(frame).await?;
                mallory.next_event().await?
            }
            Bad::SyncData(data) => {
                let m = mallory.sync_message(data);
                mallory.send(&m).await?;
                mallory.next_event().await?
            }
            Bad::HugeContact => {
                let id = mallory.add_contact("Huge")?;
                let blob: String = (0..3000).map(|_| uuid::Uuid::new_v4().simple().to_string()).collect();
                let patch = crdt_model::ContactPatch { how_we_met: Some(blob), ..Default::default() };
                crdt_model::update_contact(&mut mallory.doc, id, patch, chrono::Utc::now())?;
                mallory.sync_or_event().await?.unwrap_or(Event::Closed)
            }
        };
        match event {
            Event::Error(text) => assert!(text.contains(expected), "{name}: error {text:?} should mention {expected:?}"),
            other => panic!("{name}: expected an error message, got {other:?}"),
        }
        assert_eq!(mallory.next_event().await?, Event::Closed, "{name}: closed after the error");

        // Others keep syncing, and the document is intact and still writable.
        bystander.add_contact(&format!("after {name}"))?;
        bystander.sync().await?;
        let mut check = Device::new(&doc);
        check.connect(&url, &token).await?;
        check.sync().await?;
        assert_eq!(check.contact_names(), vec!["Keep Me".to_string()], "{name}: document intact");
    }
    owner.add_contact("Still Writable")?;
    owner.sync().await?;
    assert_eq!(bystander.contact_names().len(), 7);
    Ok(())
}
