//! Strings in the document, read from either representation.
//!
//! Automerge JS 3 stores a plain JS string as a collaborative `Text` object, and only an
//! `ImmutableString` as a string scalar. DESIGN.md makes short fields last-writer-wins
//! scalars, which is what Rust writes; but a client that assigned a plain JS string has
//! written `Text`, and that must still read as the same string instead of failing the record.

use autosurgeon::{Hydrate, HydrateError, Prop, ReadDoc, Reconciler};

/// A string read from a `Str` scalar or a `Text` object.
pub(crate) struct AnyStr(pub String);

impl Hydrate for AnyStr {
    fn hydrate_string(s: &str) -> Result<Self, HydrateError> {
        Ok(AnyStr(s.to_owned()))
    }
    fn hydrate_text<D: ReadDoc>(doc: &D, obj: &automerge::ObjId) -> Result<Self, HydrateError> {
        Ok(AnyStr(doc.text(obj)?))
    }
}

/// autosurgeon `hydrate = ...` for `String` fields.
pub fn hydrate_string<D: ReadDoc>(
    doc: &D,
    obj: &automerge::ObjId,
    prop: Prop<'_>,
) -> Result<String, HydrateError> {
    AnyStr::hydrate(doc, obj, prop).map(|s| s.0)
}

/// autosurgeon `hydrate = ...` for `Option<String>` fields (null = None).
pub fn hydrate_opt_string<D: ReadDoc>(
    doc: &D,
    obj: &automerge::ObjId,
    prop: Prop<'_>,
) -> Result<Option<String>, HydrateError> {
    Option::<AnyStr>::hydrate(doc, obj, prop).map(|s| s.map(|s| s.0))
}

/// autosurgeon `reconcile = ...` for `String` fields: a string scalar (last writer wins).
pub fn reconcile_string<R: Reconciler>(s: &String, mut r: R) -> Result<(), R::Error> {
    r.str(s)
}

/// The string at `obj[key]`, whether scalar or Text; `None` if absent or another type.
pub(crate) fn read_str<D: ReadDoc>(
    doc: &D,
    obj: &automerge::ObjId,
    key: &str,
) -> Result<Option<String>, automerge::AutomergeError> {
    use automerge::{ObjType, ScalarValue, Value};
    Ok(match doc.get(obj, key)? {
        Some((Value::Scalar(s), _)) => match s.as_ref() {
            ScalarValue::Str(s) => Some(s.to_string()),
            _ => None,
        },
        Some((Value::Object(ObjType::Text), id)) => Some(doc.text(&id)?),
        _ => None,
    })
}

struct AnyText(autosurgeon::Text);

impl Hydrate for AnyText {
    fn hydrate_string(s: &str) -> Result<Self, HydrateError> {
        Ok(AnyText(autosurgeon::Text::with_value(s)))
    }
    fn hydrate_text<D: ReadDoc>(doc: &D, obj: &automerge::ObjId) -> Result<Self, HydrateError> {
        autosurgeon::Text::hydrate_text(doc, obj).map(AnyText)
    }
}

/// autosurgeon `hydrate = ...` for `Text` fields: a string scalar some client wrote is
/// read as its content (the next edit turns it into Text, see `ops::edit_note`).
pub fn hydrate_text<D: ReadDoc>(
    doc: &D,
    obj: &automerge::ObjId,
    prop: Prop<'_>,
) -> Result<autosurgeon::Text, HydrateError> {
    AnyText::hydrate(doc, obj, prop).map(|t| t.0)
}
