//! `GET /api/v1/reminders`: overdue, due soon and upcoming birthdays, computed by the
//! server from the user's document.

use axum::extract::State;
use reminders::overview::{overview, Overview};

use crate::auth::AuthUser;
use axum::Json;

use crate::error::{self, AppError};
use crate::state::AppState;

pub async fn list(State(state): State<AppState>, auth: AuthUser) -> Result<Json<Overview>, AppError> {
    let now = state.now();
    let loaded = state.hub.read_doc(auth.doc_id, crdt_model::load).await.map_err(AppError::internal)?;
    Ok(Json(overview(&loaded.doc, now)))
}
