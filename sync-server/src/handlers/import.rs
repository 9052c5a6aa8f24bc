//! `POST /api/v1/import`: a vCard or CSV address book, applied to the user's document as
//! one change by the server (through the hub, so every connected device sees it live).
//!
//! Refusals happen before anything is applied: wrong `Content-Type` → 415, body over
//! `KITH_IMPORT_MAX_BYTES` → 413, more cards than `KITH_IMPORT_MAX_CARDS` → 422, notes over
//! `KITH_IMPORT_MAX_NOTE_TEXT` → 422, past `KITH_IMPORT_TIMEOUT_SECS` → 422, not a
//! vCard/contacts CSV → 422. Broken cards inside an accepted file cost only themselves and
//! are listed in the report; values over the per-field limit and over-long notes are cut
//! and listed as warnings (crdt-model `import::bounds`).
//!
//! `?dry_run=true` answers the same report (including which existing people would be
//! updated) and applies nothing: the import runs on a copy of the document that is then
//! dropped, so a preview costs the same as an import and never changes the document.
//!
//! The document's lock is held only to copy the document and to apply the finished change:
//! parsing, matching and building the change run on a blocking thread against the copy,
//! so a device's edit or another request never waits behind a big import.

use std::sync::Arc;
use std::time::{Duration, Instant};

use automerge::{Automerge, Change, ChangeHash};
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::HeaderMap;
use axum::Json;
use chrono::{DateTime, Utc};
use crdt_model::import::{
    apply_import_until, parse_csv_file, parse_vcard_file, ApplyError, ImportError, ImportReport, Limits, ParsedFile,
};

use super::blocking::heavy;
use super::hub_error::hub_error;
use crate::auth::AuthUser;
use crate::config::Config;
use crate::error::AppError;
use crate::state::AppState;

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

/// The configured limits, with the deadline for this import.
fn limits(config: &Config, deadline: Instant) -> Limits {
    Limits {
        max_bytes: config.import_max_bytes,
        max_cards: config.import_max_cards,
        max_values_per_field: config.import_max_values,
        max_card_lines: config.import_max_card_lines,
        max_note_text_chars: config.import_max_note_text,
        deadline: Some(deadline),
        ..Limits::default()
    }
}

fn too_large(limit: usize) -> AppError {
    AppError::PayloadTooLarge(format!("the file is over the import limit of {:.1} MiB", limit as f64 / (1024.0 * 1024.0)))
}

fn timed_out() -> AppError {
    AppError::unprocessable("import_too_slow", ImportError::TimedOut.to_string())
}

fn refused(e: ImportError) -> AppError {
    match e {
        ImportError::TooLarge { limit, .. } => too_large(limit),
        ImportError::TooManyCards { .. } => AppError::unprocessable("too_many_contacts", e.to_string()),
        ImportError::TooMuchText { .. } => AppError::unprocessable("notes_too_large", e.to_string()),
        ImportError::TimedOut => timed_out(),
        ImportError::NotVcard => AppError::unprocessable("not_vcard", e.to_string()),
        ImportError::NotCsv(_) => AppError::unprocessable("not_csv", e.to_string()),
    }
}

fn apply_error(e: ApplyError) -> AppError {
    match e {
        ApplyError::TimedOut => timed_out(),
        ApplyError::Model(e) => AppError::internal(e),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ImportParams {
    /// Report what the import would do, and do nothing.
    #[serde(default)]
    dry_run: bool,
}

pub async fn import(
    State(state): State<AppState>,
    auth: AuthUser,
    params: Result<Query<ImportParams>, QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ImportReport>, AppError> {
    let Query(params) = params?;
    let format = format(&headers)?;
    let max_bytes = state.config.import_max_bytes;
    // A declared length over the limit is refused before a byte is read.
    let declared = headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max_bytes as u64) {
        return Err(too_large(max_bytes));
    }
    // This route reads its body itself: the router-wide JSON limit (1 MiB) does not apply.
    let bytes = read_limited(body, max_bytes).await?;
    // The clock starts once the upload is in: a slow connection is not import work.
    let deadline = Instant::now() + Duration::from_secs(state.config.import_timeout_secs);
    let limits = limits(&state.config, deadline);
    // Parsing 20 MiB takes a while: off the async threads, and no document is locked yet.
    let parsed = tokio::task::spawn_blocking(move || match format {
        Format::Vcard => parse_vcard_file(&bytes, &limits),
        Format::Csv => parse_csv_file(&bytes, &limits),
    })
    .await?
    .map_err(refused)?;
    let parsed = Arc::new(parsed);
    let now = state.now();

    // Matching and building the change: on a copy, off the async threads, unlocked.
    let copy = state.hub.read_doc(auth.doc_id, Automerge::clone).await.map_err(hub_error)?;
    let file = parsed.clone();
    let built = tokio::task::spawn_blocking(move || build(copy, &file, now, deadline)).await?.map_err(apply_error)?;
    if params.dry_run {
        tracing::info!(user.id = %auth.user_id, created = built.report.created, updated = built.report.updated, "import previewed");
        return Ok(Json(built.report));
    }

    let report = state
        .hub
        .change_doc(auth.doc_id, move |doc| apply_built(doc, built, &parsed, now, deadline))
        .await
        .map_err(hub_error)??;
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

/// An import applied to a copy of the document: the change it made (none if the file
/// added nothing) on top of `base`.
struct Built {
    base: Vec<ChangeHash>,
    changes: Vec<Change>,
    report: ImportReport,
}

fn build(mut copy: Automerge, file: &ParsedFile, now: DateTime<Utc>, deadline: Instant) -> Result<Built, ApplyError> {
    let base = copy.get_heads();
    let report = apply_import_until(&mut copy, file, now, Some(deadline))?;
    let changes = copy.get_changes(&base);
    Ok(Built { base, changes, report })
}

/// Under the document's lock. The copy kept the document's actor, so when nothing was
/// written meanwhile its change is exactly the one the document would have made, and
/// applying it is all the locked work. If a device wrote in between, the file is matched
/// again against what is there now, so the import cannot duplicate what just arrived.
fn apply_built(
    doc: &mut Automerge,
    built: Built,
    file: &ParsedFile,
    now: DateTime<Utc>,
    deadline: Instant,
) -> Result<ImportReport, AppError> {
    if doc.get_heads() == built.base {
        if !built.changes.is_empty() {
            heavy(|| doc.apply_changes(built.changes)).map_err(AppError::internal)?;
        }
        return Ok(built.report);
    }
    heavy(|| apply_import_until(doc, file, now, Some(deadline))).map_err(apply_error)
}

/// The whole body, or 413 as soon as it passes `limit` (the rest is never buffered).
async fn read_limited(body: Body, limit: usize) -> Result<Vec<u8>, AppError> {
    use futures::StreamExt;
    let mut stream = body.into_data_stream();
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| AppError::bad_request("unreadable_body", "the upload was interrupted"))?;
        if out.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}
