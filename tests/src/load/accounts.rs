//! Who the load generator's users are: Kith accounts created over the HTTP API, or, for the
//! reference server (which has no accounts), just fresh document ids.

use futures::StreamExt;
use sync_server::ids::DocId;

#[derive(Clone)]
pub struct UserTarget {
    pub doc_id: String,
    /// Kith's bearer token; `None` for the reference.
    pub token: Option<String>,
}

impl UserTarget {
    /// Where a device of this user connects, given a server base URL.
    pub fn ws_url(&self, base: &str) -> String {
        let base = base.trim_end_matches('/');
        let ws = base.replacen("http://", "ws://", 1).replacen("https://", "wss://", 1);
        match &self.token {
            Some(token) => format!("{ws}/sync?token={token}"),
            None => ws,
        }
    }
}

#[derive(serde::Deserialize)]
struct Created {
    token: String,
    doc_id: String,
}

/// Users of the reference server: it has no accounts, so only document ids.
pub fn reference_users(users: usize) -> Vec<UserTarget> {
    (0..users).map(|_| UserTarget { doc_id: DocId::random().to_string(), token: None }).collect()
}

/// `users` new Kith accounts on `base_url`. Both devices of a Kith user share the account's
/// token: a second login would only add a second argon2 hash per user to the setup, and the
/// server treats each WebSocket as its own peer either way.
pub async fn kith_users(base_url: &str, users: usize) -> anyhow::Result<Vec<UserTarget>> {
    let http = reqwest::Client::new();
    let base = base_url.trim_end_matches('/').to_owned();
    let run = uuid::Uuid::new_v4().simple().to_string();
    // argon2 runs on the server's blocking pool; a few at a time keeps it busy.
    let created: Vec<anyhow::Result<UserTarget>> = futures::stream::iter(0..users)
        .map(|i| {
            let (http, base, run) = (http.clone(), base.clone(), run.clone());
            async move {
                let body = serde_json::json!({
                    "email": format!("loadgen-{run}-{i}@example.test"),
                    "password": format!("loadgen-password-{run}"),
                });
                let resp = http.post(format!("{base}/api/v1/accounts")).json(&body).send().await?;
                anyhow::ensure!(resp.status().is_success(), "create account: HTTP {}", resp.status());
                let c: Created = resp.json().await?;
                Ok(UserTarget { doc_id: c.doc_id, token: Some(c.token) })
            }
        })
        .buffered(8)
        .collect()
        .await;
    created.into_iter().collect()
}
