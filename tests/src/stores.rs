//! Stores under test: a fresh SQLite file always, and a fresh PostgreSQL schema when
//! `TEST_DATABASE_URL` is set. Each PostgreSQL run lives in its own `kith_t_<random>` schema,
//! dropped at the end (also when the test panics), so reruns and parallel tests never collide.

use std::future::Future;
use std::sync::Arc;

use sync_server::store::postgres::schema::{create_schema, drop_schema, SchemaName};
use sync_server::store::Store;

/// The PostgreSQL server to test against, if the environment provides one. Under CI (`CI`
/// set) a missing one is a failure, not a skip: a PostgreSQL test that silently did not run
/// would let a broken backend land.
pub fn test_database_url() -> Option<String> {
    let url = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty());
    if url.is_none() && std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("CI is set but TEST_DATABASE_URL is not: the PostgreSQL tests must run in CI (see .ci/run)");
    }
    url
}

/// A schema of its own on the test database; `drop` removes it and everything in it.
pub struct PgSchema {
    pub base_url: String,
    pub name: SchemaName,
}

impl PgSchema {
    pub async fn create(base_url: &str) -> anyhow::Result<Self> {
        let name = SchemaName::random();
        create_schema(base_url, &name).await?;
        Ok(PgSchema { base_url: base_url.to_owned(), name })
    }

    /// The URL a `kith` process or a store uses to live in this schema.
    pub fn url(&self) -> String {
        self.name.url(&self.base_url)
    }

    pub async fn drop(self) -> anyhow::Result<()> {
        drop_schema(&self.base_url, &self.name).await?;
        Ok(())
    }
}

/// Which store a conformance run is on, for assertion messages.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Opens a second handle on the same database, as a second server instance would.
pub type Reopen = Arc<dyn Fn() -> futures::future::BoxFuture<'static, Arc<dyn Store>> + Send + Sync>;

/// Runs `test` once per available store, each on fresh storage. A failure on one store
/// is re-raised after that store's storage is cleaned up.
pub async fn on_every_store<F, Fut>(test: F)
where
    F: Fn(Backend, Arc<dyn Store>, Reopen) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    // SQLite, always.
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("kith.db").display());
    let store = open_sqlite(&url).await;
    let reopen: Reopen = {
        let url = url.clone();
        Arc::new(move || {
            let url = url.clone();
            Box::pin(async move { open_sqlite(&url).await })
        })
    };
    let outcome = tokio::spawn(test(Backend::Sqlite, store, reopen)).await;
    drop(dir);
    if let Err(err) = outcome {
        std::panic::resume_unwind(err.into_panic());
    }

    // PostgreSQL, when configured.
    let Some(base) = test_database_url() else { return };
    let schema = PgSchema::create(&base).await.expect("create test schema");
    let url = schema.url();
    let store = open_postgres(&url).await;
    let reopen: Reopen = {
        let url = url.clone();
        Arc::new(move || {
            let url = url.clone();
            Box::pin(async move { open_postgres(&url).await })
        })
    };
    let outcome = tokio::spawn(test(Backend::Postgres, store, reopen)).await;
    schema.drop().await.expect("drop test schema");
    if let Err(err) = outcome {
        std::panic::resume_unwind(err.into_panic());
    }
}

/// Through `store::open`, as the server does, so the URL's scheme picks the store.
async fn open_postgres(url: &str) -> Arc<dyn Store> {
    sync_server::store::open(url).await.expect("connect to PostgreSQL")
}

async fn open_sqlite(url: &str) -> Arc<dyn Store> {
    sync_server::store::open(url).await.expect("open SQLite")
}

/// Runs `scenario` with the URL of a fresh schema on the PostgreSQL at `TEST_DATABASE_URL`,
/// and drops the schema afterwards even when the scenario fails or panics (so reruns start
/// clean). Without `TEST_DATABASE_URL` it says which test needed it and returns: these tests
/// need a real server, and `.ci/run` always sets the variable.
pub async fn in_fresh_pg_schema<F, Fut>(what: &str, scenario: F)
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let Some(base) = test_database_url() else {
        eprintln!("TEST_DATABASE_URL not set: {what} needs PostgreSQL, skipped");
        return;
    };
    let schema = PgSchema::create(&base).await.expect("create schema");
    let outcome = tokio::spawn(scenario(schema.url())).await;
    schema.drop().await.expect("drop schema");
    match outcome {
        Ok(result) => result.expect("scenario"),
        Err(panic) => std::panic::resume_unwind(panic.into_panic()),
    }
}
