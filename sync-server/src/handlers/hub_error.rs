//! How the hub's refusals read to an API client: the document's own size limit
//! (`max_doc_bytes`) is a 413 like the import's file limits, a missing document a 404, and
//! anything else an internal error whose cause goes to the log, not the response.

use crate::error::AppError;
use crate::live::HubError;

pub fn hub_error(e: HubError) -> AppError {
    match e {
        HubError::Quota { .. } => {
            AppError::PayloadTooLarge(format!("this would make your data too large ({e}); archive or remove something first"))
        }
        HubError::NotFound => AppError::NotFound("no such document".into()),
        other => AppError::internal(other),
    }
}
