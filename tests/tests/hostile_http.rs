//! HTTP under hostile clients (issue 12): slowloris connections are closed by the header
//! timeout while others are served, running out of file descriptors neither spins nor kills
//! the accept loop, and every response carries the browser security headers.

use std::time::{Duration, Instant};

use kith_tests::process::KithProcess;
use kith_tests::TestServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

/// Connects and sends the start of a request whose header never ends.
async fn slowloris(addr: &str) -> TcpStream {
    let mut s = ok(TcpStream::connect(addr).await);
    ok(s.write_all(b"GET /healthz HTTP/1.1\r\nHost: kith\r\nX-Slow: a").await);
    s
}

/// Waits until the server closes `s` (EOF or reset); false if it is still open at `deadline`.
async fn closed_by(mut s: TcpStream, deadline: Instant) -> bool {
    let mut buf = [0u8; 512];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, s.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => {} // a 408 or similar before the close is fine
        }
    }
}

#[tokio::test]
async fn slowloris_connections_are_closed_after_the_header_timeout_while_others_are_served() {
    const TIMEOUT_SECS: u64 = 2;
    let server = ok(TestServer::start_with(|c| c.http_header_timeout_secs = TIMEOUT_SECS).await);
    let addr = server.addr.to_string();
    let opened = Instant::now();
    let mut sockets = Vec::new();
    for _ in 0..300 {
        sockets.push(slowloris(&addr).await);
    }
    // A connection that sent nothing at all counts too.
    sockets.push(ok(TcpStream::connect(&addr).await));

    // Meanwhile an ordinary client is served at once.
    let started = Instant::now();
    let r = ok(server.http().get(server.url("/healthz")).send().await);
    assert_eq!(r.status().as_u16(), 200);
    assert!(started.elapsed() < Duration::from_secs(TIMEOUT_SECS), "healthz took {:?}", started.elapsed());

    let deadline = opened + Duration::from_secs(TIMEOUT_SECS + 5);
    let results = futures::future::join_all(sockets.into_iter().map(|s| closed_by(s, deadline))).await;
    let still_open = results.iter().filter(|closed| !**closed).count();
    assert_eq!(still_open, 0, "{still_open} of {} slowloris sockets still open after {:?}", results.len(), opened.elapsed());
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_timeout() {
    let server = ok(TestServer::start_with(|c| c.http_header_timeout_secs = 1).await);
    let mut s = ok(TcpStream::connect(server.addr).await);
    ok(s.write_all(b"GET /healthz HTTP/1.1\r\nHost: kith\r\n\r\n").await);
    let mut buf = vec![0u8; 4096];
    let n = ok(s.read(&mut buf).await);
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"), "{}", String::from_utf8_lossy(&buf[..n]));
    // The response is in; now the connection idles, kept alive, until the server drops it.
    assert!(closed_by(s, Instant::now() + Duration::from_secs(6)).await, "idle keep-alive connection never closed");
}

/// The real binary with a 128-descriptor limit: 300 slowloris sockets exhaust it, accept
/// fails with EMFILE, and the loop must neither die nor spin; once the header timeout frees
/// descriptors an ordinary request is served.
#[tokio::test]
async fn running_out_of_file_descriptors_does_not_kill_the_accept_loop() {
    let db_dir = ok(tempfile::tempdir());
    let db = format!("sqlite://{}", db_dir.path().join("kith.db").display());
    let kith = ok(KithProcess::start_with(&db, &[("KITH_HTTP_HEADER_TIMEOUT_SECS", "1")]).await);
    let pid = kith.pid().expect("running").to_string();
    let limited = ok(tokio::process::Command::new("prlimit").args(["--pid", &pid, "--nofile=128:128"]).status().await);
    assert!(limited.success(), "prlimit failed");
    let addr = kith.base_url.trim_start_matches("http://").to_owned();
    let mut sockets = Vec::new();
    for _ in 0..300 {
        sockets.push(slowloris(&addr).await);
    }
    let started = Instant::now();
    let deadline = started + Duration::from_secs(30);
    // No pooled connections: the server closes an idle keep-alive connection after the 1 s
    // header timeout, and a request on such a stale connection fails for the client's reason.
    let client = ok(reqwest::Client::builder().timeout(Duration::from_secs(5)).pool_max_idle_per_host(0).build());
    let served = loop {
        match client.get(format!("{}/healthz", kith.base_url)).send().await {
            Ok(r) if r.status().is_success() => break true,
            _ if Instant::now() > deadline => break false,
            _ => {}
        }
    };
    assert!(served, "no request served within 30 s of exhausting the descriptors");
    let results = futures::future::join_all(sockets.into_iter().map(|s| closed_by(s, deadline))).await;
    assert!(results.iter().all(|closed| *closed), "slowloris sockets left open");
    // The process is alive and still serving.
    let r = ok(client.get(format!("{}/healthz", kith.base_url)).send().await);
    assert!(r.status().is_success());
    drop(kith);
}

fn assert_security_headers(what: &str, r: &reqwest::Response) {
    let h = r.headers();
    let get = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let csp = get("content-security-policy");
    for directive in ["default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "connect-src 'self'", "object-src 'none'", "frame-ancestors 'none'"] {
        assert!(csp.contains(directive), "{what}: CSP {csp:?} lacks {directive}");
    }
    assert!(!csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"), "{what}: {csp}");
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(get("x-frame-options"), "DENY", "{what}");
    assert_eq!(get("referrer-policy"), "no-referrer", "{what}");
}

#[tokio::test]
async fn every_response_carries_the_browser_security_headers() {
    let web = ok(tempfile::tempdir());
    ok(std::fs::write(web.path().join("index.html"), "<!doctype html><title>Kith</title>"));
    ok(std::fs::create_dir(web.path().join("assets")));
    ok(std::fs::write(web.path().join("assets/app-1234.js"), "console.log(1)"));
    let dir = web.path().to_path_buf();
    let server = ok(TestServer::start_with(move |c| c.web_dir = Some(dir)).await);
    let (token, _) = ok(server.signup(&kith_tests::unique_email("headers"), "a long enough password").await);
    let http = server.http();
    let cases = [
        ("API", http.get(server.url("/api/v1/me")).bearer_auth(&token), 200),
        ("API error", http.get(server.url("/api/v1/me")), 401),
        ("API 404", http.get(server.url("/api/v1/nothing-here")), 404),
        ("method not allowed", http.put(server.url("/api/v1/me")), 405),
        ("health", http.get(server.url("/healthz")), 200),
        ("index", http.get(server.url("/")), 200),
        ("asset", http.get(server.url("/assets/app-1234.js")), 200),
        ("client route", http.get(server.url("/people/some-id")), 200),
        ("sync without a token", http.get(server.url("/sync")), 401),
    ];
    for (what, request, status) in cases {
        let r = ok(request.send().await);
        assert_eq!(r.status().as_u16(), status, "{what}");
        assert_security_headers(what, &r);
    }
}
