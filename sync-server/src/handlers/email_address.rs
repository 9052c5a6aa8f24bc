//! Sending reminder emails to an address other than the account's, once it is proven:
//! `POST /api/v1/channels/email/address {address}` mails a 6-digit code there (stored only as
//! its HMAC, valid 30 minutes, one per minute); `POST /api/v1/channels/email/address/confirm
//! {code}` switches to the address if the code matches (5 tries per code).
//! `{address: null}` goes back to the account's address.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Duration;
use rand::Rng;
use reminders::channel::{PendingAddress, MAX_CODE_ATTEMPTS};
use reminders::email::valid_address;
use reminders::channel_compose;
use reminders::sender::SendResult;
use reminders::ChannelSettings;
use serde::Deserialize;

use super::channels::email_settings;
use crate::auth::AuthUser;
use crate::error::{self, AppError};
use crate::state::AppState;

const CODE_MINUTES: i64 = 30;
const RESEND_AFTER_SECS: i64 = 60;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAddress {
    pub address: Option<String>,
}

/// `POST /api/v1/channels/email/address`.
pub async fn request(
    State(state): State<AppState>,
    auth: AuthUser,
    error::Json(body): error::Json<NewAddress>,
) -> Result<StatusCode, AppError> {
    let rt = state.reminders.as_deref().ok_or_else(|| AppError::internal("reminder service not initialised"))?;
    let (Some(senders), None) = (rt.senders.as_ref(), &rt.email_unavailable) else {
        return Err(AppError::Conflict { code: "email_unavailable", message: rt.email_unavailable.clone().unwrap_or_default() });
    };
    let mailer = senders.mailer.as_ref().ok_or_else(|| AppError::internal("no mailer"))?;
    let channels = state.store.list_channels(auth.user_id).await.map_err(AppError::internal)?;
    let enabled = channels.iter().any(|c| matches!(c.settings, ChannelSettings::Email(_)) && c.enabled);
    let mut email = email_settings(&channels);
    let now = state.now();
    let account = state.store.user_by_id(auth.user_id).await.map_err(AppError::internal)?.ok_or(AppError::Unauthorized)?;
    let address = body.address.map(|a| a.trim().to_owned()).filter(|a| !a.is_empty());
    let Some(address) = address.filter(|a| !a.eq_ignore_ascii_case(&account.email)) else {
        // Back to the account's own address: nothing to prove.
        email.address = None;
        email.pending = None;
        state.store.put_channel(auth.user_id, &ChannelSettings::Email(email), enabled, now).await.map_err(AppError::internal)?;
        return Ok(StatusCode::NO_CONTENT);
    };
    if !valid_address(&address) {
        return Err(AppError::unprocessable("invalid_address", "that is not an email address"));
    }
    if let Some(p) = &email.pending {
        let wait = p.sent_at + RESEND_AFTER_SECS - now.timestamp();
        if wait > 0 {
            return Err(AppError::TooManyRequests { retry_after: std::time::Duration::from_secs(wait as u64) });
        }
    }
    let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32));
    let user = auth.user_id.to_string();
    let content = channel_compose::code_email(&code, CODE_MINUTES, &senders.links, auth.user_id, now);
    match mailer.send(&address, &content).await {
        SendResult::Sent { .. } => {}
        SendResult::Retry { reason, .. } | SendResult::Refused { reason, .. } => {
            return Err(AppError::unprocessable("code_not_sent", format!("the code could not be sent: {reason}")));
        }
    }
    email.pending = Some(PendingAddress {
        code_mac: senders.links.signer.mac_hex(&["email-code", &user, &address.to_ascii_lowercase(), &code]),
        address,
        expires: (now + Duration::minutes(CODE_MINUTES)).timestamp(),
        sent_at: now.timestamp(),
        attempts: 0,
    });
    state.store.put_channel(auth.user_id, &ChannelSettings::Email(email), enabled, now).await.map_err(AppError::internal)?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Confirm {
    pub code: String,
}

/// `POST /api/v1/channels/email/address/confirm`.
pub async fn confirm(
    State(state): State<AppState>,
    auth: AuthUser,
    error::Json(body): error::Json<Confirm>,
) -> Result<StatusCode, AppError> {
    let rt = state.reminders.as_deref().ok_or_else(|| AppError::internal("reminder service not initialised"))?;
    let links = rt.links().ok_or_else(|| AppError::internal("reminder channels not connected"))?;
    let channels = state.store.list_channels(auth.user_id).await.map_err(AppError::internal)?;
    let enabled = channels.iter().any(|c| matches!(c.settings, ChannelSettings::Email(_)) && c.enabled);
    let mut email = email_settings(&channels);
    let now = state.now();
    let Some(mut pending) = email.pending.take() else {
        return Err(AppError::NotFound("no code was sent: ask for one first".into()));
    };
    if pending.expires <= now.timestamp() || pending.attempts >= MAX_CODE_ATTEMPTS {
        state.store.put_channel(auth.user_id, &ChannelSettings::Email(email), enabled, now).await.map_err(AppError::internal)?;
        return Err(AppError::unprocessable("code_expired", "that code has expired or was tried too often: ask for a new one"));
    }
    let code: String = body.code.chars().filter(|c| c.is_ascii_digit()).take(6).collect();
    let user = auth.user_id.to_string();
    let parts = ["email-code", user.as_str(), &pending.address.to_ascii_lowercase(), code.as_str()];
    if body.code.len() > 32 || !links.signer.mac_matches(&parts, &pending.code_mac) {
        pending.attempts += 1;
        email.pending = Some(pending);
        state.store.put_channel(auth.user_id, &ChannelSettings::Email(email), enabled, now).await.map_err(AppError::internal)?;
        return Err(AppError::unprocessable("wrong_code", "that is not the code we sent"));
    }
    email.address = Some(pending.address);
    state.store.put_channel(auth.user_id, &ChannelSettings::Email(email), enabled, now).await.map_err(AppError::internal)?;
    Ok(StatusCode::NO_CONTENT)
}
