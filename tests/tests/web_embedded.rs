//! One file to deploy (issue 16, item 13): with no `KITH_WEB_DIR`, the server answers from the
//! web client compiled into it, byte for byte what `web-client/dist` holds, with the same
//! content types, cache headers and security headers as serving that directory from disk.
//! A binary built before the client was (a fresh clone) says how to build it instead; under
//! CI, where `scripts/test` builds the client before cargo, that is a failure.

use std::path::{Path, PathBuf};

use kith_tests::TestServer;

fn dist() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../web-client/dist")
}

fn files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(root, &path, out);
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(format!("/{}", rel.to_string_lossy()));
        }
    }
}

const COMPARED: &[&str] = &["content-type", "cache-control", "content-security-policy", "x-content-type-options", "referrer-policy"];

#[tokio::test]
async fn without_kith_web_dir_the_built_in_client_is_served_like_the_directory() -> anyhow::Result<()> {
    let embedded = TestServer::start_with(|c| c.web_dir = None).await?;
    let http = embedded.http();
    if !sync_server::web_embedded::available() {
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
        assert!(!ci, "CI is set but this build has no web client in it: scripts/test builds web-client/dist before cargo");
        // A fresh clone built before the client: a page that says what to do.
        let page = http.get(embedded.url("/")).send().await?.text().await?;
        assert!(page.contains("scripts/run"), "{page}");
        return Ok(());
    }
    let dist = dist();
    anyhow::ensure!(dist.join("index.html").is_file(), "the binary has a client but {} has none", dist.display());
    let on_disk = TestServer::start_with(|c| c.web_dir = Some(dist.clone())).await?;

    let mut paths = Vec::new();
    files(&dist, &dist, &mut paths);
    assert!(paths.iter().any(|p| p == "/sw.js") && paths.iter().any(|p| p.starts_with("/assets/")), "{paths:?}");
    // Every file, the root, and a client-side route (answered with index.html).
    paths.extend(["/".to_owned(), "/people/some-id".to_owned()]);
    for path in &paths {
        let a = http.get(embedded.url(path)).send().await?;
        let b = http.get(on_disk.url(path)).send().await?;
        assert_eq!((a.status(), path), (b.status(), path));
        for h in COMPARED {
            assert_eq!(a.headers().get(*h), b.headers().get(*h), "{h} of {path}");
        }
        assert!(a.headers().get("etag").is_some(), "{path}");
        let (a, b) = (a.bytes().await?, b.bytes().await?);
        assert!(a == b, "{path}: {} bytes built in, {} on disk", a.len(), b.len());
    }

    let index = http.get(embedded.url("/")).send().await?;
    assert_eq!(index.headers()["cache-control"], "no-cache");
    let etag = index.headers()["etag"].clone();
    let sw = http.get(embedded.url("/sw.js")).send().await?;
    assert_eq!(sw.headers()["cache-control"], "no-cache", "the service worker is revalidated, never cached for good");
    let asset = paths.iter().find(|p| p.starts_with("/assets/") && p.ends_with(".js")).map(String::as_str).unwrap_or("/assets/");
    let asset = http.get(embedded.url(asset)).send().await?;
    assert_eq!(asset.headers()["cache-control"], "public, max-age=31536000, immutable");
    let again = http.get(embedded.url("/")).header("if-none-match", etag).send().await?;
    assert_eq!(again.status().as_u16(), 304);
    let post = http.post(embedded.url("/index.html")).send().await?.status();
    assert_eq!(post, http.post(on_disk.url("/index.html")).send().await?.status());
    assert!(post.is_client_error(), "{post}");
    Ok(())
}
