//! Sync tokens (RFC 6578): a token names a set of document heads, so "what changed since"
//! is computed from the document's own history, never guessed from timestamps.
//!
//! The token is `urn:kith:sync:<head>.<head>…` (hex change hashes). Which cards changed is
//! read off the changes made since those heads: every operation is placed by its object's
//! path in the document — a contact's fields, a note about a contact, a relationship
//! between two — and only contacts whose card can have changed are reported. Automerge keeps
//! every change (compaction re-encodes history, it does not drop it), so any token this
//! server handed out stays valid; one whose heads the document does not know (another
//! account's, a made-up one) is refused with `DAV:valid-sync-token` and the client starts over.

use std::collections::BTreeSet;

use automerge::legacy::{Key, ObjectId};
use automerge::{Automerge, ChangeHash, Prop, ReadDoc};
use crdt_model::ContactId;

const PREFIX: &str = "urn:kith:sync:";
/// More heads than this in one token cannot be one of ours (a head per concurrent writer).
const MAX_HEADS: usize = 64;

/// Contact fields that never appear on a card: changing them changes no card.
const NOT_ON_CARD: &[&str] = &["cadenceDays", "cadenceSetAt", "snoozedUntil", "howWeMet", "createdAt"];

pub fn encode(heads: &[ChangeHash]) -> String {
    let mut sorted: Vec<String> = heads.iter().map(|h| hex::encode(h.0)).collect();
    sorted.sort();
    format!("{PREFIX}{}", sorted.join("."))
}

/// The heads a token names, if it is one of ours and this document knows all of them.
pub fn decode(token: &str, doc: &Automerge) -> Option<Vec<ChangeHash>> {
    let rest = token.trim().strip_prefix(PREFIX)?;
    if rest.is_empty() {
        return Some(Vec::new());
    }
    if rest.len() > MAX_HEADS * 65 {
        return None;
    }
    let heads: Vec<ChangeHash> = rest
        .split('.')
        .map(|h| hex::decode(h).ok().and_then(|b| <[u8; 32]>::try_from(b).ok()).map(ChangeHash))
        .collect::<Option<_>>()?;
    // The change graph answers this; `get_change_by_hash` would rebuild each change from the
    // op set (150 ms for a 5,000-card import's one change).
    doc.get_missing_deps(&heads).is_empty().then_some(heads)
}

/// What changed since some heads: the contacts whose cards may differ, or `All` when a
/// change cannot be placed (then every card is reported, which is never wrong).
#[derive(Debug, PartialEq, Eq)]
pub enum Touched {
    Some(BTreeSet<ContactId>),
    All,
}

/// The records changes since some heads wrote to, by collection (ids as the document's map
/// keys). `contacts` lists every contact written to; `contacts_on_card` only those whose
/// written fields show on a card.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changed {
    pub contacts: BTreeSet<ContactId>,
    pub contacts_on_card: BTreeSet<ContactId>,
    pub notes: BTreeSet<String>,
    pub relationships: BTreeSet<String>,
}

/// What the changes since `since` wrote to, or `None` when an operation cannot be placed
/// (a whole collection replaced, an object no longer in the document) or there are more than
/// `max_ops` operations (placing each costs a few microseconds; past that, re-reading
/// everything is cheaper).
pub fn changed_since(doc: &Automerge, since: &[ChangeHash], max_ops: usize) -> Option<Changed> {
    let mut changed = Changed::default();
    let changes = doc.get_changes(since);
    if changes.iter().map(|c| c.len()).sum::<usize>() > max_ops {
        return None;
    }
    for change in changes {
        for op in change.decode().operations {
            let key = match &op.key {
                Key::Map(k) => Prop::Map(k.to_string()),
                Key::Seq(_) => Prop::Seq(0),
            };
            let mut path: Vec<Prop> = match &op.obj {
                ObjectId::Root => Vec::new(),
                ObjectId::Id(id) => {
                    let obj = doc.import_obj(&id.to_string()).ok()?;
                    // An object no longer in the document (replaced meanwhile): its old
                    // place is unknown, so be conservative.
                    let mut p: Vec<Prop> = doc.parents(&obj).ok()?.map(|p| p.prop).collect();
                    p.reverse();
                    p
                }
            };
            path.push(key);
            let segment = |i: usize| match path.get(i) {
                Some(Prop::Map(s)) => Some(s.as_str()),
                _ => None,
            };
            match (segment(0), segment(1)) {
                (Some("contacts"), Some(id)) => {
                    let Ok(id) = id.parse::<ContactId>() else { continue };
                    changed.contacts.insert(id);
                    if !segment(2).is_some_and(|f| NOT_ON_CARD.contains(&f)) {
                        changed.contacts_on_card.insert(id);
                    }
                }
                (Some("notes"), Some(id)) => {
                    changed.notes.insert(id.to_owned());
                }
                (Some("relationships"), Some(id)) => {
                    changed.relationships.insert(id.to_owned());
                }
                (Some("contacts" | "notes" | "relationships"), None) => return None,
                (Some(_), _) => {}
                (None, _) => return None,
            }
        }
    }
    Some(changed)
}

pub fn touched_since(doc: &Automerge, since: &[ChangeHash]) -> Touched {
    let Some(changed) = changed_since(doc, since, usize::MAX) else { return Touched::All };
    let mut contacts = changed.contacts_on_card;
    // A note shows on its contact's card; a relationship on both people's.
    for id in changed.notes {
        contacts.extend(field_of(doc, "notes", &id, "contactId"));
    }
    for id in changed.relationships {
        contacts.extend(field_of(doc, "relationships", &id, "from"));
        contacts.extend(field_of(doc, "relationships", &id, "to"));
    }
    Touched::Some(contacts)
}

/// `doc[collection][id][field]` as a contact id (from whichever map of the collection holds
/// the record).
pub fn field_of(doc: &Automerge, collection: &str, id: &str, field: &str) -> Option<ContactId> {
    use super::card_index::{collection_maps, contact_field, record};
    let (_, rec) = record(doc, &collection_maps(doc, collection), id)?;
    contact_field(doc, &rec, field)
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use crdt_model::{add_note, create_contact, log_interaction, new_document, set_cadence, update_contact};
    use crdt_model::{ContactDraft, ContactPatch, InteractionDraft, InteractionKind, Name};

    use super::*;

    #[test]
    fn tokens_round_trip_and_strangers_are_refused() -> Result<(), Box<dyn std::error::Error>> {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).single().ok_or("time")?;
        let doc = new_document("Europe/Berlin", at)?;
        let token = encode(&doc.get_heads());
        assert_eq!(decode(&token, &doc), Some(doc.get_heads()));
        let other = new_document("Europe/Berlin", at)?;
        assert_eq!(decode(&encode(&other.get_heads()), &doc), None, "another document's heads");
        assert_eq!(decode("urn:kith:sync:zz", &doc), None);
        assert_eq!(decode("http://example.com/token/1", &doc), None);
        assert_eq!(decode(&format!("{PREFIX}{}", "ab.".repeat(10_000)), &doc), None);
        Ok(())
    }

    #[test]
    fn only_contacts_whose_card_can_differ_are_touched() -> Result<(), Box<dyn std::error::Error>> {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).single().ok_or("time")?;
        let mut doc = new_document("Europe/Berlin", at)?;
        let named = |n: &str| ContactDraft { name: Name { display: n.into(), ..Name::default() }, ..ContactDraft::default() };
        let ada = create_contact(&mut doc, named("Ada"), at)?;
        let bob = create_contact(&mut doc, named("Bob"), at)?;
        let start = doc.get_heads();
        assert_eq!(touched_since(&doc, &start), Touched::Some(BTreeSet::new()));

        set_cadence(&mut doc, ada, Some(14), at)?;
        let draft = InteractionDraft { contact_ids: vec![ada], kind: InteractionKind::Call, at, note: String::new() };
        log_interaction(&mut doc, draft, at)?;
        assert_eq!(touched_since(&doc, &start), Touched::Some(BTreeSet::new()), "cadence and interactions are not on cards");

        let patch = ContactPatch { nickname: Some("Bobby".into()), ..ContactPatch::default() };
        update_contact(&mut doc, bob, patch, at)?;
        add_note(&mut doc, ada, "likes tea", at)?;
        assert_eq!(touched_since(&doc, &start), Touched::Some(BTreeSet::from([ada, bob])));
        Ok(())
    }
}
