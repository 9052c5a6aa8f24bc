//! How CardDAV requests fail. Plain refusals reuse the API's JSON error body (a clear code
//! and message); WebDAV preconditions answer with the `<d:error>` body clients look for.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::xml;
use crate::error::AppError;

#[derive(Debug)]
pub enum DavError {
    App(AppError),
    /// A failed precondition with its XML element, e.g. 403 `DAV:valid-sync-token`.
    Precondition { status: StatusCode, ns: &'static str, local: &'static str },
    /// 412: `If-Match` / `If-None-Match` did not hold.
    PreconditionFailed,
}

impl From<AppError> for DavError {
    fn from(e: AppError) -> Self {
        DavError::App(e)
    }
}

impl From<crate::live::HubError> for DavError {
    fn from(e: crate::live::HubError) -> Self {
        DavError::App(crate::handlers::hub_error::hub_error(e))
    }
}

impl From<tokio::task::JoinError> for DavError {
    fn from(e: tokio::task::JoinError) -> Self {
        DavError::App(AppError::internal(e))
    }
}

impl DavError {
    pub fn bad(code: &'static str, message: impl Into<String>) -> Self {
        DavError::App(AppError::bad_request(code, message))
    }

    pub fn not_found() -> Self {
        DavError::App(AppError::NotFound("nothing at this address".into()))
    }
}

/// A 401 that tells the client to use Basic (email and an app password).
pub fn unauthorized() -> Response {
    let mut response = AppError::Unauthorized.into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"Kith (email and an app password)\", charset=\"UTF-8\""),
    );
    response
}

impl IntoResponse for DavError {
    fn into_response(self) -> Response {
        match self {
            DavError::App(AppError::Unauthorized) => unauthorized(),
            DavError::App(e) => e.into_response(),
            DavError::Precondition { status, ns, local } => {
                let mut r = (status, xml::error_body(ns, local)).into_response();
                r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/xml; charset=utf-8"));
                r
            }
            DavError::PreconditionFailed => StatusCode::PRECONDITION_FAILED.into_response(),
        }
    }
}
