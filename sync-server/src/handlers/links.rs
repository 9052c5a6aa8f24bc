//! The signed links in reminder emails and ntfy messages (see `reminders::action_link`):
//! `GET /api/v1/links/{token}` shows what the link does with a button; `POST` does it —
//! Done logs an interaction (or marks the follow-up done), Snooze pushes the reminder out,
//! Unsubscribe turns email off (RFC 8058 one-click: mail clients POST
//! `List-Unsubscribe=One-Click`). GET never acts, because mail scanners open links.
//! No login: the link itself is the permission, for one action on one thing until it expires.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::Duration;
use crdt_model::{ContactId, FollowUpId, InteractionDraft, InteractionKind, ModelError};
use reminders::action_link::{LinkAction, LinkClaim, LinkError};
use reminders::channel_compose::escape;
use reminders::ChannelKind;

use crate::state::AppState;

const CONTACT_SNOOZE_DAYS: i64 = 7;
const FOLLOW_UP_SNOOZE_DAYS: u32 = 1;

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{t} — Kith</title></head><body><main><h1>{t}</h1>{body}\
         <p><a href=\"/\">Open Kith</a></p></main></body></html>",
        t = escape(title)
    );
    (status, [(axum::http::header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

fn refused(e: LinkError) -> Response {
    let status = match e {
        LinkError::Expired => StatusCode::GONE,
        LinkError::Invalid => StatusCode::NOT_FOUND,
    };
    page(status, "This link does not work", &format!("<p>{}</p>", escape(&e.to_string())))
}

/// The claim, or the page that says why not (boxed: a `Response` is large).
fn verify(state: &AppState, token: &str) -> Result<LinkClaim, Box<Response>> {
    let Some(links) = state.reminders.as_ref().and_then(|rt| rt.links()) else {
        return Err(Box::new(page(StatusCode::SERVICE_UNAVAILABLE, "Not available", "<p>Reminders are not set up on this server.</p>")));
    };
    links.signer.verify(token, state.now()).map_err(|e| Box::new(refused(e)))
}

fn label(action: LinkAction) -> &'static str {
    match action {
        LinkAction::Done | LinkAction::FollowUpDone => "Mark as done",
        LinkAction::Snooze => "Snooze a week",
        LinkAction::FollowUpSnooze => "Snooze 1 day",
        LinkAction::Unsubscribe => "Turn off reminder emails",
    }
}

/// `GET`: a page with one button that POSTs back here.
pub async fn show(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let claim = match verify(&state, &token) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let form = format!(
        "<form method=\"post\" action=\"/api/v1/links/{}\"><button type=\"submit\">{}</button></form>",
        escape(&token),
        label(claim.action)
    );
    page(StatusCode::OK, label(claim.action), &form)
}

/// `POST`: does what the link says.
pub async fn act(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let claim = match verify(&state, &token) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    match perform(&state, claim).await {
        Ok(done) => page(StatusCode::OK, done, "<p>Done. Your other devices will show it when they sync.</p>"),
        Err(Failure::Gone) => page(StatusCode::NOT_FOUND, "Nothing to do", "<p>That person or follow-up no longer exists.</p>"),
        Err(Failure::Internal(e)) => {
            tracing::error!(error = %e, "an action link failed");
            page(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", "<p>Please try again later.</p>")
        }
    }
}

/// One edit of the user's document, as the hub runs it.
type DocEdit = Box<dyn FnOnce(&mut automerge::Automerge) -> Result<(), ModelError> + Send>;

enum Failure {
    Gone,
    Internal(String),
}

fn model(e: ModelError) -> Failure {
    match e {
        ModelError::ContactNotFound(_) | ModelError::InvalidInput(_) => Failure::Gone,
        other => Failure::Internal(other.to_string()),
    }
}

async fn perform(state: &AppState, claim: LinkClaim) -> Result<&'static str, Failure> {
    let user = claim.user_id();
    tracing::Span::current().record("user.id", tracing::field::display(user));
    let account = state.store.user_by_id(user).await.map_err(|e| Failure::Internal(e.to_string()))?.ok_or(Failure::Gone)?;
    let now = state.now();
    let change = |f: DocEdit| async move {
        state
            .hub
            .change_doc(account.doc_id, f)
            .await
            .map_err(|e| Failure::Internal(e.to_string()))?
            .map_err(model)
    };
    match (claim.action, claim.target) {
        (LinkAction::Done, Some(t)) => {
            let draft = InteractionDraft { contact_ids: vec![ContactId(t)], kind: InteractionKind::Other, at: now, note: String::new() };
            change(Box::new(move |doc| crdt_model::log_interaction(doc, draft, now).map(|_| ()))).await?;
            Ok("Marked as done")
        }
        (LinkAction::Snooze, Some(t)) => {
            let until = now + Duration::days(CONTACT_SNOOZE_DAYS);
            change(Box::new(move |doc| crdt_model::snooze(doc, ContactId(t), Some(until), now).map(|_| ()))).await?;
            Ok("Snoozed for a week")
        }
        (LinkAction::FollowUpDone, Some(t)) => {
            change(Box::new(move |doc| super::follow_ups::mark_done(doc, FollowUpId(t), now).map(|_| ()))).await?;
            Ok("Follow-up done")
        }
        (LinkAction::FollowUpSnooze, Some(t)) => {
            change(Box::new(move |doc| super::follow_ups::snooze_for(doc, FollowUpId(t), FOLLOW_UP_SNOOZE_DAYS, now).map(|_| ())))
                .await?;
            Ok("Snoozed for a day")
        }
        (LinkAction::Unsubscribe, _) => {
            state
                .store
                .disable_channel(user, ChannelKind::Email, "turned off by the unsubscribe link", now)
                .await
                .map_err(|e| Failure::Internal(e.to_string()))?;
            Ok("Reminder emails are off")
        }
        // A signed claim without the target its action needs: not one we issue.
        (_, None) => Err(Failure::Gone),
    }
}
