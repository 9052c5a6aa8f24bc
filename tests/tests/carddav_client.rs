//! A real CardDAV client nobody here wrote — tsdav 2.3.4 from npm, in
//! `tests/dav-client/client.mjs` — syncs with Kith both ways, starting from an empty local
//! address book, against the real server on 127.0.0.1:0; a `/sync` device of the same user
//! sees every change the client makes.

use anyhow::Context;
use crdt_model::schema::Contact;
use kith_tests::client::Device;
use kith_tests::dav::{client_cards, run_client, strings, DavAccount};
use kith_tests::TestServer;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Three contacts as a phone exports them; Ada's card carries lines Kith does not model.
const SEED: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lovelace;Ada;Augusta;Countess;\r\nFN:Ada Lovelace\r\n\
X-PHONETIC-FIRST-NAME:AY-da\r\nitem1.X-SOCIALPROFILE;type=mastodon:https://fedi.example/@ada\r\n\
item1.X-ABLabel:Fediverse\r\nIMPP;X-SERVICE-TYPE=Skype:skype:ada.l\r\nGENDER:F\r\n\
EMAIL;TYPE=INTERNET,HOME:ada@example.com\r\nBDAY:--1210\r\nUID:ada-uid-1\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:3.0\r\nN:Babbage;Charles;;;\r\nFN:Charles Babbage\r\nTEL;TYPE=CELL:+44 20 7946 0001\r\nUID:charles-uid\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:3.0\r\nN:Somerville;Mary;;;\r\nFN:Mary Somerville\r\nUID:mary-uid\r\nEND:VCARD\r\n";

/// A card as a phone creates it: its own UID and file name, a custom label, a related
/// name, and a line Kith does not model.
const GRACE: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS 17.4//EN\r\nN:Hopper;Grace;;;\r\n\
FN:Grace Hopper\r\nitem1.TEL:+1 555 0100\r\nitem1.X-ABLabel:Navy office\r\n\
item2.X-ABRELATEDNAMES:Vincent\r\nitem2.X-ABLabel:_$!<Spouse>!$_\r\nX-CUSTOM-THING:keep me\r\n\
UID:client-uid-grace\r\nEND:VCARD\r\n";

async fn seed(server: &TestServer, account: &DavAccount) -> anyhow::Result<()> {
    let response = server
        .http()
        .post(server.url("/api/v1/import"))
        .bearer_auth(&account.token)
        .header("content-type", "text/vcard")
        .body(SEED)
        .send()
        .await?;
    anyhow::ensure!(response.status() == StatusCode::OK, "import: {}", response.text().await?);
    Ok(())
}

fn contact_named<'a>(doc: &'a crdt_model::KithDoc, name: &str) -> anyhow::Result<&'a Contact> {
    doc.contacts.values().find(|c| c.name.display == name).with_context(|| format!("no contact {name:?}"))
}

fn card_url(report: &Value, needle: &str) -> anyhow::Result<String> {
    client_cards(report)
        .into_iter()
        .find(|(_, data)| data.contains(needle))
        .map(|(url, _)| url)
        .with_context(|| format!("the client has no card containing {needle:?}: {report}"))
}

fn card_text(report: &Value, url: &str) -> String {
    report["cards"][url]["data"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_carddav_client_and_a_sync_device_see_each_others_changes() -> anyhow::Result<()> {
    let server = TestServer::start().await?;
    let account = DavAccount::create(&server, "carddav-client").await?;
    seed(&server, &account).await?;
    let dir = tempfile::tempdir()?;
    let state = dir.path().join("client-state.json");
    let mut device = Device::new(&account.doc);
    device.connect(&server.ws_url("/sync"), &account.token).await?;
    device.sync().await?;

    // 1. Discovery from the server root and a first sync: every contact arrives.
    let first = run_client(&server, &account, &state, json!([])).await?;
    assert_eq!(strings(&first["addressBooks"]).len(), 1, "{first}");
    assert_eq!(first["fetched"], 3, "{first}");
    let ada_url = card_url(&first, "FN:Ada Lovelace")?;
    let ada = card_text(&first, &ada_url);
    for line in ["GENDER:F", "X-PHONETIC-FIRST-NAME:AY-da", "IMPP;X-SERVICE-TYPE=Skype:skype:ada.l", "N:Lovelace;Ada;Augusta;Countess;"] {
        assert!(ada.contains(line), "{line:?} is missing from\n{ada}");
    }
    assert!(ada.contains(".X-SOCIALPROFILE;type=mastodon:https://fedi.example/@ada"), "{ada}");
    assert!(ada.contains(".X-ABLabel:Fediverse"), "{ada}");

    // 2. A card made on the client appears in the document, under the client's href and UID.
    let created = run_client(&server, &account, &state, json!([{ "create": { "filename": "client-grace.vcf", "vcard": GRACE } }])).await?;
    assert_eq!(created["pushed"][0]["status"], 201, "{created}");
    let grace_url = card_url(&created, "FN:Grace Hopper")?;
    assert!(grace_url.ends_with("/client-grace.vcf"), "{grace_url}");
    let grace_card = card_text(&created, &grace_url);
    assert!(grace_card.contains("UID:client-uid-grace"), "{grace_card}");
    assert!(grace_card.contains("X-CUSTOM-THING:keep me"), "{grace_card}");
    assert!(grace_card.contains("X-ABLabel:Navy office"), "{grace_card}");
    device.wait_until("Grace from the CardDAV client", |d| crdt_model::load(d).doc.contacts.values().any(|c| c.name.display == "Grace Hopper")).await?;
    let doc = crdt_model::load(&device.doc).doc;
    let grace = contact_named(&doc, "Grace Hopper")?;
    let grace_id = grace.id;
    assert_eq!(grace.dav_href, "client-grace.vcf");
    assert!(grace.phones.values().any(|p| p.value == "+1 555 0100" && p.label == "Navy office"), "{:?}", grace.phones);
    assert!(grace.related_names.values().any(|r| r.name == "Vincent"), "{:?}", grace.related_names);
    assert_eq!(doc.contacts.len(), 4);

    // 3. An edit on the client updates the same contact, never a second one.
    let edited = grace_card.replace("FN:Grace Hopper", "FN:Grace Brewster Hopper").replace("END:VCARD", "EMAIL;TYPE=INTERNET:grace@navy.example\nEND:VCARD");
    let after_edit = run_client(&server, &account, &state, json!([{ "edit": { "url": grace_url, "vcard": edited } }])).await?;
    assert_eq!(after_edit["pushed"][0]["status"], 204, "{after_edit}");
    device.wait_until("Grace's new name", |d| crdt_model::load(d).doc.contacts.values().any(|c| c.name.display == "Grace Brewster Hopper")).await?;
    let doc = crdt_model::load(&device.doc).doc;
    let grace = contact_named(&doc, "Grace Brewster Hopper")?;
    assert_eq!(grace.id, grace_id, "the edit landed on the same contact");
    assert!(grace.emails.values().any(|e| e.value == "grace@navy.example"));
    assert_eq!(doc.contacts.len(), 4, "no duplicate");
    assert_eq!(strings(&after_edit["changed"]), vec![grace_url.clone()], "the client fetches Kith's rendering of its edit");

    // 4. An edit over /sync reaches the client on its next sync, with a new ETag.
    let charles_url = card_url(&after_edit, "FN:Charles Babbage")?;
    let old_etag = after_edit["cards"][&charles_url]["etag"].clone();
    let charles = contact_named(&doc, "Charles Babbage")?.id;
    let patch = crdt_model::ContactPatch { nickname: Some("Difference Engine".into()), ..Default::default() };
    crdt_model::update_contact(&mut device.doc, charles, patch, chrono::Utc::now())?;
    device.sync().await?;
    let pulled = run_client(&server, &account, &state, json!([])).await?;
    assert_eq!(strings(&pulled["changed"]), vec![charles_url.clone()], "{pulled}");
    assert_eq!(pulled["fetched"], 1);
    assert_ne!(pulled["cards"][&charles_url]["etag"], old_etag);
    assert!(card_text(&pulled, &charles_url).contains("NICKNAME:Difference Engine"));

    // 5. A delete on the client archives the contact; nothing is destroyed.
    let mary_url = card_url(&pulled, "FN:Mary Somerville")?;
    let deleted = run_client(&server, &account, &state, json!([{ "delete": { "url": mary_url } }])).await?;
    assert_eq!(deleted["pushed"][0]["status"], 204, "{deleted}");
    assert_eq!(strings(&deleted["deleted"]), vec![mary_url.clone()], "{deleted}");
    device.wait_until("Mary archived", |d| crdt_model::load(d).doc.contacts.values().any(|c| c.name.display == "Mary Somerville" && c.archived)).await?;
    assert_eq!(crdt_model::load(&device.doc).doc.contacts.len(), 4, "archived, not deleted");

    // 6. Syncing again with no changes transfers nothing.
    for _ in 0..2 {
        let idle = run_client(&server, &account, &state, json!([])).await?;
        assert_eq!(idle["fetched"], 0, "{idle}");
        assert!(strings(&idle["changed"]).is_empty() && strings(&idle["deleted"]).is_empty(), "{idle}");
        assert_eq!(client_cards(&idle).len(), 3);
    }
    Ok(())
}

#[tokio::test]
async fn a_card_with_fields_kith_does_not_model_survives_kith_client_kith_client() -> anyhow::Result<()> {
    let server = TestServer::start().await?;
    let account = DavAccount::create(&server, "carddav-unmodeled").await?;
    seed(&server, &account).await?;
    let dir = tempfile::tempdir()?;
    let state = dir.path().join("client-state.json");

    // Kith → client.
    let first = run_client(&server, &account, &state, json!([])).await?;
    let ada_url = card_url(&first, "FN:Ada Lovelace")?;
    let ada = card_text(&first, &ada_url);
    // Client → Kith: the phone writes the card back as it has it.
    let back = run_client(&server, &account, &state, json!([{ "edit": { "url": ada_url, "vcard": ada } }])).await?;
    assert_eq!(back["pushed"][0]["status"], 204, "{back}");
    // Kith → client again: the very same card.
    let again = run_client(&server, &account, &state, json!([])).await?;
    assert_eq!(card_text(&again, &ada_url), ada, "the card changed on its way through Kith");
    assert_eq!(again["cards"][&ada_url]["etag"], first["cards"][&ada_url]["etag"]);

    // The same for a card the client made, with a line only it knows.
    let made = run_client(&server, &account, &state, json!([{ "create": { "filename": "g.vcf", "vcard": GRACE } }])).await?;
    let grace_url = card_url(&made, "FN:Grace Hopper")?;
    let grace = card_text(&made, &grace_url);
    assert!(grace.contains("X-CUSTOM-THING:keep me"), "{grace}");
    run_client(&server, &account, &state, json!([{ "edit": { "url": grace_url, "vcard": grace } }])).await?;
    let after = run_client(&server, &account, &state, json!([])).await?;
    assert_eq!(card_text(&after, &grace_url), grace);
    Ok(())
}
