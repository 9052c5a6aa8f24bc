//! "Last contacted", derived from interactions so it can never conflict between devices.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::ids::ContactId;
use crate::schema::KithDoc;

/// Latest interaction time per contact.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LastContacted(HashMap<ContactId, DateTime<Utc>>);

impl LastContacted {
    /// When `id` (or a contact merged into it) was last in an interaction, if ever.
    pub fn get(&self, id: ContactId) -> Option<DateTime<Utc>> {
        self.0.get(&id).copied()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One pass over all interactions. Interactions dated after `now` (planned meetings) do
/// not count yet. An interaction with a contact that was merged into another counts for
/// the surviving contact, even if it was logged on a device that had not seen the merge.
pub fn last_contacted_index(doc: &KithDoc, now: DateTime<Utc>) -> LastContacted {
    let mut latest: HashMap<ContactId, DateTime<Utc>> = HashMap::with_capacity(doc.contacts.len());
    // Merged contacts are few; resolving every id through the chain would cost a map
    // lookup per hop, so only ids that are actually merged are resolved.
    let mut resolved: HashMap<ContactId, ContactId> = HashMap::new();
    for c in doc.contacts.values() {
        if c.merged_into.is_some() {
            resolved.insert(c.id, doc.resolve(c.id));
        }
    }
    for i in doc.interactions.values() {
        if i.at > now {
            continue;
        }
        for c in i.contacts() {
            let c = resolved.get(&c).copied().unwrap_or(c);
            latest
                .entry(c)
                .and_modify(|t| {
                    if i.at > *t {
                        *t = i.at;
                    }
                })
                .or_insert(i.at);
        }
    }
    LastContacted(latest)
}
