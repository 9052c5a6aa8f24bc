//! Planning throughput: 100,000 users × 50 contacts (10 interactions each, a cadence on
//! every contact, birthdays on half). Run: `cargo bench -p reminders --bench plan`.
//! Plus one big relationship-memory document (see `plan_memory.rs`; alone with `-- memory`).
//!
//! Users' documents are hydrated structs (what `crdt_model::load` returns); 1,000 distinct
//! documents are planned 100 times each at different `now`s. Hydrating one document from
//! Automerge bytes is timed separately, since a re-plan after an edit does both.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use crdt_model::{
    create_contact, load, log_interaction, new_document, Birthday, Contact, ContactDraft, ContactId, Interaction,
    InteractionDraft, InteractionId, InteractionKind, KithDoc, Name, Settings,
};
use reminders::plan::plan_user;

#[path = "plan_memory.rs"]
mod memory;

const USERS: usize = 100_000;
const DISTINCT: usize = 1_000;
const CONTACTS: usize = 50;
const INTERACTIONS_PER_CONTACT: usize = 10;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().unwrap_or_default()
}

fn synthetic(seed: usize) -> KithDoc {
    let zones = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC"];
    let mut contacts = BTreeMap::new();
    let mut interactions = BTreeMap::new();
    for i in 0..CONTACTS {
        let id = ContactId::new_random();
        let mut c = Contact::new(id, &format!("Person {seed}-{i}"), t0());
        c.cadence_days = Some(7 + (i as u32 % 60));
        if i % 2 == 0 {
            c.birthday = Some(Birthday { month: 1 + (i as u32 % 12), day: 1 + (seed as u32 % 28), year: None });
        }
        contacts.insert(id, c);
        for k in 0..INTERACTIONS_PER_CONTACT {
            let iid = InteractionId::new_random();
            let at = t0() + Duration::hours(((seed * 7 + i * 13 + k * 97) % 2000) as i64);
            interactions.insert(
                iid,
                Interaction { id: iid, contact_ids: [(id, true)].into(), kind: InteractionKind::Call, at, note: String::new() },
            );
        }
    }
    KithDoc {
        schema: 1,
        settings: Settings { timezone: zones[seed % zones.len()].into(), reminder_hour: 9, digest: true },
        contacts,
        interactions,
        notes: BTreeMap::new(),
        follow_ups: BTreeMap::new(),
        relationships: BTreeMap::new(),
    }
}

fn main() {
    // `cargo bench -p reminders --bench plan -- memory`: only the relationship-memory document.
    if std::env::args().any(|a| a == "memory") {
        memory::run();
        return;
    }
    memory::run();
    let docs: Vec<KithDoc> = (0..DISTINCT).map(synthetic).collect();
    let start = Instant::now();
    let mut nudges = 0usize;
    for u in 0..USERS {
        let now = t0() + Duration::days(90) + Duration::minutes(u as i64);
        nudges += plan_user(&docs[u % DISTINCT], now).len();
    }
    let took = start.elapsed();
    println!(
        "plan: {USERS} users x {CONTACTS} contacts ({} interactions each user): {:.2?} total, {:.1} µs/user, {nudges} nudges",
        CONTACTS * INTERACTIONS_PER_CONTACT,
        took,
        took.as_secs_f64() * 1e6 / USERS as f64
    );

    // One real document through Automerge: load + plan, as a re-plan after an edit does.
    let mut am = new_document("Europe/Berlin", t0()).unwrap_or_else(|e| panic!("{e}"));
    for i in 0..CONTACTS {
        let draft = ContactDraft {
            name: Name { display: format!("Person {i}"), ..Name::default() },
            cadence_days: Some(14),
            ..ContactDraft::default()
        };
        let id = create_contact(&mut am, draft, t0()).unwrap_or_else(|e| panic!("{e}"));
        for k in 0..INTERACTIONS_PER_CONTACT {
            let at = t0() + Duration::hours((i * 10 + k) as i64);
            let d = InteractionDraft { contact_ids: vec![id], kind: InteractionKind::Call, at, note: String::new() };
            log_interaction(&mut am, d, at).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    let rounds = 200;
    let start = Instant::now();
    for _ in 0..rounds {
        let loaded = load(&am);
        nudges = plan_user(&loaded.doc, t0() + Duration::days(30)).len();
    }
    let per = start.elapsed() / rounds;
    println!("load+plan of one Automerge document ({CONTACTS} contacts, {} interactions): {per:.2?} ({nudges} nudges)", CONTACTS * INTERACTIONS_PER_CONTACT);
}
