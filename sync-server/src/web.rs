//! Serving the built web client (`web-client/dist`): files as they are, every unknown path
//! answered with index.html so client-side routes survive a reload, and cache headers that
//! suit a Vite build.

use std::path::Path;

use axum::extract::Request;
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderValue, Uri};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

use crate::error::AppError;

/// Where the web client comes from: `KITH_WEB_DIR` when set (a build on disk overrides the
/// binary's), else the copy compiled into the binary, else `web-client/dist` beside the
/// working directory (a binary built before the client was), else nowhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Dir(std::path::PathBuf),
    Embedded,
    /// `KITH_WEB_DIR` names a directory without an index.html, or nothing was built.
    Missing,
}

pub fn source(config: &crate::config::Config) -> Source {
    match (&config.web_dir, config.web_dir()) {
        (Some(_), Some(dir)) => Source::Dir(dir),
        (Some(_), None) => Source::Missing,
        (None, _) if crate::web_embedded::available() => Source::Embedded,
        (None, Some(dir)) => Source::Dir(dir),
        (None, None) => Source::Missing,
    }
}

/// The web client in `dir` (which holds an `index.html`).
pub fn service(dir: &Path) -> Router {
    let files = ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")));
    Router::new().fallback_service(files).layer(axum::middleware::from_fn(cache_headers))
}

/// Vite puts content-hashed files under `/assets/`: their name changes when they do, so they
/// may be cached for good. Everything else (index.html, the service worker, the manifest)
/// must be revalidated, or a deploy would never reach returning users.
pub(crate) async fn cache_headers(req: Request, next: Next) -> Response {
    let immutable = req.uri().path().starts_with("/assets/");
    let mut response = next.run(req).await;
    if response.status().is_success() {
        let policy = if immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
        response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

const NOT_BUILT_PAGE: &str = "<!doctype html><meta charset=utf-8><title>Kith</title>\
<h1>Kith is running</h1><p>The API is up, but the web client has not been built. \
Run <code>scripts/run</code> (it builds <code>web-client/dist</code>), or point \
<code>KITH_WEB_DIR</code> at a built client.</p>";

/// Without a build: `/` says how to get one; anything else is a 404.
pub async fn missing(uri: Uri) -> Response {
    if uri.path() == "/" || uri.path() == "/index.html" {
        Html(NOT_BUILT_PAGE).into_response()
    } else {
        AppError::NotFound("no such page".into()).into_response()
    }
}
