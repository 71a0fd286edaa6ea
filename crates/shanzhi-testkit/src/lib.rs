//! Test harness for the crates above the store: a fresh, migrated store on the
//! backend named by `SHANZHI_TEST_BACKEND` (`sqlite`, the default, or
//! `postgres`, which needs `SHANZHI_TEST_PG_URL`). CI runs the whole suite
//! once per backend, so every use-case and HTTP test runs on both.

mod app;
mod sink;

use std::sync::Arc;

pub use app::{
    INSIDE, INSIDE_POINT, OUTSIDE, PASSWORD, SINCE, TestApp, TestAppBuilder, cheap_auth, community_grid, grid_feature,
    one_grid_community, rect, scope_of, username_of,
};
pub use shanzhi_store::testkit::Fixture;
use shanzhi_store_pg::testkit as pg;
pub use sink::{HttpSink, Received};

pub const BACKEND_VAR: &str = "SHANZHI_TEST_BACKEND";

/// The backend this test run targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    Sqlite,
    Postgres,
}

pub fn backend() -> TestBackend {
    match std::env::var(BACKEND_VAR).as_deref() {
        Err(_) | Ok("") | Ok("sqlite") => TestBackend::Sqlite,
        Ok("postgres") => TestBackend::Postgres,
        Ok(other) => panic!("{BACKEND_VAR}={other}: expected sqlite or postgres"),
    }
}

/// A store for one test plus the options that point the `shanzhi` binary at
/// the same database.
#[derive(Debug)]
pub struct TestDb {
    pub fixture: Fixture,
    /// `--data-dir DIR` or `--database-url URL`.
    pub cli_args: Vec<String>,
    /// PostgreSQL: the test's schema.
    pg_schema: Option<String>,
}

/// A place for a store that does not exist yet (nothing created, nothing
/// migrated), on the same backend as a [`TestDb`]: what `shanzhi restore`
/// fills. On PostgreSQL a database of its own, opened in the same schema as
/// the `TestDb` (a dump restores into the schema it was taken from).
#[derive(Debug)]
pub struct EmptyTarget {
    /// `--data-dir DIR` or `--database-url URL`.
    pub cli_args: Vec<String>,
    _guard: Box<dyn std::any::Any + Send + Sync>,
}

impl EmptyTarget {
    /// Open the store there (migrating it, as the binary does).
    pub async fn open(&self) -> Arc<dyn shanzhi_store::Store> {
        match (self.cli_args[0].as_str(), self.cli_args[1].as_str()) {
            ("--data-dir", dir) => Arc::new(
                shanzhi_store_sqlite::open(&std::path::Path::new(dir).join("shanzhi.db")).await.expect("open sqlite"),
            ),
            (_, url) => Arc::new(shanzhi_store_pg::connect(url).await.expect("open postgres")),
        }
    }
}

impl TestDb {
    /// An empty place on this backend for a restore (see [`EmptyTarget`]).
    pub async fn empty_target(&self) -> EmptyTarget {
        match &self.pg_schema {
            None => {
                let dir = tempfile::tempdir().expect("temp dir");
                let cli_args = vec!["--data-dir".to_owned(), dir.path().display().to_string()];
                EmptyTarget { cli_args, _guard: Box::new(dir) }
            }
            Some(schema) => {
                let url = std::env::var(pg::URL_VAR).expect("the PostgreSQL URL");
                let guard = pg::fresh_database(&url).await;
                let cli_args = vec!["--database-url".to_owned(), guard.url(Some(schema))];
                EmptyTarget { cli_args, _guard: Box::new(guard) }
            }
        }
    }

    /// Run one SQL statement on the test database behind the store's back
    /// (tests that tamper with data to prove it is noticed).
    pub async fn execute_raw(&self, sql: &str) {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match (self.cli_args[0].as_str(), self.cli_args[1].as_str()) {
            ("--data-dir", dir) => {
                let url = format!("sqlite://{dir}/shanzhi.db");
                let pool = sqlx::SqlitePool::connect(&url).await.expect("open sqlite");
                sqlx::query(sql).execute(&pool).await.expect("raw statement");
                pool.close().await;
            }
            (_, url) => {
                let pool = sqlx::PgPool::connect(url).await.expect("open postgres");
                sqlx::query(sql).execute(&pool).await.expect("raw statement");
                pool.close().await;
            }
        }
    }
}

pub async fn test_db() -> TestDb {
    match backend() {
        TestBackend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let store = shanzhi_store_sqlite::open(&dir.path().join("shanzhi.db")).await.expect("open sqlite");
            let cli_args = vec!["--data-dir".to_owned(), dir.path().display().to_string()];
            TestDb { fixture: Fixture::new(Arc::new(store), dir), cli_args, pg_schema: None }
        }
        TestBackend::Postgres => {
            let Ok(url) = std::env::var(pg::URL_VAR) else {
                panic!("{BACKEND_VAR}=postgres needs {} to be set", pg::URL_VAR)
            };
            let (store, guard) = pg::fresh_store(&url).await;
            let cli_args = vec!["--database-url".to_owned(), guard.url_with_schema()];
            let pg_schema = Some(guard.schema().to_owned());
            TestDb { fixture: Fixture::new(Arc::new(store), guard), cli_args, pg_schema }
        }
    }
}
