//! Publishing to an ntfy topic (<https://docs.ntfy.sh/publish/>): one HTTP POST per message
//! to the topic URL, the text as body, everything else in headers. The URL is the user's, so
//! it gets the push client's treatment: public addresses only (checked at connect time), no
//! redirects, no proxy, a timeout.

use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Utc};

use crate::channel::NtfySettings;
use crate::push::parse_retry_after;
use crate::push_resolver::{refused_address, PublicOnlyResolver};
use crate::sender::SendResult;
use crate::subscription::EndpointPolicy;

/// ntfy's answers are small JSON documents; never buffer more of one.
const MAX_ANSWER: usize = 4 * 1024;

/// One ntfy message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NtfyMessage {
    pub title: String,
    pub body: String,
    /// Opened when the notification is tapped: the person in the web client.
    pub click: Option<String>,
    /// 1 (min) to 5 (max); reminders are 3 (default), birthdays 4.
    pub priority: u8,
    /// ntfy tags; known emoji names show as icons (`wave`, `birthday`).
    pub tags: Vec<String>,
    /// Buttons: (label, URL POSTed to when pressed), e.g. Done with a signed link.
    pub actions: Vec<(String, String)>,
}

pub struct NtfyClient {
    http: reqwest::Client,
    policy: EndpointPolicy,
}

impl NtfyClient {
    pub fn new(policy: EndpointPolicy, timeout: Duration) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .dns_resolver(Arc::new(PublicOnlyResolver::system(policy)))
            .no_proxy()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(NtfyClient { http, policy })
    }

    /// Publishes `msg` to the topic. `now` resolves an HTTP-date `Retry-After`.
    pub async fn send(&self, to: &NtfySettings, msg: &NtfyMessage, now: DateTime<Utc>) -> SendResult {
        if let Err(e) = to.validate(self.policy) {
            return SendResult::Refused { reason: e.to_string(), permanent: true };
        }
        let mut req = self
            .http
            .post(&to.url)
            .header("Title", header_text(&msg.title))
            .header("Priority", msg.priority.clamp(1, 5).to_string())
            .body(msg.body.clone());
        if !msg.tags.is_empty() {
            req = req.header("Tags", msg.tags.join(","));
        }
        if let Some(click) = &msg.click {
            req = req.header("Click", click.as_str());
        }
        if !msg.actions.is_empty() {
            let actions: Vec<String> = msg
                .actions
                .iter()
                .map(|(label, url)| format!("http, {}, {url}, method=POST, clear=true", label.replace([',', ';'], " ")))
                .collect();
            req = req.header("Actions", header_text(&actions.join("; ")));
        }
        if let Some(token) = &to.token {
            req = req.bearer_auth(token);
        }
        let response = match req.send().await {
            Ok(r) => r,
            Err(e) if e.is_timeout() => return SendResult::Retry { after: None, reason: "ntfy timed out".into() },
            Err(e) if refused_address(&e).is_some() => {
                let reason = refused_address(&e).map(ToString::to_string).unwrap_or_default();
                return SendResult::Refused { reason, permanent: true };
            }
            Err(e) => return SendResult::Retry { after: None, reason: format!("ntfy unreachable: {}", e.without_url()) },
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, now));
        let answer = read_capped(response).await;
        classify(status, &answer, retry_after)
    }
}

/// What an ntfy answer means for the channel.
pub fn classify(status: u16, answer: &str, retry_after: Option<Duration>) -> SendResult {
    let said = |s: &str| if answer.is_empty() { s.to_owned() } else { format!("{s}: {answer}") };
    match status {
        200..=299 => SendResult::Sent { answer: status.to_string() },
        429 => SendResult::Retry { after: retry_after, reason: said(&format!("{status} too many requests")) },
        // The topic is not ours to write (wrong or revoked token, or gone): turn the channel off.
        401 | 403 | 404 => SendResult::Refused { reason: said(&status.to_string()), permanent: true },
        500..=599 => SendResult::Retry { after: retry_after, reason: said(&format!("{status} server error")) },
        _ => SendResult::Refused { reason: said(&status.to_string()), permanent: false },
    }
}

async fn read_capped(mut response: reqwest::Response) -> String {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = MAX_ANSWER.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= MAX_ANSWER {
            break;
        }
    }
    String::from_utf8_lossy(&body).trim().chars().take(200).collect()
}

/// Header values must be visible ASCII; ntfy decodes RFC 2047 encoded words for the rest.
pub fn header_text(s: &str) -> String {
    let clean: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if clean.is_ascii() {
        clean
    } else {
        format!("=?UTF-8?B?{}?=", STANDARD.encode(clean.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_map_to_what_happens_next() {
        assert!(matches!(classify(200, "{}", None), SendResult::Sent { .. }));
        let after = Some(Duration::from_secs(30));
        assert!(matches!(classify(429, "", after), SendResult::Retry { after: a, .. } if a == after));
        assert!(matches!(classify(502, "", None), SendResult::Retry { after: None, .. }));
        for s in [401, 403, 404] {
            assert!(matches!(classify(s, "", None), SendResult::Refused { permanent: true, .. }), "{s}");
        }
        assert!(matches!(classify(413, "", None), SendResult::Refused { permanent: false, .. }));
    }

    #[test]
    fn non_ascii_titles_are_encoded_words() {
        assert_eq!(header_text("Ada"), "Ada");
        assert_eq!(header_text("a\r\nb"), "a  b");
        assert_eq!(header_text("Jürgen"), "=?UTF-8?B?SsO8cmdlbg==?=");
    }
}
