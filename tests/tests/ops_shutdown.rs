//! Graceful shutdown of the real binary: `kith serve` as a child process gets SIGTERM while a
//! device streams edits. The device's socket gets a close frame ("going away"), the process
//! exits 0 within `KITH_SHUTDOWN_SECS`, and after a restart on the same database every edit
//! the server had acknowledged is there.

use std::collections::HashMap;
use std::time::Duration;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ChangeHash, ReadDoc, ROOT};
use kith_tests::device::{Device, Incoming};
use kith_tests::process::{create_account, KithProcess};
use kith_tests::unique_email;

const PASSWORD: &str = "correct horse battery staple";
const SHUTDOWN_SECS: u64 = 10;

/// One edit: a key of its own, committed as its own change.
fn edit(device: &mut Device, i: usize) -> (String, ChangeHash) {
    let key = format!("edit-{i}");
    device.doc.put(ROOT, key.as_str(), i as i64).expect("put");
    let hash = device.doc.commit().expect("a change");
    (key, hash)
}

#[tokio::test]
async fn sigterm_during_an_edit_stream_closes_sockets_exits_zero_and_keeps_every_acknowledged_edit() {
    let db_dir = tempfile::tempdir().expect("dir");
    let db = format!("sqlite://{}", db_dir.path().join("kith.db").display());
    let secs = SHUTDOWN_SECS.to_string();
    let mut kith = KithProcess::start_with(&db, &[("KITH_SHUTDOWN_SECS", secs.as_str())]).await.expect("start kith");
    let (token, doc_id) = create_account(&kith.base_url, &unique_email("sigterm"), PASSWORD).await.expect("signup");
    let mut device = Device::connect(&kith.sync_url(&token), &doc_id, AutoCommit::new(), false).await.expect("connect");
    device.until(Duration::from_secs(10), Device::in_sync).await.expect("loads");

    // A few edits acknowledged one by one, so the check after the restart is never vacuous.
    let mut edits: HashMap<String, ChangeHash> = HashMap::new();
    for i in 0..5 {
        let (key, hash) = edit(&mut device, i);
        edits.insert(key, hash);
        device.send_sync(false).await.expect("send");
        device.until(Duration::from_secs(10), Device::in_sync).await.expect("acknowledged");
    }

    // Then a stream: an edit every few milliseconds, answers read as they come; SIGTERM lands
    // in the middle of it, with edits in flight.
    let mut tick = tokio::time::interval(Duration::from_millis(5));
    let mut signalled = false;
    let mut next = 5;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let (code, reason) = loop {
        tokio::select! {
            _ = tick.tick() => {
                let (key, hash) = edit(&mut device, next);
                edits.insert(key, hash);
                next += 1;
                // Once the server is going away a send may fail; the close frame still comes.
                let sent = device.send_sync(false).await;
                assert!(sent.is_ok() || signalled, "send failed before SIGTERM: {sent:?}");
                if next == 25 {
                    kith.signal_term().await.expect("SIGTERM");
                    signalled = true;
                }
            }
            incoming = device.next_or_close() => match incoming.expect("read") {
                Incoming::Message(msg) => {
                    // Answering may fail once the server has started closing.
                    let _ = device.handle(msg).await;
                }
                Incoming::Close { code, reason } => break (code, reason),
                Incoming::Ended => panic!("the connection ended without a close frame"),
            },
            () = tokio::time::sleep_until(deadline) => panic!("no close frame within 30 s of streaming"),
        }
    };
    assert!(signalled, "the server closed the socket before SIGTERM: {code} {reason}");
    assert_eq!(code, 1001, "going away, reconnect later (reason: {reason})");

    // The server enforces KITH_SHUTDOWN_SECS itself and exits non-zero past it; the extra
    // seconds here only absorb a loaded machine's process teardown.
    let status = kith.wait_exit(Duration::from_secs(SHUTDOWN_SECS + 5)).await.expect("exits");
    assert!(status.success(), "kith exited with {status}");

    // What the server acknowledged: everything not newer than the heads it last announced.
    let server_heads = device.server_heads().expect("the server announced heads");
    let unacknowledged: Vec<ChangeHash> = device.doc.get_changes(&server_heads).iter().map(|c| c.hash()).collect();
    let acknowledged: Vec<&String> =
        edits.iter().filter(|(_, hash)| !unacknowledged.contains(hash)).map(|(key, _)| key).collect();
    assert!(acknowledged.len() >= 5, "only {} edits acknowledged", acknowledged.len());
    eprintln!("{} edits made, {} acknowledged before the close", edits.len(), acknowledged.len());

    let restarted = KithProcess::start(&db).await.expect("restart on the same database");
    let mut fresh = Device::connect(&restarted.sync_url(&token), &doc_id, AutoCommit::new(), false)
        .await
        .expect("the session survives a restart");
    fresh.until(Duration::from_secs(10), Device::in_sync).await.expect("loads");
    for key in &acknowledged {
        assert!(fresh.doc.get(ROOT, key.as_str()).expect("get").is_some(), "{key} was acknowledged but is gone");
    }
}
