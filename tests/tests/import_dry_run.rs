//! `POST /api/v1/import?dry_run=true` through the real server: the same report as the
//! import, naming the existing people it would update, and the document untouched (same
//! heads; a connected device receives nothing).

use automerge::ChangeHash;
use kith_tests::{unique_email, TestServer};
use serde_json::Value;
use sync_server::ids::DocId;

const PASSWORD: &str = "correct horse battery staple";

const FIRST: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:dry-ada\r\nFN:Ada Lovelace\r\nEMAIL:ada@example.org\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:3.0\r\nUID:dry-bob\r\nFN:Bob Babbage\r\nEND:VCARD\r\n";

/// Ada gains a phone number (updated), Bob is as before (unchanged), Cy is new, one card is broken.
const SECOND: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:dry-ada\r\nFN:Ada Lovelace\r\nEMAIL:ada@example.org\r\nTEL:+44 20 7946 0000\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:3.0\r\nUID:dry-bob\r\nFN:Bob Babbage\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:3.0\r\nUID:dry-cy\r\nFN:Cy Cyclops\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n";

async fn import(server: &TestServer, token: &str, query: &str, body: &str) -> anyhow::Result<(u16, Value)> {
    let r = server
        .http()
        .post(server.url(&format!("/api/v1/import{query}")))
        .bearer_auth(token)
        .header("content-type", "text/vcard")
        .body(body.to_owned())
        .send()
        .await?;
    Ok((r.status().as_u16(), r.json().await?))
}

async fn heads(server: &TestServer, doc: DocId) -> anyhow::Result<Vec<ChangeHash>> {
    Ok(server.state.hub.read_doc(doc, |d| d.get_heads()).await?)
}

#[tokio::test]
async fn a_dry_run_reports_the_import_and_changes_nothing() -> anyhow::Result<()> {
    let server = TestServer::start().await?;
    let (token, doc) = server.signup(&unique_email("dry"), PASSWORD).await?;
    let doc: DocId = doc.parse().map_err(|_| anyhow::anyhow!("bad doc id"))?;
    let (status, first) = import(&server, &token, "", FIRST).await?;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["created"], 2);
    let ada_id = {
        let loaded = server.state.hub.read_doc(doc, crdt_model::load).await?;
        loaded.doc.contacts.values().find(|c| c.name.display == "Ada Lovelace").map(|c| c.id.to_string())
    }
    .ok_or_else(|| anyhow::anyhow!("Ada was not imported"))?;

    let before = heads(&server, doc).await?;
    let (status, preview) = import(&server, &token, "?dry_run=true", SECOND).await?;
    assert_eq!(status, 200, "{preview}");
    assert_eq!((preview["created"].clone(), preview["updated"].clone(), preview["unchanged"].clone()), (1.into(), 1.into(), 1.into()), "{preview}");
    assert_eq!(preview["errors"].as_array().map(Vec::len), Some(1), "{preview}");
    assert_eq!(preview["updated_people"], serde_json::json!([{ "contact_id": ada_id, "name": "Ada Lovelace" }]));
    assert_eq!(heads(&server, doc).await?, before, "a dry run changes nothing");
    let names: Vec<String> = server.state.hub.read_doc(doc, crdt_model::load).await?.doc.contacts.values().map(|c| c.name.display.clone()).collect();
    assert!(!names.iter().any(|n| n == "Cy Cyclops"), "{names:?}");

    // The real import then does what the preview said.
    let (status, applied) = import(&server, &token, "?dry_run=false", SECOND).await?;
    assert_eq!(status, 200, "{applied}");
    for key in ["created", "updated", "unchanged", "errors", "updated_people"] {
        assert_eq!(applied[key], preview[key], "{key}");
    }
    assert_ne!(heads(&server, doc).await?, before);

    // A malformed flag is a clear 400, not an import.
    let after = heads(&server, doc).await?;
    let (status, body) = import(&server, &token, "?dry_run=maybe", SECOND).await?;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "bad_query");
    assert_eq!(heads(&server, doc).await?, after);
    Ok(())
}
