//! Which records a card draws on besides its contact — the notes about it, the contacts merged
//! into it, the relationships naming it — as an index of the raw document, kept per document
//! and brought up to date from the changes made since.
//!
//! Why: finding a card's notes means reading every note's `contactId`, and a field read costs
//! a few microseconds in automerge 0.12; at 5,000 contacts with a note each that was ~60 ms
//! for every multiget or incremental sync, however few cards it answered. Building the index
//! costs that once per document; after an edit, updating it reads only the records the new
//! changes wrote to (`sync_token::changed_since`).

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use automerge::{Automerge, ChangeHash, ObjId, ObjType, ReadDoc, ScalarValue, Value, ROOT};
use crdt_model::ContactId;

use super::sync_token::changed_since;
use crate::ids::DocId;

/// Past this many operations since the indexed heads, re-reading everything is cheaper than
/// placing each one.
const MAX_UPDATE_OPS: usize = 5_000;
/// Documents whose index is kept (a 5,000-contact index is ~1 MB); the least recently asked
/// for goes first.
const MAX_CACHED_DOCS: usize = 32;
/// Longest `mergedInto` chain followed (concurrent merges can even make a cycle).
const MAX_MERGE_CHAIN: usize = 64;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CardIndex {
    heads: Vec<ChangeHash>,
    /// Note key → the contact it is about.
    notes: HashMap<String, ContactId>,
    /// Contact → the contact it was merged into.
    merged_into: HashMap<ContactId, ContactId>,
    /// Relationship key → (from, to).
    relationships: HashMap<String, (ContactId, ContactId)>,
}

/// Every map at the root's `name`: normally one, two when devices that both lacked a
/// collection created it concurrently (Automerge keeps both; `crdt_model::load` reads both).
pub(super) fn collection_maps(doc: &Automerge, name: &str) -> Vec<ObjId> {
    doc.get_all(ROOT, name)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(v, id)| matches!(v, Value::Object(ObjType::Map | ObjType::Table)).then_some(id))
        .collect()
}

/// The record `key` in whichever of `maps` holds it (the last, as `load` lets the last win).
pub(super) fn record(doc: &Automerge, maps: &[ObjId], key: &str) -> Option<(ObjId, ObjId)> {
    maps.iter().rev().find_map(|map| match doc.get(map, key) {
        Ok(Some((Value::Object(ObjType::Map), id))) => Some((map.clone(), id)),
        _ => None,
    })
}

/// The maps of the three collections the index covers: notes, contacts, relationships.
fn indexed_maps(doc: &Automerge) -> (Vec<ObjId>, Vec<ObjId>, Vec<ObjId>) {
    (collection_maps(doc, "notes"), collection_maps(doc, "contacts"), collection_maps(doc, "relationships"))
}

/// A field of a record holding a contact id (scalar string or text).
pub(super) fn contact_field(doc: &Automerge, record: &ObjId, field: &str) -> Option<ContactId> {
    match doc.get(record, field).ok()?? {
        (Value::Scalar(s), _) => match s.as_ref() {
            ScalarValue::Str(s) => s.parse().ok(),
            _ => None,
        },
        (Value::Object(ObjType::Text), t) => doc.text(&t).ok()?.parse().ok(),
        _ => None,
    }
}

impl CardIndex {
    /// Reads every note, contact and relationship once.
    pub fn build(doc: &Automerge) -> CardIndex {
        let mut index = CardIndex { heads: doc.get_heads(), ..CardIndex::default() };
        let (notes, contacts, rels) = indexed_maps(doc);
        for map in &notes {
            for item in doc.map_range(map, ..) {
                index.set_note(doc, &notes, item.key.as_ref());
            }
        }
        for map in &contacts {
            for item in doc.map_range(map, ..) {
                if let Ok(id) = item.key.parse() {
                    index.set_contact(doc, &contacts, id);
                }
            }
        }
        for map in &rels {
            for item in doc.map_range(map, ..) {
                index.set_relationship(doc, &rels, item.key.as_ref());
            }
        }
        index
    }

    /// This index brought to `doc`'s heads: only the records written since are read again.
    /// Rebuilt when the changes cannot be placed, are many, or the indexed heads are not in
    /// `doc` (a copy taken before a refused change was dropped).
    pub fn refreshed(&self, doc: &Automerge) -> CardIndex {
        let heads = doc.get_heads();
        if heads == self.heads {
            return self.clone();
        }
        if !doc.get_missing_deps(&self.heads).is_empty() {
            return CardIndex::build(doc);
        }
        let Some(changed) = changed_since(doc, &self.heads, MAX_UPDATE_OPS) else { return CardIndex::build(doc) };
        let mut index = self.clone();
        index.heads = heads;
        let (notes, contacts, rels) = indexed_maps(doc);
        for key in &changed.notes {
            index.set_note(doc, &notes, key);
        }
        for id in &changed.contacts {
            index.set_contact(doc, &contacts, *id);
        }
        for key in &changed.relationships {
            index.set_relationship(doc, &rels, key);
        }
        index
    }

    fn set_note(&mut self, doc: &Automerge, notes: &[ObjId], key: &str) {
        match record(doc, notes, key).and_then(|(_, r)| contact_field(doc, &r, "contactId")) {
            Some(about) => self.notes.insert(key.to_owned(), about),
            None => self.notes.remove(key),
        };
    }

    fn set_contact(&mut self, doc: &Automerge, contacts: &[ObjId], id: ContactId) {
        match record(doc, contacts, &id.to_string()).and_then(|(_, r)| contact_field(doc, &r, "mergedInto")) {
            Some(into) => self.merged_into.insert(id, into),
            None => self.merged_into.remove(&id),
        };
    }

    fn set_relationship(&mut self, doc: &Automerge, rels: &[ObjId], key: &str) {
        let ends =
            record(doc, rels, key).and_then(|(_, r)| Some((contact_field(doc, &r, "from")?, contact_field(doc, &r, "to")?)));
        match ends {
            Some(ends) => self.relationships.insert(key.to_owned(), ends),
            None => self.relationships.remove(key),
        };
    }

    /// `ids` and every contact merged into one of them, directly or down a chain.
    pub fn merged_with(&self, ids: &BTreeSet<ContactId>) -> BTreeSet<ContactId> {
        let mut into: HashMap<ContactId, Vec<ContactId>> = HashMap::new();
        for (from, to) in &self.merged_into {
            into.entry(*to).or_default().push(*from);
        }
        let mut out = ids.clone();
        let mut todo: Vec<ContactId> = ids.iter().copied().collect();
        while let Some(id) = todo.pop() {
            for loser in into.get(&id).into_iter().flatten() {
                if out.insert(*loser) {
                    todo.push(*loser);
                }
            }
        }
        out
    }

    /// The contacts `id`'s merges lead to (so a reader can resolve it to the survivor).
    pub fn merge_chain(&self, id: ContactId) -> Vec<ContactId> {
        let mut chain = Vec::new();
        let mut at = id;
        while let Some(next) = self.merged_into.get(&at) {
            if chain.contains(next) || chain.len() >= MAX_MERGE_CHAIN {
                break;
            }
            chain.push(*next);
            at = *next;
        }
        chain
    }

    /// Keys of the notes about any of `holders`.
    pub fn notes_about<'a>(&'a self, holders: &'a BTreeSet<ContactId>) -> impl Iterator<Item = &'a str> + 'a {
        self.notes.iter().filter(|(_, c)| holders.contains(c)).map(|(k, _)| k.as_str())
    }

    /// Relationships with an end among `holders`: key and both ends.
    pub fn relationships_of<'a>(
        &'a self,
        holders: &'a BTreeSet<ContactId>,
    ) -> impl Iterator<Item = (&'a str, ContactId, ContactId)> + 'a {
        self.relationships
            .iter()
            .filter(|(_, (from, to))| holders.contains(from) || holders.contains(to))
            .map(|(k, (from, to))| (k.as_str(), *from, *to))
    }
}

/// The last index made per document, shared by the server's DAV requests. The lock is held
/// only to look up or store an `Arc`; building and updating happen outside it.
#[derive(Default)]
pub struct IndexCache {
    entries: Mutex<HashMap<DocId, (u64, Arc<CardIndex>)>>,
    uses: std::sync::atomic::AtomicU64,
}

impl IndexCache {
    /// The index of `doc` (document `id`) at its current heads.
    pub fn index_for(&self, id: DocId, doc: &Automerge) -> Arc<CardIndex> {
        let cached = self.lock().get(&id).map(|(_, index)| index.clone());
        let heads = doc.get_heads();
        let index = match cached {
            Some(index) if index.heads == heads => index,
            Some(index) => Arc::new(index.refreshed(doc)),
            None => Arc::new(CardIndex::build(doc)),
        };
        let used = self.uses.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut entries = self.lock();
        if entries.len() >= MAX_CACHED_DOCS && !entries.contains_key(&id) {
            let oldest = entries.iter().min_by_key(|(_, (used, _))| *used).map(|(k, _)| *k);
            if let Some(oldest) = oldest {
                entries.remove(&oldest);
            }
        }
        entries.insert(id, (used, index.clone()));
        index
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<DocId, (u64, Arc<CardIndex>)>> {
        // The map is only ever replaced whole per entry, so a panic elsewhere cannot leave it
        // half-written.
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use crdt_model::{add_note, create_contact, merge_contacts, new_document, relate, ContactDraft, Name, RelationshipKind};

    use super::*;

    #[test]
    fn an_updated_index_equals_one_built_afresh() -> Result<(), Box<dyn std::error::Error>> {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).single().ok_or("time")?;
        let mut doc = new_document("Europe/Berlin", at)?;
        let named = |n: &str| ContactDraft { name: Name { display: n.into(), ..Name::default() }, ..ContactDraft::default() };
        let ada = create_contact(&mut doc, named("Ada"), at)?;
        let bob = create_contact(&mut doc, named("Bob"), at)?;
        add_note(&mut doc, ada, "likes tea", at)?;
        let before = CardIndex::build(&doc);

        let carl = create_contact(&mut doc, named("Carl"), at)?;
        add_note(&mut doc, carl, "plays chess", at)?;
        relate(&mut doc, carl, bob, RelationshipKind::Friend, "", at)?;
        merge_contacts(&mut doc, ada, carl, at)?;
        let updated = before.refreshed(&doc);
        assert_eq!(updated, CardIndex::build(&doc));

        let holders = updated.merged_with(&BTreeSet::from([ada]));
        assert_eq!(holders, BTreeSet::from([ada, carl]));
        assert_eq!(updated.notes_about(&holders).count(), 2, "Ada's note and the one on Carl");
        assert_eq!(updated.relationships_of(&holders).count(), 1);
        assert_eq!(updated.merge_chain(carl), vec![ada]);
        Ok(())
    }

    #[test]
    fn the_cache_keeps_a_bounded_number_of_documents() -> Result<(), Box<dyn std::error::Error>> {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).single().ok_or("time")?;
        let doc = new_document("Europe/Berlin", at)?;
        let cache = IndexCache::default();
        let first = DocId::random();
        cache.index_for(first, &doc);
        for _ in 0..MAX_CACHED_DOCS + 10 {
            cache.index_for(DocId::random(), &doc);
        }
        assert_eq!(cache.lock().len(), MAX_CACHED_DOCS);
        assert!(!cache.lock().contains_key(&first), "the least recently used went first");
        Ok(())
    }
}
