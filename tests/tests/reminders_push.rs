//! The push client against the local push service: real VAPID verification and real
//! aes128gcm decryption, and the answers a push service can give.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use kith_tests::push_service::{Behavior, PushService, Subscriber};
use reminders::push::{PushClient, PushConfig, PushResult};
use reminders::vapid::{VapidKeys, VapidSigner};
use reminders::{EndpointPolicy, PushKeys, PushSubscription};

const SUBJECT: &str = "mailto:ops@kith.test";

fn to_sub(s: &Subscriber) -> PushSubscription {
    PushSubscription {
        endpoint: s.endpoint.clone(),
        keys: PushKeys { p256dh: s.p256dh.clone(), auth: s.auth.clone() },
    }
}

async fn setup(timeout: Duration) -> (PushService, PushClient) {
    let service = PushService::start().await.unwrap_or_else(|e| panic!("push service: {e}"));
    let keys = VapidKeys::generate();
    service.trust_vapid_key(keys.public_key());
    service.expect_subject(SUBJECT);
    let signer = Arc::new(VapidSigner::new(&keys, SUBJECT).unwrap_or_else(|e| panic!("{e}")));
    let config = PushConfig { timeout, policy: EndpointPolicy { allow_http_loopback: true }, ..PushConfig::default() };
    let client = PushClient::new(signer, config).unwrap_or_else(|e| panic!("{e}"));
    (service, client)
}

#[tokio::test]
async fn payload_arrives_verified_and_decrypted() {
    let (service, client) = setup(Duration::from_secs(5)).await;
    let sub = service.subscribe();
    let body = br#"{"title":"Time to catch up with Ada","contact_ids":["c1"]}"#;
    let r = client.send(&to_sub(&sub), "0123456789abcdef0123456789abcdef", body, Utc::now()).await;
    assert_eq!(r, PushResult::Delivered);
    assert!(service.invalid_requests().is_empty(), "{:?}", service.invalid_requests());
    let got = service.delivered(&sub);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].payload["title"], "Time to catch up with Ada");
    assert_eq!(got[0].topic.as_deref(), Some("0123456789abcdef0123456789abcdef"));
    assert!(got[0].ttl <= 24 * 3600);
}

#[tokio::test]
async fn a_foreign_vapid_key_is_refused() {
    let (service, client) = setup(Duration::from_secs(5)).await;
    service.trust_vapid_key(VapidKeys::generate().public_key());
    let sub = service.subscribe();
    let r = client.send(&to_sub(&sub), "t", b"{}", Utc::now()).await;
    assert!(matches!(r, PushResult::Rejected { .. }), "{r:?}");
    assert!(service.delivered(&sub).is_empty());
    assert_eq!(service.invalid_requests().len(), 1);
}

#[tokio::test]
async fn push_service_answers_map_to_gone_retry_and_drop() {
    let (service, client) = setup(Duration::from_secs(5)).await;
    let sub = service.subscribe();
    let s = to_sub(&sub);
    service.script(
        &sub,
        vec![
            Behavior::Gone,
            Behavior::TooMany { retry_after_secs: 2 },
            Behavior::ServerError,
            Behavior::BadRequest,
            Behavior::Accept,
        ],
    );
    assert_eq!(client.send(&s, "t", b"{}", Utc::now()).await, PushResult::Gone);
    let r = client.send(&s, "t", b"{}", Utc::now()).await;
    assert!(matches!(r, PushResult::Retry { after: Some(d), .. } if d == Duration::from_secs(2)), "{r:?}");
    assert!(matches!(client.send(&s, "t", b"{}", Utc::now()).await, PushResult::Retry { after: None, .. }));
    assert!(matches!(client.send(&s, "t", b"{}", Utc::now()).await, PushResult::Rejected { .. }));
    assert_eq!(client.send(&s, "t", b"{}", Utc::now()).await, PushResult::Delivered);
}

#[tokio::test]
async fn a_hanging_push_service_times_out_without_blocking_other_sends() {
    let (service, client) = setup(Duration::from_millis(700)).await;
    let client = Arc::new(client);
    let stuck = service.subscribe();
    let fine = service.subscribe();
    service.script(&stuck, vec![Behavior::Hang]);
    let started = Instant::now();
    let (c1, s1) = (client.clone(), to_sub(&stuck));
    let hanging = tokio::spawn(async move { c1.send(&s1, "t", b"{}", Utc::now()).await });
    // While the first send hangs, another goes through at once.
    assert_eq!(client.send(&to_sub(&fine), "t", b"{\"ok\":1}", Utc::now()).await, PushResult::Delivered);
    assert!(started.elapsed() < Duration::from_millis(700));
    let r = hanging.await.unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(r, PushResult::Retry { .. }), "{r:?}");
    assert!(started.elapsed() >= Duration::from_millis(700));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn plain_http_is_refused_without_the_loopback_switch() {
    let service = PushService::start().await.unwrap_or_else(|e| panic!("{e}"));
    let keys = VapidKeys::generate();
    service.trust_vapid_key(keys.public_key());
    let signer = Arc::new(VapidSigner::new(&keys, SUBJECT).unwrap_or_else(|e| panic!("{e}")));
    let client = PushClient::new(signer, PushConfig::default()).unwrap_or_else(|e| panic!("{e}"));
    let sub = service.subscribe();
    let r = client.send(&to_sub(&sub), "t", b"{}", Utc::now()).await;
    assert!(matches!(r, PushResult::Rejected { .. }), "{r:?}");
    assert!(service.attempts(&sub).is_empty());
}
