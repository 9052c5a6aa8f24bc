//! argon2id password hashing with OWASP's parameters, run on a few dedicated threads.
//!
//! Why not the async threads: one hash takes ~20-50 ms of pure CPU and 19 MiB of memory. Run
//! on an async worker thread it would stall every other connection scheduled on that thread
//! (WebSocket sync included) for that long. One hashing thread per core (see [`HashPool`])
//! caps how many run at once, so a burst of logins queues instead of exhausting memory and
//! starving the rest of the server.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use super::hash_pool::HashPool;

use crate::error::AppError;

pub const MIN_PASSWORD_CHARS: usize = 10;
/// argon2 takes any length, but a megabyte "password" is an attack, not a secret.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Refuses a password no account can have (see [`MAX_PASSWORD_BYTES`]) before any work is
/// done on it. Saying so reveals nothing about any account, so logins get it too, as the
/// same 422 sign-up gives.
pub fn refuse_oversized(password: &str) -> Result<(), AppError> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AppError::unprocessable(
            "password_too_long",
            format!("the password must be at most {MAX_PASSWORD_BYTES} bytes"),
        ));
    }
    Ok(())
}

/// OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
const M_COST_KIB: u32 = 19_456;
const T_COST: u32 = 2;
const P_COST: u32 = 1;

/// A hash (with these exact parameters) of a random password nobody knows. Logins for an
/// unknown email verify against it, so they cost the same time as a wrong password and the
/// response time does not reveal which emails have accounts.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$cqQtj8Q0YtCupUfJcMS+vw$f7UbmUMynfrMc3vtFkCKQtuTg98oYQS9B/XZxomj7KU";

/// argon2's errors do not implement `std::error::Error` (no_std crate); keep their text.
fn crypto(err: impl std::fmt::Display) -> AppError {
    AppError::internal(format!("argon2: {err}"))
}

fn argon2() -> Result<Argon2<'static>, AppError> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None).map_err(crypto)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// The outcome of checking a login password.
#[derive(Debug, PartialEq, Eq)]
pub enum Verified {
    No,
    Yes,
    /// Correct, but hashed with older parameters: store this fresh hash.
    YesRehashed(String),
}

pub struct Passwords {
    pool: HashPool,
}

impl Default for Passwords {
    fn default() -> Self {
        Self::new()
    }
}

impl Passwords {
    pub fn new() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Passwords { pool: HashPool::new(cores) }
    }

    /// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`) with a fresh random salt.
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        self.pool.run(move || hash_now(&password)).await.map_err(AppError::internal)?
    }

    /// Checks `password` against `stored` (the account's PHC string), or against the dummy
    /// hash when there is no such account, so both take the same time and both say `No`.
    /// A password over [`MAX_PASSWORD_BYTES`] is `No` without being hashed (handlers refuse it
    /// earlier with a clear error; this is the backstop, since argon2's time grows with it).
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<Verified, AppError> {
        if password.len() > MAX_PASSWORD_BYTES {
            return Ok(Verified::No);
        }
        self.pool
            .run(move || match stored {
                Some(phc) => verify_now(&password, &phc),
                None => {
                    verify_now(&password, DUMMY_HASH)?;
                    Ok(Verified::No)
                }
            })
            .await
            .map_err(AppError::internal)?
    }
}

fn hash_now(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let hash = argon2()?.hash_password(password.as_bytes(), &salt).map_err(crypto)?;
    Ok(hash.to_string())
}

fn verify_now(password: &str, phc: &str) -> Result<Verified, AppError> {
    // A stored hash that does not parse is our fault (500), not a wrong password.
    let parsed = PasswordHash::new(phc).map_err(crypto)?;
    if argon2()?.verify_password(password.as_bytes(), &parsed).is_err() {
        return Ok(Verified::No);
    }
    let current = parsed.algorithm == argon2::ARGON2ID_IDENT
        && Params::try_from(&parsed).is_ok_and(|p| {
            (p.m_cost(), p.t_cost(), p.p_cost()) == (M_COST_KIB, T_COST, P_COST)
        });
    if current {
        Ok(Verified::Yes)
    } else {
        Ok(Verified::YesRehashed(hash_now(password)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_use_owasp_parameters() {
        let passwords = Passwords::new();
        let hash = passwords.hash("correct horse battery".into()).await.expect("hash");
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        let ok = passwords.verify("correct horse battery".into(), Some(hash.clone())).await;
        assert_eq!(ok.expect("verify"), Verified::Yes);
        let wrong = passwords.verify("wrong horse battery".into(), Some(hash)).await;
        assert_eq!(wrong.expect("verify"), Verified::No);
    }

    #[tokio::test]
    async fn oversized_passwords_are_refused_without_hashing() {
        let huge = "x".repeat(MAX_PASSWORD_BYTES + 1);
        assert!(refuse_oversized(&huge).is_err());
        assert!(refuse_oversized(&"x".repeat(MAX_PASSWORD_BYTES)).is_ok());
        // A stored hash that does not parse is a 500 once argon2 is reached; the oversized
        // password never gets that far.
        let not_a_hash = Some("not a PHC string".to_string());
        assert_eq!(Passwords::new().verify(huge, not_a_hash.clone()).await.expect("early No"), Verified::No);
        assert!(Passwords::new().verify("short".into(), not_a_hash).await.is_err(), "reaches argon2");
    }

    #[tokio::test]
    async fn unknown_accounts_never_verify() {
        let passwords = Passwords::new();
        assert_eq!(passwords.verify("anything".into(), None).await.expect("verify"), Verified::No);
    }

    #[test]
    fn dummy_hash_costs_the_same_as_a_real_one() {
        let parsed = PasswordHash::new(DUMMY_HASH).expect("parses");
        let params = Params::try_from(&parsed).expect("params");
        assert_eq!(parsed.algorithm, argon2::ARGON2ID_IDENT);
        assert_eq!((params.m_cost(), params.t_cost(), params.p_cost()), (M_COST_KIB, T_COST, P_COST));
    }

    #[tokio::test]
    async fn weaker_old_hashes_are_upgraded_on_login() {
        let weak = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8, 1, 1, None).expect("p"));
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let old = weak.hash_password(b"old password!", &salt).expect("hash").to_string();
        let result = Passwords::new().verify("old password!".into(), Some(old)).await.expect("verify");
        let Verified::YesRehashed(new) = result else { panic!("expected a rehash, got {result:?}") };
        assert!(new.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    }
}
