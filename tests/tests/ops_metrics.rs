//! `GET /metrics` parses as Prometheus text and its counters move with traffic.

use kith_tests::eventually::Probe;
use kith_tests::{unique_email, TestServer};
use prometheus_parse::{Scrape, Value};

const PASSWORD: &str = "correct horse battery staple";

async fn scrape(server: &TestServer) -> Scrape {
    let response = server.http().get(server.url("/metrics")).send().await.expect("metrics");
    assert_eq!(response.status(), 200);
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(content_type.starts_with("text/plain; version=0.0.4"), "{content_type}");
    let text = response.text().await.expect("body");
    Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).expect("valid Prometheus text format")
}

/// The value of `name` whose labels include all of `labels`, if any.
fn value(scrape: &Scrape, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == name)
        .find(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match &s.value {
            Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => *v,
            Value::Histogram(buckets) => buckets.last().map_or(0.0, |b| b.count),
            Value::Summary(_) => f64::NAN,
        })
}

#[tokio::test]
async fn metrics_parse_and_count_requests_by_route_and_status() {
    let server = TestServer::start().await.expect("server");
    let before = scrape(&server).await;
    assert_eq!(value(&before, "kith_connected_devices", &[]), Some(0.0));
    assert_eq!(value(&before, "kith_nudges_pending", &[]), Some(0.0));
    assert_eq!(value(&before, "kith_sync_messages_in_total", &[]), Some(0.0));
    assert_eq!(value(&before, "kith_accounts_created_total", &[]), Some(0.0));

    let email = unique_email("metrics");
    let (token, _) = server.signup(&email, PASSWORD).await.expect("signup");
    for _ in 0..3 {
        let me = server.http().get(server.url("/api/v1/me")).bearer_auth(&token).send().await.expect("me");
        assert_eq!(me.status(), 200);
    }
    let denied = server.http().get(server.url("/api/v1/devices")).send().await.expect("devices");
    assert_eq!(denied.status(), 401);
    // a raw id in the path is counted under its route pattern, never as itself
    let gone = server
        .http()
        .delete(server.url(&format!("/api/v1/devices/{}", uuid::Uuid::new_v4())))
        .bearer_auth(&token)
        .send()
        .await
        .expect("delete");
    assert_eq!(gone.status(), 404);

    let after = scrape(&server).await;
    let requests = "kith_http_requests_total";
    assert_eq!(value(&after, requests, &[("route", "/api/v1/accounts"), ("status", "201")]), Some(1.0));
    assert_eq!(value(&after, requests, &[("route", "/api/v1/me"), ("method", "GET"), ("status", "200")]), Some(3.0));
    assert_eq!(value(&after, requests, &[("route", "/api/v1/devices"), ("status", "401")]), Some(1.0));
    assert_eq!(value(&after, requests, &[("route", "/api/v1/devices/:id"), ("method", "DELETE"), ("status", "404")]), Some(1.0));
    assert_eq!(value(&after, "kith_accounts_created_total", &[]), Some(1.0));
    // latency histogram: every /me request is in the +Inf bucket
    let histogram = after
        .samples
        .iter()
        .find(|s| s.metric == "kith_http_request_duration_seconds" && s.labels.get("route") == Some("/api/v1/me"))
        .expect("latency histogram for /api/v1/me");
    let Value::Histogram(buckets) = &histogram.value else { panic!("not a histogram: {:?}", histogram.value) };
    assert!(buckets.windows(2).all(|w| w[0].count <= w[1].count), "cumulative buckets");
    assert_eq!(buckets.last().map(|b| b.count), Some(3.0));
    assert!(!after.samples.iter().any(|s| s.labels.values().any(|v| v.contains(&token))), "no token in labels");
}

/// Polls `/metrics` until `done` holds for the scrape (the server counts a frame after it has
/// been written, so a client can see the frame a moment before the counter moves).
async fn eventually(server: &TestServer, what: &str, done: impl Fn(&Scrape) -> bool) -> Scrape {
    kith_tests::eventually::eventually(what, std::time::Duration::from_secs(10), || async {
        let now = scrape(server).await;
        Ok(if done(&now) { Probe::Done(now) } else { Probe::NotYet(format!("{:?}", now.samples)) })
    })
    .await
    .expect("metrics condition")
}

fn counter(scrape: &Scrape, name: &str) -> f64 {
    value(scrape, name, &[]).unwrap_or_else(|| panic!("{name} missing"))
}

#[tokio::test]
async fn sync_counters_move_with_every_frame_and_every_durable_write() {
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ROOT};
    use kith_tests::device::Device;

    let server = TestServer::start().await.expect("server");
    let (token, doc_id) = server.signup(&unique_email("msync"), PASSWORD).await.expect("signup");
    let start = scrape(&server).await;
    assert_eq!(counter(&start, "kith_sync_messages_in_total"), 0.0);
    assert_eq!(counter(&start, "kith_sync_messages_out_total"), 0.0);
    // the new user's document was written at signup
    let signup_bytes = counter(&start, "kith_persisted_bytes_total");
    assert!(signup_bytes > 0.0, "signup persisted nothing");

    let url = server.ws_url(&format!("/sync?token={token}"));
    let mut phone = Device::connect(&url, &doc_id, AutoCommit::new(), false).await.expect("phone");
    phone.until(std::time::Duration::from_secs(10), Device::in_sync).await.expect("phone loads");
    let mut laptop = Device::connect(&url, &doc_id, AutoCommit::new(), false).await.expect("laptop");
    laptop.until(std::time::Duration::from_secs(10), Device::in_sync).await.expect("laptop loads");
    // join + request per device in; peer + sync per device out; reading changes nothing durable
    let loaded = eventually(&server, "handshakes counted", |s| {
        counter(s, "kith_sync_messages_in_total") >= 4.0 && counter(s, "kith_sync_messages_out_total") >= 4.0
    })
    .await;
    assert_eq!(counter(&loaded, "kith_persisted_bytes_total"), signup_bytes, "loading wrote nothing");

    // one edit on the phone: persisted, acknowledged, and fanned out to the laptop
    phone.doc.put(ROOT, "counted", "yes").expect("edit");
    let edit = phone.doc.get_last_local_change().expect("a change").raw_bytes().len() as f64;
    phone.send_sync(false).await.expect("send");
    phone.until(std::time::Duration::from_secs(10), Device::in_sync).await.expect("acknowledged");
    let hash = phone.doc.get_heads()[0];
    laptop.until(std::time::Duration::from_secs(10), |d| d.has_change(&hash)).await.expect("fanned out");
    let (in_before, out_before) =
        (counter(&loaded, "kith_sync_messages_in_total"), counter(&loaded, "kith_sync_messages_out_total"));
    let after = eventually(&server, "the edit's frames counted", |s| {
        counter(s, "kith_sync_messages_in_total") > in_before
            && counter(s, "kith_sync_messages_out_total") >= out_before + 2.0
    })
    .await;
    let persisted = counter(&after, "kith_persisted_bytes_total") - signup_bytes;
    assert!(persisted >= edit, "persisted {persisted} bytes for a change of {edit} bytes");
}
