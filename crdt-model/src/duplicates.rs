//! Finding likely duplicates among the contacts: the same email, phone or name.
//!
//! Only suggestions: merging is the user's call (`ops::merge_contacts`). Each group of
//! contacts sharing a key is suggested as merges into its oldest member (a star, not every
//! pair, so ten "John Smith"s make nine suggestions, not forty-five).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use phonenumber::country::Id;
use serde::Serialize;

use crate::ids::ContactId;
use crate::matching::{email_key, name_key, phone_key, phone_tail};
use crate::schema::{Contact, KithDoc};

/// Why two contacts look like the same person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchReason {
    Email,
    Phone,
    Name,
}

/// "`duplicate_id` looks like `contact_id`": merging would keep `contact_id` (the older).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DuplicateSuggestion {
    pub contact_id: ContactId,
    pub duplicate_id: ContactId,
    pub reasons: Vec<MatchReason>,
}

/// Suggestions across every contact that is neither archived nor merged away, oldest
/// survivor first. `region` places national phone numbers (see `matching::doc_region`).
pub fn find_duplicates(doc: &KithDoc, region: Option<Id>) -> Vec<DuplicateSuggestion> {
    let mut contacts: Vec<&Contact> = doc.active_contacts().collect();
    contacts.sort_by_key(|c| (c.created_at, c.id));
    // Parsing every number is slow; only numbers whose last digits another contact's
    // number shares can be the same phone (see `matching::phone_tail`).
    let mut tails: HashMap<String, BTreeSet<ContactId>> = HashMap::new();
    for c in &contacts {
        for p in c.phones.values() {
            if let Some(t) = phone_tail(&p.value) {
                tails.entry(t).or_default().insert(c.id);
            }
        }
    }
    let worth_parsing = |raw: &str| phone_tail(raw).is_some_and(|t| tails.get(&t).is_some_and(|ids| ids.len() > 1));
    let mut first: HashMap<(MatchReason, String), ContactId> = HashMap::new();
    let mut pairs: BTreeMap<(ContactId, ContactId), BTreeSet<MatchReason>> = BTreeMap::new();
    for c in contacts {
        let emails = c.emails.values().filter_map(|e| email_key(&e.value)).map(|k| (MatchReason::Email, k));
        let phones = c
            .phones
            .values()
            .filter(|p| worth_parsing(&p.value))
            .filter_map(|p| phone_key(&p.value, region))
            .map(|k| (MatchReason::Phone, k));
        let name = name_key(&c.name.display).map(|k| (MatchReason::Name, k));
        for key in emails.chain(phones).chain(name) {
            let reason = key.0;
            let keeper = *first.entry(key).or_insert(c.id);
            if keeper != c.id {
                pairs.entry((keeper, c.id)).or_default().insert(reason);
            }
        }
    }
    pairs
        .into_iter()
        .map(|((contact_id, duplicate_id), reasons)| DuplicateSuggestion {
            contact_id,
            duplicate_id,
            reasons: reasons.into_iter().collect(),
        })
        .collect()
}
