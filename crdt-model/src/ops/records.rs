//! Finding records in a root collection that may exist twice.
//!
//! A document made before `followUps`/`relationships` existed gets them from the first
//! device that writes one; two devices doing that offline each create the map, and
//! Automerge keeps both as a conflict (one "wins" a plain `get`). `load` reads both, so
//! operations must find a record in either.

use automerge::ReadDoc as _;
use automerge::transaction::Transaction;
use automerge::{ObjId, ObjType, Value, ROOT};

use crate::error::ModelError;

/// Every map stored at the root's `collection` (usually one).
pub(crate) fn collection_maps(tx: &Transaction<'_>, collection: &str) -> Result<Vec<ObjId>, ModelError> {
    Ok(tx
        .get_all(ROOT, collection)?
        .into_iter()
        .filter_map(|(v, id)| matches!(v, Value::Object(ObjType::Map | ObjType::Table)).then_some(id))
        .collect())
}

/// The record `key` of `collection` and the map holding it, in whichever map has it.
pub(crate) fn find_record(
    tx: &Transaction<'_>,
    collection: &str,
    key: &str,
) -> Result<Option<(ObjId, ObjId)>, ModelError> {
    for map in collection_maps(tx, collection)? {
        if let Some(record) = super::get_map(tx, &map, key)? {
            return Ok(Some((map, record)));
        }
    }
    Ok(None)
}

/// Every record object of `collection`, across all its maps.
pub(crate) fn all_records(tx: &Transaction<'_>, collection: &str) -> Result<Vec<(ObjId, String, ObjId)>, ModelError> {
    let mut out = Vec::new();
    for map in collection_maps(tx, collection)? {
        for item in tx.map_range(&map, ..) {
            if let automerge::ValueRef::Object(ObjType::Map) = item.value {
                out.push((map.clone(), item.key.to_string(), item.id()));
            }
        }
    }
    Ok(out)
}
