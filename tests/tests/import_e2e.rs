//! Import and export over HTTP against the real server: idempotent imports, broken cards,
//! limits that refuse without applying anything, live delivery to a connected device, and
//! exports that import back into a fresh account.

use automerge::ChangeHash;
use kith_tests::client::{contact_names, Device};
use kith_tests::{unique_email, TestServer};
use reqwest::StatusCode;
use serde_json::Value;
use sync_server::ids::DocId;

const PASSWORD: &str = "correct horse battery staple";

const FIXTURES: &[(&str, &str)] = &[
    ("iphone_3.0.vcf", "text/vcard"),
    ("android_2.1.vcf", "text/x-vcard"),
    ("google.vcf", "text/vcard; charset=utf-8"),
    ("v4.vcf", "text/vcard"),
    ("ten_cards_three_broken.vcf", "text/vcard"),
    ("google.csv", "text/csv"),
    ("google_old.csv", "text/csv; charset=utf-8"),
    ("outlook.csv", "text/csv"),
];

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../crdt-model/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

struct Account {
    token: String,
    doc: String,
}

async fn account(server: &TestServer, prefix: &str) -> anyhow::Result<Account> {
    let (token, doc) = server.signup(&unique_email(prefix), PASSWORD).await?;
    Ok(Account { token, doc })
}

async fn import(server: &TestServer, a: &Account, content_type: &str, body: Vec<u8>) -> anyhow::Result<(StatusCode, Value)> {
    let response = server
        .http()
        .post(server.url("/api/v1/import"))
        .bearer_auth(&a.token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await?;
    let status = response.status();
    Ok((status, response.json().await?))
}

async fn heads(server: &TestServer, a: &Account) -> anyhow::Result<Vec<ChangeHash>> {
    let doc: DocId = a.doc.parse().map_err(|_| anyhow::anyhow!("bad doc id"))?;
    Ok(server.state.hub.read_doc(doc, |d| d.get_heads()).await?)
}

async fn get(server: &TestServer, a: &Account, path: &str) -> anyhow::Result<reqwest::Response> {
    Ok(server.http().get(server.url(path)).bearer_auth(&a.token).send().await?)
}

fn count(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("no {key} in {v}"))
}

#[tokio::test]
async fn every_fixture_imported_twice_changes_nothing_the_second_time() -> anyhow::Result<()> {
    let server = TestServer::start().await?;
    for (name, content_type) in FIXTURES {
        let a = account(&server, "twice").await?;
        let (status, first) = import(&server, &a, content_type, fixture(name)).await?;
        assert_eq!(status, StatusCode::OK, "{name}: {first}");
        assert!(count(&first, "created") > 0, "{name}: {first}");
        let after_first = heads(&server, &a).await?;
        let (status, second) = import(&server, &a, content_type, fixture(name)).await?;
        assert_eq!(status, StatusCode::OK, "{name}: {second}");
        assert_eq!(count(&second, "created"), 0, "{name}: {second}");
        assert_eq!(count(&second, "updated"), 0, "{name}: {second}");
        assert_eq!(count(&second, "unchanged"), count(&first, "created") + count(&first, "updated") + count(&first, "unchanged"));
        assert_eq!(heads(&server, &a).await?, after_first, "{name}: the second import changed the document");
    }
    Ok(())
}

#[tokio::test]
async fn ten_cards_with_three_broken_import_seven_and_report_where_the_others_are() -> anyhow::Result<()> {
    let server = TestServer::start().await?;
    let a = account(&server, "broken").await?;
    let (status, report) = import(&server, &a, "text/vcard", fixture("ten_cards_three_broken.vcf")).await?;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(count(&report, "created"), 7);
    let errors: Vec<(u64, u64)> = report["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| (e["index"].as_u64().expect("index"), e["line"].as_u64().expect("line")))
        .collect();
    assert_eq!(errors, vec![(1, 8), (4, 26), (7, 44)], "{report}");
    assert!(report["errors"].as_array().expect("errors").iter().all(|e| !e["message"].as_str().unwrap_or("").is_empty()));
    Ok(())
}

fn assert_error(status: StatusCode, body: &Value, want: StatusCode, code: &str) {
    assert_eq!(status, want, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
}

#[tokio::test]
async fn refused_imports_apply_nothing() -> anyhow::Result<()> {
    let server = TestServer::start().await?;
    let a = account(&server, "limits").await?;
    let (status, _) = import(&server, &a, "text/vcard", fixture("iphone_3.0.vcf")).await?;
    assert_eq!(status, StatusCode::OK);
    let before = heads(&server, &a).await?;

    // Over 20 MiB: one valid card, then padding.
    let mut big = fixture("google.vcf");
    big.resize(20 * 1024 * 1024 + 1, b'\n');
    let (status, body) = import(&server, &a, "text/vcard", big).await?;
    assert_error(status, &body, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");

    // Over 50,000 cards (small ones, well under 20 MiB).
    let mut many = String::new();
    for i in 0..50_001 {
        many.push_str(&format!("BEGIN:VCARD\nVERSION:3.0\nFN:P{i}\nEND:VCARD\n"));
    }
    assert!(many.len() < 20 * 1024 * 1024);
    let (status, body) = import(&server, &a, "text/vcard", many.into_bytes()).await?;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "too_many_contacts");

    for content_type in ["application/json", "text/plain", ""] {
        let (status, body) = import(&server, &a, content_type, fixture("google.vcf")).await?;
        assert_error(status, &body, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    }
    let (status, body) = import(&server, &a, "text/vcard", b"just some text".to_vec()).await?;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "not_vcard");
    let (status, body) = import(&server, &a, "text/csv", b"foo,bar\n1,2\n".to_vec()).await?;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "not_csv");

    assert_eq!(heads(&server, &a).await?, before, "a refused import changed the document");
    let unauthenticated = server
        .http()
        .post(server.url("/api/v1/import"))
        .header("content-type", "text/vcard")
        .body(fixture("google.vcf"))
        .send()
        .await?;
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);
    Ok(())
}

#[tokio::test]
async fn a_connected_device_receives_imported_contacts_live() -> anyhow::Result<()> {
    let server = TestServer::start().await?;
    let a = account(&server, "live").await?;
    let mut phone = Device::new(&a.doc);
    phone.connect(&server.ws_url("/sync"), &a.token).await?;
    phone.sync().await?;
    assert!(phone.contact_names().is_empty());
    let (status, report) = import(&server, &a, "text/x-vcard", fixture("android_2.1.vcf")).await?;
    assert_eq!(status, StatusCode::OK, "{report}");
    phone
        .wait_until("the imported contacts", |d| contact_names(d).iter().any(|n| n == "王小明"))
        .await?;
    assert_eq!(phone.contact_names().len() as u64, count(&report, "created"));
    assert!(phone.contact_names().contains(&"Пётр Сергеевич Иванов — старый друг".to_string()));
    Ok(())
}

/// What must survive an export and re-import: names, emails, phones, labels, birthdays.
fn summary(export: &Value) -> Vec<String> {
    let mut out: Vec<String> = export["contacts"]
        .as_object()
        .expect("contacts")
        .values()
        .filter(|c| c["mergedInto"].is_null())
        .map(|c| {
            let entries = |key: &str| {
                let mut v: Vec<String> = c[key]
                    .as_object()
                    .expect("entries")
                    .values()
                    .map(|e| format!("{}={}", e["label"], e["value"]))
                    .collect();
                v.sort();
                v.join(",")
            };
            format!(
                "{} | {} | {} | {} | {}",
                c["name"],
                entries("emails"),
                entries("phones"),
                c["birthday"],
                c["tags"]
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn export_vcf_imports_into_a_fresh_account_as_the_same_contacts() -> anyhow::Result<()> {
    let server = TestServer::start().await?;
    let a = account(&server, "exporter").await?;
    for (name, content_type) in FIXTURES {
        let (status, body) = import(&server, &a, content_type, fixture(name)).await?;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
    }
    let response = get(&server, &a, "/api/v1/export.vcf").await?;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"].to_str()?.starts_with("text/vcard"));
    assert!(response.headers()["content-disposition"].to_str()?.starts_with("attachment"));
    let vcf = response.bytes().await?.to_vec();
    let text = String::from_utf8(vcf.clone())?;
    assert!(text.contains("VERSION:3.0") && text.contains("PHOTO;ENCODING=b;TYPE=JPEG:"), "photos are included");

    let b = account(&server, "importer").await?;
    let (status, report) = import(&server, &b, "text/vcard", vcf).await?;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["errors"], Value::Array(vec![]), "{report}");

    let export_a: Value = get(&server, &a, "/api/v1/export.json").await?.json().await?;
    let export_b: Value = get(&server, &b, "/api/v1/export.json").await?.json().await?;
    assert_eq!(summary(&export_b), summary(&export_a));
    assert!(!summary(&export_a).is_empty());
    Ok(())
}

#[tokio::test]
async fn export_json_contains_everything() -> anyhow::Result<()> {
    let server = TestServer::start().await?;
    let a = account(&server, "json").await?;
    let mut phone = Device::new(&a.doc);
    phone.connect(&server.ws_url("/sync"), &a.token).await?;
    phone.sync().await?;
    let (status, _) = import(&server, &a, "text/vcard", fixture("iphone_3.0.vcf")).await?;
    assert_eq!(status, StatusCode::OK);
    phone.wait_until("the import", |d| !contact_names(d).is_empty()).await?;
    // A device logs an interaction and writes a note, as a phone would.
    let contact = crdt_model::load(&phone.doc).doc.contacts.keys().next().copied().expect("a contact");
    let now = chrono::Utc::now();
    let draft = crdt_model::InteractionDraft {
        contact_ids: vec![contact],
        kind: crdt_model::InteractionKind::Meeting,
        at: now,
        note: "coffee".into(),
    };
    let interaction = crdt_model::log_interaction(&mut phone.doc, draft, now)?;
    let note = crdt_model::add_note(&mut phone.doc, contact, "remember the bakery", now)?;
    crdt_model::update_settings(&mut phone.doc, Some("Europe/Berlin"), Some(8), None, now)?;
    phone.sync().await?;

    let response = get(&server, &a, "/api/v1/export.json").await?;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-disposition"].to_str()?.contains("kith-export.json"));
    let json: Value = response.json().await?;
    assert_eq!(json["settings"]["timezone"], "Europe/Berlin");
    assert_eq!(json["settings"]["reminderHour"], 8);
    assert_eq!(json["contacts"].as_object().expect("contacts").len(), 3);
    assert_eq!(json["interactions"][interaction.to_string()]["note"], "coffee");
    assert_eq!(json["notes"][note.to_string()]["body"], "remember the bakery");
    assert_eq!(json["notes"][note.to_string()]["contactId"], contact.to_string());
    let johnny = &json["contacts"].as_object().expect("contacts").values().find(|c| c["name"]["given"] == "Johnny").cloned().expect("Johnny");
    assert_eq!(johnny["birthday"]["year"], Value::Null);
    assert!(johnny["photo"]["bytes"].as_str().is_some_and(|b| !b.is_empty()));
    assert!(json["notes"].as_object().expect("notes").values().any(|n| n["body"] == "Met at WWDC, 2019.\nLikes coffee."), "a card's NOTE is a note");
    Ok(())
}

#[tokio::test]
async fn duplicates_are_listed_and_merged() -> anyhow::Result<()> {
    let server = TestServer::start().await?;
    let a = account(&server, "dups").await?;
    let one = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Sam Lee\r\nEMAIL:sam@one.example\r\nEND:VCARD\r\n";
    let two = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Sam Lee\r\nEMAIL:sam@two.example\r\nEND:VCARD\r\n";
    import(&server, &a, "text/vcard", one.into()).await?;
    let (_, report) = import(&server, &a, "text/vcard", two.into()).await?;
    assert_eq!(report["merge_suggestions"].as_array().expect("suggestions").len(), 1, "{report}");

    let list: Value = get(&server, &a, "/api/v1/duplicates").await?.json().await?;
    let suggestions = list["suggestions"].as_array().expect("suggestions");
    assert_eq!(suggestions.len(), 1, "{list}");
    assert_eq!(suggestions[0]["reasons"], serde_json::json!(["name"]));
    let (keep, dup) = (suggestions[0]["contact_id"].as_str().expect("id"), suggestions[0]["duplicate_id"].as_str().expect("id"));

    let merge = |id: String, body: Value| {
        server.http().post(server.url(&format!("/api/v1/contacts/{id}/merge"))).bearer_auth(&a.token).json(&body).send()
    };
    let response = merge(keep.to_owned(), serde_json::json!({ "duplicate_id": dup })).await?;
    assert_eq!(response.status(), StatusCode::OK);
    let list: Value = get(&server, &a, "/api/v1/duplicates").await?.json().await?;
    assert_eq!(list["suggestions"], Value::Array(vec![]));
    let export: Value = get(&server, &a, "/api/v1/export.json").await?.json().await?;
    let kept = &export["contacts"][keep];
    assert_eq!(kept["emails"].as_object().expect("emails").len(), 2, "the duplicate's email moved over");
    assert_eq!(export["contacts"][dup]["mergedInto"], keep);

    let again = merge(keep.to_owned(), serde_json::json!({ "duplicate_id": dup })).await?;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let missing = merge(uuid::Uuid::new_v4().to_string(), serde_json::json!({ "duplicate_id": keep })).await?;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let bad = merge("not-a-uuid".into(), serde_json::json!({ "duplicate_id": keep })).await?;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    Ok(())
}
