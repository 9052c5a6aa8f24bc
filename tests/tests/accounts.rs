//! Accounts and sessions over real HTTP against a real server with a real SQLite file.

use kith_tests::{unique_email, TestServer};
use reqwest::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sync_server::ids::DocId;

const PASSWORD: &str = "correct horse battery staple";

async fn json_of(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {status} {text:?}"));
    (status, body)
}

async fn me(server: &TestServer, token: &str) -> (StatusCode, Value) {
    let response = server.http().get(server.url("/api/v1/me")).bearer_auth(token).send().await.expect("me");
    json_of(response).await
}

async fn login_raw(server: &TestServer, email: &str, password: &str) -> reqwest::Response {
    server
        .http()
        .post(server.url("/api/v1/sessions"))
        .json(&json!({ "email": email, "password": password, "device_name": "laptop" }))
        .send()
        .await
        .expect("login request")
}

fn assert_error(status: StatusCode, body: &Value, want_status: StatusCode, want_code: &str) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["error"]["code"], want_code, "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
}

#[tokio::test]
async fn signup_login_me_and_logout() {
    let server = TestServer::start().await.expect("server");
    let email = unique_email("ada");

    let response = server
        .http()
        .post(server.url("/api/v1/accounts"))
        .json(&json!({ "email": format!("  {}  ", email.to_uppercase()), "password": PASSWORD }))
        .send()
        .await
        .expect("signup");
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let first_token = body["token"].as_str().expect("token").to_string();
    let doc_id = body["doc_id"].as_str().expect("doc_id").to_string();
    let user_id = body["user_id"].as_str().expect("user_id").to_string();
    doc_id.parse::<DocId>().expect("doc_id is bs58check");

    let (status, who) = me(&server, &first_token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(who, json!({ "user_id": user_id, "email": email, "doc_id": doc_id }));

    // a second device logs in (email case and spaces don't matter) and gets the same document
    let (status, body) = json_of(login_raw(&server, &format!(" {} ", email.to_uppercase()), PASSWORD).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let second_token = body["token"].as_str().expect("token").to_string();
    assert_eq!(body["doc_id"], doc_id.as_str());
    assert_ne!(second_token, first_token);

    // logging out the first device revokes only its token
    let response = server
        .http()
        .delete(server.url("/api/v1/sessions/current"))
        .bearer_auth(&first_token)
        .send()
        .await
        .expect("logout");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, body) = me(&server, &first_token).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(me(&server, &second_token).await.0, StatusCode::OK);

    // browsers (WebSocket) pass the token in the query string instead
    let response = server
        .http()
        .get(server.url(&format!("/api/v1/me?token={second_token}")))
        .send()
        .await
        .expect("me via query");
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn signup_stores_a_schema_one_document_before_answering() {
    let server = TestServer::start().await.expect("server");
    let (_token, doc_id) = server.signup(&unique_email("doc"), PASSWORD).await.expect("signup");
    let doc_id: DocId = doc_id.parse().expect("doc id");
    let chunks = server.state.store.load_chunks(doc_id).await.expect("chunks");
    assert_eq!(chunks.len(), 1);
    assert_eq!(chunks[0].kind, sync_server::store::ChunkKind::Snapshot);
    let doc = automerge::Automerge::load(&chunks[0].bytes).expect("loads");
    use automerge::ReadDoc;
    let (schema, _) = doc.get(automerge::ROOT, "schema").expect("get").expect("has schema");
    assert_eq!(schema.as_i64(), Some(1));
    assert!(doc.get(automerge::ROOT, "contacts").expect("get").is_some());
}

#[tokio::test]
async fn a_taken_email_is_a_conflict_whatever_its_case() {
    let server = TestServer::start().await.expect("server");
    let email = unique_email("dup");
    server.signup(&email, PASSWORD).await.expect("first signup");
    let response = server
        .http()
        .post(server.url("/api/v1/accounts"))
        .json(&json!({ "email": email.to_uppercase(), "password": "another long password" }))
        .send()
        .await
        .expect("second signup");
    let (status, body) = json_of(response).await;
    assert_error(status, &body, StatusCode::CONFLICT, "email_taken");
}

#[tokio::test]
async fn short_passwords_and_bad_emails_are_unprocessable() {
    let server = TestServer::start().await.expect("server");
    let cases = [
        (json!({ "email": unique_email("short"), "password": "123456789" }), "password_too_short"),
        (json!({ "email": "not-an-email", "password": PASSWORD }), "invalid_email"),
        (json!({ "email": unique_email("tz"), "password": PASSWORD, "timezone": "Mars/Olympus" }), "invalid_timezone"),
    ];
    for (body, code) in cases {
        let response = server.http().post(server.url("/api/v1/accounts")).json(&body).send().await.expect("signup");
        let (status, body) = json_of(response).await;
        assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, code);
    }
}

#[tokio::test]
async fn wrong_email_and_wrong_password_get_the_same_answer() {
    let server = TestServer::start().await.expect("server");
    let email = unique_email("uniform");
    server.signup(&email, PASSWORD).await.expect("signup");

    let wrong_password = login_raw(&server, &email, "not the password at all").await;
    let wrong_email = login_raw(&server, &unique_email("nobody"), PASSWORD).await;
    let (s1, h1) = (wrong_password.status(), wrong_password.headers().clone());
    let (s2, h2) = (wrong_email.status(), wrong_email.headers().clone());
    let b1 = wrong_password.bytes().await.expect("body");
    let b2 = wrong_email.bytes().await.expect("body");
    assert_eq!((s1, s2), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
    assert_eq!(b1, b2, "identical bodies");
    assert_eq!(h1.get(CONTENT_TYPE), h2.get(CONTENT_TYPE));
    let body: Value = serde_json::from_slice(&b1).expect("json");
    assert_eq!(body["error"]["code"], "unauthorized");
}

#[tokio::test]
async fn missing_or_forged_tokens_are_401_json() {
    let server = TestServer::start().await.expect("server");
    let (status, body) = json_of(server.http().get(server.url("/api/v1/me")).send().await.expect("me")).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    for header in ["Bearer", "Bearer garbage", "Basic dXNlcjpwYXNz", &format!("Bearer {}", "A".repeat(43))] {
        let response = server
            .http()
            .get(server.url("/api/v1/me"))
            .header(AUTHORIZATION, header)
            .send()
            .await
            .expect("me");
        let (status, body) = json_of(response).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    }
}

#[tokio::test]
async fn repeated_failures_are_rate_limited_with_retry_after() {
    let server = TestServer::start().await.expect("server");
    let email = unique_email("brute");
    server.signup(&email, PASSWORD).await.expect("signup");
    for attempt in 0..5 {
        let response = login_raw(&server, &email, &format!("guess number {attempt}")).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    // now even the right password is refused, with a hint when to come back
    let response = login_raw(&server, &email, PASSWORD).await;
    let retry_after: u64 = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("numeric Retry-After");
    assert!((1..=15 * 60).contains(&retry_after), "{retry_after}");
    let (status, body) = json_of(response).await;
    assert_error(status, &body, StatusCode::TOO_MANY_REQUESTS, "too_many_requests");

    // another account from the same address is still fine (5 failures < the per-IP limit)
    let other = unique_email("innocent");
    server.signup(&other, PASSWORD).await.expect("signup");
    assert_eq!(login_raw(&server, &other, PASSWORD).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn bad_bodies_get_json_errors_not_500s() {
    let server = TestServer::start_with(|c| c.max_body_bytes = 64 * 1024).await.expect("server");
    let url = server.url("/api/v1/accounts");
    let http = server.http();

    let malformed = http.post(&url).header(CONTENT_TYPE, "application/json").body("{\"email\": ").send().await;
    let (status, body) = json_of(malformed.expect("send")).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "malformed_json");

    let missing = http.post(&url).json(&json!({ "email": unique_email("x") })).send().await;
    let (status, body) = json_of(missing.expect("send")).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");

    let wrong_type = http.post(&url).header(CONTENT_TYPE, "text/plain").body("{}").send().await;
    let (status, body) = json_of(wrong_type.expect("send")).await;
    assert_error(status, &body, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");

    let huge = format!("{{\"email\": \"a@b.co\", \"password\": \"{}\"}}", "x".repeat(200 * 1024));
    let too_large = http.post(&url).header(CONTENT_TYPE, "application/json").body(huge).send().await;
    let (status, body) = json_of(too_large.expect("send")).await;
    assert_error(status, &body, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");

    // the same through the login endpoint, and the server is still fine afterwards
    let (status, body) = json_of(http.post(server.url("/api/v1/sessions")).json(&json!([1, 2])).send().await.expect("send")).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
    assert!(server.signup(&unique_email("after"), PASSWORD).await.is_ok());
}

#[tokio::test]
async fn unknown_endpoints_and_methods_are_json_errors() {
    let server = TestServer::start().await.expect("server");
    let (status, body) = json_of(server.http().get(server.url("/api/v1/nope")).send().await.expect("get")).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = json_of(server.http().get(server.url("/api/v2/accounts")).send().await.expect("get")).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = json_of(server.http().get(server.url("/api/v1/accounts")).send().await.expect("get")).await;
    assert_error(status, &body, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    let (status, body) = json_of(server.http().get(server.url("/healthz")).send().await.expect("get")).await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "status": "ok" })));
}

#[tokio::test]
async fn without_a_built_client_the_root_says_how_to_build_it() {
    let server = TestServer::start().await.expect("server");
    let response = server.http().get(server.url("/")).send().await.expect("get");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.expect("text").contains("scripts/run"));
}

#[tokio::test]
async fn the_built_client_is_served_with_spa_fallback() {
    let web = tempfile::tempdir().expect("web dir");
    std::fs::write(web.path().join("index.html"), "<!doctype html><title>Kith app</title>").expect("index");
    std::fs::create_dir(web.path().join("assets")).expect("assets");
    std::fs::write(web.path().join("assets/app.js"), "console.log('kith')").expect("js");
    let dir = web.path().to_path_buf();
    let server = TestServer::start_with(move |c| c.web_dir = Some(dir)).await.expect("server");

    let get = |path: &str| server.http().get(server.url(path)).send();
    let js = get("/assets/app.js").await.expect("js");
    assert_eq!(js.status(), StatusCode::OK);
    // content-hashed assets are cached for good, the page itself is always revalidated
    assert_eq!(js.headers()[CACHE_CONTROL], "public, max-age=31536000, immutable");
    assert_eq!(get("/").await.expect("index").headers()[CACHE_CONTROL], "no-cache");
    assert_eq!(js.text().await.expect("text"), "console.log('kith')");
    for path in ["/", "/contacts/123"] {
        let page = get(path).await.expect("page");
        assert_eq!(page.status(), StatusCode::OK, "{path}");
        assert!(page.text().await.expect("text").contains("Kith app"), "{path}");
    }
    // the API is not swallowed by the SPA fallback
    assert_eq!(get("/api/v1/nope").await.expect("api").status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn accounts_survive_a_restart() {
    let server = TestServer::start().await.expect("server");
    let email = unique_email("restart");
    let (token, doc_id) = server.signup(&email, PASSWORD).await.expect("signup");
    let server = server.restart().await.expect("restart");
    let (status, who) = me(&server, &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(who["doc_id"], doc_id.as_str());
    assert_eq!(server.login(&email, PASSWORD).await.expect("login").1, doc_id);
}

#[tokio::test]
async fn metrics_count_accounts_logins_and_routes() {
    let server = TestServer::start().await.expect("server");
    let email = unique_email("metrics");
    server.signup(&email, PASSWORD).await.expect("signup");
    assert_eq!(login_raw(&server, &email, "wrong wrong wrong").await.status(), StatusCode::UNAUTHORIZED);
    let response = server.http().get(server.url("/metrics")).send().await.expect("metrics");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()[CONTENT_TYPE].to_str().expect("ascii").starts_with("text/plain"));
    let text = response.text().await.expect("text");
    assert!(text.contains("kith_accounts_created_total 1"), "{text}");
    assert!(text.contains("kith_logins_total{outcome=\"failed\"} 1"), "{text}");
    assert!(
        text.contains("kith_http_requests_total{method=\"POST\",route=\"/api/v1/accounts\",status=\"201\"} 1"),
        "{text}"
    );
    // tokens never end up in metrics labels
    assert!(!text.contains("token"), "{text}");
}
