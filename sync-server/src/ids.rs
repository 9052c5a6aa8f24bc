//! Newtype ids, so a user id can never be passed where a document id belongs.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

/// An account: the reminders crate's type (it sits lower in the crate graph and names users
/// in the schedule), so there is one user id everywhere.
pub use reminders::UserId;

/// A session, which is one signed-in device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(pub Uuid);

/// An app password (one per phone or calendar app that the user lets in).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AppPasswordId(pub Uuid);

impl fmt::Display for AppPasswordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An automerge-repo document id: 16 random bytes, shown as bs58check (as automerge-repo
/// does, so the JS and Swift clients accept it unchanged).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocId(pub [u8; 16]);

impl DocId {
    pub fn random() -> Self {
        DocId(*Uuid::new_v4().as_bytes())
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&bs58::encode(self.0).with_check().into_string())
    }
}

impl fmt::Debug for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocId({self})")
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a document id: expected 16 bytes in bs58check")]
pub struct BadDocId;

impl FromStr for DocId {
    type Err = BadDocId;
    fn from_str(s: &str) -> Result<Self, BadDocId> {
        // automerge-repo also writes ids as `automerge:<id>` URLs.
        let s = s.strip_prefix("automerge:").unwrap_or(s);
        let bytes = bs58::decode(s).with_check(None).into_vec().map_err(|_| BadDocId)?;
        let arr: [u8; 16] = bytes.try_into().map_err(|_| BadDocId)?;
        Ok(DocId(arr))
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_id_round_trips_and_rejects_garbage() {
        let id = DocId::random();
        assert_eq!(id.to_string().parse::<DocId>(), Ok(id));
        assert_eq!(format!("automerge:{id}").parse::<DocId>(), Ok(id));
        assert_eq!("not-an-id".parse::<DocId>(), Err(BadDocId));
        // a valid bs58check string of the wrong length
        let short = bs58::encode([1u8; 8]).with_check().into_string();
        assert_eq!(short.parse::<DocId>(), Err(BadDocId));
    }
}
