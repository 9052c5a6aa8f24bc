//! Reading the user's document for DAV answers: heads under the hub's lock (cheap), anything
//! that renders cards on a copy on a blocking thread (a 5,000-card listing must not hold the
//! document a device is writing to, nor an async worker).

use automerge::{Automerge, ChangeHash};
use crdt_model::schema::KithDoc;

use super::{Ctx, DavError};

pub async fn heads(ctx: &Ctx) -> Result<Vec<ChangeHash>, DavError> {
    Ok(ctx.state.hub.read_doc(ctx.user.doc_id, Automerge::get_heads).await?)
}

/// Runs `f` with the raw document and its loaded view, on a copy, off the async threads.
pub async fn with_doc<T: Send + 'static>(
    ctx: &Ctx,
    f: impl FnOnce(&Automerge, &KithDoc) -> T + Send + 'static,
) -> Result<T, DavError> {
    let (_, out) = ctx
        .state
        .hub
        .read_detached(ctx.user.doc_id, move |doc| {
            let loaded = crdt_model::load(doc).doc;
            f(doc, &loaded)
        })
        .await?;
    Ok(out)
}

/// Runs `f` with the raw document only (no full load), on a copy, off the async threads.
pub async fn with_raw<T: Send + 'static>(ctx: &Ctx, f: impl FnOnce(&Automerge) -> T + Send + 'static) -> Result<T, DavError> {
    let (_, out) = ctx.state.hub.read_detached(ctx.user.doc_id, f).await?;
    Ok(out)
}
