//! `GET /api/v1/me`: who the token belongs to and which document is theirs.

use axum::extract::State;
use axum::Json;
use serde::Serialize;

use crate::auth::AuthUser;
use crate::error::AppError;
use crate::state::AppState;

#[derive(Serialize)]
pub struct Me {
    pub user_id: String,
    pub email: String,
    pub doc_id: String,
}

pub async fn me(State(state): State<AppState>, auth: AuthUser) -> Result<Json<Me>, AppError> {
    let user = state.store.user_by_id(auth.user_id).await?.ok_or(AppError::Unauthorized)?;
    Ok(Json(Me { user_id: user.id.to_string(), email: user.email, doc_id: user.doc_id.to_string() }))
}
