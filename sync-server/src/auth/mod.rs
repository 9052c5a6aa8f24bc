//! Who is asking: bearer tokens, the `AuthUser` extractor, password hashing and the
//! failed-login limiter.

mod extract;
mod hash_pool;
mod limiter;
mod password;
mod token;

pub use extract::{AuthUser, ClientIp};
pub use limiter::{LimitPolicy, LoginLimiter};
pub use password::{Passwords, Verified, MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS};
pub use token::{hash_token, new_token, NewToken};

/// Normalizes an email for storage and lookup: surrounding whitespace removed, lowercased.
/// (Lowercasing the local part is technically lossy, but no real mail provider
/// distinguishes case, and users do type their address in different cases.)
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A deliberately loose check: one `@` with something on both sides, a dot in the domain, no
/// spaces or control characters, at most 254 bytes. Deliverability is not our business.
pub fn is_plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= 254
        && !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lowercased() {
        assert_eq!(normalize_email("  Ada.Lovelace@Example.COM \n"), "ada.lovelace@example.com");
    }

    #[test]
    fn plausible_emails() {
        assert!(is_plausible_email("a@b.co"));
        assert!(is_plausible_email("first.last+tag@sub.example.org"));
        for bad in ["", "a", "a@", "@b.co", "a@b", "a@@b.co", "a b@c.de", "a@b.co.", "a@.b"] {
            assert!(!is_plausible_email(bad), "{bad:?}");
        }
        assert!(!is_plausible_email(&format!("{}@example.com", "x".repeat(250))));
    }
}
