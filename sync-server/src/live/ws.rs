//! The thin shell around [`Connection`] and [`HubConnection`]: reads frames, performs effects,
//! writes frames, and wakes up when the hub says one of the peer's documents changed. Generic
//! over the socket's `Sink`/`Stream` halves so it runs on channels in tests.

use std::collections::VecDeque;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocketUpgrade};
use axum::response::Response;
use futures::{Sink, SinkExt, Stream, StreamExt};

use super::hub::Hub;
use super::hub_conn::{ConnOwner, HubConnection};
use super::observer::HubObserver;
use super::sockets::{CloseReason, SocketTicket};
use crate::sync::connection::{Connection, Effect};

/// WebSocket close code for "policy violation": the peer broke the protocol.
const CLOSE_PROTOCOL_ERROR: u16 = 1008;
/// Keeps NATs and proxies from dropping quiet connections, and finds dead peers.
const PING_EVERY: Duration = Duration::from_secs(30);

/// Bytes read from a socket at a time.
const SOCKET_READ_BUFFER: usize = 8 * 1024;

/// Upgrades an already-authenticated request.
pub fn upgrade(ws: WebSocketUpgrade, hub: Hub, owner: ConnOwner, ticket: Option<SocketTicket>) -> Response {
    // The transport refuses frames far over the limit outright; those between the limit and
    // twice it reach the protocol layer, which answers with a readable `error` message.
    let limit = hub.config().max_message_bytes;
    let transport_limit = limit.saturating_mul(2).max(64 * 1024);
    ws.max_message_size(transport_limit)
        .max_frame_size(transport_limit)
        // tungstenite reserves its read buffer up front (128 KiB by default): 250 MiB for
        // 2,000 mostly idle devices. Sync messages are small; a large one still arrives whole,
        // just in more reads.
        .read_buffer_size(SOCKET_READ_BUFFER)
        .on_upgrade(move |socket| async move {
            let (sink, stream) = socket.split();
            serve(sink, stream, hub, owner, ticket).await;
        })
}

/// Runs one connection to completion. `ticket`, when given, closes it from outside.
pub async fn serve<S, R, E>(
    mut sink: S,
    mut stream: R,
    hub: Hub,
    owner: impl Into<ConnOwner>,
    mut ticket: Option<SocketTicket>,
)
where
    S: Sink<WsMessage> + Unpin,
    R: Stream<Item = Result<WsMessage, E>> + Unpin,
    E: ReadError,
{
    let mut conn = Connection::new(hub.identity().clone(), hub.config().max_message_bytes);
    let mut hub_conn = hub.connect(owner);
    let inbox = hub_conn.inbox().clone();
    let observer = hub.observer().clone();
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    // A socket costs a file descriptor and a task: one that never joins is closed.
    let join_timeout = hub.config().join_timeout;
    let join_deadline = tokio::time::sleep(join_timeout);
    tokio::pin!(join_deadline);
    loop {
        let effects = tokio::select! {
            () = &mut join_deadline, if conn.peer().is_none() => {
                conn.fail(format!("no join message within {} s", join_timeout.as_secs_f32()))
            }
            incoming = stream.next() => match incoming {
                Some(Ok(WsMessage::Binary(bytes))) => {
                    observer.message_in();
                    conn.on_frame(&bytes)
                }
                Some(Ok(WsMessage::Text(_))) => conn.on_text_frame(),
                Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_))) => Vec::new(),
                Some(Ok(WsMessage::Close(_))) | None => break,
                Some(Err(e)) => {
                    // A frame over the limit is a capacity error; the socket can still carry
                    // our answer. Anything else ends the connection.
                    if e.is_oversize() {
                        conn.on_oversize_frame()
                    } else {
                        tracing::debug!(error = %e, "websocket read failed");
                        break;
                    }
                }
            },
            () = inbox.wait() => {
                let mut effects = Vec::new();
                let (dirty, ephemeral) = inbox.take();
                for doc in dirty {
                    if let Some(frame) = hub_conn.generate(doc).await.and_then(|data| conn.sync_frame(doc, data)) {
                        effects.push(Effect::Send(frame));
                    }
                }
                effects.extend(ephemeral.into_iter().filter_map(|e| conn.ephemeral_frame(e)).map(Effect::Send));
                effects
            }
            reason = revoked(&mut ticket) => {
                let frame = CloseFrame { code: reason.code(), reason: reason.text().into() };
                let _ = sink.send(WsMessage::Close(Some(frame))).await;
                let _ = sink.close().await;
                break;
            }
            _ = ping.tick() => {
                if sink.send(WsMessage::Ping(Default::default())).await.is_err() {
                    break;
                }
                continue;
            }
        };
        if !perform(effects, &mut conn, &mut hub_conn, &mut sink, &*observer).await {
            break;
        }
    }
    hub_conn.disconnect().await;
}

/// Resolves when the server wants the socket closed; never, without a ticket.
async fn revoked(ticket: &mut Option<SocketTicket>) -> CloseReason {
    match ticket {
        Some(t) => t.closed().await,
        None => std::future::pending().await,
    }
}

/// Performs effects in order; answers from the hub become more effects. Returns whether the
/// connection stays open.
async fn perform<S>(
    effects: Vec<Effect>,
    conn: &mut Connection,
    hub_conn: &mut HubConnection,
    sink: &mut S,
    observer: &dyn HubObserver,
) -> bool
where
    S: Sink<WsMessage> + Unpin,
{
    let mut queue = VecDeque::from(effects);
    while let Some(effect) = queue.pop_front() {
        match effect {
            Effect::Send(frame) => {
                if sink.send(WsMessage::Binary(frame.into())).await.is_err() {
                    return false;
                }
                observer.message_out();
            }
            Effect::Open { doc, data } => match hub_conn.open(doc).await {
                Ok(true) => queue.extend(conn.opened(doc, data)),
                Ok(false) => queue.extend(conn.unavailable(doc)),
                Err(e) => {
                    tracing::error!(error = %e, %doc, "could not check document ownership");
                    queue.extend(conn.fail("the server could not open the document; try again later".to_owned()));
                }
            },
            Effect::Sync { doc, data } => match hub_conn.receive(doc, &data).await {
                Ok(Some(reply)) => queue.extend(conn.sync_frame(doc, reply).map(Effect::Send)),
                Ok(None) => {}
                Err(e) => {
                    tracing::info!(user = %hub_conn.user(), %doc, error = %e, "refused a sync message");
                    queue.extend(conn.fail(e.to_string()));
                }
            },
            Effect::Forward(e) => hub_conn.forward(e).await,
            Effect::Close { error } => {
                if let Some(reason) = &error {
                    tracing::info!(user = %hub_conn.user(), %reason, "closing sync connection");
                }
                let frame = error.map(|reason| CloseFrame {
                    code: CLOSE_PROTOCOL_ERROR,
                    reason: truncate(&reason, 120).into(),
                });
                let _ = sink.send(WsMessage::Close(frame)).await;
                let _ = sink.close().await;
                return false;
            }
        }
    }
    true
}

/// Close reasons must fit in a control frame (123 bytes).
/// A socket read error: shown in logs, and told apart when it is a frame over the size limit
/// (the socket can still carry our answer to that one).
pub trait ReadError: std::fmt::Display {
    fn is_oversize(&self) -> bool;
}

impl ReadError for axum::Error {
    /// tungstenite's `Capacity` variant, found in the error's source chain (not its text).
    fn is_oversize(&self) -> bool {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(self);
        while let Some(err) = source {
            if let Some(axum_tungstenite::Error::Capacity(_)) = err.downcast_ref::<axum_tungstenite::Error>() {
                return true;
            }
            source = err.source();
        }
        false
    }
}

/// The in-memory sockets of the shell's unit tests: an error there is never an oversize frame.
impl ReadError for String {
    fn is_oversize(&self) -> bool {
        false
    }
}

fn truncate(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

#[cfg(test)]
#[path = "ws_tests.rs"]
mod tests;
