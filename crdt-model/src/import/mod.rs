//! Importing address books: vCard 2.1/3.0/4.0 and Google/Outlook CSV.
//!
//! Pure parsing first ([`parse_vcard_file`], [`parse_csv_file`]) into [`ParsedFile`]; each
//! card or row succeeds or fails on its own and problems carry their index and line.

mod apply;
mod bounds;
mod card_fields;
mod csv_contacts;
mod csv_headers;
mod dates;
mod index;
mod labels;
mod memory_fields;
pub mod phone;
mod photo;
mod related;
pub mod replace;
mod apply_memory;
mod split;
pub mod unmodeled;
mod to_doc;
pub mod types;
mod vcard;
mod write;

pub use apply::{apply_import, apply_import_until, ApplyError, ImportReport, ImportSuggestion, UpdatedPerson};
pub use phone::{normalize_phone, parse_region};
pub use types::*;

/// Bounds that keep one upload from exhausting the server (see `bounds` for what happens
/// when each is met). The defaults are far above any real address book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_bytes: usize,
    pub max_cards: usize,
    /// Decoded photo size; larger photos are skipped with a warning, the card is kept.
    pub max_photo_bytes: usize,
    /// Emails, phones, addresses, URLs, dates, related names, groups per card; extra values
    /// are dropped with a warning.
    pub max_values_per_field: usize,
    /// Property lines in one vCard; a longer card is refused (the rest of the file imports).
    pub max_card_lines: usize,
    /// One note, in characters; longer notes are cut with a warning.
    pub max_note_chars: usize,
    /// All notes of one file, in characters; more refuses the file.
    pub max_note_text_chars: usize,
    /// When reading and applying must have finished; past it the file is refused. The
    /// caller sets it from its own clock (`None`: no deadline).
    pub deadline: Option<std::time::Instant>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 20 * 1024 * 1024,
            max_cards: 50_000,
            max_photo_bytes: 256 * 1024,
            max_values_per_field: 50,
            max_card_lines: 5_000,
            max_note_chars: crate::limits::MAX_NOTE_CHARS,
            max_note_text_chars: 2_000_000,
            deadline: None,
        }
    }
}

/// Why a whole file is refused (nothing from it is applied).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is {size} bytes; the limit is {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("the file has more than {limit} contacts")]
    TooManyCards { limit: usize },
    #[error("the notes in the file add up to more than {limit} characters")]
    TooMuchText { limit: usize },
    #[error("the import took too long and was stopped; nothing was imported (try smaller files)")]
    TimedOut,
    #[error("not a vCard file: no BEGIN:VCARD line found")]
    NotVcard,
    #[error("not a contacts CSV file: {0}")]
    NotCsv(String),
}

fn check_size(input: &[u8], limits: &Limits) -> Result<(), ImportError> {
    if input.len() > limits.max_bytes {
        return Err(ImportError::TooLarge { size: input.len(), limit: limits.max_bytes });
    }
    Ok(())
}

/// Reads every card of a vCard file. An empty file gives an empty result.
pub fn parse_vcard_file(input: &[u8], limits: &Limits) -> Result<ParsedFile, ImportError> {
    check_size(input, limits)?;
    let cards = split::split_cards(input);
    if cards.is_empty() && !input.trim_ascii().is_empty() {
        return Err(ImportError::NotVcard);
    }
    if cards.len() > limits.max_cards {
        return Err(ImportError::TooManyCards { limit: limits.max_cards });
    }
    let mut file = ParsedFile { kind: FileKind::Vcard, contacts: Vec::new(), errors: Vec::new(), warnings: Vec::new() };
    let mut gate = bounds::Gate::new(limits);
    for raw in &cards {
        gate.tick()?;
        let issue = |message: String| CardIssue { index: raw.index, line: raw.line, message };
        let lines = bounds::card_lines(raw.bytes);
        if lines > limits.max_card_lines {
            file.errors.push(issue(format!("card has {lines} lines; the limit is {}", limits.max_card_lines)));
            continue;
        }
        let outcome = vcard::parse_card(raw, limits);
        file.warnings.extend(outcome.warnings.into_iter().map(issue));
        match outcome.contact {
            Ok(mut contact) => {
                file.warnings.extend(gate.accept(&mut contact)?.into_iter().map(issue));
                file.contacts.push(ParsedEntry { index: raw.index, line: raw.line, contact });
            }
            Err(message) => file.errors.push(issue(message)),
        }
    }
    Ok(file)
}

/// Reads every row of a Google Contacts (current or older headers) or Outlook CSV export.
pub fn parse_csv_file(input: &[u8], limits: &Limits) -> Result<ParsedFile, ImportError> {
    check_size(input, limits)?;
    csv_contacts::parse(input, limits)
}
