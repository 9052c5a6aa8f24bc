//! Sending one Web Push message: VAPID + aes128gcm from the `web-push` crate, delivered by
//! our own HTTP client. The crate's own clients drop `Retry-After` on 429 and have no
//! timeout, so we only borrow its `build_request`/`parse_response`.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use web_push::{request_builder, ContentEncoding, SubscriptionInfo, Urgency, WebPushError, WebPushMessageBuilder};

use crate::push_resolver::{refused_address, Lookup, PublicOnlyResolver};
use crate::subscription::{EndpointPolicy, PushSubscription};
use crate::vapid::VapidSigner;

/// Push services may hold a message for at most this long; a nudge older than a day is
/// better re-planned than delivered late.
pub const MAX_TTL_SECS: u32 = 24 * 3600;

/// Error bodies of push services are small; never buffer more than this of one.
const MAX_ERROR_BODY: usize = 16 * 1024;

#[derive(Clone, Copy, Debug)]
pub struct PushConfig {
    /// Upper bound for one whole send (connect, request, response).
    pub timeout: Duration,
    pub ttl_secs: u32,
    pub policy: EndpointPolicy,
}

impl Default for PushConfig {
    fn default() -> Self {
        PushConfig { timeout: Duration::from_secs(10), ttl_secs: MAX_TTL_SECS, policy: EndpointPolicy::default() }
    }
}

/// How one delivery attempt to one subscription ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PushResult {
    Delivered,
    /// 404/410: the subscription no longer exists; delete it.
    Gone,
    /// Will never succeed as is (400, 413, 401/403, a bad key, a disallowed endpoint):
    /// drop this message for this subscription and log why.
    Rejected { reason: String },
    /// 429, 5xx, timeout or network failure: try again later, not before `after` if the
    /// push service said so.
    Retry { after: Option<Duration>, reason: String },
}

pub struct PushClient {
    http: reqwest::Client,
    signer: Arc<VapidSigner>,
    config: PushConfig,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot build the HTTP client: {0}")]
pub struct PushClientError(#[from] reqwest::Error);

impl PushClient {
    pub fn new(signer: Arc<VapidSigner>, config: PushConfig) -> Result<Self, PushClientError> {
        Self::build_with(signer, config, PublicOnlyResolver::system(config.policy))
    }

    /// As [`PushClient::new`], resolving endpoint host names with `lookup` instead of the
    /// system resolver (tests: a name that resolves to a private address).
    pub fn with_lookup(signer: Arc<VapidSigner>, config: PushConfig, lookup: Lookup) -> Result<Self, PushClientError> {
        Self::build_with(signer, config, PublicOnlyResolver::new(config.policy, lookup))
    }

    fn build_with(signer: Arc<VapidSigner>, config: PushConfig, resolver: PublicOnlyResolver) -> Result<Self, PushClientError> {
        let http = reqwest::Client::builder()
            // Every name is resolved, and its addresses checked, at connect time: see
            // `push_resolver`. A proxy would connect for us to wherever it likes.
            .dns_resolver(Arc::new(resolver))
            .no_proxy()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .pool_max_idle_per_host(64)
            // A push endpoint must never bounce us to somewhere else.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(PushClient { http, signer, config: PushConfig { ttl_secs: config.ttl_secs.min(MAX_TTL_SECS), ..config } })
    }

    /// Whether pushes can be signed (a VAPID subject is known).
    pub fn has_subject(&self) -> bool {
        self.signer.subject().is_some()
    }

    pub fn signer(&self) -> &VapidSigner {
        &self.signer
    }

    /// Encrypts `payload` for `sub` and POSTs it. `now` resolves an HTTP-date `Retry-After`.
    pub async fn send(&self, sub: &PushSubscription, topic: &str, payload: &[u8], now: DateTime<Utc>) -> PushResult {
        self.send_with_status(sub, topic, payload, now).await.0
    }

    /// As [`PushClient::send`], also returning the push service's HTTP status (`None` when
    /// no answer came: a timeout, a network error, or a message never sent), for metrics.
    pub async fn send_with_status(
        &self,
        sub: &PushSubscription,
        topic: &str,
        payload: &[u8],
        now: DateTime<Utc>,
    ) -> (PushResult, Option<u16>) {
        let request = match self.build(sub, topic, payload) {
            Ok(r) => r,
            Err(reason) => return (PushResult::Rejected { reason }, None),
        };
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) if e.is_timeout() => return (PushResult::Retry { after: None, reason: "timed out".into() }, None),
            // Not a network failure: the endpoint points somewhere we never connect to.
            Err(e) if refused_address(&e).is_some() => {
                let reason = refused_address(&e).map(ToString::to_string).unwrap_or_default();
                return (PushResult::Rejected { reason }, None);
            }
            Err(e) => return (PushResult::Retry { after: None, reason: format!("network: {}", without_url(e)) }, None),
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, now));
        let body = read_capped(response).await;
        (classify(status, body, retry_after), Some(status))
    }

    fn build(&self, sub: &PushSubscription, topic: &str, payload: &[u8]) -> Result<reqwest::RequestBuilder, String> {
        self.config.policy.check_endpoint(&sub.endpoint).map_err(|e| e.to_string())?;
        let info = SubscriptionInfo::new(sub.endpoint.as_str(), sub.keys.p256dh.as_str(), sub.keys.auth.as_str());
        let signature = self.signer.sign(&info).map_err(|e| e.to_string())?;
        let mut builder = WebPushMessageBuilder::new(&info);
        builder.set_ttl(self.config.ttl_secs);
        builder.set_urgency(Urgency::Normal);
        builder.set_topic(topic.to_owned());
        builder.set_vapid_signature(signature);
        builder.set_payload(ContentEncoding::Aes128Gcm, payload);
        let message = builder.build().map_err(|e| format!("cannot build message: {e:?}"))?;
        let request = request_builder::build_request::<Vec<u8>>(message);
        let mut out = self.http.post(request.uri().to_string());
        for (name, value) in request.headers() {
            out = out.header(name.as_str(), value.as_bytes());
        }
        Ok(out.body(request.into_body()))
    }
}

async fn read_capped(mut response: reqwest::Response) -> Vec<u8> {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = MAX_ERROR_BODY.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= MAX_ERROR_BODY {
            break;
        }
    }
    body
}

/// Push endpoints carry a per-device secret in the URL; keep it out of logs.
fn without_url(e: reqwest::Error) -> String {
    e.without_url().to_string()
}

/// Maps a push service's answer to what we do next, via the crate's `parse_response`.
pub fn classify(status: u16, body: Vec<u8>, retry_after: Option<Duration>) -> PushResult {
    let Ok(code) = http02::StatusCode::from_u16(status) else {
        return PushResult::Retry { after: retry_after, reason: format!("invalid status {status}") };
    };
    if status == 429 {
        return PushResult::Retry { after: retry_after, reason: "429 too many requests".into() };
    }
    match request_builder::parse_response(code, body) {
        Ok(()) => PushResult::Delivered,
        Err(WebPushError::EndpointNotValid(_) | WebPushError::EndpointNotFound(_)) => PushResult::Gone,
        Err(WebPushError::ServerError { .. }) => {
            PushResult::Retry { after: retry_after, reason: format!("push service error {status}") }
        }
        Err(WebPushError::PayloadTooLarge) => PushResult::Rejected { reason: "413 payload too large".into() },
        Err(other) => PushResult::Rejected { reason: format!("{status}: {}", short(&other)) },
    }
}

fn short(e: &WebPushError) -> String {
    let s = format!("{e:?}");
    s.chars().take(200).collect()
}

/// `Retry-After` is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?.with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn statuses_map_to_actions() {
        assert_eq!(classify(201, vec![], None), PushResult::Delivered);
        assert_eq!(classify(410, vec![], None), PushResult::Gone);
        assert_eq!(classify(404, vec![], None), PushResult::Gone);
        assert!(matches!(classify(413, vec![], None), PushResult::Rejected { .. }));
        assert!(matches!(classify(400, b"nope".to_vec(), None), PushResult::Rejected { .. }));
        let two = Some(Duration::from_secs(2));
        assert!(matches!(classify(429, vec![], two), PushResult::Retry { after, .. } if after == two));
        assert!(matches!(classify(503, vec![], two), PushResult::Retry { after, .. } if after == two));
        assert!(matches!(classify(500, vec![], None), PushResult::Retry { after: None, .. }));
    }

    #[test]
    fn retry_after_in_seconds_or_http_date() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).single().unwrap_or_default();
        assert_eq!(parse_retry_after("2", now), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after("Sun, 22 Nov 2026 10:01:00 GMT", now), Some(Duration::from_secs(60)));
        assert_eq!(parse_retry_after("Sun, 22 Nov 2026 09:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
