//! Relating two contacts, and undoing it.

use automerge::transaction::{Transactable, Transaction};
use automerge::Automerge;
use autosurgeon::{hydrate_prop, reconcile_prop};
use chrono::{DateTime, Utc};

use super::contact::contact_obj;
use super::records::{all_records, find_record};
use super::{collection, get_map, transact};
use crate::error::ModelError;
use crate::ids::{ContactId, RelationshipId};
use crate::limits::{check_len, MAX_FIELD_CHARS};
use crate::schema::{resolve_merged, Relationship, RelationshipKind};

/// Records that `from` is `to`'s `kind` (`label` mostly for `other`) and returns the id.
/// Both ends are first resolved through merges (relating to a merged-away duplicate
/// relates to the survivor). Relating someone to themselves is refused with
/// [`ModelError::SelfRelationship`]. If the same relationship is already stored (either
/// way round, e.g. B child-of A for A parent-of B), its id is returned and nothing changes.
pub fn relate(
    doc: &mut Automerge,
    from: ContactId,
    to: ContactId,
    kind: RelationshipKind,
    label: &str,
    now: DateTime<Utc>,
) -> Result<RelationshipId, ModelError> {
    if from == to {
        return Err(ModelError::SelfRelationship(from));
    }
    if let RelationshipKind::Unrecognized(k) = &kind {
        return Err(ModelError::InvalidInput(format!("unknown relationship kind {:.40?}", k)));
    }
    check_len("label", label, MAX_FIELD_CHARS)?;
    let message = format!("Relate contacts ({kind})");
    let (id, _) = transact(doc, message, now, |tx| {
        contact_obj(tx, from)?;
        contact_obj(tx, to)?;
        let (from, to) = (resolve_in(tx, from)?, resolve_in(tx, to)?);
        if from == to {
            return Err(ModelError::SelfRelationship(from));
        }
        let wanted = Relationship { id: RelationshipId::new_random(), from, to, kind: kind.clone(), label: label.to_owned() };
        for (map, key, _) in all_records(tx, "relationships")? {
            let Ok(existing) = hydrate_prop::<_, Relationship, _, _>(tx, &map, key.as_str()) else { continue };
            if existing.same_as(&wanted) {
                if let Ok(id) = key.parse() {
                    return Ok(id);
                }
            }
        }
        let relationships = collection(tx, "relationships")?;
        reconcile_prop(tx, &relationships, wanted.id.to_string().as_str(), &wanted)?;
        Ok(wanted.id)
    })?;
    Ok(id)
}

/// Removes a relationship (both directions: it is stored once).
pub fn unrelate(doc: &mut Automerge, id: RelationshipId, now: DateTime<Utc>) -> Result<(), ModelError> {
    transact(doc, "Unrelate contacts".to_owned(), now, |tx| {
        let (map, _) =
            find_record(tx, "relationships", &id.to_string())?.ok_or(ModelError::RelationshipNotFound(id))?;
        tx.delete(&map, id.to_string().as_str())?;
        Ok(())
    })?;
    Ok(())
}

/// `id` followed through `mergedInto` as the transaction sees it.
pub(crate) fn resolve_in(tx: &Transaction<'_>, id: ContactId) -> Result<ContactId, ModelError> {
    let Some(contacts) = get_map(tx, &automerge::ROOT, "contacts")? else { return Ok(id) };
    let next = |c: ContactId| -> Option<ContactId> {
        let obj = get_map(tx, &contacts, &c.to_string()).ok()??;
        crate::strings::read_str(tx, &obj, "mergedInto").ok()??.parse().ok()
    };
    Ok(resolve_merged(id, next))
}
