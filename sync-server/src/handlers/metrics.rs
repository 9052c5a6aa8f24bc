//! `GET /metrics`: Prometheus text format. Route-level traffic counts and user counts are
//! nobody else's business, so with `KITH_METRICS_TOKEN` set a scrape must bring
//! `Authorization: Bearer <token>`; without it the endpoint is open (restrict it at the
//! reverse proxy, as the README's examples do).

use axum::extract::State;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::metrics::Gauges;
use crate::state::AppState;

pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(expected) = &state.config.metrics_token {
        if !presents(&headers, expected) {
            return AppError::Unauthorized.into_response();
        }
    }
    let nudges_pending = match state.store.pending_count().await {
        Ok(n) => Some(n),
        Err(e) => {
            // A scrape must still answer; the gauge is left out this time.
            tracing::warn!(error = %e, "cannot count pending nudges for /metrics");
            None
        }
    };
    let gauges = Gauges {
        connected_devices: state.sockets.count() as u64,
        documents_in_memory: Some(state.hub.loaded_docs() as u64),
        nudges_pending,
    };
    let body = state.metrics.render_with(&gauges);
    ([(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body).into_response()
}

/// Whether the request carries `Bearer <expected>`. Compared as SHA-256 digests, so the time
/// taken says nothing about how much of a guess matched.
fn presents(headers: &HeaderMap, expected: &str) -> bool {
    let Some(presented) = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
    else {
        return false;
    };
    Sha256::digest(presented.as_bytes()) == Sha256::digest(expected.as_bytes())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn only_the_exact_bearer_token_is_accepted() {
        let with = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(AUTHORIZATION, HeaderValue::from_static(value));
            headers
        };
        assert!(presents(&with("Bearer s3cret"), "s3cret"));
        assert!(presents(&with("bearer s3cret"), "s3cret"));
        for wrong in ["Bearer s3cre", "Bearer s3cretx", "Basic s3cret", "s3cret", "Bearer "] {
            assert!(!presents(&with(wrong), "s3cret"), "{wrong}");
        }
        assert!(!presents(&HeaderMap::new(), "s3cret"));
    }
}
