//! What the parsers produce: one format-neutral record per card or CSV row.
//!
//! The parsers only read; matching against a document happens later (`apply`), so these
//! types carry everything a file said, even fields the document does not store yet.

use serde::Serialize;

/// A contact as read from one vCard or one CSV row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ParsedContact {
    pub name: ParsedName,
    pub nickname: Option<String>,
    pub org: Option<String>,
    pub department: Option<String>,
    pub title: Option<String>,
    pub emails: Vec<Labeled>,
    pub phones: Vec<Labeled>,
    pub addresses: Vec<ParsedAddress>,
    pub urls: Vec<Labeled>,
    pub birthday: Option<PartialDate>,
    pub anniversary: Option<PartialDate>,
    /// Other yearly dates (iPhone `X-ABDATE` with a label other than anniversary, Google
    /// "Event N"); the anniversary stays in `anniversary`.
    ///
    /// This and the other fields read since schema v2 are left out of the serialized record
    /// when empty, so the fingerprint of a card without them (see `to_doc::source_key`) is
    /// the one earlier versions recorded: re-importing an old file still matches.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dates: Vec<LabeledDate>,
    /// Related people by name and label ("spouse", "mother", a custom label), from
    /// `X-ABRELATEDNAMES`, `RELATED` or Google's "Relation N".
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<LabeledName>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pronouns: Option<String>,
    /// Group memberships (vCard CATEGORIES, Google "Labels"), system groups removed.
    pub categories: Vec<String>,
    /// The exporter's own id for this card (vCard UID); `None` for CSV rows.
    pub uid: Option<String>,
    pub photo: Option<ParsedPhoto>,
    pub note: Option<String>,
    /// Lines Kith does not model, verbatim and unfolded (see `unmodeled`). Not part of the
    /// fingerprint, so cards without a UID still match what earlier versions imported.
    #[serde(skip)]
    pub unmodeled: Vec<String>,
}

/// Names as the file gave them. `display` is never empty once a card is accepted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ParsedName {
    pub display: String,
    pub given: String,
    pub family: String,
    pub middle: String,
    pub prefix: String,
    pub suffix: String,
}

/// An email, phone or URL with its label ("home", "mobile", "work fax", or a custom
/// label such as "Berlin office"; empty when the file gave none).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Labeled {
    pub label: String,
    pub value: String,
}

/// A yearly date with its label ("other", "wedding", ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LabeledDate {
    pub label: String,
    pub date: PartialDate,
}

/// A related person known by name, with a label ("spouse", "mother", "Godfather").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LabeledName {
    pub label: String,
    pub name: String,
}

impl LabeledName {
    /// Whether `name` is a link (vCard 4 `RELATED` may point at another card; a CSV column
    /// may hold a URL) rather than a person's name: such a value names nobody Kith can show,
    /// and every importer skips it the same way, so a file and its export agree.
    pub fn is_link(name: &str) -> bool {
        let lower = name.trim_start().to_ascii_lowercase();
        ["urn:", "http://", "https://", "mailto:", "tel:"].iter().any(|p| lower.starts_with(p))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ParsedAddress {
    pub label: String,
    /// Street lines (vCard street, extended address and PO box joined by newlines).
    pub street: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub country: String,
}

impl ParsedAddress {
    pub fn is_empty(&self) -> bool {
        [&self.street, &self.city, &self.region, &self.postal_code, &self.country]
            .iter()
            .all(|s| s.trim().is_empty())
    }
}

/// A calendar date whose year may be unknown (`--0315`, `X-APPLE-OMIT-YEAR`).
/// Always a real date: Feb 29 is allowed without a year, Feb 30 never.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct PartialDate {
    pub year: Option<i32>,
    pub month: u32,
    pub day: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ParsedPhoto {
    /// Inline image, at most [`super::Limits::max_photo_bytes`].
    Inline {
        mime: String,
        #[serde(skip)]
        bytes: Vec<u8>,
    },
    /// A link (Google exports point at their CDN).
    Url(String),
}

/// One accepted card or row with where it came from in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParsedEntry {
    /// 0-based position of the card (or data row) in the file.
    pub index: usize,
    /// 1-based line where the card (or row) starts.
    pub line: usize,
    pub contact: ParsedContact,
}

/// A problem with one card or row: an error drops the card, a warning drops one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardIssue {
    pub index: usize,
    pub line: usize,
    pub message: String,
}

/// Which importer read the file; recorded as the contact's source kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Vcard,
    Csv,
}

/// Everything read from one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParsedFile {
    pub kind: FileKind,
    pub contacts: Vec<ParsedEntry>,
    pub errors: Vec<CardIssue>,
    pub warnings: Vec<CardIssue>,
}
