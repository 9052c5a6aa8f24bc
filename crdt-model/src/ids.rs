//! Newtype ids, so a note id can never be passed where a contact id belongs.
//!
//! In the document every id is the hyphenated lowercase uuid string (map keys and `id`,
//! `contactId`, `mergedInto` values alike), because that is what the JS client can read
//! and write without helpers.

use std::fmt;
use std::str::FromStr;

use autosurgeon::reconcile::{LoadKey, NoKey};
use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler};
use uuid::Uuid;

/// A person in the user's address book (key of `contacts`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContactId(pub Uuid);

/// One logged call, meeting, message... (key of `interactions`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InteractionId(pub Uuid);

/// A free-text note about a contact (key of `notes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NoteId(pub Uuid);

/// A follow-up ("call her after the surgery"), key of `followUps`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FollowUpId(pub Uuid);

/// A typed link between two contacts, key of `relationships`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelationshipId(pub Uuid);

/// A string that is not a uuid where an id was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid id (expected a uuid): {0:?}")]
pub struct BadId(pub String);

// The same small set of conversions for each id type; the types themselves are declared
// above by hand so they stay greppable.
macro_rules! id_impls {
    ($t:ident) => {
        impl $t {
            /// A fresh random (v4) id.
            pub fn new_random() -> Self {
                $t(Uuid::new_v4())
            }
        }

        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $t {
            type Err = BadId;
            fn from_str(s: &str) -> Result<Self, BadId> {
                Uuid::parse_str(s).map($t).map_err(|_| BadId(s.chars().take(64).collect()))
            }
        }

        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }

        impl Hydrate for $t {
            fn hydrate_string(s: &str) -> Result<Self, HydrateError> {
                s.parse()
                    .map_err(|_| HydrateError::unexpected("a uuid string", format!("{s:.40?}")))
            }
            // Automerge JS 3 writes a plain JS string as Text.
            fn hydrate_text<D: autosurgeon::ReadDoc>(
                doc: &D,
                obj: &automerge::ObjId,
            ) -> Result<Self, HydrateError> {
                Self::hydrate_string(&doc.text(obj)?)
            }
        }

        impl Reconcile for $t {
            type Key<'a> = NoKey;
            fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
                r.str(self.to_string())
            }
            fn key(&self) -> LoadKey<NoKey> {
                LoadKey::NoKey
            }
        }
    };
}

id_impls!(ContactId);
id_impls!(InteractionId);
id_impls!(NoteId);
id_impls!(FollowUpId);
id_impls!(RelationshipId);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_display() {
        let id = ContactId::new_random();
        assert_eq!(id.to_string().parse::<ContactId>(), Ok(id));
        assert!("not-a-uuid".parse::<NoteId>().is_err());
    }
}
