//! HTTP Basic on `/dav`: the account's email and one of its app passwords (never the account
//! password, never a session token: see `auth::app_password`).

use std::net::IpAddr;

use axum::http::header::AUTHORIZATION;
use axum::http::HeaderMap;
use base64::Engine;

use crate::auth::app_password::{authenticate_app_password, AppPasswordUser};
use crate::error::AppError;
use crate::state::AppState;

/// Longer credentials than this are not ours (an email of 254 bytes and a short password).
const MAX_HEADER_BYTES: usize = 1024;

fn credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    if value.len() > MAX_HEADER_BYTES {
        return None;
    }
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

pub async fn dav_user(state: &AppState, headers: &HeaderMap, ip: Option<IpAddr>) -> Result<AppPasswordUser, AppError> {
    let (email, password) = credentials(headers).ok_or(AppError::Unauthorized)?;
    authenticate_app_password(state, &email, &password, ip).await
}
