//! Links in emails and ntfy messages that act without a login on the device that opens them
//! ("Done", "Snooze a week", "Unsubscribe"): signed, single-purpose, expiring tokens.
//!
//! A token is `base64url(payload) . base64url(HMAC-SHA256(key, payload))`, where the payload
//! names the user, the one action, its target and an expiry. The key is the server's (kept in
//! the database, so every instance shares it). Anyone holding a link can do exactly that one
//! thing for that one person until it expires — the same as pressing the button in the email.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use uuid::Uuid;

use crate::ids::UserId;

/// Longest token looked at; anything longer is refused before decoding.
pub const MAX_TOKEN_LEN: usize = 512;
/// Done and Snooze links stay valid this long (a week of unread email).
pub const ACTION_TTL_DAYS: i64 = 7;
/// Unsubscribe links must keep working much longer (RFC 8058 mail clients store them).
pub const UNSUBSCRIBE_TTL_DAYS: i64 = 365;

/// What a link does. The target is a contact, a follow-up, or (for `Unsubscribe`) nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkAction {
    /// Log an interaction with the contact (starts a new cycle).
    #[serde(rename = "d")]
    Done,
    /// Snooze the contact a week.
    #[serde(rename = "s")]
    Snooze,
    /// Mark the follow-up done.
    #[serde(rename = "fd")]
    FollowUpDone,
    /// Snooze the follow-up a day.
    #[serde(rename = "fs")]
    FollowUpSnooze,
    /// Turn the user's email channel off.
    #[serde(rename = "u")]
    Unsubscribe,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkClaim {
    #[serde(rename = "u")]
    pub user: Uuid,
    #[serde(rename = "a")]
    pub action: LinkAction,
    #[serde(rename = "t", default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Uuid>,
    /// Expiry, seconds since the epoch.
    #[serde(rename = "e")]
    pub expires: i64,
}

impl LinkClaim {
    pub fn user_id(&self) -> UserId {
        UserId(self.user)
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LinkError {
    #[error("this link is malformed or was changed")]
    Invalid,
    #[error("this link has expired; open Kith to act on the reminder")]
    Expired,
}

/// Signs and checks links with the server's key.
#[derive(Clone)]
pub struct LinkSigner {
    key: Vec<u8>,
}

impl std::fmt::Debug for LinkSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkSigner(***)")
    }
}

type HmacSha256 = Hmac<Sha256>;

impl LinkSigner {
    pub fn new(key: Vec<u8>) -> Self {
        LinkSigner { key }
    }

    /// 32 random bytes for a new server key.
    pub fn fresh_key() -> Vec<u8> {
        use rand::RngCore;
        let mut k = vec![0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut k);
        k
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC takes keys of any length.
        HmacSha256::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!("HMAC accepts any key length"))
    }

    pub fn sign(&self, user: UserId, action: LinkAction, target: Option<Uuid>, expires: DateTime<Utc>) -> String {
        let claim = LinkClaim { user: user.0, action, target, expires: expires.timestamp() };
        let payload = serde_json::to_vec(&claim).unwrap_or_default();
        let mut mac = self.mac();
        mac.update(&payload);
        let sig = mac.finalize().into_bytes();
        format!("{}.{}", URL_SAFE_NO_PAD.encode(&payload), URL_SAFE_NO_PAD.encode(sig))
    }

    /// A keyed MAC of `parts` (hex), for secrets stored only as their MAC (email codes).
    pub fn mac_hex(&self, parts: &[&str]) -> String {
        let mut mac = self.mac();
        for p in parts {
            mac.update(&(p.len() as u64).to_be_bytes());
            mac.update(p.as_bytes());
        }
        hex::encode(mac.finalize().into_bytes())
    }

    /// Whether `mac_hex(parts)` is `expected`, in constant time.
    pub fn mac_matches(&self, parts: &[&str], expected: &str) -> bool {
        let Ok(expected) = hex::decode(expected) else { return false };
        let mut mac = self.mac();
        for p in parts {
            mac.update(&(p.len() as u64).to_be_bytes());
            mac.update(p.as_bytes());
        }
        mac.verify_slice(&expected).is_ok()
    }

    /// A link for `action` valid for its usual lifetime from `now`.
    pub fn sign_for(&self, user: UserId, action: LinkAction, target: Option<Uuid>, now: DateTime<Utc>) -> String {
        let days = if action == LinkAction::Unsubscribe { UNSUBSCRIBE_TTL_DAYS } else { ACTION_TTL_DAYS };
        self.sign(user, action, target, now + Duration::days(days))
    }

    /// The claim, if the token is intact (constant-time check) and not expired at `now`.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<LinkClaim, LinkError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(LinkError::Invalid);
        }
        let (payload, sig) = token.split_once('.').ok_or(LinkError::Invalid)?;
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| LinkError::Invalid)?;
        let sig = URL_SAFE_NO_PAD.decode(sig).map_err(|_| LinkError::Invalid)?;
        let mut mac = self.mac();
        mac.update(&payload);
        mac.verify_slice(&sig).map_err(|_| LinkError::Invalid)?;
        let claim: LinkClaim = serde_json::from_slice(&payload).map_err(|_| LinkError::Invalid)?;
        if claim.expires <= now.timestamp() {
            return Err(LinkError::Expired);
        }
        Ok(claim)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).single().unwrap_or_default()
    }

    #[test]
    fn a_signed_link_verifies_until_it_expires() {
        let s = LinkSigner::new(LinkSigner::fresh_key());
        let (user, target) = (UserId(Uuid::new_v4()), Uuid::new_v4());
        let token = s.sign_for(user, LinkAction::Done, Some(target), now());
        let claim = s.verify(&token, now()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((claim.user_id(), claim.action, claim.target), (user, LinkAction::Done, Some(target)));
        assert_eq!(s.verify(&token, now() + Duration::days(8)), Err(LinkError::Expired));
    }

    #[test]
    fn tampered_or_foreign_links_are_refused() {
        let s = LinkSigner::new(LinkSigner::fresh_key());
        let user = UserId(Uuid::new_v4());
        let token = s.sign_for(user, LinkAction::Snooze, Some(Uuid::new_v4()), now());
        // Another action with the old signature.
        let (_, sig) = token.split_once('.').unwrap_or_default();
        let forged = LinkClaim { user: user.0, action: LinkAction::Unsubscribe, target: None, expires: i64::MAX };
        let forged = format!("{}.{sig}", URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap_or_default()));
        assert_eq!(s.verify(&forged, now()), Err(LinkError::Invalid));
        // Another server's key.
        let other = LinkSigner::new(LinkSigner::fresh_key());
        assert_eq!(other.verify(&token, now()), Err(LinkError::Invalid));
        for junk in ["", ".", "abc", "a.b", &"x".repeat(2000)] {
            assert_eq!(s.verify(junk, now()), Err(LinkError::Invalid), "{junk}");
        }
    }
}
