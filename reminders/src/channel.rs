//! A user's delivery channels besides Web Push (which is per device, see `subscription`):
//! email and ntfy, one of each per user, stored server-side as a kind and a JSON config.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::UserId;
use crate::subscription::EndpointPolicy;

/// Where a delivery went. `Push` covers every device of the user at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChannelKind {
    Push,
    Email,
    Ntfy,
}

impl ChannelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Push => "push",
            ChannelKind::Email => "email",
            ChannelKind::Ntfy => "ntfy",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "push" => Some(ChannelKind::Push),
            "email" => Some(ChannelKind::Email),
            "ntfy" => Some(ChannelKind::Ntfy),
            _ => None,
        }
    }
}

/// Email: every nudge due together in one morning digest, or each nudge on its own.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EmailMode {
    #[default]
    Digest,
    Each,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailSettings {
    pub mode: EmailMode,
    /// A verified address other than the account's; `None`: the account's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// An address waiting for its code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<PendingAddress>,
}

/// A new address and the code sent to it (only its MAC is stored).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingAddress {
    pub address: String,
    /// HMAC of user, address and code with the server key (see `action_link::LinkSigner::mac_hex`).
    pub code_mac: String,
    /// Seconds since the epoch.
    pub expires: i64,
    pub sent_at: i64,
    /// Wrong codes tried so far.
    pub attempts: u32,
}

/// Wrong codes allowed per sent code.
pub const MAX_CODE_ATTEMPTS: u32 = 5;
/// Longest email address accepted (RFC 5321's path limit).
pub const MAX_ADDRESS_LEN: usize = 254;

/// An ntfy topic: `https://ntfy.example/topic`. The token is sent as `Authorization: Bearer`
/// and never shown again by the API nor logged.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NtfySettings {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

impl std::fmt::Debug for NtfySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NtfySettings").field("url", &self.url).field("token", &self.token.as_ref().map(|_| "***")).finish()
    }
}

/// Longest ntfy topic URL and token accepted.
pub const MAX_NTFY_URL: usize = 512;
pub const MAX_NTFY_TOKEN: usize = 256;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ChannelError {
    #[error("the ntfy URL must be https://<server>/<topic> on a public address: {0}")]
    NtfyUrl(String),
    #[error("the ntfy URL must name a topic: https://ntfy.sh/<topic>")]
    NtfyTopic,
    #[error("the ntfy URL is longer than {MAX_NTFY_URL} characters")]
    NtfyUrlTooLong,
    #[error("the ntfy token must be 1 to {MAX_NTFY_TOKEN} visible ASCII characters")]
    NtfyToken,
}

impl NtfySettings {
    /// Checks everything a client controls before it is stored: the URL the server will
    /// POST to (https on a public address, like a push endpoint) and a header-safe token.
    pub fn validate(&self, policy: EndpointPolicy) -> Result<(), ChannelError> {
        if self.url.len() > MAX_NTFY_URL {
            return Err(ChannelError::NtfyUrlTooLong);
        }
        policy.check_endpoint(&self.url).map_err(|e| ChannelError::NtfyUrl(e.to_string()))?;
        let url = url::Url::parse(&self.url).map_err(|e| ChannelError::NtfyUrl(e.to_string()))?;
        let topic = url.path_segments().and_then(|mut s| s.next_back()).unwrap_or_default();
        if topic.is_empty() || url.query().is_some() || url.fragment().is_some() {
            return Err(ChannelError::NtfyTopic);
        }
        if let Some(token) = &self.token {
            let ok = !token.is_empty() && token.len() <= MAX_NTFY_TOKEN && token.bytes().all(|b| b.is_ascii_graphic());
            if !ok {
                return Err(ChannelError::NtfyToken);
            }
        }
        Ok(())
    }

    /// The topic's name, the URL's last path segment.
    pub fn topic(&self) -> String {
        self.url.trim_end_matches('/').rsplit('/').next().unwrap_or_default().to_owned()
    }
}

/// One channel's settings, tagged by kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ChannelSettings {
    Email(EmailSettings),
    Ntfy(NtfySettings),
}

impl ChannelSettings {
    pub fn kind(&self) -> ChannelKind {
        match self {
            ChannelSettings::Email(_) => ChannelKind::Email,
            ChannelSettings::Ntfy(_) => ChannelKind::Ntfy,
        }
    }

    /// The stored form (the `config` column).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(s: &str) -> Option<Self> {
        serde_json::from_str(s).ok()
    }
}

/// A channel as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserChannel {
    pub user: UserId,
    pub settings: ChannelSettings,
    pub enabled: bool,
    /// Why the server turned it off (a permanent failure, an unsubscribe link), if it did.
    pub disabled_reason: Option<String>,
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ntfy(url: &str, token: Option<&str>) -> NtfySettings {
        NtfySettings { url: url.into(), token: token.map(Into::into) }
    }

    #[test]
    fn ntfy_urls_are_public_https_topics() {
        let strict = EndpointPolicy::default();
        assert!(ntfy("https://ntfy.sh/kith-ada", Some("tk_abc")).validate(strict).is_ok());
        assert_eq!(ntfy("https://ntfy.sh/kith-ada", None).topic(), "kith-ada");
        assert!(ntfy("http://ntfy.sh/x", None).validate(strict).is_err());
        assert!(ntfy("https://10.0.0.1/x", None).validate(strict).is_err());
        assert!(ntfy("https://localhost/x", None).validate(strict).is_err());
        assert_eq!(ntfy("https://ntfy.sh/", None).validate(strict), Err(ChannelError::NtfyTopic));
        assert_eq!(ntfy("https://ntfy.sh/x", Some("a b")).validate(strict), Err(ChannelError::NtfyToken));
        assert_eq!(ntfy("https://ntfy.sh/x", Some("a\r\nX: y")).validate(strict), Err(ChannelError::NtfyToken));
        let long = format!("https://ntfy.sh/{}", "x".repeat(600));
        assert_eq!(ntfy(&long, None).validate(strict), Err(ChannelError::NtfyUrlTooLong));
        let test = EndpointPolicy { allow_http_loopback: true };
        assert!(ntfy("http://127.0.0.1:4000/t", None).validate(test).is_ok());
    }

    #[test]
    fn settings_round_trip_and_debug_hides_the_token() {
        let s = ChannelSettings::Ntfy(ntfy("https://ntfy.sh/t", Some("secret-token")));
        assert_eq!(ChannelSettings::from_json(&s.to_json()), Some(s.clone()));
        assert!(!format!("{s:?}").contains("secret-token"));
        let e = ChannelSettings::Email(EmailSettings { mode: EmailMode::Each, ..Default::default() });
        assert_eq!(e.to_json(), r#"{"kind":"email","mode":"each"}"#);
    }
}
