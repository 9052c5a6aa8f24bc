//! Bounds on what a caller may write through the operations, checked before any work.
//! Values a real user never meets; they exist so a hostile or buggy client cannot grow a
//! document (kept forever, synced to every device) without bound through one call.

/// Longest note body (a note, a follow-up's note, an interaction's note), in characters, on
/// every way into the document: import, notification actions, operations. A note is an
/// Automerge `Text`: one op per character, kept forever and replayed on every load, so its
/// length is what a note costs. 10,000 characters is several pages.
pub const MAX_NOTE_CHARS: usize = 10_000;

/// Longest short field (labels, department, pronouns, a related name), in characters.
pub const MAX_FIELD_CHARS: usize = 500;

/// Longest URL, in characters (what browsers and servers commonly accept).
pub const MAX_URL_CHARS: usize = 2_048;

/// Most people one follow-up can be about.
pub const MAX_FOLLOW_UP_CONTACTS: usize = 1_000;

/// Longest repeat interval, as for cadences: 100 years, in the repeat's own unit.
pub const MAX_REPEAT_YEARS: u32 = 100;

/// `Err(InvalidInput)` if `value` is longer than `max` characters.
pub(crate) fn check_len(what: &str, value: &str, max: usize) -> Result<(), crate::ModelError> {
    // Byte length bounds the character count from above: the cheap check first.
    if value.len() > max && value.chars().count() > max {
        return Err(crate::ModelError::InvalidInput(format!("{what} is longer than {max} characters")));
    }
    Ok(())
}
