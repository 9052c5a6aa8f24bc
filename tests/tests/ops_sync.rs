//! Devices and sync sockets: signing a device out (or changing the password) closes its open
//! WebSocket at once; metrics move when a device syncs; a backup taken while a device streams
//! edits restores with every change the server had acknowledged.

use std::process::Command;
use std::time::Duration;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ReadDoc, ROOT};
use kith_tests::device::Device;
use kith_tests::eventually::{eventually, Probe};
use kith_tests::{unique_email, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "correct horse battery staple";

fn sync_url(server: &TestServer, token: &str) -> String {
    server.ws_url(&format!("/sync?token={token}"))
}

async fn connect(server: &TestServer, token: &str, doc_id: &str) -> Device {
    let mut device = Device::connect(&sync_url(server, token), doc_id, AutoCommit::new(), false).await.expect("connect");
    device.until(Duration::from_secs(10), |d| d.doc.get(ROOT, "schema").ok().flatten().is_some()).await.expect("loads");
    device
}

/// Edits once and waits until the server acknowledged it (its heads include the change).
async fn edit_and_wait(device: &mut Device, key: &str) -> anyhow::Result<()> {
    device.doc.put(ROOT, key, key)?;
    device.send_sync(false).await?;
    device.until(Duration::from_secs(10), |d| d.in_sync()).await
}

async fn me_status(server: &TestServer, token: &str) -> StatusCode {
    server.http().get(server.url("/api/v1/me")).bearer_auth(token).send().await.expect("me").status()
}

/// Waits until the server closes the socket; fails after `limit`.
async fn closed_within(device: &mut Device, limit: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, device.next()).await {
            Err(_) => return false,
            Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
        }
    }
}

#[tokio::test]
async fn a_signed_out_device_loses_its_socket_within_a_second_and_its_token() {
    let server = TestServer::start().await.expect("server");
    let email = unique_email("revoke");
    let (laptop, doc_id) = server.signup(&email, PASSWORD).await.expect("signup");
    let (phone, _) = server.login(&email, PASSWORD).await.expect("login");
    let mut phone_socket = connect(&server, &phone, &doc_id).await;
    let mut laptop_socket = connect(&server, &laptop, &doc_id).await;

    let list: Value = server
        .http()
        .get(server.url("/api/v1/devices"))
        .bearer_auth(&laptop)
        .send()
        .await
        .expect("devices")
        .json()
        .await
        .expect("json");
    let phone_id = list["devices"]
        .as_array()
        .expect("array")
        .iter()
        .find(|d| d["current"] == false)
        .and_then(|d| d["id"].as_str())
        .expect("the phone")
        .to_string();
    let response = server
        .http()
        .delete(server.url(&format!("/api/v1/devices/{phone_id}")))
        .bearer_auth(&laptop)
        .send()
        .await
        .expect("sign out");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    assert!(closed_within(&mut phone_socket, Duration::from_secs(1)).await, "the phone's socket stayed open");
    assert_eq!(me_status(&server, &phone).await, StatusCode::UNAUTHORIZED);
    // reconnecting with the dead token is refused before the upgrade
    assert!(Device::connect(&sync_url(&server, &phone), &doc_id, AutoCommit::new(), false).await.is_err());
    // the laptop is untouched and still syncs
    edit_and_wait(&mut laptop_socket, "after-revoke").await.expect("laptop still syncs");
}

#[tokio::test]
async fn a_password_change_closes_the_other_devices_sockets_but_not_this_one() {
    let server = TestServer::start().await.expect("server");
    let email = unique_email("pwsock");
    let (laptop, doc_id) = server.signup(&email, PASSWORD).await.expect("signup");
    let (phone, _) = server.login(&email, PASSWORD).await.expect("login");
    let mut phone_socket = connect(&server, &phone, &doc_id).await;
    let mut laptop_socket = connect(&server, &laptop, &doc_id).await;
    let response = server
        .http()
        .post(server.url("/api/v1/account/password"))
        .bearer_auth(&laptop)
        .json(&json!({ "current": PASSWORD, "new": "another long password" }))
        .send()
        .await
        .expect("change");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(closed_within(&mut phone_socket, Duration::from_secs(1)).await, "the phone's socket stayed open");
    assert_eq!(me_status(&server, &phone).await, StatusCode::UNAUTHORIZED);
    edit_and_wait(&mut laptop_socket, "still-here").await.expect("the current device keeps syncing");
    assert_eq!(me_status(&server, &laptop).await, StatusCode::OK);
}

fn metric(text: &str, line_start: &str) -> Option<f64> {
    text.lines().find_map(|l| l.strip_prefix(line_start)).and_then(|v| v.trim().parse().ok())
}

#[tokio::test]
async fn metrics_move_when_a_device_syncs() {
    let server = TestServer::start().await.expect("server");
    let (token, doc_id) = server.signup(&unique_email("msync"), PASSWORD).await.expect("signup");
    let scrape = || async {
        let text = server.http().get(server.url("/metrics")).send().await.expect("metrics").text().await.expect("body");
        prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).expect("parses");
        text
    };
    let before = scrape().await;
    assert_eq!(metric(&before, "kith_connected_devices "), Some(0.0));
    let mut device = connect(&server, &token, &doc_id).await;
    edit_and_wait(&mut device, "counted").await.expect("sync");
    let during = scrape().await;
    assert_eq!(metric(&during, "kith_connected_devices "), Some(1.0), "{during}");
    assert!(metric(&during, "kith_documents_in_memory ").is_some_and(|n| n >= 1.0), "{during}");
    assert_eq!(
        metric(&during, "kith_http_requests_total{method=\"GET\",route=\"/sync\",status=\"101\"} "),
        Some(1.0),
        "{during}"
    );
    device.close().await;
    // the gauge falls back once the socket is gone (polled: the server notices the close
    // asynchronously)
    eventually("the connected-devices gauge to fall to 0", Duration::from_secs(5), || async {
        let now = scrape().await;
        Ok(Probe::when(metric(&now, "kith_connected_devices ") == Some(0.0), now))
    })
    .await
    .expect("gauge back to 0");
}

#[tokio::test]
async fn a_backup_taken_while_a_device_streams_edits_restores_every_acknowledged_change() {
    let server = TestServer::start().await.expect("server");
    let email = unique_email("backup");
    let (token, doc_id) = server.signup(&email, PASSWORD).await.expect("signup");
    let mut device = connect(&server, &token, &doc_id).await;
    let backup_dir = tempfile::tempdir().expect("dir");
    let backup_file = backup_dir.path().join("kith-backup.db");
    let data_dir = server.data_dir().to_path_buf();

    // Stream edits; start the backup after a few, and keep streaming while it runs.
    let mut acknowledged_before_backup = 0;
    let mut backup = None;
    for i in 0..200 {
        edit_and_wait(&mut device, &format!("edit-{i}")).await.expect("edit acknowledged");
        if i == 20 {
            acknowledged_before_backup = i + 1;
            let (file, data) = (backup_file.clone(), data_dir.clone());
            backup = Some(tokio::task::spawn_blocking(move || {
                Command::new(env!("CARGO_BIN_EXE_kith_under_test"))
                    .args(["backup", file.to_str().expect("utf8"), "--data-dir", data.to_str().expect("utf8")])
                    .env("RUST_LOG", "warn")
                    .output()
                    .expect("run kith backup")
            }));
        }
        if backup.as_ref().is_some_and(|b| b.is_finished()) && i > 40 {
            break;
        }
    }
    let output = backup.expect("backup started").await.expect("join");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    // Restore into a fresh data dir and serve it.
    let restored = tempfile::tempdir().expect("dir");
    let restored_dir = restored.path().join("data");
    let output = Command::new(env!("CARGO_BIN_EXE_kith_under_test"))
        .args(["restore", backup_file.to_str().expect("utf8"), "--data-dir", restored_dir.to_str().expect("utf8")])
        .env("RUST_LOG", "warn")
        .output()
        .expect("run kith restore");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let db = restored_dir.join("kith.db");
    let second = TestServer::start_with(|c| c.database_url = Some(format!("sqlite://{}", db.display())))
        .await
        .expect("server on the restored data");
    let (token, restored_doc) = second.login(&email, PASSWORD).await.expect("the account is in the backup");
    assert_eq!(restored_doc, doc_id);
    let fresh = connect(&second, &token, &doc_id).await;
    for i in 0..acknowledged_before_backup {
        let key = format!("edit-{i}");
        assert!(fresh.doc.get(ROOT, key.as_str()).expect("get").is_some(), "{key} acknowledged before the backup is missing");
    }
}
