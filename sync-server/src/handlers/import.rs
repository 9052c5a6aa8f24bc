//! `POST /api/v1/import`: a vCard or CSV address book, applied to the user's document as
//! one change by the server (through the hub, so every connected device sees it live).
//!
//! Refusals happen before anything is applied: wrong `Content-Type` → 415, body over
//! 20 MiB → 413, over 50,000 cards → 422, not a vCard/contacts CSV → 422. Broken cards
//! inside an accepted file cost only themselves and are listed in the report.

use axum::body::Body;
use axum::extract::State;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::HeaderMap;
use axum::Json;
use crdt_model::import::{apply_import, parse_csv_file, parse_vcard_file, ImportError, ImportReport, Limits};

use super::blocking::heavy;
use crate::auth::AuthUser;
use crate::error::AppError;
use crate::state::AppState;
use crate::sync::HubError;

/// The largest file accepted (the parser's own limit, so both agree).
pub const MAX_IMPORT_BYTES: usize = 20 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Vcard,
    Csv,
}

/// The format from `Content-Type` (parameters such as `charset` ignored).
fn format(headers: &HeaderMap) -> Result<Format, AppError> {
    let raw = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = raw.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match essence.as_str() {
        "text/vcard" | "text/x-vcard" | "text/directory" => Ok(Format::Vcard),
        "text/csv" | "text/comma-separated-values" | "application/csv" => Ok(Format::Csv),
        _ => Err(AppError::UnsupportedMediaType(
            "send the file with `Content-Type: text/vcard` (or text/x-vcard) or `text/csv`".into(),
        )),
    }
}

fn too_large() -> AppError {
    AppError::PayloadTooLarge(format!("the file is over the import limit of {} MiB", MAX_IMPORT_BYTES / (1024 * 1024)))
}

fn refused(e: ImportError) -> AppError {
    match e {
        ImportError::TooLarge { .. } => too_large(),
        ImportError::TooManyCards { .. } => AppError::unprocessable("too_many_contacts", e.to_string()),
        ImportError::NotVcard => AppError::unprocessable("not_vcard", e.to_string()),
        ImportError::NotCsv(_) => AppError::unprocessable("not_csv", e.to_string()),
    }
}

pub async fn import(
    State(state): State<AppState>,
    auth: AuthUser,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ImportReport>, AppError> {
    let format = format(&headers)?;
    // A declared length over the limit is refused before a byte is read.
    let declared = headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_IMPORT_BYTES as u64) {
        return Err(too_large());
    }
    // This route reads its body itself: the router-wide JSON limit (1 MiB) does not apply.
    let bytes = read_limited(body, MAX_IMPORT_BYTES).await?;
    let limits = Limits { max_bytes: MAX_IMPORT_BYTES, ..Limits::default() };
    // Parsing 20 MiB takes a while: off the async threads.
    let parsed = tokio::task::spawn_blocking(move || match format {
        Format::Vcard => parse_vcard_file(&bytes, &limits),
        Format::Csv => parse_csv_file(&bytes, &limits),
    })
    .await?
    .map_err(refused)?;
    let now = state.now();
    let report = state
        .hub
        .change_doc(auth.doc_id, move |doc| heavy(|| apply_import(doc, &parsed, now)))
        .await
        .map_err(hub_error)?
        .map_err(AppError::internal)?;
    tracing::info!(
        user.id = %auth.user_id,
        created = report.created,
        updated = report.updated,
        unchanged = report.unchanged,
        errors = report.errors.len(),
        "import applied"
    );
    Ok(Json(report))
}

/// The whole body, or 413 as soon as it passes `limit` (the rest is never buffered).
async fn read_limited(body: Body, limit: usize) -> Result<Vec<u8>, AppError> {
    use futures::StreamExt;
    let mut stream = body.into_data_stream();
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| AppError::bad_request("unreadable_body", "the upload was interrupted"))?;
        if out.len() + chunk.len() > limit {
            return Err(too_large());
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// The document's own size limit (`max_doc_bytes`) is a refusal like the file limits.
pub fn hub_error(e: HubError) -> AppError {
    match e {
        HubError::Quota { .. } => AppError::PayloadTooLarge(format!("the import would make your data too large: {e}")),
        HubError::NotFound => AppError::NotFound("no such document".into()),
        other => AppError::internal(other),
    }
}
