//! A user's reminder channels: `GET /api/v1/channels` (what is on, what the server can
//! offer and why not), `PUT /api/v1/channels/{email|ntfy}`, `DELETE /api/v1/channels/{kind}`,
//! `POST /api/v1/channels/{kind}/test`, `POST /api/v1/push/test` (this device), and the
//! delivery log `GET /api/v1/deliveries`. An ntfy token is stored but never returned.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use reminders::channel_compose;
use reminders::delivery::{DeliveryEntry, DeliveryStatus, LOG_KEEP};
use reminders::push::PushResult;
use reminders::sender::SendResult;
use reminders::{ChannelKind, ChannelSettings, DeviceSession, EmailMode, EmailSettings, NtfySettings, UserChannel};

use serde::{Deserialize, Serialize};

use crate::auth::AuthUser;
use crate::error::{self, AppError};
use crate::reminder_service::Reminders;
use crate::state::AppState;

#[derive(Serialize)]
pub struct Channels {
    pub push: PushInfo,
    pub email: EmailInfo,
    pub ntfy: NtfyInfo,
}

#[derive(Serialize)]
pub struct PushInfo {
    /// Whether the server can send Web Push at all (it needs a VAPID subject).
    pub available: bool,
    pub reason: Option<String>,
    /// Push subscriptions registered by the device making this request.
    pub this_device_subscriptions: usize,
}

#[derive(Serialize)]
pub struct EmailInfo {
    /// Whether the server can send email (SMTP configured).
    pub available: bool,
    pub reason: Option<String>,
    pub enabled: bool,
    /// Where it goes: a verified address, else the account's.
    pub address: String,
    /// An address waiting for the code sent to it.
    pub pending_address: Option<String>,
    pub mode: EmailMode,
    /// Why the server turned it off (a refusal, an unsubscribe link).
    pub disabled_reason: Option<String>,
}

#[derive(Serialize)]
pub struct NtfyInfo {
    pub available: bool,
    pub enabled: bool,
    pub url: Option<String>,
    pub has_token: bool,
    pub disabled_reason: Option<String>,
}

fn rt(state: &AppState) -> Result<&Reminders, AppError> {
    state.reminders.as_deref().ok_or_else(|| AppError::internal("reminder service not initialised"))
}

fn find(channels: &[UserChannel], kind: ChannelKind) -> Option<&UserChannel> {
    channels.iter().find(|c| c.settings.kind() == kind)
}

/// `GET /api/v1/channels`.
pub async fn list(State(state): State<AppState>, auth: AuthUser) -> Result<Json<Channels>, AppError> {
    let rt = rt(&state)?;
    rt.learn_subject(&*state.store).await;
    let channels = state.store.list_channels(auth.user_id).await.map_err(AppError::internal)?;
    let device = state
        .store
        .device_push_subscriptions(auth.user_id, DeviceSession(auth.session_id.0))
        .await
        .map_err(AppError::internal)?;
    let account = state.store.user_by_id(auth.user_id).await.map_err(AppError::internal)?.ok_or(AppError::Unauthorized)?;
    let email = find(&channels, ChannelKind::Email);
    let ntfy = find(&channels, ChannelKind::Ntfy);
    let ntfy_settings = ntfy.and_then(|c| match &c.settings {
        ChannelSettings::Ntfy(n) => Some(n),
        ChannelSettings::Email(_) => None,
    });
    Ok(Json(Channels {
        push: PushInfo {
            available: rt.push_unavailable().is_none(),
            reason: rt.push_unavailable().map(str::to_owned),
            this_device_subscriptions: device.len(),
        },
        email: EmailInfo {
            available: rt.email_unavailable.is_none(),
            reason: rt.email_unavailable.clone(),
            enabled: email.is_some_and(|c| c.enabled),
            address: email_settings(&channels).address.unwrap_or(account.email),
            pending_address: email_settings(&channels).pending.map(|p| p.address),
            mode: email_settings(&channels).mode,
            disabled_reason: email.and_then(|c| c.disabled_reason.clone()),
        },
        ntfy: NtfyInfo {
            available: true,
            enabled: ntfy.is_some_and(|c| c.enabled),
            url: ntfy_settings.map(|n| n.url.clone()),
            has_token: ntfy_settings.is_some_and(|n| n.token.is_some()),
            disabled_reason: ntfy.and_then(|c| c.disabled_reason.clone()),
        },
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PutChannel {
    pub enabled: bool,
    /// Email: `digest` (default) or `each`.
    #[serde(default)]
    pub mode: Option<EmailMode>,
    /// ntfy: the topic URL.
    #[serde(default)]
    pub url: Option<String>,
    /// ntfy: a new access token. Left out: the stored one is kept.
    #[serde(default)]
    pub token: Option<String>,
    /// ntfy: forget the stored token.
    #[serde(default)]
    pub clear_token: bool,
}

/// The user's email settings as stored, or the defaults.
pub fn email_settings(channels: &[UserChannel]) -> EmailSettings {
    match find(channels, ChannelKind::Email).map(|c| &c.settings) {
        Some(ChannelSettings::Email(e)) => e.clone(),
        _ => EmailSettings::default(),
    }
}

fn parse_kind(raw: &str) -> Result<ChannelKind, AppError> {
    match ChannelKind::parse(raw) {
        Some(k @ (ChannelKind::Email | ChannelKind::Ntfy)) => Ok(k),
        Some(ChannelKind::Push) => Err(AppError::unprocessable(
            "per_device",
            "Web Push is set per device: use /api/v1/push/subscriptions",
        )),
        None => Err(AppError::NotFound("no such channel: use email or ntfy".into())),
    }
}

/// `PUT /api/v1/channels/{kind}`.
pub async fn put(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(kind): Path<String>,
    error::Json(body): error::Json<PutChannel>,
) -> Result<StatusCode, AppError> {
    let rt = rt(&state)?;
    let settings = match parse_kind(&kind)? {
        ChannelKind::Email => {
            if let (true, Some(why)) = (body.enabled, &rt.email_unavailable) {
                return Err(AppError::Conflict { code: "email_unavailable", message: format!("email is not offered: {why}") });
            }
            let existing = state.store.list_channels(auth.user_id).await.map_err(AppError::internal)?;
            let mut email = email_settings(&existing);
            email.mode = body.mode.unwrap_or(email.mode);
            ChannelSettings::Email(email)
        }
        _ => {
            let existing = state.store.list_channels(auth.user_id).await.map_err(AppError::internal)?;
            let old_token = find(&existing, ChannelKind::Ntfy).and_then(|c| match &c.settings {
                ChannelSettings::Ntfy(n) => n.token.clone(),
                ChannelSettings::Email(_) => None,
            });
            let token = match (body.token, body.clear_token) {
                (_, true) => None,
                (Some(t), false) => Some(t.trim().to_owned()),
                (None, false) => old_token,
            };
            let url = body.url.map(|u| u.trim().to_owned()).unwrap_or_default();
            let ntfy = NtfySettings { url, token };
            ntfy.validate(rt.policy).map_err(|e| AppError::unprocessable("invalid_ntfy", e.to_string()))?;
            ChannelSettings::Ntfy(ntfy)
        }
    };
    state.store.put_channel(auth.user_id, &settings, body.enabled, state.now()).await.map_err(AppError::internal)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/v1/channels/{kind}`.
pub async fn remove(State(state): State<AppState>, auth: AuthUser, Path(kind): Path<String>) -> Result<StatusCode, AppError> {
    let kind = parse_kind(&kind)?;
    if state.store.delete_channel(auth.user_id, kind).await.map_err(AppError::internal)? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound("no such channel".into()))
    }
}

/// What a test send did.
#[derive(Serialize)]
pub struct TestResult {
    pub sent: bool,
    pub status: DeliveryStatus,
    /// What the service answered (a status, an SMTP reply, an error).
    pub answer: String,
}

/// `POST /api/v1/channels/{kind}/test`: one test message now, logged like any delivery.
pub async fn test(State(state): State<AppState>, auth: AuthUser, Path(kind): Path<String>) -> Result<Json<TestResult>, AppError> {
    let kind = match ChannelKind::parse(&kind) {
        Some(ChannelKind::Push) => return push_test(State(state), auth).await,
        _ => parse_kind(&kind)?,
    };
    let rt = rt(&state)?;
    let senders = rt.senders.as_ref().ok_or_else(|| AppError::internal("reminder channels not connected"))?;
    let channels = state.store.list_channels(auth.user_id).await.map_err(AppError::internal)?;
    let channel = find(&channels, kind).ok_or_else(|| AppError::NotFound("set this channel up first".into()))?;
    let now = state.now();
    let (title, result) = match &channel.settings {
        ChannelSettings::Email(_) => {
            let mailer = senders.mailer.as_ref().ok_or_else(|| AppError::Conflict {
                code: "email_unavailable",
                message: rt.email_unavailable.clone().unwrap_or_default(),
            })?;
            let account = state.store.user_by_id(auth.user_id).await.map_err(AppError::internal)?.ok_or(AppError::Unauthorized)?;
            let to = email_settings(&channels).address.unwrap_or(account.email);
            let content = channel_compose::test_email(auth.user_id, &senders.links, now);
            (content.subject.clone(), mailer.send(&to, &content).await)
        }
        ChannelSettings::Ntfy(n) => {
            let msg = channel_compose::ntfy_test(&senders.links);
            (msg.title.clone(), senders.ntfy.send(n, &msg, now).await)
        }
    };
    let (status, answer) = match result {
        SendResult::Sent { answer } => (DeliveryStatus::Sent, answer),
        SendResult::Retry { reason, .. } => (DeliveryStatus::GivenUp, reason),
        SendResult::Refused { reason, .. } => (DeliveryStatus::Refused, reason),
    };
    let entry = DeliveryEntry::new(auth.user_id, kind, now, status, &title, &answer, 0);
    state.store.log_deliveries(&[entry]).await.map_err(AppError::internal)?;
    Ok(Json(TestResult { sent: status == DeliveryStatus::Sent, status, answer }))
}

/// `POST /api/v1/push/test`: one test notification to this device's subscriptions; says what
/// the push service answered.
pub async fn push_test(State(state): State<AppState>, auth: AuthUser) -> Result<Json<TestResult>, AppError> {
    let rt = rt(&state)?;
    rt.learn_subject(&*state.store).await;
    if let Some(why) = rt.push_unavailable() {
        return Err(AppError::Conflict { code: "push_unavailable", message: why.to_owned() });
    }
    let subs = state
        .store
        .device_push_subscriptions(auth.user_id, DeviceSession(auth.session_id.0))
        .await
        .map_err(AppError::internal)?;
    let Some(sub) = subs.last() else {
        return Err(AppError::NotFound("this device has no push subscription: enable notifications first".into()));
    };
    let now = state.now();
    let payload = serde_json::json!({
        "title": "Kith test notification",
        "body": "Reminders will arrive like this.",
        "url": "/settings",
        "tag": "kith-test",
        "actions": [],
        "contact_ids": [],
    });
    let bytes = serde_json::to_vec(&payload).unwrap_or_default();
    let (result, code) = rt.push.send_with_status(&sub.subscription, "kith-test", &bytes, now).await;
    let code = code.map_or_else(|| "no answer".to_owned(), |c| c.to_string());
    let (status, answer) = match result {
        PushResult::Delivered => (DeliveryStatus::Sent, code),
        PushResult::Gone => {
            // The browser dropped it; so do we, so the client subscribes again.
            let _ = state.store.delete_push_subscription_by_endpoint(&sub.subscription.endpoint).await;
            (DeliveryStatus::Refused, format!("{code}: the subscription is gone; enable notifications again"))
        }
        PushResult::Rejected { reason } => (DeliveryStatus::Refused, reason),
        PushResult::Retry { reason, .. } => (DeliveryStatus::GivenUp, reason),
    };
    let entry = DeliveryEntry::new(auth.user_id, ChannelKind::Push, now, status, "Kith test notification", &answer, 0);
    state.store.log_deliveries(&[entry]).await.map_err(AppError::internal)?;
    Ok(Json(TestResult { sent: status == DeliveryStatus::Sent, status, answer }))
}

#[derive(Serialize)]
pub struct Deliveries {
    pub deliveries: Vec<Delivery>,
}

#[derive(Serialize)]
pub struct Delivery {
    pub channel: ChannelKind,
    pub at: chrono::DateTime<chrono::Utc>,
    pub status: DeliveryStatus,
    pub title: String,
    pub detail: String,
    pub nudges: u32,
}

/// `GET /api/v1/deliveries`: the last 100 messages per channel, newest first.
pub async fn deliveries(State(state): State<AppState>, auth: AuthUser) -> Result<Json<Deliveries>, AppError> {
    let rows = state.store.deliveries(auth.user_id, LOG_KEEP).await.map_err(AppError::internal)?;
    Ok(Json(Deliveries {
        deliveries: rows
            .into_iter()
            .map(|e| Delivery { channel: e.channel, at: e.at, status: e.status, title: e.title, detail: e.detail, nudges: e.nudges })
            .collect(),
    }))
}
