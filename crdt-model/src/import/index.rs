//! Who in the document a card could be: lookups by import source, email, phone and name,
//! kept up to date while one import adds contacts (a file can name a person twice).

use std::collections::{HashMap, HashSet};

use phonenumber::country::Id;

use super::to_doc::{address_key, uid};
use super::types::ParsedContact;
use crate::ids::ContactId;
use crate::matching::{email_key, name_key, phone_key, phone_tail, same_phone};
use crate::schema::{Contact, KithDoc};

pub(crate) struct Index {
    pub(crate) doc: KithDoc,
    pub(crate) region: Option<Id>,
    sources: HashMap<String, ContactId>,
    emails: HashMap<String, ContactId>,
    /// Numbers by their last digits (cheap); full E.164 comparison only within a bucket.
    phones: HashMap<String, Vec<(String, ContactId)>>,
    /// `phone_key` results: parsing a number is the expensive part of matching.
    phone_keys: std::cell::RefCell<HashMap<String, Option<String>>>,
    names: HashMap<String, ContactId>,
    /// Trimmed note bodies per (surviving) contact, so a card's NOTE is added once.
    notes: HashMap<ContactId, HashSet<String>>,
    /// Each tag's spelling by `tag_key`: the one the document uses (or the file used first),
    /// so "friends" from one phone joins "Friends" from another instead of becoming a second tag.
    tags: HashMap<String, String>,
}

/// Tags that differ only in case or spacing are one tag (the web client's `tagKey`).
pub(crate) fn tag_key(tag: &str) -> String {
    tag.to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Index {
    pub(crate) fn new(doc: KithDoc, region: Option<Id>) -> Self {
        let mut index = Index {
            region,
            sources: HashMap::new(),
            emails: HashMap::new(),
            phones: HashMap::new(),
            phone_keys: Default::default(),
            names: HashMap::new(),
            notes: HashMap::new(),
            tags: HashMap::new(),
            doc,
        };
        // Spellings in use win over ones stored `false` (which still name a spelling).
        for wanted in [true, false] {
            for c in index.doc.contacts.values() {
                for (tag, on) in &c.tags {
                    if *on == wanted {
                        index.tags.entry(tag_key(tag)).or_insert_with(|| tag.clone());
                    }
                }
            }
        }
        // Active contacts first, so a key shared with an archived contact finds the active
        // one. Merged-away contacts count through their survivor (merging keeps sources).
        let mut order: Vec<&Contact> = index.doc.contacts.values().collect();
        order.sort_by_key(|c| (!index.doc.is_active(c), c.created_at, c.id));
        let entries: Vec<(ContactId, Keys)> = order
            .into_iter()
            .map(|c| (index.doc.resolve(c.id), Keys::of(c, index.doc.is_active(c))))
            .collect();
        for (id, keys) in entries {
            index.add_keys(id, keys);
        }
        // Each note's body, and all of a contact's notes joined as our vCard export writes
        // them into one NOTE, so re-importing an export adds no note.
        let mut bodies: Vec<(ContactId, chrono::DateTime<chrono::Utc>, String)> = index
            .doc
            .notes
            .values()
            .map(|n| (index.doc.resolve(n.contact_id), n.created_at, n.body.as_str().trim().to_owned()))
            .collect();
        bodies.sort();
        let mut joined: HashMap<ContactId, Vec<String>> = HashMap::new();
        for (id, _, body) in bodies {
            if !body.is_empty() {
                joined.entry(id).or_default().push(body.clone());
            }
            index.notes.entry(id).or_default().insert(body);
        }
        for (id, all) in joined {
            index.notes.entry(id).or_default().insert(all.join("\n\n"));
        }
        index
    }

    fn add_keys(&mut self, id: ContactId, keys: Keys) {
        for k in keys.sources {
            self.sources.entry(k).or_insert(id);
        }
        for k in keys.emails {
            self.emails.entry(k).or_insert(id);
        }
        for (tail, raw) in keys.phones {
            self.phones.entry(tail).or_default().push((raw, id));
        }
        if let Some(k) = keys.name {
            self.names.entry(k).or_insert(id);
        }
    }

    /// The contact this card is: same source key, a UID that is one of our contact ids
    /// (a Kith export), then the first shared email, then the first shared phone.
    pub(crate) fn find(&self, source_key: &str, c: &ParsedContact) -> Option<ContactId> {
        let by_uid = || self.own_id(c);
        let by_email = || c.emails.iter().find_map(|e| self.emails.get(&email_key(&e.value)?).copied());
        let by_phone = || c.phones.iter().find_map(|p| self.by_phone(&p.value));
        self.sources
            .get(source_key)
            .copied()
            .or_else(by_uid)
            .or_else(by_email)
            .or_else(by_phone)
            .filter(|id| self.doc.contacts.contains_key(id))
    }

    /// The first contact with the same phone number.
    fn by_phone(&self, value: &str) -> Option<ContactId> {
        let candidates = self.phones.get(&phone_tail(value)?)?;
        let key = self.phone_key(value)?;
        candidates.iter().find(|(raw, _)| self.phone_key(raw).as_ref() == Some(&key)).map(|(_, id)| *id)
    }

    fn phone_key(&self, raw: &str) -> Option<String> {
        let mut cache = self.phone_keys.borrow_mut();
        cache.entry(raw.to_owned()).or_insert_with(|| phone_key(raw, self.region)).clone()
    }

    /// The contact whose Kith id is the card's UID (a card from our own export).
    pub(crate) fn own_id(&self, c: &ParsedContact) -> Option<ContactId> {
        let u = uid(c)?;
        let id: ContactId = u.strip_prefix("urn:uuid:").unwrap_or(u).parse().ok()?;
        self.doc.contacts.contains_key(&id).then(|| self.doc.resolve(id))
    }

    /// A card's tags in the spellings already used (the first spelling of a new tag becomes its
    /// spelling for the rest of the file); two spellings on one card become one tag.
    pub(crate) fn spell_tags(&mut self, tags: std::collections::BTreeMap<String, bool>) -> std::collections::BTreeMap<String, bool> {
        tags.into_iter()
            .map(|(tag, on)| {
                let spelled = self.tags.entry(tag_key(&tag)).or_insert(tag).clone();
                (spelled, on)
            })
            .collect()
    }

    /// An active contact with the same name (a merge suggestion, never a match).
    pub(crate) fn same_name(&self, display: &str) -> Option<ContactId> {
        self.names.get(&name_key(display)?).copied()
    }

    pub(crate) fn has_note(&self, id: ContactId, body: &str) -> bool {
        self.notes.get(&id).is_some_and(|b| b.contains(body.trim()))
    }

    pub(crate) fn note_added(&mut self, id: ContactId, body: &str) {
        self.notes.entry(id).or_default().insert(body.trim().to_owned());
    }

    /// Records the new state of a contact written by this import.
    pub(crate) fn put(&mut self, contact: Contact) {
        let keys = Keys::of(&contact, !contact.archived);
        let id = contact.id;
        self.doc.contacts.insert(id, contact);
        self.add_keys(self.doc.resolve(id), keys);
    }
}

/// The lookup keys of one contact.
pub(crate) struct Keys {
    sources: Vec<String>,
    emails: Vec<String>,
    /// `(tail, number as written)`.
    phones: Vec<(String, String)>,
    name: Option<String>,
}

impl Keys {
    fn of(c: &Contact, active: bool) -> Self {
        Keys {
            sources: c.sources.keys().cloned().collect(),
            emails: c.emails.values().filter_map(|e| email_key(&e.value)).collect(),
            phones: c.phones.values().filter_map(|p| Some((phone_tail(&p.value)?, p.value.clone()))).collect(),
            name: if active { name_key(&c.name.display) } else { None },
        }
    }
}

/// Whether `c` already has an email, phone or address equal to the given one.
pub(crate) fn has_email(c: &Contact, value: &str) -> bool {
    let key = email_key(value);
    c.emails.values().any(|e| e.value.trim() == value.trim() || (key.is_some() && email_key(&e.value) == key))
}

pub(crate) fn has_phone(c: &Contact, value: &str, region: Option<Id>) -> bool {
    c.phones.values().any(|p| same_phone(&p.value, value, region))
}

pub(crate) fn has_address(c: &Contact, a: &crate::schema::Address) -> bool {
    let key = address_key(a);
    c.addresses.values().any(|x| address_key(x) == key)
}
