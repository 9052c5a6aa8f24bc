//! Kith document model: the one Automerge document per user, typed, with pure operations
//! and the relationship math. No I/O and no clock: every function that needs the time
//! takes `now`.
//!
//! Module map:
//! - [`ids`]: newtype ids `ContactId`, `InteractionId`, `NoteId` (uuid strings in the doc).
//! - [`schema`]: the typed document (`KithDoc`, `Settings`, `Contact`, `Interaction`,
//!   `Note`, ...) with autosurgeon `Hydrate`/`Reconcile`, camelCase keys as in DESIGN.md.
//! - [`load()`] / [`load_without_notes`]: tolerant reading, one record at a time; bad records
//!   become [`LoadWarning`]s. Fast path: one materialization per collection (see `load`).
//! - [`ops`]: `new_document`, `update_settings` and the operations (create/update/archive
//!   contact, cadence, snooze, log/delete interaction, notes, merge duplicates), each one
//!   Automerge transaction with a commit message; targeted writes, no-ops record nothing.
//! - [`math`]: last contacted, due time, status ok/due-soon/overdue, next birthday,
//!   reminder instant in the user's zone (DST-correct).
//! - [`time`], [`num`], [`strings`]: how timestamps, integers and strings are stored,
//!   and read leniently (whatever representation a JS client produced).
//! - `import`, `export`: vCard/CSV (owned by the import work).
//!
//! Document conventions every client must follow (DESIGN.md "The document"): ids are
//! lowercase hyphenated uuid strings; timestamps are Automerge Timestamps (ms, UTC);
//! integers are Int; short strings are string scalars (JS: `ImmutableString`), though a
//! plain JS string (stored as Text) is read the same; note bodies are Text.
#![forbid(unsafe_code)]

pub mod duplicates;
pub mod error;
pub mod export;
pub mod ids;
pub mod import;
pub mod limits;
mod load;
pub mod matching;
pub mod math;
pub mod num;
pub mod ops;
pub mod schema;
pub mod strings;
pub mod time;
mod touched;

pub use error::ModelError;
pub use ids::{BadId, ContactId, InteractionId, NoteId};
pub use load::{load, load_without_notes, LoadWarning, Loaded};
pub use math::{
    all_statuses, contact_status, due_at, last_contacted_index, local_instant, next_birthday,
    reminder_instant, status_at, turning_age, ContactStatus, LastContacted, Status,
};
pub use ops::*;
pub use schema::*;
pub use touched::only_notes_changed;
