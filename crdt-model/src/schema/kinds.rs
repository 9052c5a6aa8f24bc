//! Small string enums stored as their lowercase names.
//!
//! An unknown string (written by a newer client) hydrates as `Unrecognized` and is written
//! back unchanged, so an older device never destroys a newer device's data.

use std::fmt;

use autosurgeon::reconcile::NoKey;
use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler};

/// `interactions.<id>.kind`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum InteractionKind {
    Call,
    Meeting,
    Message,
    Email,
    Other,
    Unrecognized(String),
}

impl InteractionKind {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Call => "call",
            Self::Meeting => "meeting",
            Self::Message => "message",
            Self::Email => "email",
            Self::Other => "other",
            Self::Unrecognized(s) => s,
        }
    }

    /// Parses a known kind name; anything else is `Unrecognized`.
    pub fn parse(s: &str) -> Self {
        match s {
            "call" => Self::Call,
            "meeting" => Self::Meeting,
            "message" => Self::Message,
            "email" => Self::Email,
            "other" => Self::Other,
            other => Self::Unrecognized(other.to_owned()),
        }
    }
}

/// `contacts.<id>.sources.<key>.kind`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SourceKind {
    Vcard,
    Csv,
    Carddav,
    Unrecognized(String),
}

impl SourceKind {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Vcard => "vcard",
            Self::Csv => "csv",
            Self::Carddav => "carddav",
            Self::Unrecognized(s) => s,
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "vcard" => Self::Vcard,
            "csv" => Self::Csv,
            "carddav" => Self::Carddav,
            other => Self::Unrecognized(other.to_owned()),
        }
    }
}

impl fmt::Display for InteractionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Hydrate for InteractionKind {
    fn hydrate_string(s: &str) -> Result<Self, HydrateError> {
        Ok(Self::parse(s))
    }
    fn hydrate_text<D: autosurgeon::ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
    ) -> Result<Self, HydrateError> {
        Ok(Self::parse(&doc.text(obj)?))
    }
}

impl Reconcile for InteractionKind {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        r.str(self.as_str())
    }
}

impl Hydrate for SourceKind {
    fn hydrate_string(s: &str) -> Result<Self, HydrateError> {
        Ok(Self::parse(s))
    }
    fn hydrate_text<D: autosurgeon::ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
    ) -> Result<Self, HydrateError> {
        Ok(Self::parse(&doc.text(obj)?))
    }
}

impl Reconcile for SourceKind {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        r.str(self.as_str())
    }
}
