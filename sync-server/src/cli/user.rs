//! `kith user list` and `kith user reset-password EMAIL`, straight against the store (the
//! server may be running; both are ordinary transactions).

use std::io::Write;

use anyhow::Context;
use rand::Rng;

use crate::auth::{normalize_email, Passwords};
use crate::config::{redact_url, Config};
use crate::store::Store;

/// No 0/O, 1/l/I: the password is read off a screen and typed on a phone.
const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const ONE_TIME_PASSWORD_CHARS: usize = 20;

async fn open(config: &Config) -> anyhow::Result<std::sync::Arc<dyn Store>> {
    crate::store::open(&config.database_url())
        .await
        .with_context(|| format!("opening database {}", redact_url(&config.database_url())))
}

pub async fn list(config: &Config, out: &mut impl Write) -> anyhow::Result<()> {
    let store = open(config).await?;
    let users = store.list_users().await?;
    writeln!(out, "{:<40} {:<36} {:<20} devices", "email", "user id", "created (UTC)")?;
    for user in &users {
        let devices = store.list_sessions(user.id).await?.len();
        let created = user.created_at.format("%Y-%m-%d %H:%M");
        writeln!(out, "{:<40} {:<36} {:<20} {devices}", user.email, user.id, created)?;
    }
    writeln!(out, "{} account(s)", users.len())?;
    Ok(())
}

/// Sets a fresh random password and signs out every device. Prints the password once.
pub async fn reset_password(config: &Config, email: &str, out: &mut impl Write) -> anyhow::Result<()> {
    let store = open(config).await?;
    let email = normalize_email(email);
    let user = store.user_by_email(&email).await?.with_context(|| format!("no account with email {email}"))?;
    let password = one_time_password(&mut rand::thread_rng());
    let hash = Passwords::new().hash(password.clone()).await?;
    store.set_password_hash(user.id, &hash).await?;
    let revoked = store.delete_other_sessions(user.id, None).await?;
    writeln!(out, "New password for {email}: {password}")?;
    writeln!(
        out,
        "{} device(s) signed out (their tokens stop working within KITH_SESSION_CACHE_SECS of a running server, 10 s by default on SQLite; an open sync connection ends at its next reconnect).",
        revoked.len()
    )?;
    writeln!(out, "Give the password to its owner and ask them to change it after logging in.")?;
    Ok(())
}

pub fn one_time_password(rng: &mut impl Rng) -> String {
    (0..ONE_TIME_PASSWORD_CHARS).map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_time_passwords_are_long_unambiguous_and_different() {
        let mut rng = rand::thread_rng();
        let a = one_time_password(&mut rng);
        let b = one_time_password(&mut rng);
        assert_eq!(a.chars().count(), ONE_TIME_PASSWORD_CHARS);
        assert!(a.chars().count() >= crate::auth::MIN_PASSWORD_CHARS);
        assert!(!a.contains(['0', 'O', '1', 'l', 'I']), "{a}");
        assert_ne!(a, b);
    }
}
