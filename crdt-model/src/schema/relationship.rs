//! A typed relationship between two contacts (`relationships.<id>`), stored once; the
//! other direction is derived ([`RelationshipKind::reciprocal`]), so two devices can never
//! disagree about it.

use std::fmt;

use autosurgeon::reconcile::NoKey;
use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler};

use crate::ids::{ContactId, RelationshipId};

/// `from` is `to`'s `kind` (e.g. kind `parent`: `from` is `to`'s parent).
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct Relationship {
    /// Always equal to the map key; [`crate::load`] overwrites it with the key.
    #[autosurgeon(missing = "nil_relationship_id")]
    pub id: RelationshipId,
    pub from: ContactId,
    pub to: ContactId,
    #[autosurgeon(missing = "other_kind")]
    pub kind: RelationshipKind,
    /// Free text, mostly for `other` ("godmother"); may be empty.
    #[autosurgeon(missing = "Default::default", with = "crate::schema::stored::string")]
    pub label: String,
}

impl Relationship {
    /// Seen from `me`: the other contact and what *they* are to `me` (kind `parent` stored
    /// from A to B: from B's side A is B's parent; from A's side B is A's child).
    /// `None` if `me` is not an end of this relationship.
    pub fn seen_from(&self, me: ContactId) -> Option<(ContactId, RelationshipKind)> {
        if me == self.to {
            Some((self.from, self.kind.clone()))
        } else if me == self.from {
            Some((self.to, self.kind.reciprocal()))
        } else {
            None
        }
    }
}

impl Relationship {
    /// Whether `other` says the same thing, whichever way round it is stored
    /// (A parent-of B = B child-of A; A friend-of B = B friend-of A). Ids are ignored.
    pub fn same_as(&self, other: &Relationship) -> bool {
        self.canonical() == other.canonical()
    }

    /// (one end, other end, kind, label) with the direction fixed: `child` is turned into
    /// `parent`, and symmetric kinds put the smaller id first.
    fn canonical(&self) -> (ContactId, ContactId, RelationshipKind, &str) {
        match &self.kind {
            RelationshipKind::Child => (self.to, self.from, RelationshipKind::Parent, &self.label),
            RelationshipKind::Parent => (self.from, self.to, RelationshipKind::Parent, &self.label),
            // Unknown kinds may be directed; keep them as stored.
            RelationshipKind::Unrecognized(_) => (self.from, self.to, self.kind.clone(), &self.label),
            symmetric => {
                let (a, b) = if self.from <= self.to { (self.from, self.to) } else { (self.to, self.from) };
                (a, b, symmetric.clone(), &self.label)
            }
        }
    }
}

fn nil_relationship_id() -> RelationshipId {
    RelationshipId(uuid::Uuid::nil())
}

fn other_kind() -> RelationshipKind {
    RelationshipKind::Other
}

/// `relationships.<id>.kind`. Unknown kinds (newer clients) are kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RelationshipKind {
    Partner,
    Parent,
    Child,
    Sibling,
    Friend,
    Colleague,
    Other,
    Unrecognized(String),
}

impl RelationshipKind {
    /// The kind seen from the other end: parent ↔ child; the rest are symmetric
    /// (`other` keeps its label, which the caller shows unchanged).
    pub fn reciprocal(&self) -> RelationshipKind {
        match self {
            Self::Parent => Self::Child,
            Self::Child => Self::Parent,
            other => other.clone(),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Partner => "partner",
            Self::Parent => "parent",
            Self::Child => "child",
            Self::Sibling => "sibling",
            Self::Friend => "friend",
            Self::Colleague => "colleague",
            Self::Other => "other",
            Self::Unrecognized(s) => s,
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "partner" => Self::Partner,
            "parent" => Self::Parent,
            "child" => Self::Child,
            "sibling" => Self::Sibling,
            "friend" => Self::Friend,
            "colleague" => Self::Colleague,
            "other" => Self::Other,
            other => Self::Unrecognized(other.to_owned()),
        }
    }
}

impl fmt::Display for RelationshipKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Hydrate for RelationshipKind {
    fn hydrate_string(s: &str) -> Result<Self, HydrateError> {
        Ok(Self::parse(s))
    }
    fn hydrate_text<D: autosurgeon::ReadDoc>(doc: &D, obj: &automerge::ObjId) -> Result<Self, HydrateError> {
        Ok(Self::parse(&doc.text(obj)?))
    }
}

impl Reconcile for RelationshipKind {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        r.str(self.as_str())
    }
}
