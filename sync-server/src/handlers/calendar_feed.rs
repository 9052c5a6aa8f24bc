//! The calendar feed's switch and the feed itself.
//!
//! - `POST /api/v1/calendar-feed` → `201 {url, created_at}`: a new secret URL (relative to the
//!   server's origin), shown this once; any earlier URL stops working at once (rotation).
//! - `GET /api/v1/calendar-feed` → `{enabled, created_at, url: null}`: whether a feed is on.
//!   The URL is not shown again: only the SHA-256 of its secret is stored.
//! - `DELETE /api/v1/calendar-feed` → 204: off; the URL then answers 404.
//! - `GET /cal/<secret>.ics`: the feed (`text/calendar`), for calendar apps that subscribe to a
//!   URL and cannot sign in. The secret is the credential, so it needs no app password.
//!
//! The secret is 256 random bits, so finding its owner is one SHA-256 and one indexed
//! lookup: nothing to brute-force, no slow hash and no rate limit needed (the same reasoning
//! as session tokens, `auth::token`). A wrong or revoked secret is the same 404 as a path that
//! never existed. The rendering runs on a copy of the document on a blocking thread, so a big
//! address book never holds the document or an async thread.

use axum::extract::{Path, State};
use axum::http::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::hub_error::hub_error;
use crate::auth::{hash_token, new_token, AuthUser};
use crate::error::AppError;
use crate::state::AppState;

/// Calendar apps re-read a subscription every 15 min to a day; this lets caches in between
/// (the browser, a proxy the user controls) keep a copy briefly without serving stale
/// reminders for long. `private`: the feed is personal data.
const CACHE_CONTROL_VALUE: &str = "private, max-age=300";

#[derive(Serialize)]
pub struct FeedState {
    pub enabled: bool,
    /// Only in the answer to `POST`; `null` otherwise.
    pub url: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
}

pub async fn create(State(state): State<AppState>, auth: AuthUser) -> Result<(StatusCode, Json<FeedState>), AppError> {
    let secret = new_token();
    let now = state.now();
    state.store.replace_calendar_feed(auth.user_id, &secret.hash, now).await?;
    let url = Some(format!("/cal/{}.ics", secret.token));
    Ok((StatusCode::CREATED, Json(FeedState { enabled: true, url, created_at: Some(now) })))
}

pub async fn status(State(state): State<AppState>, auth: AuthUser) -> Result<Json<FeedState>, AppError> {
    let created_at = state.store.calendar_feed_created_at(auth.user_id).await?;
    Ok(Json(FeedState { enabled: created_at.is_some(), url: None, created_at }))
}

pub async fn remove(State(state): State<AppState>, auth: AuthUser) -> Result<StatusCode, AppError> {
    state.store.delete_calendar_feed(auth.user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn not_found() -> AppError {
    AppError::NotFound("no such calendar feed (it may have been turned off or replaced by a new link)".into())
}

pub async fn feed(State(state): State<AppState>, Path(file): Path<String>, headers: HeaderMap) -> Result<Response, AppError> {
    let hash = file.strip_suffix(".ics").and_then(hash_token).ok_or_else(not_found)?;
    let user = state.store.calendar_feed_owner(&hash).await?.ok_or_else(not_found)?;
    tracing::Span::current().record("user.id", tracing::field::display(user));
    let account = state.store.user_by_id(user).await?.ok_or_else(not_found)?;
    let now = state.now();
    let (_, body) = state
        .hub
        .read_detached(account.doc_id, move |doc| crate::calendar::render(&crdt_model::load_without_notes(doc).doc, now))
        .await
        .map_err(hub_error)?;
    // Each representation has its own strong ETag (RFC 9110 §8.8.3): the gzip one is marked.
    let gzip = accepts_gzip(&headers);
    let hash = hex::encode(&Sha256::digest(body.as_bytes())[..16]);
    let etag = if gzip { format!("\"{hash}-gz\"") } else { format!("\"{hash}\"") };
    let etag_value = HeaderValue::from_str(&etag).map_err(AppError::internal)?;
    let cache = [
        (ETAG, etag_value),
        (CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL_VALUE)),
        (VARY, HeaderValue::from_static("Accept-Encoding")),
    ];
    if matches_etag(&headers, &etag) {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    let content_type = [(CONTENT_TYPE, "text/calendar; charset=utf-8")];
    if !gzip {
        return Ok((cache, content_type, body).into_response());
    }
    // A 5,000-contact feed is ~3.8 MiB of text and ~10x smaller compressed (what a phone on
    // mobile data downloads every few hours); compressing it is CPU work, so not on an async
    // thread.
    let compressed = tokio::task::spawn_blocking(move || crate::calendar::gzip(body.as_bytes())).await.map_err(AppError::internal)?.map_err(AppError::internal)?;
    Ok((cache, content_type, [(CONTENT_ENCODING, "gzip")], compressed).into_response())
}

/// Whether the client takes gzip (`Accept-Encoding: gzip`, not refused with `q=0`).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next()?.to_ascii_lowercase();
            let refused = parts.any(|p| p.replace(' ', "").eq_ignore_ascii_case("q=0") || p.replace(' ', "") == "q=0.0");
            Some((name, refused))
        })
        .any(|(name, refused)| (name == "gzip" || name == "x-gzip") && !refused)
}

/// `If-None-Match` naming this ETag (or `*`).
fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*")
}
