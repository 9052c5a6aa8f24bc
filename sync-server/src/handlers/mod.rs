//! HTTP handlers, one file per resource. Routes are wired in `app.rs`.

pub mod account;
pub mod accounts;
pub mod actions;
pub mod app_passwords;
pub(crate) mod blocking;
pub mod channels;
pub mod calendar_feed;
pub mod devices;
pub mod duplicates;
pub mod email_address;
pub mod follow_ups;
pub mod export;
pub mod health;
pub(crate) mod hub_error;
pub mod import;
pub mod links;
pub mod me;
pub mod metrics;
pub mod push;
pub mod reminders;
pub mod sessions;
pub mod sync;

use axum::http::header::USER_AGENT;
use axum::http::HeaderMap;

/// Longest device name kept; the rest of an over-long name or User-Agent is cut off.
const MAX_DEVICE_NAME_CHARS: usize = 120;

/// The name a session is listed under: what the client said, else its User-Agent, else a
/// placeholder. Cut to a sane length and stripped of control characters.
pub fn device_name(given: Option<&str>, headers: &HeaderMap) -> String {
    let from_agent = || headers.get(USER_AGENT).and_then(|v| v.to_str().ok());
    let raw = given
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .or_else(from_agent)
        .unwrap_or("unknown device");
    let clean: String = raw.chars().filter(|c| !c.is_control()).take(MAX_DEVICE_NAME_CHARS).collect();
    if clean.trim().is_empty() { "unknown device".to_string() } else { clean.trim().to_string() }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn device_name_falls_back_to_user_agent_then_placeholder() {
        let mut headers = HeaderMap::new();
        assert_eq!(device_name(None, &headers), "unknown device");
        headers.insert(USER_AGENT, HeaderValue::from_static("Firefox/130"));
        assert_eq!(device_name(None, &headers), "Firefox/130");
        assert_eq!(device_name(Some("  "), &headers), "Firefox/130");
        assert_eq!(device_name(Some("Ada's phone"), &headers), "Ada's phone");
        assert_eq!(device_name(Some(&"x".repeat(500)), &headers).len(), MAX_DEVICE_NAME_CHARS);
        assert_eq!(device_name(Some("a\u{7}b"), &headers), "ab");
    }
}
