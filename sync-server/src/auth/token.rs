//! Session tokens: 256 random bits, shown to the client once as base64url; the server keeps
//! only their SHA-256. No salt is needed: with 256 bits of entropy there is nothing to
//! brute-force, and the hash must be deterministic to be looked up.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A freshly minted token: `token` goes to the client, `hash` to the store.
pub struct NewToken {
    pub token: String,
    pub hash: [u8; 32],
}

pub fn new_token() -> NewToken {
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    NewToken { token: URL_SAFE_NO_PAD.encode(raw), hash: Sha256::digest(raw).into() }
}

/// The stored hash for a presented token, or `None` if it cannot be one of ours (so it
/// never reaches the database).
pub fn hash_token(token: &str) -> Option<[u8; 32]> {
    if token.len() != 43 {
        return None;
    }
    let raw = URL_SAFE_NO_PAD.decode(token).ok()?;
    let raw: [u8; 32] = raw.try_into().ok()?;
    Some(Sha256::digest(raw).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_hash_back() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a.token, b.token);
        assert_eq!(a.token.len(), 43);
        assert_eq!(hash_token(&a.token), Some(a.hash));
        assert_ne!(a.hash, b.hash);
    }

    #[test]
    fn garbage_is_not_a_token() {
        assert_eq!(hash_token(""), None);
        assert_eq!(hash_token("not a token"), None);
        assert_eq!(hash_token(&"!".repeat(43)), None);
    }
}
