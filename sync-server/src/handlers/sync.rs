//! `GET /sync`: authenticates, registers the socket with its session, and hands the upgrade
//! to the live shell (`live::ws`).

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::response::Response;

use crate::auth::AuthUser;
use crate::live::ws::upgrade;
use crate::live::ConnOwner;
use crate::state::AppState;

/// `AuthUser` runs first, so a request without a live session gets the JSON 401 and never a
/// socket. The socket is registered with its session, so signing the device out (or shutting
/// down) closes it at once.
pub async fn sync_route(State(state): State<AppState>, auth: AuthUser, ws: WebSocketUpgrade) -> Response {
    let ticket = state.sockets.register(auth.user_id, auth.session_id);
    let owner = ConnOwner { user: auth.user_id, own_doc: Some(auth.doc_id) };
    upgrade(ws, state.hub.clone(), owner, Some(ticket))
}
