//! `GET /metrics`: Prometheus text format. Restrict it at the reverse proxy if route-level
//! traffic counts are sensitive in your deployment.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

use crate::metrics::Gauges;
use crate::state::AppState;

pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
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
    ([(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body)
}
