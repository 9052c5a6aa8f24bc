//! Integers in the document, read leniently.
//!
//! Automerge JS stores an integral JS number as `Int` (and a fractional one as `F64`), while
//! autosurgeon's own `u32` only accepts `Uint`. So we write `Int`, like the JS client, and
//! accept `Int`, `Uint` or an integral `F64` when reading.

use std::borrow::Cow;

use automerge::ScalarValue;
use autosurgeon::{Hydrate, HydrateError, Prop, ReadDoc, Reconciler};

/// The integer in a scalar written by any client, if it is one.
pub fn from_scalar(s: &ScalarValue) -> Option<i64> {
    match s {
        ScalarValue::Int(i) => Some(*i),
        ScalarValue::Uint(u) => i64::try_from(*u).ok(),
        ScalarValue::F64(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
        _ => None,
    }
}

struct Num<T>(T);

impl<T: TryFrom<i64>> Num<T> {
    fn from(s: ScalarValue) -> Result<Self, HydrateError> {
        from_scalar(&s).and_then(|i| T::try_from(i).ok()).map(Num).ok_or_else(|| {
            HydrateError::unexpected("an integer in range", crate::time::describe(&s))
        })
    }
}

// Each scalar kind is overridden separately because `Option<T>`'s hydrate dispatches to
// them directly instead of going through `hydrate_scalar`.
impl<T: TryFrom<i64>> Hydrate for Num<T> {
    fn hydrate_scalar(s: Cow<'_, ScalarValue>) -> Result<Self, HydrateError> {
        Self::from(s.into_owned())
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
}

/// autosurgeon `hydrate = ...` for integer fields (u32, i32, u64).
pub fn hydrate_int<D: ReadDoc, T: TryFrom<i64>>(
    doc: &D,
    obj: &automerge::ObjId,
    prop: Prop<'_>,
) -> Result<T, HydrateError> {
    Num::<T>::hydrate(doc, obj, prop).map(|n| n.0)
}

/// autosurgeon `hydrate = ...` for optional integer fields (null = None).
pub fn hydrate_opt_int<D: ReadDoc, T: TryFrom<i64>>(
    doc: &D,
    obj: &automerge::ObjId,
    prop: Prop<'_>,
) -> Result<Option<T>, HydrateError> {
    Option::<Num<T>>::hydrate(doc, obj, prop).map(|n| n.map(|n| n.0))
}

/// autosurgeon `reconcile = ...` for integer fields: always an `Int` scalar.
pub fn reconcile_int<R: Reconciler, T: Copy + Into<i64>>(v: &T, mut r: R) -> Result<(), R::Error> {
    r.i64((*v).into())
}

/// autosurgeon `reconcile = ...` for optional integer fields.
pub fn reconcile_opt_int<R: Reconciler, T: Copy + Into<i64>>(
    v: &Option<T>,
    mut r: R,
) -> Result<(), R::Error> {
    match v {
        Some(v) => r.i64((*v).into()),
        None => r.none(),
    }
}
