//! Import limits over HTTP (issue 12): a 10 MiB note is cut to the note limit and the
//! document never holds more; too many cards, too much note text and a spent time budget
//! are clear 422s that apply nothing.

use automerge::ChangeHash;
use kith_tests::{unique_email, TestServer};
use reqwest::StatusCode;
use serde_json::Value;
use sync_server::ids::DocId;

const PASSWORD: &str = "correct horse battery staple";

async fn import(server: &TestServer, token: &str, content_type: &str, body: Vec<u8>) -> anyhow::Result<(StatusCode, Value)> {
    let response = server
        .http()
        .post(server.url("/api/v1/import"))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await?;
    Ok((response.status(), response.json().await?))
}

async fn heads(server: &TestServer, doc: &str) -> anyhow::Result<Vec<ChangeHash>> {
    let doc: DocId = doc.parse().map_err(|_| anyhow::anyhow!("bad doc id"))?;
    Ok(server.state.hub.read_doc(doc, |d| d.get_heads()).await?)
}

fn assert_refused(status: StatusCode, body: &Value, code: &str) {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
}

#[tokio::test]
async fn a_ten_mib_note_is_cut_and_the_document_never_holds_more() -> anyhow::Result<()> {
    let server = TestServer::start().await?;
    let (token, doc) = server.signup(&unique_email("note"), PASSWORD).await?;
    let csv = format!("Name,Notes\nAnn,\"{}\"\n", "n".repeat(10 * 1024 * 1024));
    let (status, report) = import(&server, &token, "text/csv", csv.into_bytes()).await?;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["created"], 1, "{report}");
    assert!(report["warnings"].to_string().contains("note"), "{report}");
    let doc_id: DocId = doc.parse().map_err(|_| anyhow::anyhow!("bad doc id"))?;
    let longest = server
        .state
        .hub
        .read_doc(doc_id, |d| crdt_model::load(d).doc.notes.values().map(|n| n.body.as_str().chars().count()).max())
        .await?;
    assert_eq!(longest, Some(10_000));
    Ok(())
}

#[tokio::test]
async fn files_past_the_configured_limits_are_refused_and_apply_nothing() -> anyhow::Result<()> {
    let server = TestServer::start_with(|c| {
        c.import_max_cards = 3;
        c.import_max_note_text = 100;
    })
    .await?;
    let (token, doc) = server.signup(&unique_email("limits"), PASSWORD).await?;
    let before = heads(&server, &doc).await?;

    let cards: String = (0..4).map(|i| format!("BEGIN:VCARD\r\nFN:P{i}\r\nEND:VCARD\r\n")).collect();
    let (status, body) = import(&server, &token, "text/vcard", cards.into_bytes()).await?;
    assert_refused(status, &body, "too_many_contacts");
    let rows: String = (0..4).map(|i| format!("P{i},x\n")).collect();
    let (status, body) = import(&server, &token, "text/csv", format!("Name,Notes\n{rows}").into_bytes()).await?;
    assert_refused(status, &body, "too_many_contacts");

    let notes: String = (0..3).map(|i| format!("BEGIN:VCARD\r\nFN:P{i}\r\nNOTE:{}\r\nEND:VCARD\r\n", "n".repeat(40))).collect();
    let (status, body) = import(&server, &token, "text/vcard", notes.into_bytes()).await?;
    assert_refused(status, &body, "notes_too_large");

    assert_eq!(heads(&server, &doc).await?, before, "a refused file changed the document");
    Ok(())
}

#[tokio::test]
async fn an_import_past_its_time_budget_is_refused() -> anyhow::Result<()> {
    // A budget of zero is spent before the first card: the deadline is checked as it goes.
    let server = TestServer::start_with(|c| c.import_timeout_secs = 0).await?;
    let (token, doc) = server.signup(&unique_email("slow"), PASSWORD).await?;
    let before = heads(&server, &doc).await?;
    let (status, body) = import(&server, &token, "text/vcard", b"BEGIN:VCARD\r\nFN:A\r\nEND:VCARD\r\n".to_vec()).await?;
    assert_refused(status, &body, "import_too_slow");
    assert_eq!(heads(&server, &doc).await?, before);
    Ok(())
}
