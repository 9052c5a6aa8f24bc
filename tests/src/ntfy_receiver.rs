//! A local ntfy server for tests: `POST /{topic}` is recorded with the headers ntfy reads
//! (Title, Priority, Tags, Click, Actions, Authorization) and answered as scripted per topic:
//! 200 with ntfy's JSON, 429 with `Retry-After`, 401.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use tokio::sync::Notify;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NtfyBehavior {
    Accept,
    TooMany { retry_after_secs: u64 },
    Unauthorized,
}

/// One request as the receiver saw it (accepted or not).
#[derive(Clone, Debug)]
pub struct NtfyRequest {
    pub topic: String,
    pub title: Option<String>,
    pub priority: Option<String>,
    pub tags: Option<String>,
    pub click: Option<String>,
    pub actions: Option<String>,
    pub authorization: Option<String>,
    pub body: String,
    pub answered: u16,
}

#[derive(Default)]
struct Inner {
    requests: Mutex<Vec<NtfyRequest>>,
    /// Per topic: answers to give in order; the last one repeats.
    script: Mutex<HashMap<String, Vec<NtfyBehavior>>>,
    changed: Notify,
}

#[derive(Clone)]
pub struct NtfyReceiver {
    inner: Arc<Inner>,
    base: String,
}

impl NtfyReceiver {
    pub async fn start() -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let inner = Arc::new(Inner::default());
        let app = Router::new().route("/{topic}", post(publish)).with_state(inner.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(NtfyReceiver { inner, base })
    }

    /// The topic URL to configure.
    pub fn topic_url(&self, topic: &str) -> String {
        format!("{}/{topic}", self.base)
    }

    pub fn script(&self, topic: &str, answers: Vec<NtfyBehavior>) {
        self.inner.script.lock().unwrap_or_else(|p| p.into_inner()).insert(topic.to_owned(), answers);
    }

    pub fn requests(&self, topic: &str) -> Vec<NtfyRequest> {
        self.inner.requests.lock().unwrap_or_else(|p| p.into_inner()).iter().filter(|r| r.topic == topic).cloned().collect()
    }

    pub async fn wait_for(&self, topic: &str, n: usize, timeout: Duration) -> Vec<NtfyRequest> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.inner.changed.notified();
            let got = self.requests(topic);
            if got.len() >= n {
                return got;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.requests(topic);
            }
        }
    }
}

async fn publish(State(inner): State<Arc<Inner>>, Path(topic): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let behavior = {
        let mut script = inner.script.lock().unwrap_or_else(|p| p.into_inner());
        match script.get_mut(&topic) {
            Some(list) if list.len() > 1 => list.remove(0),
            Some(list) => list.first().cloned().unwrap_or(NtfyBehavior::Accept),
            None => NtfyBehavior::Accept,
        }
    };
    let (status, response) = match behavior {
        NtfyBehavior::Accept => (200, (StatusCode::OK, format!("{{\"id\":\"x\",\"topic\":\"{topic}\",\"event\":\"message\"}}")).into_response()),
        NtfyBehavior::TooMany { retry_after_secs } => (
            429,
            (StatusCode::TOO_MANY_REQUESTS, [("Retry-After", retry_after_secs.to_string())], "{\"code\":42901,\"error\":\"limit reached\"}")
                .into_response(),
        ),
        NtfyBehavior::Unauthorized => (401, (StatusCode::UNAUTHORIZED, "{\"code\":40101,\"error\":\"unauthorized\"}").into_response()),
    };
    inner.requests.lock().unwrap_or_else(|p| p.into_inner()).push(NtfyRequest {
        topic,
        title: header("Title"),
        priority: header("Priority"),
        tags: header("Tags"),
        click: header("Click"),
        actions: header("Actions"),
        authorization: header("Authorization"),
        body: String::from_utf8_lossy(&body).into_owned(),
        answered: status,
    });
    inner.changed.notify_waiters();
    response
}
