//! Deleting an account removes every row of the user from every table, and nothing of anyone
//! else's — on SQLite, and on PostgreSQL when `TEST_DATABASE_URL` is set. The scan discovers
//! the tables from the schema, so it covers tables added later.

use std::path::PathBuf;

use kith_tests::db_scan::{pg_rows_mentioning, sqlite_rows_mentioning, Needle};
use kith_tests::stores::in_fresh_pg_schema;
use kith_tests::{unique_email, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sync_server::ids::DocId;

const PASSWORD: &str = "correct horse battery staple";

struct Account {
    email: String,
    token: String,
    needles: Vec<Needle>,
}

async fn account(server: &TestServer, prefix: &str) -> Account {
    let email = unique_email(prefix);
    let (token, doc_id) = server.signup(&email, PASSWORD).await.expect("signup");
    // a second device, so there is more than one session row to remove
    server.login(&email, PASSWORD).await.expect("login");
    let me: Value = server
        .http()
        .get(server.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    let user_id = me["user_id"].as_str().expect("user id").to_string();
    let doc: DocId = doc_id.parse().expect("doc id");
    let needles = vec![
        Needle::Text(user_id),
        Needle::Text(email.clone()),
        Needle::Text(doc_id.clone()),
        Needle::Bytes(doc.0.to_vec()),
    ];
    Account { email, token, needles }
}

/// Where the server under test keeps its rows.
enum Db {
    Sqlite(PathBuf),
    /// A URL whose search_path is the test's own schema.
    Postgres(String),
}

async fn rows_mentioning(db: &Db, needles: &[Needle]) -> anyhow::Result<Vec<(String, i64)>> {
    match db {
        Db::Sqlite(path) => sqlite_rows_mentioning(path, needles).await,
        Db::Postgres(url) => pg_rows_mentioning(url, needles).await,
    }
}

#[tokio::test]
async fn deleting_the_account_leaves_no_row_of_the_user_in_any_table() {
    let server = TestServer::start().await.expect("server");
    let db = Db::Sqlite(server.data_dir().join("kith.db"));
    deletion_leaves_nothing(&server, &db).await;
}

#[tokio::test]
async fn deleting_the_account_leaves_no_row_of_the_user_in_any_postgres_table() {
    in_fresh_pg_schema("the PostgreSQL account-deletion scan", |url| async move {
        let server = TestServer::start_with(|c| c.database_url = Some(url.clone())).await?;
        deletion_leaves_nothing(&server, &Db::Postgres(url)).await;
        Ok(())
    })
    .await;
}

async fn deletion_leaves_nothing(server: &TestServer, db: &Db) {
    let ada = account(server, "ada").await;
    let bob = account(server, "bob").await;

    // the scan sees the user's rows before (so it is not vacuous)
    let before = rows_mentioning(db, &ada.needles).await.expect("scan");
    let tables: Vec<&str> = before.iter().map(|(t, _)| t.as_str()).collect();
    for table in ["users", "sessions", "documents", "doc_chunks"] {
        assert!(tables.contains(&table), "{table} not found in {before:?}");
    }

    // the wrong password deletes nothing
    let response = server
        .http()
        .delete(server.url("/api/v1/account"))
        .bearer_auth(&ada.token)
        .json(&json!({ "password": "not the password at all" }))
        .send()
        .await
        .expect("delete");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(rows_mentioning(db, &ada.needles).await.expect("scan"), before);

    let response = server
        .http()
        .delete(server.url("/api/v1/account"))
        .bearer_auth(&ada.token)
        .json(&json!({ "password": PASSWORD }))
        .send()
        .await
        .expect("delete");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    let after = rows_mentioning(db, &ada.needles).await.expect("scan");
    assert!(after.is_empty(), "rows of the deleted user remain: {after:?}");
    // nothing of Bob's went with it
    let bobs = rows_mentioning(db, &bob.needles).await.expect("scan");
    assert!(bobs.iter().any(|(t, n)| t == "sessions" && *n == 2), "{bobs:?}");
    assert!(bobs.iter().any(|(t, _)| t == "doc_chunks"), "{bobs:?}");

    // the token is dead and the email is free again
    let me = server.http().get(server.url("/api/v1/me")).bearer_auth(&ada.token).send().await.expect("me");
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    assert!(server.login(&ada.email, PASSWORD).await.is_err());
    server.signup(&ada.email, PASSWORD).await.expect("email can be reused");
}
