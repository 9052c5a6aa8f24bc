//! Random concurrent operation sequences on 2–3 forks: after syncing, every fork hydrates
//! to the same state, every fork always hydrates cleanly, and nothing logged is lost.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use automerge::{Automerge, ReadDoc};
use chrono::{DateTime, Duration, Utc};
use crdt_model::{
    add_note, archive_contact, create_contact, delete_note, load, log_interaction, merge_contacts,
    new_document, set_cadence, snooze, splice_note, update_contact, ContactDraft, ContactId,
    ContactPatch, InteractionDraft, InteractionId, InteractionKind, Name, NoteId,
};
use proptest::prelude::*;

mod common;

#[derive(Debug, Clone)]
enum Op {
    Create(u8),
    SetCompany(u8, u8),
    AddTag(u8, u8),
    Archive(u8, bool),
    Cadence(u8, Option<u8>),
    Snooze(u8, Option<u8>),
    Log(u8, u8),
    AddNote(u8),
    Splice(u8, u8, u8, u8),
    DeleteNote(u8),
    Merge(u8, u8),
    Sync(u8, u8),
}

fn op() -> impl Strategy<Value = Op> {
    let n = any::<u8>;
    prop_oneof![
        3 => n().prop_map(Op::Create),
        2 => (n(), n()).prop_map(|(c, v)| Op::SetCompany(c, v)),
        2 => (n(), n()).prop_map(|(c, t)| Op::AddTag(c, t)),
        1 => (n(), any::<bool>()).prop_map(|(c, a)| Op::Archive(c, a)),
        1 => (n(), proptest::option::of(1u8..60)).prop_map(|(c, d)| Op::Cadence(c, d)),
        1 => (n(), proptest::option::of(n())).prop_map(|(c, d)| Op::Snooze(c, d)),
        3 => (n(), n()).prop_map(|(c, d)| Op::Log(c, d)),
        2 => n().prop_map(Op::AddNote),
        3 => (n(), n(), 0u8..4, n()).prop_map(|(i, p, d, t)| Op::Splice(i, p, d, t)),
        1 => n().prop_map(Op::DeleteNote),
        1 => (n(), n()).prop_map(|(w, l)| Op::Merge(w, l)),
        2 => (n(), n()).prop_map(|(a, b)| Op::Sync(a, b)),
    ]
}

/// Ids in a root collection, read directly (cheaper than hydrating the whole document).
fn keys<T: std::str::FromStr>(doc: &Automerge, collection: &str) -> Vec<T> {
    match doc.get(automerge::ROOT, collection).unwrap() {
        Some((_, obj)) => doc.keys(&obj).filter_map(|k| k.parse().ok()).collect(),
        None => Vec::new(),
    }
}

fn pick<T: Copy>(items: &[T], i: u8) -> Option<T> {
    (!items.is_empty()).then(|| items[usize::from(i) % items.len()])
}

struct World {
    forks: Vec<Automerge>,
    created: BTreeSet<ContactId>,
    logged: BTreeSet<InteractionId>,
    now: DateTime<Utc>,
}

impl World {
    fn apply(&mut self, fork: usize, op: &Op) {
        self.now += Duration::minutes(1);
        let now = self.now;
        if let Op::Sync(a, b) = op {
            let (a, b) = (usize::from(*a) % self.forks.len(), usize::from(*b) % self.forks.len());
            if a != b {
                let mut other = self.forks[b].clone();
                self.forks[a].merge(&mut other).unwrap();
            }
            return;
        }
        let contacts: Vec<ContactId> = keys(&self.forks[fork], "contacts");
        let notes: Vec<NoteId> = keys(&self.forks[fork], "notes");
        let doc = &mut self.forks[fork];
        // Operations may legitimately refuse (e.g. merging an already merged contact);
        // what matters is that they never panic and the forks still converge.
        match op {
            Op::Create(n) => {
                let draft = ContactDraft {
                    name: Name { display: format!("person {n}"), ..Name::default() },
                    ..ContactDraft::default()
                };
                self.created.insert(create_contact(doc, draft, now).unwrap());
            }
            Op::SetCompany(c, v) => {
                if let Some(c) = pick(&contacts, *c) {
                    let p = ContactPatch { company: Some(format!("co {v}")), ..Default::default() };
                    update_contact(doc, c, p, now).unwrap();
                }
            }
            Op::AddTag(c, t) => {
                if let Some(c) = pick(&contacts, *c) {
                    let p = ContactPatch { add_tags: vec![format!("t{}", t % 5)], ..Default::default() };
                    update_contact(doc, c, p, now).unwrap();
                }
            }
            Op::Archive(c, a) => {
                if let Some(c) = pick(&contacts, *c) {
                    archive_contact(doc, c, *a, now).unwrap();
                }
            }
            Op::Cadence(c, d) => {
                if let Some(c) = pick(&contacts, *c) {
                    set_cadence(doc, c, d.map(u32::from), now).unwrap();
                }
            }
            Op::Snooze(c, d) => {
                if let Some(c) = pick(&contacts, *c) {
                    snooze(doc, c, d.map(|d| now + Duration::days(i64::from(d))), now).unwrap();
                }
            }
            Op::Log(c, d) => {
                if let Some(c) = pick(&contacts, *c) {
                    let draft = InteractionDraft {
                        contact_ids: vec![c],
                        kind: InteractionKind::Message,
                        at: now - Duration::days(i64::from(*d)),
                        note: String::new(),
                    };
                    self.logged.insert(log_interaction(doc, draft, now).unwrap());
                }
            }
            Op::AddNote(c) => {
                if let Some(c) = pick(&contacts, *c) {
                    add_note(doc, c, "note", now).unwrap();
                }
            }
            Op::Splice(n, pos, del, t) => {
                if let Some(n) = pick(&notes, *n) {
                    let text = ["a", "bc", "é", "日本", ""][usize::from(*t) % 5];
                    splice_note(doc, n, usize::from(*pos), usize::from(*del), text, now).unwrap();
                }
            }
            Op::DeleteNote(n) => {
                if let Some(n) = pick(&notes, *n) {
                    delete_note(doc, n, now).unwrap();
                }
            }
            Op::Merge(w, l) => {
                if let (Some(w), Some(l)) = (pick(&contacts, *w), pick(&contacts, *l)) {
                    let _ = merge_contacts(doc, w, l, now);
                }
            }
            Op::Sync(..) => {}
        }
        let loaded = load(&self.forks[fork]);
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn forks_converge_and_always_hydrate(
        fork_count in 2usize..=3,
        steps in proptest::collection::vec((0usize..3, op()), 1..32),
    ) {
        let start = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().with_timezone(&Utc);
        let base = new_document("America/New_York", start).unwrap();
        let mut world = World {
            forks: (0..fork_count).map(|_| base.fork()).collect(),
            created: BTreeSet::new(),
            logged: BTreeSet::new(),
            now: start,
        };
        for (fork, op) in &steps {
            world.apply(fork % fork_count, op);
        }
        // Sync everything: all into fork 0, then fork 0 into the rest.
        let (first, rest) = world.forks.split_first_mut().unwrap();
        for f in rest.iter_mut() {
            first.merge(f).unwrap();
        }
        for f in rest.iter_mut() {
            f.merge(first).unwrap();
        }
        let states: Vec<_> = world.forks.iter().map(load).collect();
        for s in &states {
            prop_assert!(s.warnings.is_empty(), "{:?}", s.warnings);
            prop_assert_eq!(&s.doc, &states[0].doc);
        }
        common::assert_readers_agree(&world.forks[0]);
        let doc = &states[0].doc;
        // Nothing created or logged anywhere is lost.
        for c in &world.created {
            prop_assert!(doc.contacts.contains_key(c));
        }
        for i in &world.logged {
            prop_assert!(doc.interactions.contains_key(i));
        }
        // Every contact resolves to a visible-or-archived survivor, never into nothing.
        for c in doc.contacts.values() {
            let survivor = doc.resolve(c.id);
            prop_assert!(doc.contacts[&survivor].merged_into.is_none() || doc.resolve(survivor) == survivor);
        }
        let _ = crdt_model::all_statuses(doc, world.now);
    }
}
