//! Document benchmark: 5,000 contacts, 20,000 interactions, 5,000 notes, built through the
//! real operations (one transaction each, as devices would write them).
//!
//! Run: `cargo bench -p crdt-model --bench document`
//! Targets (2-core machine): load + hydrate < 150 ms, all statuses < 10 ms, saved < 3 MB.

use std::time::{Duration as StdDuration, Instant};

use automerge::{Automerge, ReadDoc};
use chrono::{DateTime, Duration, Utc};
use crdt_model::{
    add_note, all_statuses, create_contact, load, load_without_notes, log_interaction, new_document, Birthday,
    ContactDraft, ContactId, InteractionDraft, InteractionKind, LabeledValue, ModelError, Name,
};

const CONTACTS: usize = 5_000;
const INTERACTIONS: usize = 20_000;
const NOTES: usize = 5_000;
const RUNS: usize = 7;

/// A tiny deterministic generator, so every run builds the same shape of document.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const GIVEN: [&str; 8] = ["Ada", "Grace", "Linus", "Margaret", "Alan", "Barbara", "Ken", "Frances"];
const FAMILY: [&str; 8] = ["Lovelace", "Hopper", "Torvalds", "Hamilton", "Turing", "Liskov", "Thompson", "Allen"];
const KINDS: [InteractionKind; 4] =
    [InteractionKind::Call, InteractionKind::Meeting, InteractionKind::Message, InteractionKind::Email];

fn build(now: DateTime<Utc>) -> Result<Automerge, ModelError> {
    let mut rng = Lcg(42);
    let mut doc = new_document("Europe/Berlin", now - Duration::days(800))?;
    let mut ids: Vec<ContactId> = Vec::with_capacity(CONTACTS);
    for i in 0..CONTACTS {
        let (g, f) = (GIVEN[i % 8], FAMILY[(i / 8) % 8]);
        let draft = ContactDraft {
            name: Name { display: format!("{g} {f} {i}"), given: g.into(), family: f.into() },
            company: if i % 3 == 0 { format!("Company {}", i % 97) } else { String::new() },
            emails: vec![LabeledValue { label: "home".into(), value: format!("{g}.{f}.{i}@example.com").to_lowercase() }],
            phones: vec![LabeledValue { label: "mobile".into(), value: format!("+49 30 {:07}", i * 7) }],
            birthday: (i % 2 == 0).then_some(Birthday {
                month: 1 + (i % 12) as u32,
                day: 1 + (i % 28) as u32,
                year: (i % 4 == 0).then_some(1950 + (i % 50) as i32),
            }),
            tags: vec![["friend", "family", "work", "school"][i % 4].to_string()],
            cadence_days: (i % 5 != 0).then_some([7, 14, 30, 90, 365][i % 5]),
            ..ContactDraft::default()
        };
        let created = now - Duration::days(800) + Duration::minutes(i as i64);
        ids.push(create_contact(&mut doc, draft, created)?);
    }
    for i in 0..INTERACTIONS {
        let who = ids[rng.below(CONTACTS as u64) as usize];
        let at = now - Duration::minutes(rng.below(700 * 24 * 60) as i64);
        let draft = InteractionDraft {
            contact_ids: vec![who],
            kind: KINDS[i % 4].clone(),
            at,
            note: if i % 4 == 0 { "caught up over coffee".into() } else { String::new() },
        };
        log_interaction(&mut doc, draft, at)?;
    }
    for i in 0..NOTES {
        let who = ids[rng.below(CONTACTS as u64) as usize];
        let body = format!(
            "Note {i}: met at the conference, talked about their new job and the kids. \
             Follow up about the book they recommended."
        );
        add_note(&mut doc, who, &body, now - Duration::days(rng.below(700) as i64))?;
    }
    Ok(doc)
}

fn stats(mut samples: Vec<StdDuration>) -> (f64, f64) {
    samples.sort();
    let ms = |d: StdDuration| d.as_secs_f64() * 1000.0;
    (ms(samples[0]), ms(samples[samples.len() / 2]))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let now = DateTime::parse_from_rfc3339("2026-06-01T12:00:00Z")?.with_timezone(&Utc);
    let t = Instant::now();
    let doc = build(now)?;
    let build_time = t.elapsed();
    let bytes = doc.save();

    let (mut loads, mut hydrates, mut partial, mut statuses) = (vec![], vec![], vec![], vec![]);
    let mut floors = vec![];
    let mut counts = (0, 0, 0, 0, 0);
    for _ in 0..RUNS {
        let t = Instant::now();
        let loaded_doc = Automerge::load(&bytes)?;
        loads.push(t.elapsed());

        // The floor for any reader: one bare pass over every op with automerge's iterator.
        let t = Instant::now();
        let items = loaded_doc.iter().count();
        floors.push(t.elapsed());
        assert!(items > 0);

        let t = Instant::now();
        let loaded = load(&loaded_doc);
        hydrates.push(t.elapsed());

        let t = Instant::now();
        let without_notes = load_without_notes(&loaded_doc);
        partial.push(t.elapsed());
        assert_eq!(without_notes.doc.contacts.len(), loaded.doc.contacts.len());

        let t = Instant::now();
        let all = all_statuses(&loaded.doc, now);
        statuses.push(t.elapsed());

        counts = (
            loaded.doc.contacts.len(),
            loaded.doc.interactions.len(),
            loaded.doc.notes.len(),
            all.len(),
            loaded.warnings.len(),
        );
    }
    let (load_min, load_med) = stats(loads);
    let (hyd_min, hyd_med) = stats(hydrates);
    let (part_min, part_med) = stats(partial);
    let (st_min, st_med) = stats(statuses);
    let (fl_min, fl_med) = stats(floors);

    println!("Kith document benchmark ({RUNS} runs; build through the ops {:.1} s)", build_time.as_secs_f64());
    println!(
        "hydrated: {} contacts, {} interactions, {} notes, {} statuses, {} warnings; {} changes, {} ops",
        counts.0, counts.1, counts.2, counts.3, counts.4,
        doc.stats().num_changes,
        doc.stats().num_ops,
    );
    println!("| measure                          | min        | median     | target     |");
    println!("|----------------------------------|------------|------------|------------|");
    println!("| saved size                       | {:>7.2} MB |            | < 3 MB     |", bytes.len() as f64 / 1_048_576.0);
    println!("| Automerge::load (bytes -> doc)   | {load_min:>7.1} ms | {load_med:>7.1} ms |            |");
    println!("| crdt_model::load (doc -> types)  | {hyd_min:>7.1} ms | {hyd_med:>7.1} ms |            |");
    println!("| load + hydrate                   | {:>7.1} ms | {:>7.1} ms | < 150 ms   |", load_min + hyd_min, load_med + hyd_med);
    println!("| (floor: bare ReadDoc::iter pass) | {fl_min:>7.1} ms | {fl_med:>7.1} ms |            |");
    println!("| load_without_notes               | {part_min:>7.1} ms | {part_med:>7.1} ms |            |");
    println!("| all_statuses (from typed doc)    | {st_min:>7.2} ms | {st_med:>7.2} ms | < 10 ms    |");
    Ok(())
}
