//! CardDAV (RFC 6352) over the user's document, with discovery (RFC 6764) and
//! `sync-collection` (RFC 6578): the phone's own Contacts app syncs with Kith.
//!
//! One address book per user, one vCard 3.0 card per active contact. A PUT is one change
//! to the document through the hub (so every connected device sees it live), DELETE
//! archives, and nothing is ever destroyed. Auth is HTTP Basic with the account email and
//! an app password. Every body is bounded before it is read; listing and rendering cards
//! runs on a copy of the document on a blocking thread.

mod auth;
mod card_index;
mod card_io;
pub mod cards;
mod error;
mod load;
pub mod paths;
mod partial;
mod propfind;
mod props;
mod query;
mod report;
pub mod sync_token;
pub mod xml;

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub use card_index::IndexCache;
pub use error::DavError;

use crate::auth::app_password::AppPasswordUser;
use crate::auth::ClientIp;
use crate::error::AppError;
use crate::state::AppState;

/// A PROPFIND or REPORT body: far more than a multiget of the largest allowed batch.
const MAX_XML_BYTES: usize = 512 * 1024;
const ALLOW: &str = "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, REPORT";

/// Every method on `/dav` and below.
pub async fn handle(State(state): State<AppState>, ClientIp(ip): ClientIp, req: Request) -> Response {
    if req.method() == Method::OPTIONS {
        return options();
    }
    let (parts, body) = req.into_parts();
    let user = match auth::dav_user(&state, &parts.headers, ip).await {
        Ok(user) => user,
        Err(e) => return DavError::App(e).into_response(),
    };
    let Some(resource) = paths::resource(parts.uri.path(), user.user_id) else {
        return DavError::not_found().into_response();
    };
    let ctx = Ctx { state, user };
    let result = match parts.method.as_str() {
        "PROPFIND" => propfind::handle(&ctx, resource, &parts.headers, body).await,
        "REPORT" => report::handle(&ctx, resource, &parts.headers, body).await,
        "GET" | "HEAD" => card_io::get(&ctx, resource, parts.method == Method::HEAD).await,
        "PUT" => card_io::put(&ctx, resource, &parts.headers, body).await,
        "DELETE" => card_io::delete(&ctx, resource, &parts.headers).await,
        _ => {
            let mut r = StatusCode::METHOD_NOT_ALLOWED.into_response();
            r.headers_mut().insert(header::ALLOW, HeaderValue::from_static(ALLOW));
            Ok(r)
        }
    };
    result.unwrap_or_else(IntoResponse::into_response)
}

/// What every DAV handler needs.
pub struct Ctx {
    pub state: AppState,
    pub user: AppPasswordUser,
}

fn options() -> Response {
    let mut r = StatusCode::OK.into_response();
    let h = r.headers_mut();
    h.insert("DAV", HeaderValue::from_static("1, 3, addressbook"));
    h.insert(header::ALLOW, HeaderValue::from_static(ALLOW));
    r
}

/// `/.well-known/carddav` (RFC 6764): the context path.
pub async fn well_known() -> Response {
    let mut r = StatusCode::MOVED_PERMANENTLY.into_response();
    r.headers_mut().insert(header::LOCATION, HeaderValue::from_static(paths::ROOT));
    r
}

/// Some clients (iOS among them) start discovery with a PROPFIND on the server root: it is
/// answered as `/dav/` is. Every other request to `/` goes on to the web client.
pub async fn root_discovery(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let is_root_dav = req.uri().path() == "/" && matches!(req.method().as_str(), "PROPFIND" | "OPTIONS");
    if !is_root_dav {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let Ok(ip) = ClientIp::from_request_parts(&mut parts, &state).await;
    parts.uri = axum::http::Uri::from_static(paths::ROOT);
    handle(State(state), ip, Request::from_parts(parts, body)).await
}

/// The whole body, refused with 413 once it passes `limit` (a declared length over it is
/// refused before reading).
async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Vec<u8>, DavError> {
    use futures::StreamExt;
    let too_large = || DavError::App(AppError::PayloadTooLarge(format!("the request body is over {limit} bytes")));
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut stream = body.into_data_stream();
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| DavError::bad("unreadable_body", "the upload was interrupted"))?;
        if out.len() + chunk.len() > limit {
            return Err(too_large());
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// A PROPFIND/REPORT body as an element tree; `None` when empty (PROPFIND then means allprop).
async fn read_xml(headers: &HeaderMap, body: Body) -> Result<Option<xml::Element>, DavError> {
    let bytes = read_body(headers, body, MAX_XML_BYTES).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| DavError::bad("bad_xml", "the request body is not UTF-8"))?;
    xml::parse(text).map(Some).map_err(|e| DavError::bad("bad_xml", e.to_string()))
}

/// `207 Multi-Status` with an XML body.
fn multistatus(body: String) -> Response {
    let mut r = (StatusCode::MULTI_STATUS, body).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/xml; charset=utf-8"));
    r
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Depth {
    Zero,
    One,
}

/// `Depth` (RFC 4918): absent or `infinity` is treated as 1 — there is nothing deeper here.
fn depth(headers: &HeaderMap) -> Depth {
    match headers.get("depth").and_then(|v| v.to_str().ok()).map(str::trim) {
        Some("0") => Depth::Zero,
        _ => Depth::One,
    }
}
