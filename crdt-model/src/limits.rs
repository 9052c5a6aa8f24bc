//! Sizes a client controls that every way into the document shares, so an import and a
//! notification action cannot disagree on what a note may be.

/// Longest note body, in characters. A note is an Automerge `Text`: one op per character,
/// kept forever and replayed on every load, so its length is what a note costs. 10,000
/// characters is several pages; a note longer than that is not a note someone typed.
pub const MAX_NOTE_CHARS: usize = 10_000;
