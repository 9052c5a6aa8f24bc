//! Typed schema-v2 records (`followUps`, `relationships`) from the in-memory tree, by the
//! same rules as [`super::convert`] and the derives in `schema`.

use std::collections::BTreeMap;

use super::convert::{as_map, boolean, entries, int, is_null, opt_field, opt_ts, parse, req_field, string, ts, Result};
use super::tree::Value;
use crate::ids::{ContactId, FollowUpId, RelationshipId};
use crate::schema::{FollowUp, Relationship, RelationshipKind, Repeat, RepeatUnit};

pub(crate) fn follow_up(v: &Value) -> Result<FollowUp> {
    let m = as_map(v)?;
    Ok(FollowUp {
        id: opt_field(m, "id", || FollowUpId(uuid::Uuid::nil()), parse)?,
        contact_ids: opt_field(m, "contactIds", BTreeMap::new, |v| {
            entries(v, |k| k.parse::<ContactId>().map_err(|e| e.to_string()), boolean)
        })?,
        due_at: opt_field(m, "dueAt", crate::time::epoch, ts)?,
        all_day: opt_field(m, "allDay", || false, boolean)?,
        note: opt_field(m, "note", autosurgeon::Text::default, |v| string(v).map(autosurgeon::Text::with_value))?,
        repeat: opt_field(m, "repeat", || None, |v| if is_null(v) { Ok(None) } else { repeat(v).map(Some) })?,
        done_at: opt_field(m, "doneAt", || None, opt_ts)?,
        created_at: opt_field(m, "createdAt", crate::time::epoch, ts)?,
    })
}

fn repeat(v: &Value) -> Result<Repeat> {
    let m = as_map(v)?;
    Ok(Repeat {
        every: opt_field(m, "every", || 1, int)?,
        unit: opt_field(m, "unit", || RepeatUnit::Unrecognized(String::new()), |v| string(v).map(|s| RepeatUnit::parse(&s)))?,
    })
}

pub(crate) fn relationship(v: &Value) -> Result<Relationship> {
    let m = as_map(v)?;
    Ok(Relationship {
        id: opt_field(m, "id", || RelationshipId(uuid::Uuid::nil()), parse)?,
        from: req_field(m, "from", parse)?,
        to: req_field(m, "to", parse)?,
        kind: opt_field(m, "kind", || RelationshipKind::Other, |v| string(v).map(|s| RelationshipKind::parse(&s)))?,
        label: opt_field(m, "label", String::new, string)?,
    })
}
