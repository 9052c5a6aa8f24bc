//! `POST /api/v1/sessions` (log in) and `DELETE /api/v1/sessions/current` (log out).
//! Listing and signing out other devices is `devices.rs`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};

use crate::auth::{new_token, normalize_email, refuse_oversized, AuthUser, ClientIp, Verified};
use crate::error::{AppError, Json};
use crate::metrics::Metrics;
use crate::state::AppState;
use crate::store::StoreError;

#[derive(Deserialize)]
pub struct Login {
    pub email: String,
    pub password: String,
    pub device_name: Option<String>,
}

#[derive(Serialize)]
pub struct LoggedIn {
    pub token: String,
    pub doc_id: String,
    pub user_id: String,
}

/// Every failure is the same 401 after the same argon2 work: an unknown email verifies
/// against a dummy hash, so neither the answer nor its timing says which part was wrong.
/// The attempt is counted by the limiter *before* the hash (see `auth::limiter`), so
/// concurrent guesses cannot slip past it.
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Json(body): Json<Login>,
) -> Result<axum::Json<LoggedIn>, AppError> {
    refuse_oversized(&body.password)?;
    let email = normalize_email(&body.email);
    let attempt = state.login_limiter.begin(&email, ip, state.now()).map_err(|retry_after| {
        Metrics::inc(&state.metrics.logins_limited);
        AppError::TooManyRequests { retry_after }
    })?;

    let user = state.store.user_by_email(&email).await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let verified = state.passwords.verify(body.password, stored).await?;
    let user = match (verified, user) {
        (Verified::No, _) | (_, None) => {
            // `attempt` is dropped: it stays counted as a failure.
            Metrics::inc(&state.metrics.logins_failed);
            return Err(AppError::Unauthorized);
        }
        (Verified::Yes, Some(user)) => user,
        (Verified::YesRehashed(fresh), Some(user)) => {
            // Best effort: the login succeeds either way, and the next one retries.
            if let Err(err) = state.store.set_password_hash(user.id, &fresh).await {
                tracing::warn!(error = %err, "could not upgrade a password hash");
            }
            user
        }
    };
    state.login_limiter.succeeded(attempt, state.now());
    tracing::Span::current().record("user.id", tracing::field::display(user.id));
    Metrics::inc(&state.metrics.logins_ok);

    let token = new_token();
    let device = super::device_name(body.device_name.as_deref(), &headers);
    state.store.create_session(user.id, &token.hash, &device, state.now()).await?;
    Ok(axum::Json(LoggedIn {
        token: token.token,
        doc_id: user.doc_id.to_string(),
        user_id: user.id.to_string(),
    }))
}

/// Revokes the token this request used, and closes that device's open sync sockets (a token
/// that no longer exists must not keep syncing); other devices stay signed in.
pub async fn logout(State(state): State<AppState>, auth: AuthUser) -> Result<StatusCode, AppError> {
    match state.store.delete_session(auth.user_id, auth.session_id).await {
        // Already gone (a concurrent logout): the outcome the client asked for.
        Ok(()) | Err(StoreError::NotFound) => {}
        Err(err) => return Err(err.into()),
    }
    state.sockets.close_session(auth.session_id);
    Ok(StatusCode::NO_CONTENT)
}
