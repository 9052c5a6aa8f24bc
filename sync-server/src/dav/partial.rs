//! Just enough of the document to render a few cards: those contacts, the contacts merged
//! into them (their notes show on the card), their notes, and the relationships naming them
//! with the people at the other end. Which records those are comes from the document's
//! `CardIndex`, so an incremental sync after one edit reads a handful of records instead of
//! hydrating 5,000 contacts (~100 ms) or scanning every note (~60 ms).
//! Records are hydrated one by one with autosurgeon, which agrees with `crdt_model::load`
//! (`crdt-model/tests/readers_agree.rs`); one that does not fit the schema is left out, as
//! `load` would leave it out.

use std::collections::{BTreeMap, BTreeSet};

use automerge::{Automerge, ObjId, ObjType, ReadDoc, ScalarValue, Value};
use autosurgeon::hydrate_prop;
use crdt_model::schema::{Contact, KithDoc, Note, Relationship};
use crdt_model::{ContactId, NoteId, RelationshipId};

use super::card_index::{collection_maps, record, CardIndex};

/// A string field of a record (scalar or text).
fn text_field(doc: &Automerge, record: &ObjId, field: &str) -> Option<String> {
    match doc.get(record, field).ok()?? {
        (Value::Scalar(s), _) => match s.as_ref() {
            ScalarValue::Str(s) => Some(s.to_string()),
            _ => None,
        },
        (Value::Object(ObjType::Text), t) => doc.text(&t).ok(),
        _ => None,
    }
}

/// The contacts that card names refer to, read from the raw document the way
/// `cards::find_by_name` reads the loaded one: `<id>.vcf` for a contact without a client-chosen
/// name, else the contact whose `davHref` is that name; merged-away contacts have no name. A
/// name that refers to nothing is left out (the caller answers 404).
pub fn contacts_named(doc: &Automerge, names: &BTreeSet<String>) -> BTreeMap<String, ContactId> {
    let mut found = BTreeMap::new();
    let contacts = collection_maps(doc, "contacts");
    let unnamed_and_kept = |record: &ObjId| {
        text_field(doc, record, "davHref").unwrap_or_default().is_empty() && text_field(doc, record, "mergedInto").is_none()
    };
    let mut by_href = BTreeSet::new();
    for name in names {
        let by_id = name.strip_suffix(".vcf").and_then(|id| id.parse::<ContactId>().ok());
        let record = by_id.and_then(|id| Some((id, record(doc, &contacts, &id.to_string())?.1)));
        match record {
            Some((id, record)) if unnamed_and_kept(&record) => {
                found.insert(name.clone(), id);
            }
            _ => {
                by_href.insert(name.as_str());
            }
        }
    }
    if by_href.is_empty() {
        return found;
    }
    // Client-chosen names: one pass over the contacts, reading two fields of each.
    for item in contacts.iter().flat_map(|map| doc.map_range(map, ..)) {
        let record = item.id();
        let Some(href) = text_field(doc, &record, "davHref").filter(|h| by_href.contains(h.as_str())) else { continue };
        if text_field(doc, &record, "mergedInto").is_some() {
            continue;
        }
        if let Ok(id) = item.key.parse::<ContactId>() {
            // Two contacts claiming one name: the first by id, as `find_by_name` picks.
            found.entry(href).or_insert(id);
        }
    }
    found
}

pub fn partial_doc(doc: &Automerge, index: &CardIndex, ids: &BTreeSet<ContactId>) -> KithDoc {
    let mut out = KithDoc::default();
    // Their cards show the notes and relationships of every contact merged into them.
    let holders = index.merged_with(ids);
    let mut wanted = holders.clone();

    // Relationships naming them, and the people at the other end (for their names).
    let rels = collection_maps(doc, "relationships");
    for (key, from, to) in index.relationships_of(&holders) {
        let Some(mut r) = hydrate_record::<Relationship>(doc, &rels, key) else { continue };
        let Ok(id) = key.parse::<RelationshipId>() else { continue };
        r.id = id;
        wanted.insert(from);
        wanted.insert(to);
        out.relationships.insert(id, r);
    }
    // Where each of them was merged to, so readers resolve them to the survivor.
    let chains: Vec<ContactId> = wanted.iter().flat_map(|id| index.merge_chain(*id)).collect();
    wanted.extend(chains);
    let contacts = collection_maps(doc, "contacts");
    for id in &wanted {
        if let Some(mut c) = hydrate_record::<Contact>(doc, &contacts, &id.to_string()) {
            c.id = *id;
            out.contacts.insert(*id, c);
        }
    }
    let notes = collection_maps(doc, "notes");
    for key in index.notes_about(&holders) {
        let Ok(id) = key.parse::<NoteId>() else { continue };
        if let Some(mut n) = hydrate_record::<Note>(doc, &notes, key) {
            n.id = id;
            out.notes.insert(id, n);
        }
    }
    out
}

/// The record `key` of a collection, from whichever of its maps holds it.
fn hydrate_record<T: autosurgeon::Hydrate>(doc: &Automerge, maps: &[ObjId], key: &str) -> Option<T> {
    let (map, _) = record(doc, maps, key)?;
    hydrate_prop::<_, T, _, _>(doc, &map, key).ok()
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use crdt_model::{add_note, create_contact, new_document, relate, ContactDraft, Name, RelationshipKind};

    use crdt_model::export::CardSource;

    use super::*;
    use crate::dav::card_index::CardIndex;
    use crate::dav::cards;

    #[test]
    fn a_partial_document_renders_the_same_cards_as_the_whole() -> Result<(), Box<dyn std::error::Error>> {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).single().ok_or("time")?;
        let mut doc = new_document("Europe/Berlin", at)?;
        let named = |n: &str| ContactDraft { name: Name { display: n.into(), ..Name::default() }, ..ContactDraft::default() };
        let [ada, bob, carl, dora, eve] = [
            create_contact(&mut doc, named("Ada"), at)?,
            create_contact(&mut doc, named("Bob"), at)?,
            create_contact(&mut doc, named("Carl"), at)?,
            create_contact(&mut doc, named("Dora"), at)?,
            create_contact(&mut doc, named("Eve"), at)?,
        ];
        add_note(&mut doc, ada, "likes tea", at)?;
        add_note(&mut doc, carl, "plays chess", at)?;
        relate(&mut doc, ada, bob, RelationshipKind::Partner, "", at)?;
        relate(&mut doc, carl, dora, RelationshipKind::Other, "climbing buddy", at)?;
        // Carl was Ada all along; Bob turned out to be Eve: the cards show Carl's note and
        // Dora on Ada's card, and Eve (not Bob) as her partner.
        crdt_model::merge_contacts(&mut doc, ada, carl, at)?;
        crdt_model::merge_contacts(&mut doc, eve, bob, at)?;
        let whole = crdt_model::load(&doc).doc;
        let index = CardIndex::build(&doc);
        for id in [ada, dora, eve] {
            let part = partial_doc(&doc, &index, &BTreeSet::from([id]));
            let a = cards::card(&CardSource::new(&whole), &whole.contacts[&id]);
            let b = cards::card(&CardSource::new(&part), &part.contacts[&id]);
            assert_eq!(a.vcard, b.vcard);
        }
        let part = partial_doc(&doc, &index, &BTreeSet::from([ada]));
        let card = cards::card(&CardSource::new(&part), &part.contacts[&ada]).vcard;
        for shown in ["likes tea", "plays chess", "Eve", "Dora"] {
            assert!(card.contains(shown), "{shown} on {card}");
        }
        assert!(!card.contains("Bob"), "{card}");
        Ok(())
    }

    #[test]
    fn card_names_resolve_on_the_raw_document_as_on_the_loaded_one() -> Result<(), Box<dyn std::error::Error>> {
        use automerge::transaction::Transactable;
        use automerge::ROOT;
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).single().ok_or("time")?;
        let mut doc = new_document("Europe/Berlin", at)?;
        let named = |n: &str| ContactDraft { name: Name { display: n.into(), ..Name::default() }, ..ContactDraft::default() };
        let ada = create_contact(&mut doc, named("Ada"), at)?;
        let bob = create_contact(&mut doc, named("Bob"), at)?;
        let carl = create_contact(&mut doc, named("Carl"), at)?;
        let dora = create_contact(&mut doc, named("Dora"), at)?;
        // Bob was made by a phone under its own name; Dora claims a name and was then merged.
        let mut tx = doc.transaction();
        let (_, contacts) = tx.get(ROOT, "contacts")?.ok_or("contacts")?;
        for (who, href) in [(bob, "phone-bob.vcf"), (dora, "phone-dora.vcf")] {
            let (_, record) = tx.get(&contacts, who.to_string().as_str())?.ok_or("contact")?;
            tx.put(&record, "davHref", href)?;
        }
        tx.commit();
        crdt_model::merge_contacts(&mut doc, ada, carl, at)?;
        crdt_model::merge_contacts(&mut doc, ada, dora, at)?;

        let names: BTreeSet<String> = [
            format!("{ada}.vcf"),
            format!("{bob}.vcf"),
            "phone-bob.vcf".to_owned(),
            format!("{carl}.vcf"),
            "phone-dora.vcf".to_owned(),
            "nobody.vcf".to_owned(),
            "ada.vcf".to_owned(),
        ]
        .into();
        let raw = contacts_named(&doc, &names);
        let whole = crdt_model::load(&doc).doc;
        for name in &names {
            assert_eq!(raw.get(name).copied(), cards::find_by_name(&whole, name).map(|c| c.id), "{name}");
        }
        assert_eq!(raw.len(), 2, "Ada by id and Bob by his phone's name: {raw:?}");
        Ok(())
    }

    #[test]
    fn relationships_in_both_copies_of_a_concurrently_created_map_reach_the_card() -> Result<(), Box<dyn std::error::Error>> {
        use automerge::transaction::Transactable;
        use automerge::{AutomergeError, ROOT};
        // A v1 document has no relationships map; two devices each create it with their first
        // relationship, and Automerge keeps both maps as a conflict.
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).single().ok_or("time")?;
        let mut laptop = Automerge::new();
        laptop.transact::<_, _, AutomergeError>(|tx| {
            tx.put(ROOT, "schema", 1)?;
            let settings = tx.put_object(ROOT, "settings", ObjType::Map)?;
            tx.put(&settings, "timezone", "Europe/Berlin")?;
            for name in ["contacts", "interactions", "notes"] {
                tx.put_object(ROOT, name, ObjType::Map)?;
            }
            Ok(())
        })
        .map_err(|e| e.error)?;
        let named = |n: &str| ContactDraft { name: Name { display: n.into(), ..Name::default() }, ..ContactDraft::default() };
        let ada = create_contact(&mut laptop, named("Ada"), at)?;
        let bob = create_contact(&mut laptop, named("Bob"), at)?;
        let carl = create_contact(&mut laptop, named("Carl"), at)?;
        let mut phone = laptop.fork();
        relate(&mut laptop, ada, bob, RelationshipKind::Partner, "", at)?;
        relate(&mut phone, ada, carl, RelationshipKind::Sibling, "", at)?;
        laptop.merge(&mut phone)?;
        assert_eq!(laptop.get_all(ROOT, "relationships")?.len(), 2, "the two maps conflict");

        let whole = crdt_model::load(&laptop).doc;
        let index = CardIndex::build(&laptop);
        let part = partial_doc(&laptop, &index, &BTreeSet::from([ada]));
        let a = cards::card(&CardSource::new(&whole), &whole.contacts[&ada]).vcard;
        let b = cards::card(&CardSource::new(&part), &part.contacts[&ada]).vcard;
        assert_eq!(a, b);
        assert!(b.contains("Bob") && b.contains("Carl"), "{b}");
        Ok(())
    }
}
