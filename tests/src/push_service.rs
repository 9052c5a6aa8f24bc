//! A local Web Push service for tests. It behaves like a real one where it matters: it
//! checks the VAPID JWT (ES256 signature against the server's public key, `aud`, `exp`,
//! `sub`) and decrypts the aes128gcm body (RFC 8188/8291) with the subscriber's private
//! key, exactly as a browser would. Tests can make an endpoint answer 410, 429 with
//! `Retry-After`, 500, 400, or hang.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes128Gcm, Nonce};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hkdf::Hkdf;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use sha2::Sha256;
use tokio::sync::Notify;

/// How an endpoint answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Behavior {
    /// 201 Created, after verifying and decrypting.
    Accept,
    Gone,
    TooMany { retry_after_secs: u64 },
    ServerError,
    BadRequest,
    /// Never answers.
    Hang,
}

/// One message that was verified, decrypted and accepted.
#[derive(Clone, Debug)]
pub struct Delivered {
    pub payload: serde_json::Value,
    pub topic: Option<String>,
    pub ttl: u32,
    pub at: Instant,
}

/// Every request an endpoint saw, accepted or not.
#[derive(Clone, Debug)]
pub struct Attempt {
    pub at: Instant,
    /// `None` if the request was valid; otherwise why it was refused (bad JWT, bad body).
    pub invalid: Option<String>,
}

#[derive(Default)]
struct Endpoint {
    private_key: Option<p256::SecretKey>,
    /// The matching public key (uncompressed point), kept so decrypting a push costs one
    /// scalar multiplication (the ECDH), not two.
    public_key: Vec<u8>,
    auth: [u8; 16],
    behavior: Vec<Behavior>,
    delivered: Vec<Delivered>,
    attempts: Vec<Attempt>,
}

struct Inner {
    origin: String,
    vapid_key: Mutex<Option<Vec<u8>>>,
    expected_sub: Mutex<Option<String>>,
    endpoints: Mutex<HashMap<String, Endpoint>>,
    /// JWTs already verified: a sender may reuse one, and re-verifying costs the
    /// benchmark an ECDSA verification per push.
    good_jwts: Mutex<HashSet<String>>,
    changed: Notify,
}

/// A running push service on `127.0.0.1:<port>`; stops when dropped.
pub struct PushService {
    inner: Arc<Inner>,
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for PushService {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A browser's side of a subscription: what it would hand to the Kith server.
#[derive(Clone, Debug)]
pub struct Subscriber {
    pub id: String,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

impl Subscriber {
    /// The `PushSubscription.toJSON()` shape.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "endpoint": self.endpoint,
            "expirationTime": null,
            "keys": { "p256dh": self.p256dh, "auth": self.auth },
        })
    }
}

impl PushService {
    pub async fn start() -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let inner = Arc::new(Inner {
            origin: format!("http://{addr}"),
            vapid_key: Mutex::new(None),
            expected_sub: Mutex::new(None),
            endpoints: Mutex::new(HashMap::new()),
            good_jwts: Mutex::new(HashSet::new()),
            changed: Notify::new(),
        });
        let app = Router::new().route("/push/{id}", post(receive)).with_state(inner.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(PushService { inner, addr, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server's VAPID public key (uncompressed point); pushes signed by any other
    /// key are refused with 401.
    pub fn trust_vapid_key(&self, key: &[u8]) {
        *lock(&self.inner.vapid_key) = Some(key.to_vec());
    }

    /// If set, the JWT's `sub` must equal this.
    pub fn expect_subject(&self, sub: &str) {
        *lock(&self.inner.expected_sub) = Some(sub.to_owned());
    }

    /// A new endpoint with fresh subscriber keys, answering `Accept`.
    pub fn subscribe(&self) -> Subscriber {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let key = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let auth: [u8; 16] = rand::random();
        let public_key = key.public_key().to_encoded_point(false).as_bytes().to_vec();
        let p256dh = URL_SAFE_NO_PAD.encode(&public_key);
        let ep = Endpoint { private_key: Some(key), public_key, auth, ..Endpoint::default() };
        lock(&self.inner.endpoints).insert(id.clone(), ep);
        Subscriber {
            endpoint: format!("{}/push/{id}", self.inner.origin),
            id,
            p256dh,
            auth: URL_SAFE_NO_PAD.encode(auth),
        }
    }

    /// Answers the next requests to `sub` with `script` in order, then keeps answering
    /// with its last entry.
    pub fn script(&self, sub: &Subscriber, script: Vec<Behavior>) {
        if let Some(ep) = lock(&self.inner.endpoints).get_mut(&sub.id) {
            ep.behavior = script;
        }
    }

    pub fn delivered(&self, sub: &Subscriber) -> Vec<Delivered> {
        lock(&self.inner.endpoints).get(&sub.id).map(|e| e.delivered.clone()).unwrap_or_default()
    }

    pub fn attempts(&self, sub: &Subscriber) -> Vec<Attempt> {
        lock(&self.inner.endpoints).get(&sub.id).map(|e| e.attempts.clone()).unwrap_or_default()
    }

    /// Requests refused as invalid (bad VAPID or undecryptable), across all endpoints.
    pub fn invalid_requests(&self) -> Vec<String> {
        lock(&self.inner.endpoints)
            .values()
            .flat_map(|e| e.attempts.iter().filter_map(|a| a.invalid.clone()))
            .collect()
    }

    pub fn total_delivered(&self) -> usize {
        lock(&self.inner.endpoints).values().map(|e| e.delivered.len()).sum()
    }

    /// Waits until `cond` holds over the service's state, or `timeout` passes.
    pub async fn wait_until(&self, timeout: Duration, mut cond: impl FnMut(&PushService) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.inner.changed.notified();
            if cond(self) {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return cond(self);
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

async fn receive(State(inner): State<Arc<Inner>>, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let behavior = {
        let mut eps = lock(&inner.endpoints);
        let Some(ep) = eps.get_mut(&id) else {
            return StatusCode::NOT_FOUND.into_response();
        };
        if ep.behavior.len() > 1 {
            ep.behavior.remove(0)
        } else {
            ep.behavior.first().cloned().unwrap_or(Behavior::Accept)
        }
    };
    // ECDH and AES run on the blocking pool, so a burst of pushes does not starve the
    // test's own runtime (tests use the single-threaded one).
    let checked = {
        let (inner, id) = (inner.clone(), id.clone());
        tokio::task::spawn_blocking(move || check(&inner, &id, &headers, &body))
            .await
            .unwrap_or_else(|e| Err(format!("check panicked: {e}")))
    };
    let now = Instant::now();
    {
        let mut eps = lock(&inner.endpoints);
        if let Some(ep) = eps.get_mut(&id) {
            ep.attempts.push(Attempt { at: now, invalid: checked.as_ref().err().cloned() });
            if let (Ok(d), Behavior::Accept) = (&checked, &behavior) {
                ep.delivered.push(d.clone());
            }
        }
    }
    inner.changed.notify_waiters();
    if let Err(why) = checked {
        return (StatusCode::UNAUTHORIZED, why).into_response();
    }
    match behavior {
        Behavior::Accept => StatusCode::CREATED.into_response(),
        Behavior::Gone => StatusCode::GONE.into_response(),
        Behavior::TooMany { retry_after_secs } => {
            (StatusCode::TOO_MANY_REQUESTS, [("retry-after", retry_after_secs.to_string())]).into_response()
        }
        Behavior::ServerError => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        Behavior::BadRequest => StatusCode::BAD_REQUEST.into_response(),
        Behavior::Hang => {
            std::future::pending::<()>().await;
            StatusCode::OK.into_response()
        }
    }
}

/// Verifies the request like a real push service, then decrypts it like a browser.
fn check(inner: &Inner, id: &str, headers: &HeaderMap, body: &[u8]) -> Result<Delivered, String> {
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
    let auth = header("authorization").ok_or("no Authorization")?;
    verify_vapid(inner, auth)?;
    if header("content-encoding") != Some("aes128gcm") {
        return Err("Content-Encoding is not aes128gcm".into());
    }
    let ttl: u32 = header("ttl").and_then(|t| t.parse().ok()).ok_or("no TTL")?;
    if ttl > 24 * 3600 {
        return Err(format!("TTL {ttl} above 24 h"));
    }
    let topic = header("topic").map(str::to_owned);
    if let Some(t) = &topic {
        if t.len() > 32 || !t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            return Err(format!("bad Topic {t}"));
        }
    }
    let (key, public, secret) = {
        let eps = lock(&inner.endpoints);
        let ep = eps.get(id).ok_or("unknown endpoint")?;
        (ep.private_key.clone().ok_or("no key")?, ep.public_key.clone(), ep.auth)
    };
    let plain = decrypt_with(&key, &public, &secret, body)?;
    let payload = serde_json::from_slice(&plain).map_err(|e| format!("payload is not JSON: {e}"))?;
    Ok(Delivered { payload, topic, ttl, at: Instant::now() })
}

fn verify_vapid(inner: &Inner, auth: &str) -> Result<(), String> {
    let rest = auth.strip_prefix("vapid ").ok_or("Authorization is not vapid")?;
    let mut t = None;
    let mut k = None;
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("t=") {
            t = Some(v);
        } else if let Some(v) = part.strip_prefix("k=") {
            k = Some(v);
        }
    }
    let (t, k) = (t.ok_or("no t=")?, k.ok_or("no k=")?);
    let key = URL_SAFE_NO_PAD.decode(k).map_err(|_| "k= is not base64url")?;
    let trusted = lock(&inner.vapid_key).clone().ok_or("no VAPID key trusted yet")?;
    if key != trusted {
        return Err("k= is not the server's VAPID key".into());
    }
    if lock(&inner.good_jwts).contains(t) {
        return check_claims(inner, t);
    }
    let mut parts = t.split('.');
    let (h, p, s) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(p), Some(s), None) => (h, p, s),
        _ => return Err("JWT is not three parts".into()),
    };
    let header: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).map_err(|_| "JWT header b64")?).map_err(|_| "JWT header")?;
    if header["alg"] != "ES256" {
        return Err(format!("JWT alg {}", header["alg"]));
    }
    let vk = VerifyingKey::from_sec1_bytes(&trusted).map_err(|_| "bad trusted key")?;
    let sig = Signature::from_slice(&URL_SAFE_NO_PAD.decode(s).map_err(|_| "JWT sig b64")?).map_err(|_| "JWT sig")?;
    vk.verify(format!("{h}.{p}").as_bytes(), &sig).map_err(|_| "JWT signature does not verify")?;
    check_claims(inner, t)?;
    lock(&inner.good_jwts).insert(t.to_owned());
    Ok(())
}

fn check_claims(inner: &Inner, jwt: &str) -> Result<(), String> {
    let p = jwt.split('.').nth(1).ok_or("JWT payload")?;
    let claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).map_err(|_| "JWT payload b64")?).map_err(|_| "JWT claims")?;
    if claims["aud"] != inner.origin.as_str() {
        return Err(format!("aud {} is not {}", claims["aud"], inner.origin));
    }
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let exp = claims["exp"].as_u64().ok_or("no exp")?;
    if exp <= now || exp > now + 24 * 3600 {
        return Err(format!("exp {exp} not within 24 h of {now}"));
    }
    let sub = claims["sub"].as_str().ok_or("no sub")?;
    if !(sub.starts_with("mailto:") || sub.starts_with("https://")) {
        return Err(format!("sub {sub} is not mailto:/https:"));
    }
    if let Some(want) = lock(&inner.expected_sub).as_deref() {
        if sub != want {
            return Err(format!("sub {sub} is not {want}"));
        }
    }
    Ok(())
}

/// RFC 8291 (Web Push encryption) over RFC 8188 (aes128gcm), single record.
pub fn decrypt_aes128gcm(ua_private: &p256::SecretKey, auth_secret: &[u8; 16], body: &[u8]) -> Result<Vec<u8>, String> {
    let ua_public = ua_private.public_key().to_encoded_point(false);
    decrypt_with(ua_private, ua_public.as_bytes(), auth_secret, body)
}

/// [`decrypt_aes128gcm`] with the subscriber's public key (uncompressed) already at hand.
fn decrypt_with(ua_private: &p256::SecretKey, ua_public: &[u8], auth_secret: &[u8; 16], body: &[u8]) -> Result<Vec<u8>, String> {
    if body.len() < 21 {
        return Err("body shorter than the aes128gcm header".into());
    }
    let salt = &body[..16];
    let rs = u32::from_be_bytes([body[16], body[17], body[18], body[19]]) as usize;
    let idlen = body[20] as usize;
    if body.len() < 21 + idlen || idlen != 65 {
        return Err(format!("keyid length {idlen}, expected the 65-byte sender key"));
    }
    let as_public_bytes = &body[21..21 + idlen];
    let ciphertext = &body[21 + idlen..];
    if ciphertext.len() > rs {
        return Err("more than one record".into());
    }
    let as_public = p256::PublicKey::from_sec1_bytes(as_public_bytes).map_err(|_| "bad sender key")?;
    let shared = p256::ecdh::diffie_hellman(ua_private.to_nonzero_scalar(), as_public.as_affine());

    let mut key_info = b"WebPush: info\0".to_vec();
    key_info.extend_from_slice(ua_public);
    key_info.extend_from_slice(as_public_bytes);
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(auth_secret), shared.raw_secret_bytes())
        .expand(&key_info, &mut ikm)
        .map_err(|_| "hkdf ikm")?;
    let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
    let mut cek = [0u8; 16];
    let mut nonce = [0u8; 12];
    prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek).map_err(|_| "hkdf cek")?;
    prk.expand(b"Content-Encoding: nonce\0", &mut nonce).map_err(|_| "hkdf nonce")?;
    let cipher = Aes128Gcm::new_from_slice(&cek).map_err(|_| "cek")?;
    let mut plain = cipher.decrypt(&Nonce::from(nonce), ciphertext).map_err(|_| "AES-GCM authentication failed")?;
    // Strip padding: trailing zeros, then the last-record delimiter 0x02.
    while plain.last() == Some(&0) {
        plain.pop();
    }
    match plain.pop() {
        Some(2) => Ok(plain),
        _ => Err("missing last-record delimiter".into()),
    }
}
