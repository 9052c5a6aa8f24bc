//! `POST /api/v1/app-passwords {name}` → `201 {id, name, password}` (the password is shown
//! this once; only its hash is kept), `GET /api/v1/app-passwords` (id, name, created_at,
//! last_used_at) and `DELETE /api/v1/app-passwords/{id}` (revoke). Managing them takes a
//! session (`AuthUser`); using them is CardDAV and the calendar feed only
//! (`auth::app_password`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::app_password::new_app_password;
use crate::auth::AuthUser;
use crate::error::{AppError, Json as JsonBody};
use crate::ids::AppPasswordId;
use crate::state::AppState;
use crate::store::StoreError;

/// Longest name kept, in characters ("Ada's iPhone — Contacts").
pub const MAX_NAME_CHARS: usize = 100;
/// App passwords one account may have at once: one per phone and app is a handful.
pub const MAX_PER_USER: usize = 25;

#[derive(Deserialize)]
pub struct NewAppPassword {
    pub name: String,
}

#[derive(Serialize)]
pub struct Created {
    pub id: String,
    pub name: String,
    /// Shown once; the server cannot show it again.
    pub password: String,
}

#[derive(Serialize)]
pub struct AppPassword {
    pub id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Serialize)]
pub struct AppPasswords {
    pub app_passwords: Vec<AppPassword>,
}

fn clean_name(name: &str) -> Result<String, AppError> {
    let name: String = name.chars().filter(|c| !c.is_control()).collect();
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::unprocessable("invalid_name", "give the app password a name, e.g. the phone it is for"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(AppError::unprocessable("invalid_name", format!("the name is over {MAX_NAME_CHARS} characters")));
    }
    Ok(name.to_owned())
}

pub async fn create(
    State(state): State<AppState>,
    auth: AuthUser,
    JsonBody(body): JsonBody<NewAppPassword>,
) -> Result<(StatusCode, Json<Created>), AppError> {
    let name = clean_name(&body.name)?;
    let fresh = new_app_password();
    let id = match state.store.create_app_password(auth.user_id, &name, &fresh.hash, MAX_PER_USER, state.now()).await {
        Ok(id) => id,
        Err(StoreError::Conflict("app_password_limit")) => {
            return Err(AppError::Conflict {
                code: "too_many_app_passwords",
                message: format!("you have {MAX_PER_USER} app passwords; revoke one you no longer use first"),
            })
        }
        Err(e) => return Err(e.into()),
    };
    tracing::info!(user.id = %auth.user_id, app_password.id = %id, "app password created");
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string(), name, password: fresh.password })))
}

pub async fn list(State(state): State<AppState>, auth: AuthUser) -> Result<Json<AppPasswords>, AppError> {
    let rows = state.store.list_app_passwords(auth.user_id).await?;
    let app_passwords = rows
        .into_iter()
        .map(|r| AppPassword { id: r.id.to_string(), name: r.name, created_at: r.created_at, last_used_at: r.last_used_at })
        .collect();
    Ok(Json(AppPasswords { app_passwords }))
}

pub async fn revoke(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let not_found = || AppError::NotFound("no such app password".into());
    let id = uuid::Uuid::parse_str(&id).map(AppPasswordId).map_err(|_| not_found())?;
    match state.store.delete_app_password(auth.user_id, id).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(StoreError::NotFound) => Err(not_found()),
        Err(e) => Err(e.into()),
    }
}
