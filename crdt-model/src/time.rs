//! Timestamps in the document: Automerge `Timestamp` scalars holding ms since the epoch, UTC.
//!
//! The JS client writes `Date`s, which become the same scalars. Reading is lenient (a plain
//! integer of ms or an RFC 3339 string is accepted too) because other clients may have
//! written those; writing is always a `Timestamp`.

use std::borrow::Cow;

use automerge::ScalarValue;
use autosurgeon::{Hydrate, HydrateError, Prop, ReadDoc, Reconciler};
use chrono::{DateTime, Utc};

/// Milliseconds since the epoch, as stored in the document.
pub fn to_millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// The instant for `ms` since the epoch; `None` when outside chrono's range.
pub fn from_millis(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
}

/// The scalar to `put` for an instant.
pub fn scalar(t: DateTime<Utc>) -> ScalarValue {
    ScalarValue::Timestamp(to_millis(t))
}

/// Reads an instant from a scalar written by any client (see module docs).
pub fn from_scalar(s: &ScalarValue) -> Option<DateTime<Utc>> {
    match s {
        ScalarValue::Timestamp(ms) | ScalarValue::Int(ms) => from_millis(*ms),
        ScalarValue::Uint(ms) => i64::try_from(*ms).ok().and_then(from_millis),
        ScalarValue::F64(ms) if ms.is_finite() => from_millis(*ms as i64),
        ScalarValue::Str(s) => DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc)),
        _ => None,
    }
}

struct Ts(DateTime<Utc>);

impl Ts {
    fn from(s: ScalarValue) -> Result<Self, HydrateError> {
        from_scalar(&s).map(Ts).ok_or_else(|| HydrateError::unexpected("a timestamp", describe(&s)))
    }
}

// Each scalar kind is overridden separately because `Option<T>`'s hydrate dispatches to
// them directly instead of going through `hydrate_scalar`.
impl Hydrate for Ts {
    fn hydrate_scalar(s: Cow<'_, ScalarValue>) -> Result<Self, HydrateError> {
        Self::from(s.into_owned())
    }
    fn hydrate_timestamp(t: i64) -> Result<Self, HydrateError> {
        Self::from(ScalarValue::Timestamp(t))
    }
    fn hydrate_int(i: i64) -> Result<Self, HydrateError> {
        Self::from(ScalarValue::Int(i))
    }
    fn hydrate_uint(u: u64) -> Result<Self, HydrateError> {
        Self::from(ScalarValue::Uint(u))
    }
    fn hydrate_f64(f: f64) -> Result<Self, HydrateError> {
        Self::from(ScalarValue::F64(f))
    }
    fn hydrate_string(s: &str) -> Result<Self, HydrateError> {
        Self::from(ScalarValue::Str(s.into()))
    }
}

/// A short description of a scalar for error messages (never the whole of a long string).
pub(crate) fn describe(s: &ScalarValue) -> String {
    let text = s.to_string();
    let mut short: String = text.chars().take(40).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

/// autosurgeon `hydrate = ...` function for a required `DateTime<Utc>` field.
pub fn hydrate_ts<D: ReadDoc>(
    doc: &D,
    obj: &automerge::ObjId,
    prop: Prop<'_>,
) -> Result<DateTime<Utc>, HydrateError> {
    Ts::hydrate(doc, obj, prop).map(|t| t.0)
}

/// autosurgeon `reconcile = ...` function for a required `DateTime<Utc>` field.
pub fn reconcile_ts<R: Reconciler>(t: &DateTime<Utc>, mut r: R) -> Result<(), R::Error> {
    r.timestamp(to_millis(*t))
}

/// autosurgeon `hydrate = ...` function for an `Option<DateTime<Utc>>` field (null = None).
pub fn hydrate_opt_ts<D: ReadDoc>(
    doc: &D,
    obj: &automerge::ObjId,
    prop: Prop<'_>,
) -> Result<Option<DateTime<Utc>>, HydrateError> {
    Option::<Ts>::hydrate(doc, obj, prop).map(|t| t.map(|t| t.0))
}

/// autosurgeon `reconcile = ...` function for an `Option<DateTime<Utc>>` field.
pub fn reconcile_opt_ts<R: Reconciler>(
    t: &Option<DateTime<Utc>>,
    mut r: R,
) -> Result<(), R::Error> {
    match t {
        Some(t) => r.timestamp(to_millis(*t)),
        None => r.none(),
    }
}

/// Default for timestamps missing from older documents: the epoch.
pub fn epoch() -> DateTime<Utc> {
    DateTime::<Utc>::UNIX_EPOCH
}
