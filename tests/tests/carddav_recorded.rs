//! The request sequences iOS Contacts (dataaccessd) and Android's DAVx5 send, replayed in
//! their recorded shapes (prefixes, property lists, empty and old sync tokens, batched
//! multigets, conditional PUT/DELETE) against the real server, plus hostile bodies.
//! Shapes follow what server projects' issue trackers and client notes show these clients
//! sending (sabre/dav's iOS notes, Monica/sabre/Cyrus issues quoting DAVx5 and iOS REPORTs).

use std::time::Duration;

use kith_tests::dav::{card_hrefs, dav, element, hrefs, DavAccount};
use kith_tests::eventually::{eventually, Probe};
use kith_tests::TestServer;
use reqwest::StatusCode;
use sync_server::store::ChunkKind;

async fn seed(server: &TestServer, account: &DavAccount, n: usize) -> anyhow::Result<()> {
    let mut file = String::new();
    for i in 0..n {
        file.push_str(&format!("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person {i}\r\nN:{i};Person;;;\r\nEMAIL:p{i}@example.com\r\nUID:seed-{i}\r\nEND:VCARD\r\n"));
    }
    let r = server.http().post(server.url("/api/v1/import")).bearer_auth(&account.token).header("content-type", "text/vcard").body(file).send().await?;
    anyhow::ensure!(r.status() == StatusCode::OK, "import: {}", r.text().await?);
    Ok(())
}

/// Changes one contact's nickname the way a device would (through the hub).
async fn edit_over_sync(server: &TestServer, account: &DavAccount, display: &str, nickname: &str) -> anyhow::Result<()> {
    let (display, nickname) = (display.to_owned(), nickname.to_owned());
    server
        .state
        .hub
        .change_doc(account.doc_id()?, move |doc| {
            let id = crdt_model::load(&*doc).doc.contacts.values().find(|c| c.name.display == display).map(|c| c.id);
            let patch = crdt_model::ContactPatch { nickname: Some(nickname), ..Default::default() };
            id.map(|id| crdt_model::update_contact(doc, id, patch, chrono::Utc::now()))
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("no such contact"))??;
    Ok(())
}

const IOS_HOME_PROPFIND: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<A:propfind xmlns:A="DAV:">
  <A:prop>
    <A:add-member/>
    <E:bulk-requests xmlns:E="http://me.com/_namespace/"/>
    <A:current-user-privilege-set/>
    <A:displayname/>
    <D:max-image-size xmlns:D="urn:ietf:params:xml:ns:carddav"/>
    <D:max-resource-size xmlns:D="urn:ietf:params:xml:ns:carddav"/>
    <C:me-card xmlns:C="http://calendarserver.org/ns/"/>
    <A:owner/>
    <C:push-transports xmlns:C="http://calendarserver.org/ns/"/>
    <A:quota-available-bytes/>
    <A:resource-id/>
    <A:resourcetype/>
    <A:supported-report-set/>
    <A:sync-token/>
  </A:prop>
</A:propfind>"#;

fn ios_sync(token: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<A:sync-collection xmlns:A="DAV:">
  <A:sync-token>{token}</A:sync-token>
  <A:sync-level>1</A:sync-level>
  <A:prop>
    <A:getetag/>
  </A:prop>
</A:sync-collection>"#
    )
}

fn multiget(prefix_decl: &str, hrefs: &[String]) -> String {
    let list: String = hrefs.iter().map(|h| format!("<D:href>{h}</D:href>")).collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"{prefix_decl}>
  <D:prop><D:getetag/><C:address-data/></D:prop>{list}</C:addressbook-multiget>"#
    )
}

#[tokio::test]
async fn ios_contacts_discovers_syncs_and_survives_an_old_token_after_compaction() -> anyhow::Result<()> {
    let server = TestServer::start().await?;
    let account = DavAccount::create(&server, "ios").await?;
    seed(&server, &account, 3).await?;
    let auth = Some((account.email.as_str(), account.app_password.as_str()));

    // Discovery: iOS asks the server root for the principal, then the principal for the home.
    let principal_q = r#"<?xml version="1.0" encoding="UTF-8"?><A:propfind xmlns:A="DAV:"><A:prop><A:current-user-principal/><A:principal-URL/><A:resourcetype/></A:prop></A:propfind>"#;
    let (status, _, body) = dav(&server, "PROPFIND", "/", auth, &[("depth", "0")], principal_q).await?;
    assert_eq!(status, StatusCode::MULTI_STATUS, "{body}");
    let principal = element(&body, "d:current-user-principal").map(|e| hrefs(&e)).unwrap_or_default().pop().unwrap_or_default();
    assert!(principal.starts_with("/dav/principals/"), "{body}");
    let home_q = r#"<?xml version="1.0" encoding="UTF-8"?><A:propfind xmlns:A="DAV:"><A:prop><B:addressbook-home-set xmlns:B="urn:ietf:params:xml:ns:carddav"/><A:displayname/><A:principal-collection-set/></A:prop></A:propfind>"#;
    let (status, _, body) = dav(&server, "PROPFIND", &principal, auth, &[("depth", "0")], home_q).await?;
    assert_eq!(status, StatusCode::MULTI_STATUS, "{body}");
    let home = element(&body, "card:addressbook-home-set").map(|e| hrefs(&e)).unwrap_or_default().pop().unwrap_or_default();
    assert!(home.starts_with("/dav/addressbooks/"), "{body}");

    // The home, depth 1: exactly one address book; properties iOS asks for that Kith does
    // not have are answered 404 in their own propstat.
    let (status, _, body) = dav(&server, "PROPFIND", &home, auth, &[("depth", "1")], IOS_HOME_PROPFIND).await?;
    assert_eq!(status, StatusCode::MULTI_STATUS, "{body}");
    let books: Vec<String> = hrefs(&body).into_iter().filter(|h| h != &home && h.starts_with(&home)).filter(|h| !h.contains("principals")).collect();
    assert_eq!(books.len(), 1, "{body}");
    let book = books[0].clone();
    assert!(body.contains("<card:addressbook/>") && body.contains("<d:sync-collection/>"), "{body}");
    assert!(body.contains("HTTP/1.1 404 Not Found") && body.contains("bulk-requests"), "{body}");

    // getctag + sync-token on the book, then a first sync with an empty token.
    let ctag_q = r#"<?xml version="1.0" encoding="UTF-8"?><A:propfind xmlns:A="DAV:"><A:prop><C:getctag xmlns:C="http://calendarserver.org/ns/"/><A:sync-token/></A:prop></A:propfind>"#;
    let (_, _, body) = dav(&server, "PROPFIND", &book, auth, &[("depth", "0")], ctag_q).await?;
    let ctag = element(&body, "cs:getctag").unwrap_or_default();
    assert!(!ctag.is_empty(), "{body}");
    let (status, _, body) = dav(&server, "REPORT", &book, auth, &[("depth", "1")], ios_sync("")).await?;
    assert_eq!(status, StatusCode::MULTI_STATUS, "{body}");
    let cards = card_hrefs(&body);
    assert_eq!(cards.len(), 3, "{body}");
    let first_token = element(&body, "d:sync-token").unwrap_or_default();
    let (status, _, body) = dav(&server, "REPORT", &book, auth, &[("depth", "1")], multiget("", &cards)).await?;
    assert_eq!(status, StatusCode::MULTI_STATUS);
    assert_eq!(body.matches("BEGIN:VCARD").count(), 3, "{body}");

    // A card created on the phone: iOS PUTs to a name of its own with If-None-Match: *.
    let new_href = format!("{book}8E3A2B1C-7F4D-4E5A-9B6C-0D1E2F3A4B5C.vcf");
    let card = "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS 17.4//EN\r\nN:Lamarr;Hedy;;;\r\nFN:Hedy Lamarr\r\nUID:8E3A2B1C-7F4D-4E5A-9B6C-0D1E2F3A4B5C\r\nEND:VCARD\r\n";
    let headers = [("content-type", "text/vcard; charset=utf-8"), ("if-none-match", "*")];
    let (status, _, _) = dav(&server, "PUT", &new_href, auth, &headers, card).await?;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _, _) = dav(&server, "PUT", &new_href, auth, &headers, card).await?;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "If-None-Match: * on an existing card");
    // The same UID at another href would be a duplicate: refused.
    let (status, _, body) = dav(&server, "PUT", &format!("{book}other.vcf"), auth, &headers, card).await?;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("no-uid-conflict"), "{body}");

    // Enough edits over /sync that the document is compacted; then a restart, so the
    // document comes back from the compacted snapshot.
    for i in 0..20 {
        edit_over_sync(&server, &account, "Person 1", &format!("nick {i}")).await?;
    }
    let store = server.state.store.clone();
    let doc = account.doc_id()?;
    eventually("the document to be compacted", Duration::from_secs(10), || {
        let store = store.clone();
        async move {
            let chunks = store.load_chunks(doc).await?;
            let snapshots = chunks.iter().filter(|c| c.kind == ChunkKind::Snapshot).count();
            // 20+ writes since the token; a few chunks left means they were folded into a snapshot.
            Ok(Probe::when(snapshots >= 1 && chunks.len() < 10, format!("{} chunks, {snapshots} snapshots", chunks.len())))
        }
    })
    .await?;
    let server = server.restart().await?;

    // The token from before all that still names heads the document has: the sync reports
    // exactly what changed since — the edited card and the phone's own card.
    let (status, _, body) = dav(&server, "REPORT", &book, auth, &[("depth", "1")], ios_sync(&first_token)).await?;
    assert_eq!(status, StatusCode::MULTI_STATUS, "{body}");
    let mut changed = card_hrefs(&body);
    changed.sort();
    assert_eq!(changed.len(), 2, "{body}");
    assert!(changed.contains(&new_href), "{body}");
    let (_, _, got) = dav(&server, "REPORT", &book, auth, &[], multiget("", &changed)).await?;
    assert!(got.contains("NICKNAME:nick 19"), "{got}");
    // A token the document never had: 403 with DAV:valid-sync-token, so the phone starts over.
    let bogus = format!("urn:kith:sync:{}", "ab".repeat(32));
    for token in [bogus.as_str(), "http://sabre.io/ns/sync/12", "b905a5fd-ce23-4190-9be3-236969d071a8"] {
        let (status, _, body) = dav(&server, "REPORT", &book, auth, &[("depth", "1")], ios_sync(token)).await?;
        assert_eq!(status, StatusCode::FORBIDDEN, "{token}: {body}");
        assert!(body.contains("valid-sync-token"), "{body}");
    }
    // Nothing changed since the newest token: an empty answer.
    let token = element(&body_of_sync(&server, &book, auth, &first_token).await?, "d:sync-token").unwrap_or_default();
    let (_, _, body) = dav(&server, "REPORT", &book, auth, &[("depth", "1")], ios_sync(&token)).await?;
    assert!(card_hrefs(&body).is_empty(), "{body}");
    Ok(())
}

async fn body_of_sync(server: &TestServer, book: &str, auth: Option<(&str, &str)>, token: &str) -> anyhow::Result<String> {
    Ok(dav(server, "REPORT", book, auth, &[("depth", "1")], ios_sync(token)).await?.2)
}

fn davx5_sync(token: &str, limit: Option<usize>) -> String {
    let token = if token.is_empty() { "<sync-token/>".to_owned() } else { format!("<sync-token>{token}</sync-token>") };
    let limit = limit.map(|n| format!("<limit><nresults>{n}</nresults></limit>")).unwrap_or_default();
    format!(
        r#"<?xml version='1.0' encoding='UTF-8' ?><sync-collection xmlns="DAV:" xmlns:CARD="urn:ietf:params:xml:ns:carddav">{token}<sync-level>1</sync-level>{limit}<prop><getetag /></prop></sync-collection>"#
    )
}

#[tokio::test]
async fn davx5_discovers_syncs_in_batches_and_writes_conditionally() -> anyhow::Result<()> {
    let server = TestServer::start().await?;
    let account = DavAccount::create(&server, "davx5").await?;
    seed(&server, &account, 25).await?;
    let auth = Some((account.email.as_str(), account.app_password.as_str()));
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;

    // RFC 6764: the well-known URL redirects to the context path.
    let r = no_redirects
        .request(reqwest::Method::from_bytes(b"PROPFIND")?, server.url("/.well-known/carddav"))
        .basic_auth(&account.email, Some(&account.app_password))
        .send()
        .await?;
    assert_eq!(r.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(r.headers().get("location").and_then(|v| v.to_str().ok()), Some("/dav/"));
    let (status, headers, _) = dav(&server, "OPTIONS", "/dav/", None, &[], "").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("dav").and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("addressbook")));

    let q = r#"<?xml version='1.0' encoding='UTF-8' ?><propfind xmlns="DAV:" xmlns:CARD="urn:ietf:params:xml:ns:carddav"><prop><resourcetype /><current-user-principal /><CARD:addressbook-home-set /></prop></propfind>"#;
    let (_, _, body) = dav(&server, "PROPFIND", "/dav/", auth, &[("depth", "0")], q).await?;
    let principal = element(&body, "d:current-user-principal").map(|e| hrefs(&e)).unwrap_or_default().pop().unwrap_or_default();
    let (_, _, body) = dav(&server, "PROPFIND", &principal, auth, &[("depth", "0")], q).await?;
    let home = element(&body, "card:addressbook-home-set").map(|e| hrefs(&e)).unwrap_or_default().pop().unwrap_or_default();
    let list_q = r#"<?xml version='1.0' encoding='UTF-8' ?><propfind xmlns="DAV:" xmlns:CARD="urn:ietf:params:xml:ns:carddav"><prop><resourcetype /><displayname /><owner /><current-user-privilege-set /><CARD:addressbook-description /><CARD:supported-address-data /></prop></propfind>"#;
    let (status, _, body) = dav(&server, "PROPFIND", &home, auth, &[("depth", "1")], list_q).await?;
    assert_eq!(status, StatusCode::MULTI_STATUS);
    let book = hrefs(&body).into_iter().find(|h| h.ends_with("/contacts/")).unwrap_or_default();
    assert!(body.contains("<d:privilege><d:bind/></d:privilege>") && body.contains("version=\"3.0\""), "{body}");
    let col_q = r#"<?xml version='1.0' encoding='UTF-8' ?><propfind xmlns="DAV:" xmlns:CS="http://calendarserver.org/ns/"><prop><CS:getctag /><sync-token /><supported-report-set /></prop></propfind>"#;
    let (_, _, body) = dav(&server, "PROPFIND", &book, auth, &[("depth", "0")], col_q).await?;
    assert!(body.contains("<card:addressbook-multiget/>"), "{body}");

    // A first sync with an empty token and a small limit is refused with 507 (the client
    // then asks without one); without a limit, every card.
    let (status, _, body) = dav(&server, "REPORT", &book, auth, &[("depth", "0")], davx5_sync("", Some(10))).await?;
    assert_eq!(status, StatusCode::INSUFFICIENT_STORAGE, "{body}");
    assert!(body.contains("number-of-matches-within-limits"));
    let (status, _, body) = dav(&server, "REPORT", &book, auth, &[("depth", "0")], davx5_sync("", None)).await?;
    assert_eq!(status, StatusCode::MULTI_STATUS);
    let cards = card_hrefs(&body);
    assert_eq!(cards.len(), 25);
    let token = element(&body, "d:sync-token").unwrap_or_default();
    // DAVx5 downloads in multiget batches of ten, by full URL.
    let mut got = 0;
    for batch in cards.chunks(10) {
        let urls: Vec<String> = batch.iter().map(|h| server.url(h)).collect();
        let (status, _, body) = dav(&server, "REPORT", &book, auth, &[("depth", "0")], multiget(" xmlns=\"DAV:\"", &urls)).await?;
        assert_eq!(status, StatusCode::MULTI_STATUS);
        got += body.matches("BEGIN:VCARD").count();
    }
    assert_eq!(got, 25);

    // Conditional writes: a stale ETag is 412, the right one works; DELETE archives.
    let href = cards[0].clone();
    let (_, headers, card) = dav(&server, "GET", &href, auth, &[], "").await?;
    let etag = headers.get("etag").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let edited = card.replace("END:VCARD", "TITLE:Engineer\r\nEND:VCARD");
    let ct = ("content-type", "text/vcard; charset=utf-8");
    let (status, _, _) = dav(&server, "PUT", &href, auth, &[ct, ("if-match", "\"stale\"")], edited.clone()).await?;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    let (status, _, _) = dav(&server, "PUT", &href, auth, &[ct, ("if-match", &etag)], edited).await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, headers, card) = dav(&server, "GET", &href, auth, &[], "").await?;
    assert!(card.contains("TITLE:Engineer"));
    let new_etag = headers.get("etag").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert_ne!(new_etag, etag);
    let (status, _, _) = dav(&server, "DELETE", &href, auth, &[("if-match", &etag)], "").await?;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "deleting with an old ETag");
    let (status, _, _) = dav(&server, "DELETE", &href, auth, &[("if-match", &new_etag)], "").await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) = dav(&server, "GET", &href, auth, &[], "").await?;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The next sync: one changed card was deleted → one 404 member, nothing else.
    let (_, _, body) = dav(&server, "REPORT", &book, auth, &[("depth", "0")], davx5_sync(&token, None)).await?;
    assert_eq!(card_hrefs(&body), vec![href.clone()], "{body}");
    assert!(body.contains("404 Not Found"), "{body}");
    let doc = server.state.hub.read_doc(account.doc_id()?, |d| crdt_model::load(d).doc).await?;
    assert_eq!(doc.contacts.len(), 25, "archived, not destroyed");
    assert_eq!(doc.contacts.values().filter(|c| c.archived).count(), 1);
    Ok(())
}

/// method, path, headers, body, the status it must get.
type Case<'a> = (&'a str, String, Vec<(&'a str, &'a str)>, String, StatusCode);

#[tokio::test]
async fn hostile_bodies_get_clear_4xx_and_change_nothing() -> anyhow::Result<()> {
    let server = TestServer::start().await?;
    let account = DavAccount::create(&server, "dav-hostile").await?;
    seed(&server, &account, 2).await?;
    let auth = Some((account.email.as_str(), account.app_password.as_str()));
    let me: serde_json::Value = server.http().get(server.url("/api/v1/me")).bearer_auth(&account.token).send().await?.json().await?;
    let book = format!("/dav/addressbooks/{}/contacts/", me["user_id"].as_str().unwrap_or_default());
    let heads = || async { server.state.hub.read_doc(account.doc_id()?, |d| d.get_heads()).await.map_err(anyhow::Error::from) };
    let before = heads().await?;

    let cases: Vec<Case> = vec![
        ("PROPFIND", book.clone(), vec![], "<d:propfind xmlns:d='DAV:'><d:prop>".into(), StatusCode::BAD_REQUEST),
        ("REPORT", book.clone(), vec![], "<!DOCTYPE x [<!ENTITY a 'aaaa'>]><x>&a;&a;</x>".into(), StatusCode::BAD_REQUEST),
        ("REPORT", book.clone(), vec![], "<x xmlns='urn:nothing'/>".into(), StatusCode::FORBIDDEN),
        ("REPORT", book.clone(), vec![], multiget("", &vec![format!("{book}x.vcf"); 1001]), StatusCode::BAD_REQUEST),
        ("PROPFIND", book.clone(), vec![], "<a>".repeat(64) + &"</a>".repeat(64), StatusCode::BAD_REQUEST),
        ("PROPFIND", book.clone(), vec![], "x".repeat(600 * 1024), StatusCode::PAYLOAD_TOO_LARGE),
        ("PUT", format!("{book}a.vcf"), vec![("content-type", "text/vcard")], "hello".into(), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("PUT", format!("{book}a.vcf"), vec![("content-type", "application/json")], "{}".into(), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("PUT", format!("{book}a.vcf"), vec![("content-type", "text/vcard")], "BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n".into(), StatusCode::UNPROCESSABLE_ENTITY),
        ("PUT", format!("{book}a.vcf"), vec![("content-type", "text/vcard")], "BEGIN:VCARD\r\nFN:A\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:B\r\nEND:VCARD\r\n".into(), StatusCode::UNPROCESSABLE_ENTITY),
        ("PUT", format!("{book}a.vcf"), vec![("content-type", "text/vcard")], format!("BEGIN:VCARD\r\nFN:Big\r\nNOTE:{}\r\nEND:VCARD\r\n", "x".repeat(2 * 1024 * 1024)), StatusCode::PAYLOAD_TOO_LARGE),
        ("PUT", format!("{book}a.vcf"), vec![("content-type", "text/vcard")], format!("BEGIN:VCARD\r\nFN:Photo\r\nPHOTO;ENCODING=b;TYPE=JPEG:{}\r\nEND:VCARD\r\n", "QUFB".repeat(100_000)), StatusCode::PAYLOAD_TOO_LARGE),
        ("PUT", book.clone(), vec![("content-type", "text/vcard")], "BEGIN:VCARD\r\nFN:A\r\nEND:VCARD\r\n".into(), StatusCode::BAD_REQUEST),
        ("PUT", format!("{book}sub/a.vcf"), vec![("content-type", "text/vcard")], "BEGIN:VCARD\r\nFN:A\r\nEND:VCARD\r\n".into(), StatusCode::NOT_FOUND),
        ("DELETE", format!("{book}nobody.vcf"), vec![], String::new(), StatusCode::NOT_FOUND),
        ("MKCOL", book.clone(), vec![], String::new(), StatusCode::METHOD_NOT_ALLOWED),
    ];
    for (method, path, headers, body, want) in cases {
        let short: String = body.chars().take(60).collect();
        let (status, _, answer) = dav(&server, method, &path, auth, &headers, body).await?;
        assert_eq!(status, want, "{method} {path} {short:?}: {answer}");
    }
    assert_eq!(heads().await?, before, "a refused request changed the document");
    Ok(())
}
