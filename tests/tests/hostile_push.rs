//! Push endpoints under a hostile account (issue 12, finding 11): an endpoint belongs to the
//! user who registered it, and the server never POSTs to a non-public address, neither one
//! in the URL nor one a name resolves to at send time.

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::Utc;
use futures::FutureExt;
use kith_tests::push_service::PushService;
use kith_tests::{unique_email, TestServer};
use reminders::push::{PushClient, PushConfig, PushResult};
use reminders::push_resolver::Lookup;
use reminders::vapid::{VapidKeys, VapidSigner};
use reminders::{EndpointPolicy, PushKeys, PushSubscription};
use serde_json::{json, Value};

const PASSWORD: &str = "a long enough password";

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn another_user_posting_a_registered_endpoint_gets_409_not_the_endpoint() {
    let server = ok(TestServer::start_with(|c| c.reminders.push_allow_http_loopback = true).await);
    let push = ok(PushService::start().await);
    let (alice, _) = ok(server.signup(&unique_email("alice"), PASSWORD).await);
    let (bob, _) = ok(server.signup(&unique_email("bob"), PASSWORD).await);
    let url = server.url("/api/v1/push/subscriptions");
    let sub = push.subscribe();

    let r = ok(server.http().post(&url).bearer_auth(&alice).json(&sub.json()).send().await);
    assert_eq!(r.status().as_u16(), 201);
    let r = ok(server.http().post(&url).bearer_auth(&bob).json(&sub.json()).send().await);
    assert_eq!(r.status().as_u16(), 409);
    let body: Value = ok(r.json().await);
    assert_eq!(body["error"]["code"], "endpoint_taken", "{body}");

    // still alice's: bob can't remove it, alice can re-post it (new keys) and remove it
    let r = ok(server.http().delete(&url).bearer_auth(&bob).json(&json!({"endpoint": sub.endpoint})).send().await);
    assert_eq!(r.status().as_u16(), 404);
    let renewed = push.subscribe();
    let mut again = renewed.json();
    again["endpoint"] = json!(sub.endpoint);
    let r = ok(server.http().post(&url).bearer_auth(&alice).json(&again).send().await);
    assert_eq!(r.status().as_u16(), 201);
    let r = ok(server.http().delete(&url).bearer_auth(&alice).json(&json!({"endpoint": sub.endpoint})).send().await);
    assert_eq!(r.status().as_u16(), 204);
}

#[tokio::test]
async fn endpoints_on_private_and_local_addresses_are_refused_at_registration() {
    let server = ok(TestServer::start().await);
    let push = ok(PushService::start().await);
    let (token, _) = ok(server.signup(&unique_email("ssrf"), PASSWORD).await);
    let url = server.url("/api/v1/push/subscriptions");
    for endpoint in [
        "https://127.0.0.1:8080/api/v1/me",
        "https://10.0.0.1/p",
        "https://192.168.1.1/p",
        "https://169.254.169.254/latest/meta-data",
        "https://100.64.0.1/p",
        "https://0.0.0.0/p",
        "https://[::1]/p",
        "https://[fe80::1]/p",
        "https://[fd00::1]/p",
        "https://[::ffff:127.0.0.1]/p",
        "https://localhost/p",
        "https://metadata.google.internal/p",
        "http://push.example/p",
    ] {
        let mut body = push.subscribe().json();
        body["endpoint"] = json!(endpoint);
        let r = ok(server.http().post(&url).bearer_auth(&token).json(&body).send().await);
        assert_eq!(r.status().as_u16(), 422, "{endpoint}");
        let err: Value = ok(r.json().await);
        assert_eq!(err["error"]["code"], "invalid_subscription", "{endpoint}: {err}");
    }
}

/// A name that passed registration (it looks public) but resolves, at send time, to a
/// loopback address where something listens: the client refuses without connecting.
#[tokio::test]
async fn a_name_resolving_to_a_private_address_at_send_time_is_never_contacted() {
    let listener = ok(tokio::net::TcpListener::bind("127.0.0.1:0").await);
    let target = ok(listener.local_addr());
    let lookup: Lookup = Arc::new(move |_host: String| {
        Box::pin(async move { Ok::<Vec<SocketAddr>, std::io::Error>(vec![target]) })
    });
    let keys = VapidKeys::generate();
    let signer = Arc::new(ok(VapidSigner::new(&keys, "mailto:ops@kith.test")));
    let config = PushConfig { policy: EndpointPolicy::default(), ..PushConfig::default() };
    let client = ok(PushClient::with_lookup(signer, config, lookup));
    let service = ok(PushService::start().await);
    let real = service.subscribe();
    let sub = PushSubscription {
        endpoint: format!("https://push.rebind.example:{}/p/1", target.port()),
        keys: PushKeys { p256dh: real.p256dh.clone(), auth: real.auth.clone() },
    };
    let r = client.send(&sub, "topic", b"{}", Utc::now()).await;
    let PushResult::Rejected { reason } = r else { panic!("expected a refusal, got {r:?}") };
    assert!(reason.contains("non-public"), "{reason}");
    // A connection attempt would be in the listener's backlog by now.
    assert!(listener.accept().now_or_never().is_none(), "the server connected to a private address");
}
