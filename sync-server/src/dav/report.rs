//! `REPORT`: `addressbook-multiget` (RFC 6352 §8.7) and `sync-collection` (RFC 6578).

use std::collections::BTreeSet;

use automerge::Automerge;
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use crdt_model::export::CardSource;
use crdt_model::schema::KithDoc;

use super::card_index::CardIndex;
use super::cards;
use super::paths::{self, Resource};
use super::propfind::prop_names;
use super::props::{self, Target};
use super::sync_token::{self, Touched};
use super::xml::{self, Element, Name, CARDDAV, DAV};
use super::{load, multistatus, read_xml, Ctx, DavError};
use crate::ids::UserId;

/// Hrefs in one multiget (DAVx5 asks for 10 at a time, iOS for about 50).
pub const MAX_MULTIGET_HREFS: usize = 1_000;
/// Cards in one sync-collection answer; more than the import's card limit would allow in a
/// document that still fits its size limit in practice.
pub const MAX_SYNC_RESULTS: usize = 50_000;

pub async fn handle(ctx: &Ctx, resource: Resource, headers: &HeaderMap, body: Body) -> Result<Response, DavError> {
    let root = read_xml(headers, body).await?.ok_or_else(|| DavError::bad("bad_xml", "a REPORT needs a body"))?;
    if resource != Resource::Book {
        return Err(unsupported());
    }
    if root.is(CARDDAV, "addressbook-multiget") {
        multiget(ctx, &root).await
    } else if root.is(DAV, "sync-collection") {
        sync_collection(ctx, &root).await
    } else if root.is(CARDDAV, "addressbook-query") {
        query(ctx, root).await
    } else {
        Err(unsupported())
    }
}

fn unsupported() -> DavError {
    DavError::Precondition { status: StatusCode::FORBIDDEN, ns: DAV, local: "supported-report" }
}

fn names_in(root: &Element) -> Result<Vec<Name>, DavError> {
    match root.child(DAV, "prop") {
        Some(prop) => prop_names(prop),
        None => Ok(vec![Name { ns: DAV.into(), local: "getetag".into() }]),
    }
}

async fn multiget(ctx: &Ctx, root: &Element) -> Result<Response, DavError> {
    let names = names_in(root)?;
    let hrefs: Vec<String> = root.children_named(DAV, "href").map(|h| h.text.trim().to_owned()).collect();
    if hrefs.len() > MAX_MULTIGET_HREFS {
        return Err(DavError::bad("too_many_hrefs", format!("at most {MAX_MULTIGET_HREFS} hrefs per multiget")));
    }
    let user = ctx.user.user_id;
    let (cache, doc_id) = (ctx.state.dav_index.clone(), ctx.user.doc_id);
    // Only the asked-for contacts are read (and what their cards show of others): a phone
    // fetching the one card that changed must not pay for hydrating all 5,000.
    let out = load::with_raw(ctx, move |raw| {
        let named: BTreeSet<String> = hrefs.iter().filter_map(|h| paths::card_name_of_href(h, user)).collect();
        let ids = super::partial::contacts_named(raw, &named);
        let index = cache.index_for(doc_id, raw);
        let doc = super::partial::partial_doc(raw, &index, &ids.values().copied().collect());
        let source = CardSource::new(&doc);
        let mut out = String::from(xml::MULTISTATUS_OPEN);
        for href in &hrefs {
            let card = paths::card_name_of_href(href, user)
                .and_then(|name| ids.get(&name))
                .and_then(|id| doc.contacts.get(id))
                .filter(|c| cards::is_served(c))
                .map(|c| cards::card(&source, c));
            match card {
                Some(card) => {
                    let (found, missing) = props::answer(&names, &Target::Card(&card), user, false);
                    xml::response(&mut out, href, &found, &missing);
                }
                None => xml::status_response(&mut out, href, "404 Not Found"),
            }
        }
        out.push_str(xml::MULTISTATUS_CLOSE);
        out
    })
    .await?;
    Ok(multistatus(out))
}

/// `addressbook-query`: every card the filter passes (the collection is the only scope).
async fn query(ctx: &Ctx, root: Element) -> Result<Response, DavError> {
    let names = names_in(&root)?;
    let limit = match root.child(CARDDAV, "limit").and_then(|l| l.child(CARDDAV, "nresults")) {
        Some(n) => Some(n.text.trim().parse::<usize>().map_err(|_| DavError::bad("bad_limit", "nresults must be a number"))?),
        None => None,
    };
    let user = ctx.user.user_id;
    let out = load::with_doc(ctx, move |_, doc| {
        let filter = root.child(CARDDAV, "filter");
        let mut out = String::from(xml::MULTISTATUS_OPEN);
        let mut n = 0;
        for card in cards::all(doc) {
            if !super::query::matches(filter, &super::query::properties(&card.vcard)) {
                continue;
            }
            if limit.is_some_and(|l| n >= l) {
                // RFC 5323-style truncation: the collection itself answers 507.
                xml::status_response(&mut out, &paths::book(user), "507 Insufficient Storage");
                break;
            }
            n += 1;
            let (found, missing) = props::answer(&names, &Target::Card(&card), user, false);
            xml::response(&mut out, &paths::card(user, &card.name), &found, &missing);
        }
        out.push_str(xml::MULTISTATUS_CLOSE);
        out
    })
    .await?;
    Ok(multistatus(out))
}

/// Why a sync-collection could not be answered (mapped to the RFC's preconditions).
enum SyncRefusal {
    BadToken,
    OverLimit,
}

async fn sync_collection(ctx: &Ctx, root: &Element) -> Result<Response, DavError> {
    let names = names_in(root)?;
    let token = root.child(DAV, "sync-token").map(|t| t.text.trim().to_owned()).unwrap_or_default();
    let limit = match root.child(DAV, "limit").and_then(|l| l.child(DAV, "nresults")) {
        Some(n) => n.text.trim().parse::<usize>().map_err(|_| DavError::bad("bad_limit", "nresults must be a number"))?,
        None => MAX_SYNC_RESULTS,
    }
    .min(MAX_SYNC_RESULTS);
    let user = ctx.user.user_id;
    let (cache, doc_id) = (ctx.state.dav_index.clone(), ctx.user.doc_id);
    let answer = load::with_raw(ctx, move |doc| {
        let index = || cache.index_for(doc_id, doc);
        sync_answer(doc, index, &token, &names, limit, user)
    })
    .await?;
    match answer {
        Ok(body) => Ok(multistatus(body)),
        Err(SyncRefusal::BadToken) => {
            Err(DavError::Precondition { status: StatusCode::FORBIDDEN, ns: DAV, local: "valid-sync-token" })
        }
        Err(SyncRefusal::OverLimit) => Err(DavError::Precondition {
            status: StatusCode::INSUFFICIENT_STORAGE,
            ns: DAV,
            local: "number-of-matches-within-limits",
        }),
    }
}

/// The multistatus for a sync-collection from `token` (empty: from the beginning).
fn sync_answer(
    doc: &Automerge,
    index: impl FnOnce() -> std::sync::Arc<CardIndex>,
    token: &str,
    names: &[Name],
    limit: usize,
    user: UserId,
) -> Result<String, SyncRefusal> {
    let now = sync_token::encode(&doc.get_heads());
    let touched = if token.is_empty() {
        Touched::All
    } else {
        let since = sync_token::decode(token, doc).ok_or(SyncRefusal::BadToken)?;
        sync_token::touched_since(doc, &since)
    };
    let mut out = String::from(xml::MULTISTATUS_OPEN);
    match touched {
        // Nothing on any card changed: no need to read a single contact.
        Touched::Some(ids) if ids.is_empty() => {}
        // A few contacts: read just them (and what their cards show of others).
        Touched::Some(ids) => {
            let part = super::partial::partial_doc(doc, &index(), &ids);
            write_changes(&mut out, &part, &Touched::Some(ids), false, names, limit, user)?;
        }
        Touched::All => {
            let loaded = crdt_model::load(doc).doc;
            write_changes(&mut out, &loaded, &Touched::All, token.is_empty(), names, limit, user)?;
        }
    }
    out.push_str("<d:sync-token>");
    out.push_str(&xml::esc(&now));
    out.push_str("</d:sync-token>");
    out.push_str(xml::MULTISTATUS_CLOSE);
    Ok(out)
}

fn write_changes(
    out: &mut String,
    doc: &KithDoc,
    touched: &Touched,
    initial: bool,
    names: &[Name],
    limit: usize,
    user: UserId,
) -> Result<(), SyncRefusal> {
    let contacts: Vec<_> = match touched {
        Touched::All => doc.contacts.values().collect(),
        Touched::Some(ids) => ids.iter().filter_map(|id| doc.contacts.get(id)).collect(),
    };
    // A first sync lists what is there; later ones also say what went away.
    let count = contacts.iter().filter(|c| cards::is_served(c) || !initial).count();
    if count > limit {
        return Err(SyncRefusal::OverLimit);
    }
    let source = CardSource::new(doc);
    for c in contacts {
        if cards::is_served(c) {
            let card = cards::card(&source, c);
            let (found, missing) = props::answer(names, &Target::Card(&card), user, false);
            xml::response(out, &paths::card(user, &card.name), &found, &missing);
        } else if !initial {
            xml::status_response(out, &paths::card(user, &cards::card_name(c)), "404 Not Found");
        }
    }
    Ok(())
}
