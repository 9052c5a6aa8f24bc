//! CardDAV benchmark (issue 15): a real server on 127.0.0.1:0 (SQLite in a temp dir) with one
//! user holding 5,000 contacts, synced the way phones do it:
//!
//! 1. first full sync: `sync-collection` with an empty token (hrefs + ETags), then
//!    `addressbook-multiget` in batches of 100 until every card is down;
//! 2. incremental sync after one edit made by a device: `sync-collection` from the last token
//!    (target: exactly one card, answered in < 50 ms), then the multiget of that card;
//! 3. a sync with nothing changed.
//!
//!   cargo run --release -p kith-tests --bin davbench [-- --contacts 5000 --edits 20]
//!
//! Prints a report on stderr and one `RESULT {json}` line on stdout.

use std::time::{Duration, Instant};

use clap::Parser;
use kith_tests::dav::{card_hrefs, dav, element, DavAccount};
use kith_tests::TestServer;
use reqwest::StatusCode;

#[derive(Parser, Debug)]
struct Args {
    #[arg(long, default_value_t = 5000)]
    contacts: usize,
    /// Incremental syncs measured (one edit before each).
    #[arg(long, default_value_t = 20)]
    edits: usize,
    #[arg(long, default_value_t = 100)]
    batch: usize,
    /// Print every incremental round's time, not only the percentiles.
    #[arg(long)]
    verbose: bool,
}

fn sync_body(token: &str) -> String {
    format!(r#"<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>{token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>"#)
}

fn multiget_body(hrefs: &[String]) -> String {
    let list: String = hrefs.iter().map(|h| format!("<d:href>{h}</d:href>")).collect();
    format!(r#"<?xml version="1.0" encoding="utf-8"?><c:addressbook-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><c:address-data/></d:prop>{list}</c:addressbook-multiget>"#)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let server = TestServer::start_with(|c| {
        c.import_max_cards = c.import_max_cards.max(args.contacts);
        c.import_timeout_secs = c.import_timeout_secs.max(600);
    })
    .await?;
    let account = DavAccount::create(&server, "davbench").await?;
    let auth = Some((account.email.as_str(), account.app_password.as_str()));

    let mut file = String::new();
    for i in 0..args.contacts {
        file.push_str(&format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Person{i};Bench;;;\r\nFN:Bench Person{i}\r\nEMAIL;TYPE=INTERNET,HOME:p{i}@example.com\r\n\
             TEL;TYPE=CELL:+1 555 {:04}\r\nADR;TYPE=HOME:;;{i} Main St;Springfield;IL;62701;USA\r\nBDAY:--{:02}{:02}\r\n\
             item1.X-ABLabel:Fediverse\r\nitem1.X-SOCIALPROFILE:https://fedi.example/@p{i}\r\nNOTE:met at event {i}\r\nUID:bench-{i}\r\nEND:VCARD\r\n",
            i % 10_000,
            1 + i % 12,
            1 + i % 28
        ));
    }
    let started = Instant::now();
    let r = server.http().post(server.url("/api/v1/import")).bearer_auth(&account.token).header("content-type", "text/vcard").body(file).send().await?;
    anyhow::ensure!(r.status() == StatusCode::OK, "import: {}", r.text().await?);
    eprintln!("imported {} contacts in {:.1} s", args.contacts, started.elapsed().as_secs_f64());
    let me: serde_json::Value = server.http().get(server.url("/api/v1/me")).bearer_auth(&account.token).send().await?.json().await?;
    let book = format!("/dav/addressbooks/{}/contacts/", me["user_id"].as_str().unwrap_or_default());

    // 1. First full sync.
    let started = Instant::now();
    let (status, _, listing) = dav(&server, "REPORT", &book, auth, &[("depth", "1")], sync_body("")).await?;
    anyhow::ensure!(status == StatusCode::MULTI_STATUS, "sync-collection: {status}");
    let listing_time = started.elapsed();
    let hrefs = card_hrefs(&listing);
    anyhow::ensure!(hrefs.len() == args.contacts, "listed {} cards", hrefs.len());
    let mut token = element(&listing, "d:sync-token").unwrap_or_default();
    let mut bytes = listing.len();
    let mut cards = 0;
    for batch in hrefs.chunks(args.batch) {
        let (status, _, body) = dav(&server, "REPORT", &book, auth, &[("depth", "1")], multiget_body(batch)).await?;
        anyhow::ensure!(status == StatusCode::MULTI_STATUS, "multiget: {status}");
        cards += body.matches("BEGIN:VCARD").count();
        bytes += body.len();
    }
    let full_time = started.elapsed();
    anyhow::ensure!(cards == args.contacts, "fetched {cards} cards");
    eprintln!(
        "first full sync: {} cards, {:.1} MB, listing {:.0} ms, total {:.0} ms",
        cards,
        bytes as f64 / 1e6,
        ms(listing_time),
        ms(full_time)
    );

    // 2. Incremental syncs, one device edit before each.
    let doc = account.doc_id()?;
    let ids: Vec<crdt_model::ContactId> = server.state.hub.read_doc(doc, |d| crdt_model::load(d).doc.contacts.keys().copied().collect()).await?;
    let mut sync_ms = Vec::new();
    let mut total_ms = Vec::new();
    let mut transferred = Vec::new();
    for k in 0..args.edits {
        let id = ids[(k * 7919) % ids.len()];
        server
            .state
            .hub
            .change_doc(doc, move |d| {
                let patch = crdt_model::ContactPatch { nickname: Some(format!("edit {k}")), ..Default::default() };
                crdt_model::update_contact(d, id, patch, chrono::Utc::now())
            })
            .await??;
        let started = Instant::now();
        let (status, _, body) = dav(&server, "REPORT", &book, auth, &[("depth", "1")], sync_body(&token)).await?;
        anyhow::ensure!(status == StatusCode::MULTI_STATUS, "incremental sync: {status}");
        let sync_time = started.elapsed();
        let changed = card_hrefs(&body);
        token = element(&body, "d:sync-token").unwrap_or_default();
        let (_, _, got) = dav(&server, "REPORT", &book, auth, &[("depth", "1")], multiget_body(&changed)).await?;
        anyhow::ensure!(got.contains(&format!("NICKNAME:edit {k}")), "the edit did not arrive");
        total_ms.push(ms(started.elapsed()));
        sync_ms.push(ms(sync_time));
        if args.verbose {
            eprintln!("round {k}: sync-collection {:.1} ms, with the multiget {:.1} ms", ms(sync_time), ms(started.elapsed()));
        }
        transferred.push(changed.len());
    }
    sync_ms.sort_by(f64::total_cmp);
    total_ms.sort_by(f64::total_cmp);
    let max_cards = transferred.iter().copied().max().unwrap_or(0);
    eprintln!(
        "incremental sync after one edit ({} runs): cards transferred max {max_cards}; sync-collection p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms; with the multiget p50 {:.1} ms, p95 {:.1} ms",
        args.edits,
        percentile(&sync_ms, 0.5),
        percentile(&sync_ms, 0.95),
        sync_ms.last().copied().unwrap_or(0.0),
        percentile(&total_ms, 0.5),
        percentile(&total_ms, 0.95)
    );

    // 3. Nothing changed.
    let mut idle = Vec::new();
    for _ in 0..10 {
        let started = Instant::now();
        let (_, _, body) = dav(&server, "REPORT", &book, auth, &[("depth", "1")], sync_body(&token)).await?;
        idle.push(ms(started.elapsed()));
        anyhow::ensure!(card_hrefs(&body).is_empty(), "an idle sync listed cards");
    }
    idle.sort_by(f64::total_cmp);
    eprintln!("sync with nothing changed: p50 {:.1} ms", percentile(&idle, 0.5));
    println!(
        "RESULT {}",
        serde_json::json!({
            "contacts": args.contacts,
            "full_sync_ms": ms(full_time),
            "full_listing_ms": ms(listing_time),
            "full_bytes": bytes,
            "incremental_cards_max": max_cards,
            "incremental_sync_p50_ms": percentile(&sync_ms, 0.5),
            "incremental_sync_p95_ms": percentile(&sync_ms, 0.95),
            "incremental_total_p50_ms": percentile(&total_ms, 0.5),
            "idle_sync_p50_ms": percentile(&idle, 0.5),
        })
    );
    Ok(())
}
