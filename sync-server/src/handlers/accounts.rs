//! `POST /api/v1/accounts`: sign up. Creates the user, their document (stored as a snapshot
//! before we answer, so the first sync finds it) and a first session.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::auth::{is_plausible_email, new_token, normalize_email, refuse_oversized, ClientIp, MIN_PASSWORD_CHARS};
use crate::error::{AppError, Json};
use crate::ids::DocId;
use crate::metrics::Metrics;
use crate::state::AppState;
use crate::store::{Chunk, ChunkKind, StoreError};

#[derive(Deserialize)]
pub struct Signup {
    pub email: String,
    pub password: String,
    /// IANA zone for reminders (the web client sends the browser's); default UTC.
    pub timezone: Option<String>,
    pub device_name: Option<String>,
}

#[derive(Serialize)]
pub struct SignedUp {
    pub user_id: String,
    pub token: String,
    pub doc_id: String,
}

/// Throttled per client address (every attempt counts, see `auth::signup_limiter`), and a
/// taken email costs the same argon2 work as a new one, so neither the answer rate nor its
/// timing makes enumerating accounts cheap.
pub async fn signup(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Json(body): Json<Signup>,
) -> Result<(StatusCode, axum::Json<SignedUp>), AppError> {
    state
        .signup_limiter
        .begin(ip, state.now())
        .map_err(|retry_after| AppError::TooManyRequests { retry_after })?;
    let email = normalize_email(&body.email);
    if !is_plausible_email(&email) {
        return Err(AppError::unprocessable("invalid_email", "that does not look like an email address"));
    }
    check_password(&body.password)?;
    let timezone = body.timezone.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or("UTC");
    if timezone.parse::<chrono_tz::Tz>().is_err() {
        return Err(AppError::unprocessable("invalid_timezone", "timezone must be an IANA zone like Europe/Berlin"));
    }
    // Hash first, also when the email turns out to be taken: answering "taken" without the
    // ~30 ms of argon2 made it ten times faster than a new account, a free oracle for which
    // emails have accounts. The insert below still guards against a concurrent signup.
    let password_hash = state.passwords.hash(body.password).await?;
    if state.store.user_by_email(&email).await?.is_some() {
        return Err(email_taken());
    }

    let now = state.now();
    let doc_id = DocId::random();
    let snapshot = snapshot_chunk(initial_document(timezone, now)?);
    let user_id = match state.store.create_user(&email, &password_hash, doc_id, now).await {
        Ok(id) => id,
        Err(StoreError::Conflict("email")) => return Err(email_taken()),
        Err(err) => return Err(err.into()),
    };
    if let Err(err) = state.store.append_chunk(doc_id, &snapshot).await {
        // Without its document the account is useless; undo it so the email is free again.
        if let Err(undo) = state.store.delete_user(user_id).await {
            tracing::error!(error = %undo, "could not remove a half-created account");
        }
        return Err(err.into());
    }
    Metrics::add(&state.metrics.persisted_bytes, snapshot.bytes.len() as u64);

    let token = new_token();
    let device = super::device_name(body.device_name.as_deref(), &headers);
    state.store.create_session(user_id, &token.hash, &device, now).await?;
    // Where the account was made is where its owner is: that address keeps working for them
    // while others guess at the account (see `auth::limiter`).
    state.login_limiter.recognise(&email, ip, now);
    tracing::Span::current().record("user.id", tracing::field::display(user_id));
    tracing::info!("account created");
    Metrics::inc(&state.metrics.accounts_created);
    Ok((
        StatusCode::CREATED,
        axum::Json(SignedUp { user_id: user_id.to_string(), token: token.token, doc_id: doc_id.to_string() }),
    ))
}

fn email_taken() -> AppError {
    AppError::Conflict { code: "email_taken", message: "an account with this email already exists".into() }
}

pub(crate) fn check_password(password: &str) -> Result<(), AppError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::unprocessable(
            "password_too_short",
            format!("the password must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    refuse_oversized(password)
}

/// The new user's document (schema 1, via crdt-model), as saved bytes.
fn initial_document(timezone: &str, now: DateTime<Utc>) -> Result<Vec<u8>, AppError> {
    let doc = crdt_model::new_document(timezone, now).map_err(AppError::internal)?;
    Ok(doc.save())
}

fn snapshot_chunk(bytes: Vec<u8>) -> Chunk {
    Chunk { kind: ChunkKind::Snapshot, hash: Sha256::digest(&bytes).into(), bytes }
}

#[cfg(test)]
mod tests {
    use automerge::{ReadDoc, ROOT};

    use super::*;

    #[test]
    fn initial_document_has_schema_one_and_empty_maps() {
        let bytes = initial_document("Europe/Berlin", Utc::now()).expect("doc");
        let doc = automerge::Automerge::load(&bytes).expect("loads");
        let (schema, _) = doc.get(ROOT, "schema").expect("get").expect("schema");
        assert_eq!(schema.as_i64(), Some(1));
        for map in ["contacts", "interactions", "notes", "settings"] {
            assert!(doc.get(ROOT, map).expect("get").is_some(), "{map}");
        }
    }

    #[test]
    fn passwords_shorter_than_ten_characters_are_refused() {
        assert!(check_password("123456789").is_err());
        assert!(check_password("ünïcödé!!!").is_ok(), "ten characters, more bytes");
        assert!(check_password(&"x".repeat(crate::auth::MAX_PASSWORD_BYTES + 1)).is_err());
    }
}
