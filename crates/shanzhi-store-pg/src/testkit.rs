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
        let schema = &self.schema;
        clean_up(
            &self.url,
            vec![
                // A connection of the test left idle in a transaction (a
                // dropped sqlx transaction rolls back only when its connection
                // is used again) would hold locks the DROP waits for, forever.
                // (The name is ours: letters, digits and underscores.)
                format!(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                     WHERE application_name = '{schema}' AND pid <> pg_backend_pid()"
                ),
                format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"),
            ],
        );
    }
}

/// Run `statements` on a connection of their own to `url`, stopping at the
/// first that fails: the guards' best-effort clean-up. Drop runs inside the
/// test's runtime, so this uses a runtime of its own on a thread.
fn clean_up(url: &str, statements: Vec<String>) {
    let url = url.to_owned();
    let cleanup = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
        rt.block_on(async {
            let mut conn = PgConnection::connect(&url).await.ok()?;
            for sql in statements {
                sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.ok()?;
            }
            conn.close().await.ok()
        })
    });
    let _ = cleanup.join();
}

/// Run one statement (`CREATE …`) on a connection of its own to `url`;
/// panics, saying `what` failed, if it cannot.
async fn admin(url: &str, sql: String, what: &str) {
    let mut conn =
        PgConnection::connect(url).await.unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {URL_VAR}: {e}"));
    sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.expect(what);
    conn.close().await.expect("close admin connection");
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
        // FORCE ends the sessions still connected to it (PostgreSQL 13+).
        clean_up(&self.admin_url, vec![format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name)]);
    }
}

/// A new, empty database on the server at `url` (the role must be allowed
/// to create databases; the throw-away server of `scripts/with-postgres` is).
pub async fn fresh_database(url: &str) -> DatabaseGuard {
    let name = format!("shanzhi_test_db_{}", uuid::Uuid::now_v7().simple());
    admin(url, format!("CREATE DATABASE \"{name}\""), "create test database").await;
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
    admin(url, format!("CREATE SCHEMA \"{schema}\""), "create test schema").await;
    let guard = SchemaGuard { url: url.to_owned(), schema: schema.clone() };
    let options = PgConnectOptions::from_str(url)
        .expect("test URL")
        .options([("search_path", schema.as_str())])
        .application_name(&schema);
    let store = connect_with(options).await.expect("open test schema");
    (store, guard)
}
