//! `POST /api/v1/account/password` (change it: every other device is signed out) and
//! `DELETE /api/v1/account` (remove the user and everything of theirs). Both need the
//! current password, checked like a login (same limiter), so a stolen token alone can
//! neither lock the owner out nor destroy their data.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use crate::auth::{refuse_oversized, AuthUser, ClientIp, Verified};
use crate::error::{AppError, Json};
use crate::state::AppState;
use crate::store::UserRecord;

#[derive(Deserialize)]
pub struct ChangePassword {
    pub current: String,
    pub new: String,
}

#[derive(Deserialize)]
pub struct DeleteAccount {
    pub password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    auth: AuthUser,
    Json(body): Json<ChangePassword>,
) -> Result<StatusCode, AppError> {
    super::accounts::check_password(&body.new)?;
    let user = confirm_password(&state, ip, &auth, body.current).await?;
    let hash = state.passwords.hash(body.new).await?;
    state.store.set_password_hash(user.id, &hash).await?;
    let revoked = state.store.delete_other_sessions(user.id, Some(auth.session_id)).await?;
    let closed = state.sockets.close_sessions(&revoked);
    tracing::info!(user.id = %user.id, sessions = revoked.len(), sockets = closed, "password changed");
    Ok(StatusCode::NO_CONTENT)
}

pub async fn delete_account(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    auth: AuthUser,
    Json(body): Json<DeleteAccount>,
) -> Result<StatusCode, AppError> {
    let user = confirm_password(&state, ip, &auth, body.password).await?;
    state.store.delete_user(user.id).await?;
    let closed = state.sockets.close_user(user.id);
    tracing::info!(user.id = %user.id, sockets = closed, "account deleted");
    Ok(StatusCode::NO_CONTENT)
}

/// Checks `password` against the signed-in user's, counting failures like failed logins.
/// A wrong password is 403, not 401: the session itself is fine, and a client that treats
/// 401 as "log in again" must not sign the user out over a typo.
async fn confirm_password(
    state: &AppState,
    ip: Option<std::net::IpAddr>,
    auth: &AuthUser,
    password: String,
) -> Result<UserRecord, AppError> {
    refuse_oversized(&password)?;
    let user = state.store.user_by_id(auth.user_id).await?.ok_or(AppError::Unauthorized)?;
    // Counted before the hash, like a login (see `auth::limiter`).
    let attempt = state
        .login_limiter
        .begin(&user.email, ip, state.now())
        .map_err(|retry_after| AppError::TooManyRequests { retry_after })?;
    let verified = state.passwords.verify(password, Some(user.password_hash.clone())).await?;
    if verified == Verified::No {
        // `attempt` is dropped: it stays counted as a failure.
        return Err(AppError::Forbidden("the password is wrong".into()));
    }
    state.login_limiter.succeeded(attempt, state.now());
    Ok(user)
}
