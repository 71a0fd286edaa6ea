//! A throw-away store for tests: a fresh schema on the PostgreSQL server named
//! by `SHANZHI_TEST_PG_URL`, dropped when the guard goes.
//!
//! Outside CI a missing URL skips the PostgreSQL tests with a note; under
//! `CI=true` it fails them, so CI can never pass without PostgreSQL.

use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection};

use crate::{PgStore, connect_with};

pub const URL_VAR: &str = "SHANZHI_TEST_PG_URL";

/// Drops the test schema when dropped.
#[derive(Debug)]
pub struct SchemaGuard {
    url: String,
    schema: String,
}

impl SchemaGuard {
    /// The schema's name.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// A URL that opens the test schema (for the `shanzhi` binary).
    pub fn url_with_schema(&self) -> String {
        let sep = if self.url.contains('?') { '&' } else { '?' };
        format!("{}{sep}options=-c%20search_path%3D{}&application_name={}", self.url, self.schema, self.schema)
    }
}

impl Drop for SchemaGuard {
    fn drop(&mut self) {
        let (url, schema) = (self.url.clone(), self.schema.clone());
        // Drop runs inside the test's runtime; use a runtime of our own on a thread.
        let cleanup = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            rt.block_on(async {
                let mut conn = PgConnection::connect(&url).await.ok()?;
                // A connection of the test left idle in a transaction (a
                // dropped sqlx transaction rolls back only when its connection
                // is used again) would hold locks the DROP waits for, forever.
                sqlx::query(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                     WHERE application_name = $1 AND pid <> pg_backend_pid()",
                )
                .bind(&schema)
                .execute(&mut conn)
                .await
                .ok()?;
                let sql = format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
                sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.ok()?;
                conn.close().await.ok()
            })
        });
        let _ = cleanup.join();
    }
}

/// An empty database of its own on the test server (for tests that need a
/// whole database, e.g. to restore a dump into the schema it came from),
/// dropped when the guard goes.
#[derive(Debug)]
pub struct DatabaseGuard {
    admin_url: String,
    name: String,
}

impl DatabaseGuard {
    /// The database's URL, opening `schema` if given (as `url_with_schema`).
    pub fn url(&self, schema: Option<&str>) -> String {
        let (base, query) =
            self.admin_url.split_once('?').map_or((self.admin_url.as_str(), None), |(b, q)| (b, Some(q)));
        let (scheme, rest) = base.split_once("://").expect("a postgres:// URL");
        let authority = rest.split_once('/').map_or(rest, |(a, _)| a);
        let mut url = format!("{scheme}://{authority}/{}", self.name);
        let mut params: Vec<String> = query.map(|q| vec![q.to_owned()]).unwrap_or_default();
        if let Some(schema) = schema {
            params.push(format!("options=-c%20search_path%3D{schema}"));
        }
        params.push(format!("application_name={}", self.name));
        url.push('?');
        url.push_str(&params.join("&"));
        url
    }
}

impl Drop for DatabaseGuard {
    fn drop(&mut self) {
        let (url, name) = (self.admin_url.clone(), self.name.clone());
        let cleanup = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            rt.block_on(async {
                let mut conn = PgConnection::connect(&url).await.ok()?;
                // FORCE ends the sessions still connected to it (PostgreSQL 13+).
                let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.ok()?;
                conn.close().await.ok()
            })
        });
        let _ = cleanup.join();
    }
}

/// A new, empty database on the server at `url` (the role must be allowed
/// to create databases; the throw-away server of `scripts/with-postgres` is).
pub async fn fresh_database(url: &str) -> DatabaseGuard {
    let name = format!("shanzhi_test_db_{}", uuid::Uuid::now_v7().simple());
    let mut conn =
        PgConnection::connect(url).await.unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {URL_VAR}: {e}"));
    let sql = format!("CREATE DATABASE \"{name}\"");
    sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.expect("create test database");
    conn.close().await.expect("close admin connection");
    DatabaseGuard { admin_url: url.to_owned(), name }
}

/// The admin URL from the environment, or `None` (skip) outside CI.
pub fn url_from_env() -> Option<String> {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if is_ci() => panic!("CI=true but {URL_VAR} is not set: the PostgreSQL tests must run in CI"),
        _ => {
            eprintln!("note: {URL_VAR} is not set; PostgreSQL test skipped (CI=true makes this an error)");
            None
        }
    }
}

fn is_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// A migrated store in a new, empty schema of the server at `url`.
pub async fn fresh_store(url: &str) -> (PgStore, SchemaGuard) {
    let schema = format!("shanzhi_test_{}", uuid::Uuid::now_v7().simple());
    let mut conn =
        PgConnection::connect(url).await.unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {URL_VAR}: {e}"));
    let sql = format!("CREATE SCHEMA \"{schema}\"");
    sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.expect("create test schema");
    conn.close().await.expect("close admin connection");
    let guard = SchemaGuard { url: url.to_owned(), schema: schema.clone() };
    let options = PgConnectOptions::from_str(url)
        .expect("test URL")
        .options([("search_path", schema.as_str())])
        .application_name(&schema);
    let store = connect_with(options).await.expect("open test schema");
    (store, guard)
}
