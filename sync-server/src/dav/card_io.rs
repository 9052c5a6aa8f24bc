//! `GET`/`HEAD`, `PUT` and `DELETE` of one card.
//!
//! A PUT is planned on a copy of the document on a blocking thread (find the card by its
//! name, check `If-Match`/`If-None-Match` against the ETag the client saw, map the card onto
//! the contact), then applied under the document's lock as one change through the hub — or,
//! if a device wrote in between, planned again under the lock, so the preconditions are
//! always checked against what the change lands on.

use automerge::{Automerge, Change, ChangeHash};
use axum::body::Body;
use axum::http::header::{CONTENT_TYPE, ETAG, IF_MATCH, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use crdt_model::export::CardSource;
use crdt_model::import::replace::{put_card, Current};
use crdt_model::import::{parse_vcard_file, ImportError, Limits, ParsedContact};
use crdt_model::schema::KithDoc;
use crdt_model::{ContactId, NoteId};

use super::cards;
use super::paths::Resource;
use super::propfind::one_card;
use super::props::MAX_CARD_BYTES;
use super::xml::CARDDAV;
use super::{read_body, Ctx, DavError};
use crate::error::AppError;
use crate::handlers::blocking::heavy;

fn card_name(resource: Resource) -> Result<String, DavError> {
    match resource {
        Resource::Card(name) => Ok(name),
        _ => Err(DavError::App(AppError::bad_request("not_a_card", "only cards (…/contacts/<name>.vcf) can be written"))),
    }
}

pub async fn get(ctx: &Ctx, resource: Resource, head: bool) -> Result<Response, DavError> {
    let Resource::Card(name) = resource else {
        return Err(DavError::App(AppError::NotFound("use PROPFIND on collections".into())));
    };
    let card = one_card(ctx, name).await?.ok_or_else(DavError::not_found)?;
    let etag = HeaderValue::from_str(&card.etag).map_err(AppError::internal)?;
    let body = if head { String::new() } else { card.vcard };
    let mut r = (StatusCode::OK, body).into_response();
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/vcard; charset=utf-8"));
    r.headers_mut().insert(ETAG, etag);
    Ok(r)
}

/// What the client's conditional headers require.
#[derive(Clone, Debug, Default)]
struct Conditions {
    /// `If-Match`: the card must exist with one of these ETags (`*`: exist at all).
    if_match: Option<Vec<String>>,
    /// `If-None-Match: *`: the card must not exist.
    if_none_match_any: bool,
}

fn conditions(headers: &HeaderMap) -> Conditions {
    let list = |v: &HeaderValue| v.to_str().ok().map(|s| s.split(',').map(|t| t.trim().trim_start_matches("W/").to_owned()).collect());
    Conditions {
        if_match: headers.get(IF_MATCH).and_then(list),
        if_none_match_any: headers.get(IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| v.trim() == "*"),
    }
}

impl Conditions {
    fn check(&self, current: Option<&str>) -> Result<(), DavError> {
        if self.if_none_match_any && current.is_some() {
            return Err(DavError::PreconditionFailed);
        }
        if let Some(wanted) = &self.if_match {
            let ok = current.is_some_and(|etag| wanted.iter().any(|w| w == "*" || w == etag));
            if !ok {
                return Err(DavError::PreconditionFailed);
            }
        }
        Ok(())
    }
}

fn is_vcard_type(headers: &HeaderMap) -> bool {
    let Some(raw) = headers.get(CONTENT_TYPE) else { return true };
    let essence = raw.to_str().unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    matches!(essence.as_str(), "text/vcard" | "text/x-vcard" | "text/directory")
}

/// One card from the body, with the import's limits; 4xx for anything else.
fn parse_card(bytes: &[u8], limits: &Limits) -> Result<ParsedContact, DavError> {
    let refused = |m: String| DavError::App(AppError::unprocessable("bad_vcard", m));
    let file = parse_vcard_file(bytes, limits).map_err(|e| match e {
        ImportError::NotVcard => DavError::App(AppError::UnsupportedMediaType("the body is not a vCard".into())),
        ImportError::TooLarge { limit, .. } => DavError::App(AppError::PayloadTooLarge(format!("a card may have at most {limit} bytes"))),
        other => refused(other.to_string()),
    })?;
    if let Some(problem) = file.errors.first() {
        return Err(refused(format!("the card could not be read: {}", problem.message)));
    }
    if let Some(photo) = file.warnings.iter().find(|w| w.message.contains("photo")) {
        // Storing the card without its photo would lose it on the phone at the next sync.
        return Err(DavError::App(AppError::PayloadTooLarge(photo.message.clone())));
    }
    let mut contacts = file.contacts.into_iter();
    match (contacts.next(), contacts.next()) {
        (Some(one), None) => Ok(one.contact),
        _ => Err(refused("send exactly one card per resource".into())),
    }
}

pub async fn put(ctx: &Ctx, resource: Resource, headers: &HeaderMap, body: Body) -> Result<Response, DavError> {
    let name = card_name(resource)?;
    if !is_vcard_type(headers) {
        return Err(DavError::App(AppError::UnsupportedMediaType("send cards as `Content-Type: text/vcard`".into())));
    }
    let config = &ctx.state.config;
    let max = MAX_CARD_BYTES.min(config.import_max_bytes);
    let bytes = read_body(headers, body, max).await?;
    let limits = Limits {
        max_bytes: max,
        max_cards: 1,
        max_values_per_field: config.import_max_values,
        max_card_lines: config.import_max_card_lines,
        ..Limits::default()
    };
    let card = tokio::task::spawn_blocking(move || parse_card(&bytes, &limits)).await??;
    let conditions = conditions(headers);
    let now = ctx.state.now();
    let doc_id = ctx.user.doc_id;

    let copy = ctx.state.hub.read_doc(doc_id, Automerge::clone).await?;
    let (name2, card2, cond2) = (name.clone(), card.clone(), conditions.clone());
    let planned = tokio::task::spawn_blocking(move || plan(copy, &name2, &card2, &cond2, now)).await??;
    let created = ctx
        .state
        .hub
        .change_doc(doc_id, move |doc| -> Result<bool, DavError> {
            if doc.get_heads() == planned.base {
                if !planned.changes.is_empty() {
                    heavy(|| doc.apply_changes(planned.changes)).map_err(AppError::internal)?;
                }
                return Ok(planned.created);
            }
            heavy(|| apply(doc, &name, &card, &conditions, now))
        })
        .await??;
    tracing::info!(user.id = %ctx.user.user_id, created, "CardDAV card written");
    // No ETag: the stored card is Kith's rendering of what was sent, not those bytes, so the
    // client fetches it on its next sync (RFC 6352 §6.3.2.3).
    Ok(if created { StatusCode::CREATED } else { StatusCode::NO_CONTENT }.into_response())
}

/// A PUT done on a copy: the change it made on top of `base`.
struct Planned {
    base: Vec<ChangeHash>,
    changes: Vec<Change>,
    created: bool,
}

fn plan(mut copy: Automerge, name: &str, card: &ParsedContact, cond: &Conditions, now: DateTime<Utc>) -> Result<Planned, DavError> {
    let base = copy.get_heads();
    let created = apply(&mut copy, name, card, cond, now)?;
    let changes = copy.get_changes(&base);
    Ok(Planned { base, changes, created })
}

/// Checks the conditions and writes the card; `true` when it made a new contact.
fn apply(doc: &mut Automerge, name: &str, card: &ParsedContact, cond: &Conditions, now: DateTime<Utc>) -> Result<bool, DavError> {
    let loaded: KithDoc = crdt_model::load(&*doc).doc;
    let target = cards::find_by_name(&loaded, name);
    let served = target.filter(|c| cards::is_served(c));
    let current_card = served.map(|c| cards::card(&CardSource::new(&loaded), c));
    cond.check(current_card.as_ref().map(|c| c.etag.as_str()))?;
    if target.is_none() {
        // One card per UID (RFC 6352 §5.1): a second href for the same person is how
        // duplicates begin.
        if let Some(uid) = card.uid.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            if loaded.contacts.values().any(|c| cards::is_served(c) && cards::card_uid(c) == uid) {
                return Err(DavError::Precondition { status: StatusCode::CONFLICT, ns: CARDDAV, local: "no-uid-conflict" });
            }
        }
    }
    let mut write = |current: Option<Current<'_>>| put_card(doc, current, card, name, now).map_err(AppError::internal);
    match target {
        None => {
            write(None)?;
            Ok(true)
        }
        Some(c) => {
            let rendered = crdt_model::export::to_card(&loaded, c);
            let mut notes: Vec<(DateTime<Utc>, NoteId)> =
                loaded.notes_for(c.id).map(|n| (n.created_at, n.id)).collect();
            notes.sort();
            let notes: Vec<NoteId> = notes.into_iter().map(|(_, id)| id).collect();
            let id: ContactId = c.id;
            write(Some(Current { id, rendered: &rendered, notes: &notes }))?;
            Ok(false)
        }
    }
}

pub async fn delete(ctx: &Ctx, resource: Resource, headers: &HeaderMap) -> Result<Response, DavError> {
    let name = card_name(resource)?;
    let conditions = conditions(headers);
    let card = one_card(ctx, name).await?;
    conditions.check(card.as_ref().map(|c| c.etag.as_str()))?;
    let card = card.ok_or_else(DavError::not_found)?;
    let now = ctx.state.now();
    // Archived, never destroyed: the contact and its history stay in Kith.
    ctx.state
        .hub
        .change_doc(ctx.user.doc_id, move |doc| crdt_model::archive_contact(doc, card.id, true, now))
        .await?
        .map_err(AppError::internal)?;
    tracing::info!(user.id = %ctx.user.user_id, "CardDAV card deleted (contact archived)");
    Ok(StatusCode::NO_CONTENT.into_response())
}
