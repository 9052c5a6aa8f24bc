//! `GET /api/v1/devices` (the signed-in devices, i.e. sessions) and
//! `DELETE /api/v1/devices/{id}` (sign one out: its token dies, its open WebSocket is closed
//! at once, and its push subscriptions go with the session row).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::auth::AuthUser;
use crate::error::AppError;
use crate::ids::SessionId;
use crate::state::AppState;
use crate::store::StoreError;

#[derive(Serialize)]
pub struct Device {
    pub id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// The device making this request.
    pub current: bool,
}

#[derive(Serialize)]
pub struct Devices {
    pub devices: Vec<Device>,
}

pub async fn list(State(state): State<AppState>, auth: AuthUser) -> Result<Json<Devices>, AppError> {
    let sessions = state.store.list_sessions(auth.user_id).await?;
    let devices = sessions
        .into_iter()
        .map(|s| Device {
            id: s.id.to_string(),
            name: s.device_name,
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            current: s.id == auth.session_id,
        })
        .collect();
    Ok(Json(Devices { devices }))
}

pub async fn remove(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    // Any id that isn't one of this user's sessions is the same 404, so ids of other users'
    // devices cannot be probed.
    let not_found = || AppError::NotFound("no such device".into());
    let id = uuid::Uuid::parse_str(&id).map(SessionId).map_err(|_| not_found())?;
    match state.store.delete_session(auth.user_id, id).await {
        Ok(()) => {}
        Err(StoreError::NotFound) => return Err(not_found()),
        Err(err) => return Err(err.into()),
    }
    let closed = state.sockets.close_session(id);
    tracing::info!(user.id = %auth.user_id, sockets = closed, "device signed out");
    Ok(StatusCode::NO_CONTENT)
}
