//! Related names of the imported cards (`X-ABRELATEDNAMES`, `RELATED`, Google "Relation
//! N"), decided once the whole file is in: a name that is exactly one active contact —
//! already in the document or created by the same import — becomes a relationship between
//! the two; any other name is kept on the card's contact as a labelled related name.
//!
//! Nothing the user set is changed: two people already related keep their relationship
//! (a card saying something else about them is kept as a related name), and a name the
//! contact already has as a related name is not linked behind the user's back. Both rules
//! also make a second import of the same file add nothing.

use std::collections::{HashMap, HashSet};

use automerge::transaction::Transaction;
use automerge::ObjId;
use autosurgeon::reconcile_prop;

use super::index::Index;
use super::write;
use crate::error::ModelError;
use crate::ids::{ContactId, RelationshipId};
use crate::matching::name_key;
use crate::ops::{ensure_map, get_map, new_entry_key};
use crate::schema::{RelatedName, Relationship, RelationshipKind};

/// One related name a card gave, for the contact the card became or matched.
pub(crate) struct Pending {
    /// Position of the card in the file (to report it as updated).
    pub card: usize,
    pub contact: ContactId,
    pub label: String,
    pub name: String,
}

/// What a related person with this label is to the card's person, as a relationship kind,
/// and the relationship's label (kept only for `other`: a label on a directed kind would
/// read wrong from the other end, "mother" on the child's side).
pub(crate) fn kind_for(label: &str) -> (RelationshipKind, String) {
    let kind = match label.to_lowercase().as_str() {
        "mother" | "father" | "parent" => RelationshipKind::Parent,
        "child" | "son" | "daughter" => RelationshipKind::Child,
        "spouse" | "partner" | "domestic partner" | "husband" | "wife" | "boyfriend" | "girlfriend" => {
            RelationshipKind::Partner
        }
        "brother" | "sister" | "sibling" => RelationshipKind::Sibling,
        "friend" => RelationshipKind::Friend,
        "colleague" | "co-worker" | "manager" | "assistant" => RelationshipKind::Colleague,
        "" | "other" => return (RelationshipKind::Other, String::new()),
        _ => return (RelationshipKind::Other, label.to_owned()),
    };
    (kind, String::new())
}

/// Unordered pair of contacts, the key under which two people are "already related".
fn pair(a: ContactId, b: ContactId) -> (ContactId, ContactId) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

/// Links or stores every pending related name. Returns the cards that wrote something.
pub(crate) fn apply(
    tx: &mut Transaction<'_>,
    contacts: &ObjId,
    index: &mut Index,
    pending: Vec<Pending>,
) -> Result<HashSet<usize>, ModelError> {
    let mut changed = HashSet::new();
    if pending.is_empty() {
        return Ok(changed);
    }
    let doc = &index.doc;
    // name -> the distinct active contacts with it (only "exactly one" links).
    let mut names: HashMap<String, Vec<ContactId>> = HashMap::new();
    for c in doc.active_contacts() {
        if let Some(k) = name_key(&c.name.display) {
            let ids = names.entry(k).or_default();
            let id = doc.resolve(c.id);
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    let mut related: HashMap<(ContactId, ContactId), Vec<Relationship>> = HashMap::new();
    for r in doc.relationships.values() {
        let (from, to) = (doc.resolve(r.from), doc.resolve(r.to));
        related.entry(pair(from, to)).or_default().push(Relationship { from, to, ..r.clone() });
    }
    let mut relationships = None;
    for p in pending {
        let me = index.doc.resolve(p.contact);
        let Some(contact) = index.doc.contacts.get(&me) else { continue };
        let wanted_key = name_key(&p.name);
        let label = p.label.to_lowercase();
        let known = |r: &RelatedName| r.label.to_lowercase() == label && name_key(&r.name) == wanted_key;
        if contact.related_names.values().any(known) {
            continue;
        }
        let other = wanted_key.as_ref().and_then(|k| names.get(k)).filter(|ids| ids.len() == 1).map(|ids| ids[0]);
        if let Some(other) = other.filter(|o| *o != me) {
            let (kind, rel_label) = kind_for(&p.label);
            let wanted = Relationship { id: RelationshipId::new_random(), from: other, to: me, kind, label: rel_label };
            let existing = related.entry(pair(other, me)).or_default();
            if existing.iter().any(|r| r.same_as(&wanted)) {
                continue;
            }
            if existing.is_empty() {
                let map = match &relationships {
                    Some(m) => Clone::clone(m),
                    None => crate::ops::collection(tx, "relationships")?,
                };
                relationships = Some(map.clone());
                reconcile_prop(tx, &map, wanted.id.to_string().as_str(), &wanted)?;
                existing.push(wanted);
                changed.insert(p.card);
                continue;
            }
        }
        // Ambiguous, unknown, the card's own person, or already related otherwise.
        let entry = RelatedName { label: p.label, name: p.name };
        let obj = get_map(tx, contacts, &me.to_string())?.ok_or(ModelError::ContactNotFound(me))?;
        let map = ensure_map(tx, &obj, "relatedNames")?;
        let key = new_entry_key();
        write::related_name(tx, &map, &key, &entry)?;
        if let Some(c) = index.doc.contacts.get_mut(&me) {
            c.related_names.insert(key, entry);
        }
        changed.insert(p.card);
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_become_kinds_seen_from_the_related_person() {
        assert_eq!(kind_for("mother"), (RelationshipKind::Parent, String::new()));
        assert_eq!(kind_for("son"), (RelationshipKind::Child, String::new()));
        assert_eq!(kind_for("spouse"), (RelationshipKind::Partner, String::new()));
        assert_eq!(kind_for("other"), (RelationshipKind::Other, String::new()));
        assert_eq!(kind_for("Godmother"), (RelationshipKind::Other, "Godmother".to_owned()));
    }
}
