//! What a card shows of records other than its contact — the notes about it and the people
//! related to it — gathered in one pass over the document. Asking `KithDoc::notes_for` per
//! card scans every note for every card: 5,000 cards with a note each were 25 million
//! merge-resolving lookups, seconds of CPU for one CardDAV listing or export.

use std::collections::HashMap;

use crate::schema::{Contact, KithDoc, Note, Relationship, RelationshipKind};
use crate::ContactId;

/// A related person as a card shows them: who, what they are to the card's contact, and the
/// record (for its free-text label).
pub type Related<'d> = (ContactId, RelationshipKind, &'d Relationship);

pub struct CardSource<'d> {
    doc: &'d KithDoc,
    /// Keyed by the surviving contact (notes on a merged-away contact count for the winner).
    notes: HashMap<ContactId, Vec<&'d Note>>,
    related: HashMap<ContactId, Vec<Related<'d>>>,
}

impl<'d> CardSource<'d> {
    /// Indexes `doc` once; answers agree with `KithDoc::notes_for` and `relationships_of`.
    pub fn new(doc: &'d KithDoc) -> CardSource<'d> {
        let mut notes: HashMap<ContactId, Vec<&'d Note>> = HashMap::new();
        for n in doc.notes.values() {
            notes.entry(doc.resolve(n.contact_id)).or_default().push(n);
        }
        let mut related: HashMap<ContactId, Vec<Related<'d>>> = HashMap::new();
        for r in doc.relationships.values() {
            let (from, to) = (doc.resolve(r.from), doc.resolve(r.to));
            if from == to {
                continue;
            }
            let resolved = Relationship { from, to, ..r.clone() };
            for me in [from, to] {
                if let Some((other, kind)) = resolved.seen_from(me) {
                    related.entry(me).or_default().push((other, kind, r));
                }
            }
        }
        CardSource { doc, notes, related }
    }

    pub fn doc(&self) -> &'d KithDoc {
        self.doc
    }

    /// Notes about `c`, including those on contacts merged into it, in the document's order.
    pub fn notes_for(&self, c: &Contact) -> &[&'d Note] {
        self.notes.get(&self.doc.resolve(c.id)).map_or(&[], Vec::as_slice)
    }

    /// `c`'s relationships, both ends resolved through merges, in the document's order.
    pub fn relationships_of(&self, c: &Contact) -> &[Related<'d>] {
        self.related.get(&self.doc.resolve(c.id)).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::{add_note, create_contact, load, merge_contacts, new_document, relate, ContactDraft, Name};

    #[test]
    fn answers_what_the_per_contact_scans_answer_across_merges() -> Result<(), Box<dyn std::error::Error>> {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).single().ok_or("time")?;
        let mut doc = new_document("Europe/Berlin", at)?;
        let named = |n: &str| ContactDraft { name: Name { display: n.into(), ..Name::default() }, ..ContactDraft::default() };
        let [ada, bob, carl, dora] = [
            create_contact(&mut doc, named("Ada"), at)?,
            create_contact(&mut doc, named("Bob"), at)?,
            create_contact(&mut doc, named("Carl"), at)?,
            create_contact(&mut doc, named("Dora"), at)?,
        ];
        add_note(&mut doc, ada, "likes tea", at)?;
        add_note(&mut doc, carl, "plays chess", at)?;
        relate(&mut doc, ada, bob, RelationshipKind::Partner, "", at)?;
        relate(&mut doc, carl, dora, RelationshipKind::Other, "climbing buddy", at)?;
        relate(&mut doc, carl, ada, RelationshipKind::Sibling, "", at)?;
        // Carl turns out to be Ada: his note and relationships are hers now, and the one
        // between them would be a self-relationship.
        merge_contacts(&mut doc, ada, carl, at)?;
        let whole = load(&doc).doc;
        let source = CardSource::new(&whole);
        for c in whole.contacts.values() {
            let scanned: Vec<&Note> = whole.notes_for(c.id).collect();
            assert_eq!(source.notes_for(c), scanned.as_slice(), "notes of {}", c.name.display);
            let scanned: Vec<Related<'_>> = whole.relationships_of(c.id).collect();
            assert_eq!(source.relationships_of(c), scanned.as_slice(), "relationships of {}", c.name.display);
        }
        assert_eq!(source.notes_for(&whole.contacts[&ada]).len(), 2);
        assert_eq!(source.relationships_of(&whole.contacts[&ada]).len(), 2, "Bob and Dora, not herself");
        Ok(())
    }
}
