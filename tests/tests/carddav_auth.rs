//! Who may use CardDAV, and what app passwords may not open: on `/dav` only the account's
//! email with one of its own live app passwords gets in (401 with `WWW-Authenticate: Basic`
//! otherwise); an app password opens neither `/api` nor `/sync`. Plus the app password API.

use kith_tests::client::open_socket;
use kith_tests::dav::{dav, new_app_password, DavAccount, PASSWORD};
use kith_tests::TestServer;
use reqwest::StatusCode;
use serde_json::Value;

const PROPFIND: &str = r#"<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>"#;

async fn propfind_status(server: &TestServer, path: &str, auth: Option<(&str, &str)>) -> anyhow::Result<StatusCode> {
    let (status, headers, _) = dav(server, "PROPFIND", path, auth, &[("depth", "0")], PROPFIND).await?;
    if status == StatusCode::UNAUTHORIZED {
        let challenge = headers.get("www-authenticate").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(challenge.starts_with("Basic realm="), "401 without a Basic challenge: {challenge:?}");
    }
    Ok(status)
}

#[tokio::test]
async fn only_the_accounts_own_live_app_password_opens_dav() -> anyhow::Result<()> {
    let server = TestServer::start().await?;
    let alice = DavAccount::create(&server, "dav-alice").await?;
    let bob = DavAccount::create(&server, "dav-bob").await?;
    let book = "/dav/";

    assert_eq!(propfind_status(&server, book, Some((&alice.email, &alice.app_password))).await?, StatusCode::MULTI_STATUS);
    // Typed on a phone: case and dashes do not matter.
    let typed = alice.app_password.replace('-', "").to_uppercase();
    assert_eq!(propfind_status(&server, book, Some((&alice.email, &typed))).await?, StatusCode::MULTI_STATUS);

    for (what, auth) in [
        ("no credentials", None),
        ("another user's app password", Some((alice.email.as_str(), bob.app_password.as_str()))),
        ("the account password", Some((alice.email.as_str(), PASSWORD))),
        ("a session token", Some((alice.email.as_str(), alice.token.as_str()))),
        ("the right password for another email", Some((bob.email.as_str(), alice.app_password.as_str()))),
    ] {
        assert_eq!(propfind_status(&server, book, auth).await?, StatusCode::UNAUTHORIZED, "{what}");
    }
    // A session token as a bearer token is not DAV auth either.
    let bearer = server
        .http()
        .request(reqwest::Method::from_bytes(b"PROPFIND")?, server.url(book))
        .bearer_auth(&alice.token)
        .body(PROPFIND)
        .send()
        .await?;
    assert_eq!(bearer.status(), StatusCode::UNAUTHORIZED);

    // Another user's address book is simply not there for Alice.
    let (status, _, _) = dav(&server, "PROPFIND", &format!("/dav/addressbooks/{}/contacts/", user_id(&server, &bob).await?), Some((&alice.email, &alice.app_password)), &[("depth", "0")], PROPFIND).await?;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Revoked: refused at once.
    let revoke = server
        .http()
        .delete(server.url(&format!("/api/v1/app-passwords/{}", alice.app_password_id)))
        .bearer_auth(&alice.token)
        .send()
        .await?;
    assert_eq!(revoke.status(), StatusCode::NO_CONTENT);
    assert_eq!(propfind_status(&server, book, Some((&alice.email, &alice.app_password))).await?, StatusCode::UNAUTHORIZED);
    Ok(())
}

async fn user_id(server: &TestServer, account: &DavAccount) -> anyhow::Result<String> {
    let me: Value = server.http().get(server.url("/api/v1/me")).bearer_auth(&account.token).send().await?.json().await?;
    Ok(me["user_id"].as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn an_app_password_opens_neither_the_api_nor_sync() -> anyhow::Result<()> {
    let server = TestServer::start().await?;
    let alice = DavAccount::create(&server, "dav-api").await?;

    let as_bearer = server.http().get(server.url("/api/v1/me")).bearer_auth(&alice.app_password).send().await?;
    assert_eq!(as_bearer.status(), StatusCode::UNAUTHORIZED);
    let as_basic = server.http().get(server.url("/api/v1/me")).basic_auth(&alice.email, Some(&alice.app_password)).send().await?;
    assert_eq!(as_basic.status(), StatusCode::UNAUTHORIZED);
    let make_more = server
        .http()
        .post(server.url("/api/v1/app-passwords"))
        .bearer_auth(&alice.app_password)
        .json(&serde_json::json!({ "name": "sneaky" }))
        .send()
        .await?;
    assert_eq!(make_more.status(), StatusCode::UNAUTHORIZED);
    let login = server
        .http()
        .post(server.url("/api/v1/sessions"))
        .json(&serde_json::json!({ "email": alice.email, "password": alice.app_password }))
        .send()
        .await?;
    assert_eq!(login.status(), StatusCode::UNAUTHORIZED, "an app password is not the account password");

    let refused = open_socket(&server.ws_url("/sync"), &alice.app_password).await;
    let err = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("401"), "the /sync upgrade must be refused: {err:?}");
    // The session token still works there (the refusal was about the app password).
    assert!(open_socket(&server.ws_url("/sync"), &alice.token).await.is_ok());
    Ok(())
}

#[tokio::test]
async fn app_passwords_are_listed_without_their_secret_and_bounded() -> anyhow::Result<()> {
    let server = TestServer::start().await?;
    let alice = DavAccount::create(&server, "dav-list").await?;
    assert_eq!(propfind_status(&server, "/dav/", Some((&alice.email, &alice.app_password))).await?, StatusCode::MULTI_STATUS);

    let list: Value = server.http().get(server.url("/api/v1/app-passwords")).bearer_auth(&alice.token).send().await?.json().await?;
    let items = list["app_passwords"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(items[0]["name"], "test phone");
    assert_eq!(items[0]["id"], alice.app_password_id.as_str());
    assert!(items[0]["created_at"].is_string() && items[0]["last_used_at"].is_string(), "{list}");
    assert!(!list.to_string().contains(&alice.app_password), "the secret is shown only once");

    for (name, status) in [("", StatusCode::UNPROCESSABLE_ENTITY), (&"x".repeat(101)[..], StatusCode::UNPROCESSABLE_ENTITY)] {
        let r = server
            .http()
            .post(server.url("/api/v1/app-passwords"))
            .bearer_auth(&alice.token)
            .json(&serde_json::json!({ "name": name }))
            .send()
            .await?;
        assert_eq!(r.status(), status, "name {name:?}");
    }
    // Up to the per-account limit, then a clear 409.
    let mut made = 1;
    loop {
        let r = server
            .http()
            .post(server.url("/api/v1/app-passwords"))
            .bearer_auth(&alice.token)
            .json(&serde_json::json!({ "name": format!("phone {made}") }))
            .send()
            .await?;
        if r.status() == StatusCode::CONFLICT {
            let body: Value = r.json().await?;
            assert_eq!(body["error"]["code"], "too_many_app_passwords");
            break;
        }
        assert_eq!(r.status(), StatusCode::CREATED);
        made += 1;
        assert!(made <= 25, "no limit on app passwords");
    }
    assert_eq!(made, 25);
    // Revoking someone else's (or a made-up) id is a 404.
    let bob = DavAccount::create(&server, "dav-list-bob").await?;
    let (bobs, _) = new_app_password(&server, &bob.token, "bob's").await?;
    for id in [bobs.as_str(), "not-an-id"] {
        let r = server.http().delete(server.url(&format!("/api/v1/app-passwords/{id}"))).bearer_auth(&alice.token).send().await?;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
    Ok(())
}

#[tokio::test]
async fn guessing_app_passwords_meets_the_login_limiter() -> anyhow::Result<()> {
    let server = TestServer::start().await?;
    let alice = DavAccount::create(&server, "dav-guess").await?;
    let mut limited = false;
    for i in 0..30 {
        let guess = format!("aaaa-bbbb-cccc-dddd-eeee-{:04}", i).replace(|c: char| c.is_ascii_digit(), "x");
        let (status, headers, _) = dav(&server, "PROPFIND", "/dav/", Some((&alice.email, &guess)), &[], PROPFIND).await?;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert!(headers.contains_key("retry-after"));
            limited = true;
            break;
        }
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    assert!(limited, "thirty wrong app passwords in a row were never slowed down");
    Ok(())
}
