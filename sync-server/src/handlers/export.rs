//! `GET /api/v1/export.vcf` (vCard 3.0, which iOS and Android both import, photos inline)
//! and `GET /api/v1/export.json` (everything: contacts, interactions, notes, settings),
//! both as downloads.

use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use super::blocking::heavy;
use super::hub_error::hub_error;
use crate::auth::AuthUser;
use crate::error::AppError;
use crate::state::AppState;

pub async fn vcf(State(state): State<AppState>, auth: AuthUser) -> Result<Response, AppError> {
    let text = state
        .hub
        .read_doc(auth.doc_id, |doc| heavy(|| crdt_model::export::export_vcards(&crdt_model::load(doc).doc)))
        .await
        .map_err(hub_error)?;
    Ok((
        [
            (CONTENT_TYPE, "text/vcard; charset=utf-8"),
            (CONTENT_DISPOSITION, "attachment; filename=\"kith-contacts.vcf\""),
        ],
        text,
    )
        .into_response())
}

pub async fn json(State(state): State<AppState>, auth: AuthUser) -> Result<Response, AppError> {
    let now = state.now();
    let body = state
        .hub
        .read_doc(auth.doc_id, |doc| heavy(|| serde_json::to_vec(&crdt_model::export::export_json(doc, now))))
        .await
        .map_err(hub_error)?
        .map_err(AppError::internal)?;
    Ok((
        [
            (CONTENT_TYPE, "application/json"),
            (CONTENT_DISPOSITION, "attachment; filename=\"kith-export.json\""),
        ],
        body,
    )
        .into_response())
}
