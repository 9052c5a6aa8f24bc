//! The notification buttons: "Done" logs an interaction, "Snooze" pushes the reminder out.
//! The server writes them into the user's document as its own peer (through the hub), so
//! every connected device sees the change live and the nudges are re-planned from it.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use crdt_model::{ContactId, InteractionDraft, InteractionKind, ModelError};
use serde::{Deserialize, Serialize};

use axum::Json;

use crate::auth::AuthUser;
use crate::error::{self, AppError};
use crate::state::AppState;

/// Longest note accepted from a notification action: the limit imports cut notes at.
use crdt_model::limits::MAX_NOTE_CHARS;
const MAX_SNOOZE_DAYS: u32 = 365;

#[derive(Deserialize)]
pub struct LogInteraction {
    pub kind: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Serialize)]
pub struct Logged {
    pub interaction_id: String,
    pub at: DateTime<Utc>,
}

pub async fn log_interaction(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(contact): Path<String>,
    error::Json(body): error::Json<LogInteraction>,
) -> Result<(StatusCode, Json<Logged>), AppError> {
    let contact = parse_contact(&contact)?;
    let kind = InteractionKind::parse(body.kind.trim());
    if matches!(kind, InteractionKind::Unrecognized(_)) {
        return Err(AppError::unprocessable(
            "invalid_kind",
            "kind must be one of call, meeting, message, email, other",
        ));
    }
    let note = body.note.unwrap_or_default();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(AppError::unprocessable("note_too_long", format!("note is longer than {MAX_NOTE_CHARS} characters")));
    }
    let now = state.now();
    let draft = InteractionDraft { contact_ids: vec![contact], kind, at: now, note };
    let id = state
        .hub
        .change_doc(auth.doc_id, |doc| crdt_model::log_interaction(doc, draft, now))
        .await
        .map_err(AppError::internal)?
        .map_err(model_error)?;
    Ok((StatusCode::CREATED, Json(Logged { interaction_id: id.to_string(), at: now })))
}

#[derive(Deserialize)]
pub struct Snooze {
    pub days: u32,
}

#[derive(Serialize)]
pub struct Snoozed {
    pub snoozed_until: DateTime<Utc>,
}

pub async fn snooze(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(contact): Path<String>,
    error::Json(body): error::Json<Snooze>,
) -> Result<Json<Snoozed>, AppError> {
    let contact = parse_contact(&contact)?;
    if body.days == 0 || body.days > MAX_SNOOZE_DAYS {
        return Err(AppError::unprocessable("invalid_days", format!("days must be between 1 and {MAX_SNOOZE_DAYS}")));
    }
    let now = state.now();
    let until = now + Duration::days(i64::from(body.days));
    state
        .hub
        .change_doc(auth.doc_id, |doc| crdt_model::snooze(doc, contact, Some(until), now))
        .await
        .map_err(AppError::internal)?
        .map_err(model_error)?;
    Ok(Json(Snoozed { snoozed_until: until }))
}

/// A malformed id names no contact: the same 404 as an unknown one (or another user's).
fn parse_contact(raw: &str) -> Result<ContactId, AppError> {
    raw.parse().map_err(|_| no_such_contact())
}

fn no_such_contact() -> AppError {
    AppError::NotFound("no such contact".into())
}

fn model_error(e: ModelError) -> AppError {
    match e {
        ModelError::ContactNotFound(_) => no_such_contact(),
        ModelError::InvalidInput(m) => AppError::unprocessable("invalid_input", m),
        other => AppError::internal(other),
    }
}
