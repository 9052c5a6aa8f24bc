//! Tolerant hydration: one bad record costs only itself.
//!
//! Any client can write anything into the document, so instead of hydrating the whole
//! document in one call (where one wrong type anywhere fails everything) each record of
//! `contacts`, `interactions` and `notes` is hydrated on its own; a record that does not fit
//! the schema is skipped and reported as a [`LoadWarning`]. Unknown fields are ignored.

mod convert;
mod convert_v2;
mod tree;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use automerge::{ObjType, ReadDoc, Value, ROOT};

use crate::ids::{ContactId, FollowUpId, InteractionId, NoteId, RelationshipId};
use crate::schema::{KithDoc, Settings, SCHEMA_VERSION};

/// The result of [`load`]: everything that could be read, and what could not.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub doc: KithDoc,
    pub warnings: Vec<LoadWarning>,
}

/// A part of the document that was skipped or replaced by defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadWarning {
    /// Dotted path of the bad part, e.g. `contacts.6f1c…` or `settings`.
    pub path: String,
    /// What was wrong, for logs (never contains more than a short excerpt of the data).
    pub message: String,
}

impl fmt::Display for LoadWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Reads a Kith document into typed form. Never fails and never panics: bad records are
/// skipped with a warning, a bad `settings` falls back to defaults with a warning.
/// Works on `Automerge`, `AutoCommit` and open transactions alike.
pub fn load<D: ReadDoc>(doc: &D) -> Loaded {
    load_impl(doc, true)
}

/// Like [`load`] but leaves `notes` empty: everything the relationship math and the
/// reminder planner need, without materializing note bodies (most of a document's ops).
pub fn load_without_notes<D: ReadDoc>(doc: &D) -> Loaded {
    load_impl(doc, false)
}

fn load_impl<D: ReadDoc>(doc: &D, with_notes: bool) -> Loaded {
    let mut warnings = Vec::new();
    let schema = match doc.get(ROOT, "schema") {
        Ok(Some((Value::Scalar(s), _))) => crate::num::from_scalar(&s).unwrap_or_else(|| {
            warnings.push(warn("schema", "not an integer; assuming 1".to_owned()));
            SCHEMA_VERSION
        }),
        Ok(None) => SCHEMA_VERSION,
        Ok(Some(_)) | Err(_) => {
            warnings.push(warn("schema", "not an integer; assuming 1".to_owned()));
            SCHEMA_VERSION
        }
    };
    let settings = match materialize(doc, "settings", &mut warnings) {
        None => Settings::default(),
        Some(t) => t.root().map_or_else(Settings::default, |root| {
            convert::settings(&tree::Value::Map(root)).unwrap_or_else(|e| {
                warnings.push(warn("settings", format!("{e}; using defaults")));
                Settings::default()
            })
        }),
    };
    let mut contacts: BTreeMap<ContactId, _> =
        records(doc, "contacts", convert::contact, &mut warnings);
    for (id, c) in contacts.iter_mut() {
        c.id = *id;
    }
    let mut interactions: BTreeMap<InteractionId, _> =
        records(doc, "interactions", convert::interaction, &mut warnings);
    for (id, i) in interactions.iter_mut() {
        i.id = *id;
    }
    let mut notes: BTreeMap<NoteId, _> = if with_notes {
        records(doc, "notes", convert::note, &mut warnings)
    } else {
        BTreeMap::new()
    };
    for (id, n) in notes.iter_mut() {
        n.id = *id;
    }
    let mut follow_ups: BTreeMap<FollowUpId, _> =
        records(doc, "followUps", convert::follow_up, &mut warnings);
    for (id, f) in follow_ups.iter_mut() {
        f.id = *id;
    }
    let mut relationships: BTreeMap<RelationshipId, _> =
        records(doc, "relationships", convert::relationship, &mut warnings);
    for (id, r) in relationships.iter_mut() {
        r.id = *id;
    }
    Loaded {
        doc: KithDoc { schema, settings, contacts, interactions, notes, follow_ups, relationships },
        warnings,
    }
}

/// The root object `key` as an in-memory tree (one pass over its ops), or `None` if absent.
fn materialize<'d, D: ReadDoc>(
    doc: &'d D,
    key: &str,
    warnings: &mut Vec<LoadWarning>,
) -> Option<tree::Tree<'d>> {
    match doc.get(ROOT, key) {
        Ok(None) => None,
        Ok(Some((Value::Object(ObjType::Map | ObjType::Table), obj))) => {
            Some(tree::Tree::build(doc, &obj))
        }
        Ok(Some((other, _))) => {
            warnings.push(warn(key, format!("expected a map, found {}", kind(&other))));
            None
        }
        Err(e) => {
            warnings.push(warn(key, e.to_string()));
            None
        }
    }
}

/// Converts each entry of the root map `collection` on its own.
fn records<D, K, V>(
    doc: &D,
    collection: &str,
    convert: impl Fn(&tree::Value<'_>) -> convert::Result<V>,
    warnings: &mut Vec<LoadWarning>,
) -> BTreeMap<K, V>
where
    D: ReadDoc,
    K: FromStr + Ord,
{
    let mut out = BTreeMap::new();
    for tree in materialize_all(doc, collection, warnings) {
        let Some(map) = tree.root() else { continue };
        read_records(map, collection, &convert, warnings, &mut out);
    }
    out
}

/// Every map stored at the root's `key`. Normally one; two when devices that both lacked
/// the collection (documents made before it existed) each created it concurrently —
/// Automerge keeps both as a conflict, and reading all of them loses neither device's
/// records.
fn materialize_all<'d, D: ReadDoc>(
    doc: &'d D,
    key: &str,
    warnings: &mut Vec<LoadWarning>,
) -> Vec<tree::Tree<'d>> {
    let values = match doc.get_all(ROOT, key) {
        Ok(values) if values.len() > 1 => values,
        // The common case keeps the single-value path (and its warnings).
        _ => return materialize(doc, key, warnings).into_iter().collect(),
    };
    values
        .into_iter()
        .filter_map(|(value, obj)| match value {
            Value::Object(ObjType::Map | ObjType::Table) => Some(tree::Tree::build(doc, &obj)),
            _ => None,
        })
        .collect()
}

fn read_records<K, V>(
    map: tree::MapRef<'_>,
    collection: &str,
    convert: &impl Fn(&tree::Value<'_>) -> convert::Result<V>,
    warnings: &mut Vec<LoadWarning>,
    out: &mut BTreeMap<K, V>,
) where
    K: FromStr + Ord,
{
    for (key, entry) in map.iter() {
        let path = || format!("{collection}.{}", excerpt(key));
        let Ok(id) = key.parse::<K>() else {
            warnings.push(warn(&path(), "key is not a uuid; record skipped".to_owned()));
            continue;
        };
        match convert(&entry) {
            Ok(v) => {
                out.insert(id, v);
            }
            Err(e) => warnings.push(warn(&path(), format!("{e}; record skipped"))),
        }
    }
}

fn kind(v: &Value<'_>) -> &'static str {
    match v {
        Value::Object(ObjType::List) => "a list",
        Value::Object(ObjType::Text) => "text",
        Value::Object(_) => "an object",
        Value::Scalar(_) => "a scalar",
    }
}

fn excerpt(s: &str) -> String {
    s.chars().take(40).collect()
}

fn warn(path: &str, message: String) -> LoadWarning {
    LoadWarning { path: path.to_owned(), message }
}
