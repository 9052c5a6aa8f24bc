//! `GET /api/v1/reminders`: overdue, due soon, upcoming birthdays, due follow-ups and upcoming
//! important dates, computed by the server from the user's document.

use axum::extract::State;
use axum::Json;
use reminders::overview::{overview, Overview};

use crate::auth::AuthUser;
use crate::error::AppError;
use crate::state::AppState;

pub async fn list(State(state): State<AppState>, auth: AuthUser) -> Result<Json<Overview>, AppError> {
    let now = state.now();
    // Notes are not needed for the relationship math; skipping them skips most of the doc.
    let loaded = state.hub.read_doc(auth.doc_id, crdt_model::load_without_notes).await.map_err(AppError::internal)?;
    Ok(Json(overview(&loaded.doc, now)))
}
