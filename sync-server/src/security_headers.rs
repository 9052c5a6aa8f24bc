//! Browser security headers on every response: API, web client, errors. Imported contact
//! data is rendered by the PWA, so the Content-Security-Policy is the second wall against
//! XSS: only our own scripts run (plus WebAssembly compilation, which Automerge needs), and
//! connections go only to this origin (the API and the `/sync` WebSocket).

use axum::extract::Request;
use axum::http::header::{CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

/// What the built web client needs and nothing more:
/// - scripts, workers (the document worker, the service worker), styles, fonts and the
///   manifest from this origin only; no inline script, no `eval`;
/// - `'wasm-unsafe-eval'`: Automerge is compiled from WebAssembly in the page and the worker;
/// - images from this origin, and `data:`/`blob:` for contact photos;
/// - `connect-src 'self'` covers `fetch` to the API and `ws(s)://` to `/sync` on this host;
/// - no plugins, no `<base>` rewriting, no framing (clickjacking), forms post here only.
pub const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; \
font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    let set = [
        (CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_VALUE),
        (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        // For browsers that predate `frame-ancestors`.
        (X_FRAME_OPTIONS, "DENY"),
        // URLs can carry secrets (`?token=` on /sync, the calendar feed's secret path).
        (REFERRER_POLICY, "no-referrer"),
    ];
    for (name, value) in set {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    }
    response
}
