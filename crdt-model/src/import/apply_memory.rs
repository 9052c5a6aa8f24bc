//! What a card adds to a contact it matched, for the schema v2 fields: department and
//! pronouns when empty, URLs and important dates it does not have yet. Like the rest of
//! `apply::update`, nothing the user set is overwritten and a second import adds nothing.

use automerge::transaction::{Transactable, Transaction};
use automerge::{ObjId, ScalarValue};

use super::to_doc::has_date;
use super::write;
use crate::error::ModelError;
use crate::ops::{ensure_map, new_entry_key};
use crate::schema::{Contact, LabeledValue};

/// Adds to `c` (the stored contact, kept up to date) what `new` (the card as a contact)
/// has and `c` lacks. `obj` gives the contact's object, looked up on the first write.
/// Returns whether anything was written.
pub(crate) fn update(
    tx: &mut Transaction<'_>,
    obj: &mut dyn FnMut(&Transaction<'_>) -> Result<ObjId, ModelError>,
    c: &mut Contact,
    new: &Contact,
) -> Result<bool, ModelError> {
    let mut changed = false;
    for (field, current, value) in [
        ("department", &mut c.department, &new.department),
        ("pronouns", &mut c.pronouns, &new.pronouns),
    ] {
        if current.trim().is_empty() && !value.trim().is_empty() {
            let o = obj(tx)?;
            tx.put(&o, field, ScalarValue::Str(value.as_str().into()))?;
            value.clone_into(current);
            changed = true;
        }
    }
    for u in new.urls.values() {
        if !has_url(c, &u.value) {
            let k = new_entry_key();
            let o = obj(tx)?;
            let map = ensure_map(tx, &o, "urls")?;
            write::labeled(tx, &map, &k, u)?;
            c.urls.insert(k, u.clone());
            changed = true;
        }
    }
    for d in new.dates.values() {
        if !has_date(c.dates.values(), d) {
            let k = new_entry_key();
            let o = obj(tx)?;
            let map = ensure_map(tx, &o, "dates")?;
            write::important_date(tx, &map, &k, d)?;
            c.dates.insert(k, d.clone());
            changed = true;
        }
    }
    Ok(changed)
}

/// URLs are the same up to case and a trailing slash ("https://A.example/" is
/// "https://a.example"); paths rarely differ by case alone in what people save.
fn has_url(c: &Contact, value: &str) -> bool {
    let key = |v: &str| v.trim().trim_end_matches('/').to_lowercase();
    let wanted = key(value);
    c.urls.values().any(|u: &LabeledValue| key(&u.value) == wanted)
}
