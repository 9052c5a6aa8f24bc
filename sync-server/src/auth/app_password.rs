//! App passwords: what a phone's Contacts app or a calendar app stores instead of the
//! account password. Each is a long random secret, shown once, revocable on its own, and
//! accepted only by CardDAV (`/dav/…`) and the calendar feed — never by `/api` or `/sync`,
//! which take session tokens only (`AuthUser` never looks at this table).
//!
//! Hashing: the password is 24 random letters (≈113 bits), so there is nothing to
//! brute-force and a slow, salted hash (argon2) would only cost CPU on every CardDAV request
//! (a phone sends dozens per sync). The store keeps SHA-256 over a domain tag and the
//! password, which is deterministic, so the row is found by its hash directly. Session
//! tokens are hashed differently (raw bytes, no tag), so one can never stand in for the other.

use std::net::IpAddr;

use rand::Rng;
use sha2::{Digest, Sha256};

use super::normalize_email;
use crate::error::AppError;
use crate::ids::{AppPasswordId, DocId, UserId};
use crate::metrics::Metrics;
use crate::state::AppState;

/// Letters per app password; groups of four, dash-separated, for typing on a phone.
const LETTERS: usize = 24;
const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
/// Longer input than any app password (with or without dashes) is refused before hashing.
const MAX_PRESENTED_BYTES: usize = 64;

/// A freshly made app password: `password` goes to the user once, `hash` to the store.
pub struct NewAppPassword {
    pub password: String,
    pub hash: [u8; 32],
}

pub fn new_app_password() -> NewAppPassword {
    let mut rng = rand::rngs::OsRng;
    let letters: Vec<char> = (0..LETTERS).map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())])).collect();
    let groups: Vec<String> = letters.chunks(4).map(|g| g.iter().collect()).collect();
    let password = groups.join("-");
    let hash = hash_app_password(&password).unwrap_or([0; 32]);
    NewAppPassword { password, hash }
}

/// The stored hash for a presented password: dashes, spaces and case do not matter (people
/// type these on a phone keyboard). `None` if it cannot be an app password.
pub fn hash_app_password(presented: &str) -> Option<[u8; 32]> {
    if presented.len() > MAX_PRESENTED_BYTES {
        return None;
    }
    let letters: String =
        presented.chars().filter(|c| !matches!(c, '-' | ' ')).map(|c| c.to_ascii_lowercase()).collect();
    if letters.len() != LETTERS || !letters.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let mut h = Sha256::new();
    h.update(b"kith app password v1\0");
    h.update(letters.as_bytes());
    Some(h.finalize().into())
}

/// Who an app password belongs to.
#[derive(Clone, Copy, Debug)]
pub struct AppPasswordUser {
    pub user_id: UserId,
    pub doc_id: DocId,
    pub app_password_id: AppPasswordId,
}

/// Checks `email` + `password` (HTTP Basic on `/dav`, or the calendar feed). The attempt
/// is counted by the login limiter before anything is looked up, exactly like a login, so
/// guessing app passwords is as slow as guessing account passwords; a success clears it.
/// Every failure is the same `Unauthorized`; too many is `TooManyRequests`.
pub async fn authenticate_app_password(
    state: &AppState,
    email: &str,
    password: &str,
    ip: Option<IpAddr>,
) -> Result<AppPasswordUser, AppError> {
    let email = normalize_email(email);
    let attempt = state.login_limiter.begin(&email, ip, state.now()).map_err(|retry_after| {
        Metrics::inc(&state.metrics.logins_limited);
        AppError::TooManyRequests { retry_after }
    })?;
    let Some(hash) = hash_app_password(password) else {
        Metrics::inc(&state.metrics.logins_failed);
        return Err(AppError::Unauthorized);
    };
    let found = state.store.app_password_by_hash(&hash, state.now()).await?;
    let user = match found {
        Some(found) => state.store.user_by_id(found.user_id).await?.map(|u| (found, u)),
        None => None,
    };
    // The password must belong to the account named: another user's app password is as
    // wrong as a made-up one.
    let Some((found, user)) = user.filter(|(_, u)| u.email == email) else {
        Metrics::inc(&state.metrics.logins_failed);
        return Err(AppError::Unauthorized);
    };
    state.login_limiter.succeeded(attempt, state.now());
    tracing::Span::current().record("user.id", tracing::field::display(user.id));
    Ok(AppPasswordUser { user_id: user.id, doc_id: user.doc_id, app_password_id: found.id })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_passwords_are_long_random_and_hash_back_however_typed() {
        let a = new_app_password();
        let b = new_app_password();
        assert_ne!(a.password, b.password);
        assert_eq!(a.password.len(), LETTERS + LETTERS / 4 - 1);
        assert_eq!(hash_app_password(&a.password), Some(a.hash));
        assert_eq!(hash_app_password(&a.password.replace('-', "").to_uppercase()), Some(a.hash));
        assert_ne!(a.hash, b.hash);
    }

    #[test]
    fn other_secrets_are_not_app_passwords() {
        assert_eq!(hash_app_password(""), None);
        assert_eq!(hash_app_password("correct horse battery staple"), None);
        // a session token: 43 base64url characters
        assert_eq!(hash_app_password(&crate::auth::new_token().token), None);
        assert_eq!(hash_app_password(&"a".repeat(10_000)), None);
    }
}
