//! `GET /healthz`: liveness for load balancers and `scripts/run` users.

use axum::Json;
use serde_json::{json, Value};

pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}
