//! Which part of the document a set of changes touched — so readers that ignore notes (the
//! reminder planner) can skip re-reading the document when someone only typed into a note.
//! Note bodies are most of a document's ops and the part that changes most often.

use automerge::legacy::{Key, ObjectId};
use automerge::{Automerge, ChangeHash, ReadDoc};

/// `true` only if every change made since `since` (heads of an earlier state of `doc`)
/// touched nothing but `notes`. Conservative: whatever cannot be placed — an unknown head, an
/// object this document cannot resolve, a change at the root other than `notes` itself —
/// counts as touching something else. No changes at all → `true`.
pub fn only_notes_changed(doc: &Automerge, since: &[ChangeHash]) -> bool {
    // The change graph answers this cheaply; `get_change_by_hash` would rebuild each change
    // from the op set (150 ms for the one change of a 5,000-card import).
    if !doc.get_missing_deps(since).is_empty() {
        return false;
    }
    doc.get_changes(since).iter().all(|change| {
        change.decode().operations.iter().all(|op| match &op.obj {
            ObjectId::Root => matches!(&op.key, Key::Map(k) if k.as_str() == "notes"),
            ObjectId::Id(id) => under_notes(doc, &id.to_string()),
        })
    })
}

/// Whether the object `obj` (as `counter@actor`) lives under the root's `notes`.
fn under_notes(doc: &Automerge, obj: &str) -> bool {
    let Ok(id) = doc.import_obj(obj) else { return false };
    let Ok(parents) = doc.parents(&id) else { return false };
    // The last step of an object's path is the root's key it hangs from.
    matches!(parents.last(), Some(p) if p.prop == automerge::Prop::Map("notes".into()))
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::{
        add_note, create_contact, edit_note, log_interaction, new_document, set_cadence, ContactDraft,
        InteractionDraft, InteractionKind, Name,
    };

    #[test]
    fn notes_alone_are_told_apart_from_everything_else() -> Result<(), Box<dyn std::error::Error>> {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).single().ok_or("time")?;
        let mut doc = new_document("Europe/Berlin", at)?;
        let draft = ContactDraft { name: Name { display: "Ada".into(), ..Name::default() }, ..ContactDraft::default() };
        let ada = create_contact(&mut doc, draft, at)?;
        let start = doc.get_heads();
        assert!(only_notes_changed(&doc, &start), "nothing changed");

        let note = add_note(&mut doc, ada, "met at the conference", at)?;
        edit_note(&mut doc, note, "met at the conference in Lisbon", at)?;
        assert!(only_notes_changed(&doc, &start), "a new note and typing into it");

        let typed = doc.get_heads();
        set_cadence(&mut doc, ada, Some(14), at)?;
        assert!(!only_notes_changed(&doc, &typed), "a cadence");
        assert!(!only_notes_changed(&doc, &start), "notes and a cadence");

        let before = doc.get_heads();
        let draft = InteractionDraft { contact_ids: vec![ada], kind: InteractionKind::Call, at, note: String::new() };
        log_interaction(&mut doc, draft, at)?;
        assert!(!only_notes_changed(&doc, &before), "an interaction");

        let unknown = ChangeHash([7; 32]);
        assert!(!only_notes_changed(&doc, &[unknown]), "heads this document never had");
        Ok(())
    }
}
