//! The `AuthUser` extractor: a handler that takes one only runs for a live session.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use axum::extract::{ConnectInfo, FromRequestParts, Query};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use serde::Deserialize;

use super::session_cache::CachedSession;
use super::token::hash_token;
use crate::error::AppError;
use crate::ids::{DocId, SessionId, UserId};
use crate::state::AppState;

/// The signed-in user behind this request. Accepts `Authorization: Bearer <token>` or, for
/// browsers opening a WebSocket (which cannot set headers), `?token=<token>`. Anything else
/// (missing, malformed, logged out, user deleted) is the same 401. Recently confirmed tokens
/// are answered from memory (see `session_cache`).
#[derive(Clone, Copy, Debug)]
pub struct AuthUser {
    pub user_id: UserId,
    pub session_id: SessionId,
    pub doc_id: DocId,
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

fn presented_token(parts: &Parts) -> Option<String> {
    if let Some(value) = parts.headers.get(AUTHORIZATION) {
        let value = value.to_str().ok()?;
        let (scheme, token) = value.split_once(' ')?;
        return scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string());
    }
    let Query(query) = Query::<TokenQuery>::try_from_uri(&parts.uri).ok()?;
    query.token
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let hash = presented_token(parts).as_deref().and_then(hash_token).ok_or(AppError::Unauthorized)?;
        let cache = &state.session_cache;
        let session = match cache.get(&hash, Instant::now()) {
            Some(hit) => hit,
            None => {
                // Taken before the store is read: a sign-out landing meanwhile voids the fill.
                let permit = cache.permit();
                let session = lookup(state, &hash).await?;
                cache.fill(permit, hash, session, Instant::now());
                session
            }
        };
        // The request span (see app.rs) declares this field; the token itself is never logged.
        tracing::Span::current().record("user.id", tracing::field::display(session.user_id));
        Ok(AuthUser { user_id: session.user_id, session_id: session.session_id, doc_id: session.doc_id })
    }
}

/// The store's answer for a token the cache does not know.
async fn lookup(state: &AppState, hash: &[u8; 32]) -> Result<CachedSession, AppError> {
    let session = state.store.session_by_token_hash(hash, state.now()).await?.ok_or(AppError::Unauthorized)?;
    // A live session implies a live user (sessions are deleted with their user), so a doc id
    // learnt from the user's other device is as good as reading the user row.
    let doc_id = match state.session_cache.doc_of(session.user_id, Instant::now()) {
        Some(doc) => doc,
        None => state.store.user_by_id(session.user_id).await?.ok_or(AppError::Unauthorized)?.doc_id,
    };
    Ok(CachedSession { user_id: session.user_id, session_id: session.id, doc_id })
}

/// The client's IP address: the TCP peer, or with `trust_forwarded_for` the address our
/// reverse proxy appended to `X-Forwarded-For` (the last entry; earlier ones are whatever the
/// client sent). `None` without connect info (`Router::oneshot` tests).
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip());
        if !state.config.trust_forwarded_for {
            return Ok(ClientIp(peer));
        }
        Ok(ClientIp(forwarded_for(&parts.headers).or(peer)))
    }
}

fn forwarded_for(headers: &axum::http::HeaderMap) -> Option<IpAddr> {
    // Several headers are one comma-separated list; the proxy's entry is the very last.
    let last_header = headers.get_all("x-forwarded-for").iter().next_back()?;
    let last_entry = last_header.to_str().ok()?.rsplit(',').next()?;
    last_entry.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue};

    use super::*;

    #[test]
    fn the_proxy_appended_address_is_the_last_one() {
        let mut headers = HeaderMap::new();
        assert_eq!(forwarded_for(&headers), None);
        headers.append("x-forwarded-for", HeaderValue::from_static("6.6.6.6, 10.0.0.1"));
        headers.append("x-forwarded-for", HeaderValue::from_static("203.0.113.7"));
        assert_eq!(forwarded_for(&headers), Some(IpAddr::from([203, 0, 113, 7])));
        let mut junk = HeaderMap::new();
        junk.insert("x-forwarded-for", HeaderValue::from_static("1.2.3.4, not-an-ip"));
        assert_eq!(forwarded_for(&junk), None);
    }
}
