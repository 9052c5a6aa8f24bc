//! A follow-up's notification buttons: `POST /api/v1/follow-ups/{id}/done` and
//! `POST /api/v1/follow-ups/{id}/snooze {days}`. Written into the user's document through the
//! hub like any device's edit, so connected devices see it live and the nudges are re-planned.
//!
//! What they mean:
//! - **Done**, one-off: `doneAt = now` (pressing it again, or on a second device, changes
//!   nothing). Repeating: the occurrence that was due is done, so `doneAt = now` too — for a
//!   repeating follow-up `doneAt` only acknowledges occurrences up to it (the planner skips
//!   those; it never stops the series). `dueAt` is left alone on purpose: moving it to the next
//!   occurrence would re-anchor the series, and a monthly one on the 31st would drift to the 28th.
//! - **Snooze** `{days}`: due again `days` from now — `dueAt = now + days`, or, for an all-day
//!   one, that local day (the reminder hour then applies). A repeating follow-up thereby
//!   restarts from the snoozed day.

use automerge::{Automerge, ReadDoc, ROOT};
use axum::extract::{Path, State};
use axum::Json;
use chrono::{DateTime, Days, Utc};
use crdt_model::{local_instant, FollowUp, FollowUpId, FollowUpPatch, ModelError, Settings};
use serde::{Deserialize, Serialize};

use crate::auth::AuthUser;
use crate::error::{self, AppError};
use crate::state::AppState;

const MAX_SNOOZE_DAYS: u32 = 365;

#[derive(Serialize)]
pub struct Done {
    pub follow_up_id: FollowUpId,
    pub done_at: DateTime<Utc>,
}

pub async fn done(State(state): State<AppState>, auth: AuthUser, Path(id): Path<String>) -> Result<Json<Done>, AppError> {
    let id = parse(&id)?;
    let now = state.now();
    let done_at = state
        .hub
        .change_doc(auth.doc_id, |doc| mark_done(doc, id, now))
        .await
        .map_err(AppError::internal)?
        .map_err(model_error)?;
    Ok(Json(Done { follow_up_id: id, done_at }))
}

#[derive(Deserialize)]
pub struct Snooze {
    pub days: u32,
}

#[derive(Serialize)]
pub struct Snoozed {
    pub follow_up_id: FollowUpId,
    pub due_at: DateTime<Utc>,
}

pub async fn snooze(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<String>,
    error::Json(body): error::Json<Snooze>,
) -> Result<Json<Snoozed>, AppError> {
    let id = parse(&id)?;
    if body.days == 0 || body.days > MAX_SNOOZE_DAYS {
        return Err(AppError::unprocessable("invalid_days", format!("days must be between 1 and {MAX_SNOOZE_DAYS}")));
    }
    let now = state.now();
    let due_at = state
        .hub
        .change_doc(auth.doc_id, |doc| snooze_for(doc, id, body.days, now))
        .await
        .map_err(AppError::internal)?
        .map_err(model_error)?;
    Ok(Json(Snoozed { follow_up_id: id, due_at }))
}

/// Done, as described in the module docs; returns the `doneAt` the document holds.
pub fn mark_done(doc: &mut Automerge, id: FollowUpId, now: DateTime<Utc>) -> Result<DateTime<Utc>, ModelError> {
    let fu = read(doc, id)?;
    if reminders::plan_memory::repeats(&fu) && fu.done_at.is_some_and(|d| d < now) {
        // An earlier occurrence was acknowledged; `complete` keeps an existing `doneAt`, so
        // reopen first to acknowledge this one.
        crdt_model::complete_follow_up(doc, id, false, now)?;
    }
    crdt_model::complete_follow_up(doc, id, true, now)?;
    Ok(read(doc, id)?.done_at.unwrap_or(now))
}

/// Snooze, as described in the module docs; returns the new `dueAt`.
pub fn snooze_for(doc: &mut Automerge, id: FollowUpId, days: u32, now: DateTime<Utc>) -> Result<DateTime<Utc>, ModelError> {
    let fu = read(doc, id)?;
    let later = now.checked_add_days(Days::new(u64::from(days))).unwrap_or(now);
    let due = if fu.all_day {
        // The same instant clients write for an all-day date: the local midnight of the day.
        let tz = settings(doc).tz();
        local_instant(later.with_timezone(&tz).date_naive(), 0, tz)
    } else {
        later
    };
    let patch = FollowUpPatch { due_at: Some(due), ..FollowUpPatch::default() };
    crdt_model::edit_follow_up(doc, id, patch, now)?;
    Ok(due)
}

/// One follow-up, hydrated on its own (cheap, unlike loading the whole document).
fn read(doc: &Automerge, id: FollowUpId) -> Result<FollowUp, ModelError> {
    let not_found = || ModelError::FollowUpNotFound(id);
    let (_, map) = doc.get(ROOT, "followUps").ok().flatten().ok_or_else(not_found)?;
    let mut fu: FollowUp = autosurgeon::hydrate_prop(doc, &map, id.to_string().as_str()).map_err(|_| not_found())?;
    fu.id = id;
    Ok(fu)
}

fn settings(doc: &Automerge) -> Settings {
    autosurgeon::hydrate_prop(doc, ROOT, "settings").unwrap_or_default()
}

/// A malformed id names no follow-up: the same 404 as an unknown one.
fn parse(raw: &str) -> Result<FollowUpId, AppError> {
    raw.parse().map_err(|_| not_found())
}

fn not_found() -> AppError {
    AppError::NotFound("no such follow-up".into())
}

fn model_error(e: ModelError) -> AppError {
    match e {
        ModelError::FollowUpNotFound(_) => not_found(),
        ModelError::InvalidInput(m) => AppError::unprocessable("invalid_input", m),
        other => AppError::internal(other),
    }
}
