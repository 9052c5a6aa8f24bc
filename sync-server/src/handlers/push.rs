//! Web Push registration: the VAPID public key browsers subscribe with, and the
//! subscriptions themselves (tied to the session, i.e. the device, that registered them).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use reminders::{DeviceSession, NudgeStoreError, PushSubscription};
use serde::{Deserialize, Serialize};

use crate::auth::AuthUser;
use axum::Json;

use crate::error::{self, AppError};
use crate::state::AppState;

#[derive(Serialize)]
pub struct VapidPublicKey {
    /// Uncompressed P-256 point, base64url: `applicationServerKey` for `pushManager.subscribe`.
    pub public_key: String,
}

pub async fn vapid_public_key(State(state): State<AppState>) -> Result<Json<VapidPublicKey>, AppError> {
    let rt = state.reminders.as_ref().ok_or_else(push_unavailable)?;
    Ok(Json(VapidPublicKey { public_key: rt.keys.public_key_b64() }))
}

#[derive(Serialize)]
pub struct Registered {
    pub id: String,
}

/// `POST /api/v1/push/subscriptions` with the browser's `PushSubscription.toJSON()`.
pub async fn subscribe(
    State(state): State<AppState>,
    auth: AuthUser,
    error::Json(sub): error::Json<PushSubscription>,
) -> Result<Response, AppError> {
    let rt = state.reminders.as_ref().ok_or_else(push_unavailable)?;
    sub.validate(rt.policy).map_err(|e| AppError::unprocessable("invalid_subscription", e.to_string()))?;
    let stored = state
        .store
        .upsert_push_subscription(
            auth.user_id,
            Some(DeviceSession(auth.session_id.0)),
            &sub,
            state.now(),
        )
        .await
        .map_err(|e| match e {
            NudgeStoreError::EndpointTaken => AppError::Conflict {
                code: "endpoint_taken",
                message: "this push endpoint is registered to another account; \
                          unsubscribe in the browser and subscribe again"
                    .into(),
            },
            other => AppError::internal(other),
        })?;
    Ok((StatusCode::CREATED, Json(Registered { id: stored.id.to_string() })).into_response())
}

#[derive(Deserialize)]
pub struct Unsubscribe {
    pub endpoint: String,
}

/// `DELETE /api/v1/push/subscriptions` with `{endpoint}` (a full `PushSubscription` works too).
pub async fn unsubscribe(
    State(state): State<AppState>,
    auth: AuthUser,
    error::Json(body): error::Json<Unsubscribe>,
) -> Result<StatusCode, AppError> {
    let removed = state
        .store
        .remove_push_subscription(auth.user_id, &body.endpoint)
        .await
        .map_err(AppError::internal)?;
    if removed {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound("no such push subscription".into()))
    }
}

fn push_unavailable() -> AppError {
    AppError::internal("reminder service not initialised")
}
