//! The web client compiled into the binary (see `build.rs`): the same answers as serving
//! `web-client/dist` from disk (`web.rs`) — content types from the same table as
//! tower-http's `ServeDir`, index.html for unknown paths, the same cache headers — so a
//! self-hoster copies one file.

use axum::extract::Request;
use axum::http::header::{ALLOW, CONTENT_LENGTH, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;

/// One file of the build, as `build.rs` found it.
pub struct EmbeddedFile {
    /// `/index.html`, `/assets/index-abc123.js`, ...
    pub path: &'static str,
    /// A quoted content hash.
    pub etag: &'static str,
    pub bytes: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/web_embedded.rs"));

/// Whether this binary was built with a web client in it.
pub fn available() -> bool {
    find("/index.html").is_some()
}

pub fn service() -> Router {
    Router::new().fallback(serve).layer(axum::middleware::from_fn(crate::web::cache_headers))
}

fn find(path: &str) -> Option<&'static EmbeddedFile> {
    FILES.binary_search_by(|f| f.path.cmp(path)).ok().map(|i| &FILES[i])
}

async fn serve(req: Request) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return (StatusCode::METHOD_NOT_ALLOWED, [(ALLOW, HeaderValue::from_static("GET,HEAD"))]).into_response();
    }
    let path = req.uri().path();
    let wanted = if path.ends_with('/') { format!("{path}index.html") } else { path.to_owned() };
    // Unknown paths are client-side routes: index.html, as `ServeDir`'s fallback answers.
    let Some(file) = find(&wanted).or_else(|| find("/index.html")) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let content_type = mime_guess::from_path(file.path).first_raw().unwrap_or("application/octet-stream");
    let etag = HeaderValue::from_static(file.etag);
    let unchanged = req
        .headers()
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().trim_start_matches("W/") == file.etag || t.trim() == "*");
    if unchanged {
        return (StatusCode::NOT_MODIFIED, [(ETAG, etag)]).into_response();
    }
    let headers = [
        (CONTENT_TYPE, HeaderValue::from_static(content_type)),
        (ETAG, etag),
        (CONTENT_LENGTH, HeaderValue::from(file.bytes.len())),
    ];
    if req.method() == Method::HEAD {
        return (headers, ()).into_response();
    }
    (headers, file.bytes).into_response()
}
