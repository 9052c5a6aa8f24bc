//! `GET /api/v1/duplicates` (contacts that look like the same person: same email, phone
//! or name) and `POST /api/v1/contacts/{id}/merge {"duplicate_id"}` (the model's merge:
//! the duplicate is hidden and points at `{id}`, its history moves over, nothing is deleted).

use axum::extract::{Path, State};
use axum::Json;
use crdt_model::duplicates::{find_duplicates, MatchReason};
use crdt_model::{ContactId, ModelError};
use serde::{Deserialize, Serialize};

use super::blocking::heavy;
use super::hub_error::hub_error;
use crate::auth::AuthUser;
use crate::error::{self, AppError};
use crate::state::AppState;

#[derive(Serialize)]
pub struct Suggestion {
    /// The older contact: merging keeps this one.
    pub contact_id: ContactId,
    pub contact_name: String,
    pub duplicate_id: ContactId,
    pub duplicate_name: String,
    pub reasons: Vec<MatchReason>,
}

#[derive(Serialize)]
pub struct Duplicates {
    pub suggestions: Vec<Suggestion>,
}

pub async fn list(State(state): State<AppState>, auth: AuthUser) -> Result<Json<Duplicates>, AppError> {
    let suggestions = state
        .hub
        .read_doc(auth.doc_id, |doc| {
            heavy(|| {
                let region = crdt_model::matching::doc_region(doc);
                let d = crdt_model::load_without_notes(doc).doc;
                let name = |id: &ContactId| d.contacts.get(id).map(|c| c.name.display.clone()).unwrap_or_default();
                find_duplicates(&d, region)
                    .into_iter()
                    .map(|s| Suggestion {
                        contact_name: name(&s.contact_id),
                        duplicate_name: name(&s.duplicate_id),
                        contact_id: s.contact_id,
                        duplicate_id: s.duplicate_id,
                        reasons: s.reasons,
                    })
                    .collect()
            })
        })
        .await
        .map_err(hub_error)?;
    Ok(Json(Duplicates { suggestions }))
}

#[derive(Deserialize)]
pub struct Merge {
    pub duplicate_id: String,
}

#[derive(Serialize)]
pub struct Merged {
    pub contact_id: ContactId,
    pub merged_id: ContactId,
}

pub async fn merge(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<String>,
    error::Json(body): error::Json<Merge>,
) -> Result<Json<Merged>, AppError> {
    let parse = |raw: &str| {
        raw.parse::<ContactId>().map_err(|_| AppError::bad_request("invalid_contact_id", "contact ids are uuids"))
    };
    let (winner, loser) = (parse(&id)?, parse(&body.duplicate_id)?);
    let now = state.now();
    state
        .hub
        .change_doc(auth.doc_id, |doc| crdt_model::merge_contacts(doc, winner, loser, now))
        .await
        .map_err(hub_error)?
        .map_err(|e| match e {
            ModelError::ContactNotFound(_) => AppError::NotFound("no such contact".into()),
            ModelError::MergeIntoSelf(_) => AppError::unprocessable("merge_into_self", e.to_string()),
            ModelError::AlreadyMerged(_) => AppError::Conflict { code: "already_merged", message: e.to_string() },
            other => AppError::internal(other),
        })?;
    Ok(Json(Merged { contact_id: winner, merged_id: loser }))
}
