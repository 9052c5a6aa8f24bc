//! What one upload may cost, enforced while it is read: values per field, note length,
//! note text per file, property lines per card, and a deadline. Real address books never
//! meet these limits; a hostile file meets them before it costs memory or minutes.
//!
//! Choices (see README "Configuration"): a card with more property lines than the limit
//! is refused (an error for that card, the rest of the file imports); a field with more
//! values than the limit keeps the first ones and the card gets a warning; a note longer
//! than [`crate::limits::MAX_NOTE_CHARS`] is cut there with a warning; notes adding up to
//! more than the per-file budget, or a file still being read at the deadline, refuse the
//! whole file — nothing is applied. Department, pronouns, labels and related names longer
//! than [`crate::limits::MAX_FIELD_CHARS`] are cut there, and a URL longer than
//! [`crate::limits::MAX_URL_CHARS`] (or one that would run code when clicked) is dropped,
//! each with a warning (`memory_fields`).

use std::time::Instant;

use super::types::ParsedContact;
use super::{ImportError, Limits};

/// Counts what a file has used so far of its [`Limits`].
pub(crate) struct Gate {
    limits: Limits,
    note_chars: usize,
}

impl Gate {
    pub(crate) fn new(limits: &Limits) -> Self {
        Gate { limits: *limits, note_chars: 0 }
    }

    /// Called before each card or row: stops a file that has run out of time.
    pub(crate) fn tick(&self) -> Result<(), ImportError> {
        check_deadline(&self.limits)
    }

    /// Bounds an accepted contact in place; returns the warnings for what was dropped, or
    /// refuses the file when its notes pass the per-file budget.
    pub(crate) fn accept(&mut self, c: &mut ParsedContact) -> Result<Vec<String>, ImportError> {
        let mut warnings = Vec::new();
        let max = self.limits.max_values_per_field;
        cap(&mut c.emails, max, "emails", &mut warnings);
        cap(&mut c.phones, max, "phone numbers", &mut warnings);
        cap(&mut c.addresses, max, "addresses", &mut warnings);
        super::memory_fields::bound(c, &mut warnings);
        cap(&mut c.urls, max, "web addresses", &mut warnings);
        cap(&mut c.dates, max, "dates", &mut warnings);
        cap(&mut c.related, max, "related names", &mut warnings);
        cap(&mut c.categories, max, "groups", &mut warnings);
        if let Some(note) = &mut c.note {
            let chars = cut_note(note, self.limits.max_note_chars, &mut warnings);
            self.note_chars += chars;
            if self.note_chars > self.limits.max_note_text_chars {
                return Err(ImportError::TooMuchText { limit: self.limits.max_note_text_chars });
            }
        }
        Ok(warnings)
    }
}

pub(crate) fn check_deadline(limits: &Limits) -> Result<(), ImportError> {
    match limits.deadline {
        Some(d) if Instant::now() >= d => Err(ImportError::TimedOut),
        _ => Ok(()),
    }
}

fn cap<T>(list: &mut Vec<T>, max: usize, what: &str, warnings: &mut Vec<String>) {
    if list.len() > max {
        warnings.push(format!("{} {what}; kept the first {max}", list.len()));
        list.truncate(max);
    }
}

/// Cuts `note` to `max` characters (at a character boundary); returns the length kept.
fn cut_note(note: &mut String, max: usize, warnings: &mut Vec<String>) -> usize {
    match note.char_indices().nth(max) {
        Some((at, _)) => {
            let total = max + note[at..].chars().count();
            note.truncate(at);
            warnings.push(format!("note of {total} characters cut to the first {max}"));
            max
        }
        None => note.chars().count(),
    }
}

/// Property lines of a vCard (folded continuation lines are part of the line before),
/// counted on the raw bytes so a refused card costs no parsing.
pub(crate) fn card_lines(bytes: &[u8]) -> usize {
    bytes
        .split(|b| *b == b'\n')
        .filter(|line| !matches!(line.first(), Some(b' ' | b'\t')) && !line.trim_ascii().is_empty())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::types::Labeled;

    #[test]
    fn values_over_the_limit_are_dropped_with_one_warning() {
        let limits = Limits { max_values_per_field: 2, ..Limits::default() };
        let phones = (0..5).map(|i| Labeled { label: String::new(), value: format!("+4930{i}") }).collect();
        let mut c = ParsedContact { phones, ..Default::default() };
        let warnings = Gate::new(&limits).accept(&mut c).expect("accepted");
        assert_eq!(c.phones.len(), 2);
        assert_eq!(warnings, vec!["5 phone numbers; kept the first 2".to_owned()]);
    }

    #[test]
    fn long_notes_are_cut_at_a_character_and_the_file_budget_refuses() {
        let limits = Limits { max_note_chars: 3, max_note_text_chars: 5, ..Limits::default() };
        let mut gate = Gate::new(&limits);
        let mut c = ParsedContact { note: Some("äöüß".into()), ..Default::default() };
        assert_eq!(gate.accept(&mut c).expect("first").len(), 1);
        assert_eq!(c.note.as_deref(), Some("äöü"));
        assert!(gate.accept(&mut c).is_err(), "3 + 3 characters pass the budget of 5");
    }

    #[test]
    fn dates_and_related_names_are_capped_like_other_fields() {
        use crate::import::types::{LabeledDate, LabeledName, PartialDate};
        let limits = Limits { max_values_per_field: 2, ..Limits::default() };
        let date = PartialDate { year: None, month: 1, day: 1 };
        let mut c = ParsedContact {
            dates: (0..4).map(|i| LabeledDate { label: format!("d{i}"), date }).collect(),
            related: (0..3).map(|i| LabeledName { label: String::new(), name: format!("n{i}") }).collect(),
            ..Default::default()
        };
        let warnings = Gate::new(&limits).accept(&mut c).expect("accepted");
        assert_eq!((c.dates.len(), c.related.len()), (2, 2));
        assert_eq!(warnings, vec!["4 dates; kept the first 2".to_owned(), "3 related names; kept the first 2".to_owned()]);
    }

    #[test]
    fn folded_lines_are_not_counted() {
        assert_eq!(card_lines(b"BEGIN:VCARD\r\nPHOTO:abc\r\n def\r\n\tghi\r\n\r\nEND:VCARD\r\n"), 3);
    }
}
