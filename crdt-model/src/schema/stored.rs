//! How scalar fields are stored, as autosurgeon `with = "..."` modules.
//!
//! Each module pairs the lenient reader (any representation a JS or older client wrote)
//! with the one canonical writer, so a field names its storage once instead of repeating
//! a `hydrate = ...` / `reconcile = ...` pair that could drift apart.

/// `String` fields: a string scalar (last writer wins), read from a scalar or Text.
pub(crate) mod string {
    pub(crate) use crate::strings::{hydrate_string as hydrate, reconcile_string as reconcile};
}

/// Integer fields: written as `Int`, read from `Int`, `Uint` or an integral `F64`.
pub(crate) mod int {
    pub(crate) use crate::num::{hydrate_int as hydrate, reconcile_int as reconcile};
}

/// Optional integer fields (null = None).
pub(crate) mod opt_int {
    pub(crate) use crate::num::{hydrate_opt_int as hydrate, reconcile_opt_int as reconcile};
}

/// Required instants: a `Timestamp` scalar (ms, UTC).
pub(crate) mod timestamp {
    pub(crate) use crate::time::{hydrate_ts as hydrate, reconcile_ts as reconcile};
}

/// Optional instants (null = None).
pub(crate) mod opt_timestamp {
    pub(crate) use crate::time::{hydrate_opt_ts as hydrate, reconcile_opt_ts as reconcile};
}
