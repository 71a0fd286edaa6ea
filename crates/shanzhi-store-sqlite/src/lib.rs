//! SQLite storage for Shanzhi: the embedded default. One file under the data
//! directory, WAL journal, foreign keys on, `synchronous=FULL` so that a
//! commit the platform has acknowledged survives a killed process (and power
//! loss), and `BEGIN IMMEDIATE` for writes so concurrent writers queue on the
//! busy timeout instead of failing mid-transaction.

mod division;
mod grid;
mod setting;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use shanzhi_store::{Backend, SchemaInfo, Store, StoreError, StoreResult};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{AssertSqlSafe, SqlSafeStr, SqlitePool};

/// The migrations of this backend, embedded in the binary.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "divisions and settings", include_str!("../migrations/0001_divisions.sql")),
    (2, "grids", include_str!("../migrations/0002_grids.sql")),
];

/// Bind parameters per statement stay far below SQLite's 32,766.
pub(crate) const CHUNK_ROWS: usize = 500;

#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Open (creating if missing) the database file at `path` and apply migrations.
    pub async fn open(path: &Path) -> StoreResult<Self> {
        let options = SqliteConnectOptions::new().filename(path);
        Self::open_with(options).await
    }

    /// Open a `sqlite://` URL (e.g. `sqlite:///var/lib/shanzhi/shanzhi.db`).
    pub async fn open_url(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url).map_err(map_err)?;
        Self::open_with(options).await
    }

    async fn open_with(options: SqliteConnectOptions) -> StoreResult<Self> {
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("temp_store", "memory");
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(15))
            .connect_with(options)
            .await
            .map_err(map_err)?;
        let store = SqliteStore { pool };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> StoreResult<()> {
        migrator().run(&self.pool).await.map_err(|e| StoreError::Migration(e.to_string()))
    }

    /// A write transaction that takes the write lock up front.
    pub(crate) async fn begin_write(&self) -> StoreResult<sqlx::Transaction<'static, sqlx::Sqlite>> {
        self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(map_err)
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

fn migrator() -> Migrator {
    let migrations = MIGRATIONS
        .iter()
        .map(|(version, description, sql)| {
            Migration::new(
                *version,
                (*description).into(),
                MigrationType::Simple,
                AssertSqlSafe(*sql).into_sql_str(),
                false,
            )
        })
        .collect();
    Migrator::with_migrations(migrations)
}

fn latest_version() -> i64 {
    MIGRATIONS.iter().map(|m| m.0).max().unwrap_or(0)
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn schema_info(&self) -> StoreResult<SchemaInfo> {
        let (version,): (Option<i64>,) = sqlx::query_as("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)?;
        let (engine,): (String,) =
            sqlx::query_as("SELECT sqlite_version()").fetch_one(&self.pool).await.map_err(map_err)?;
        Ok(SchemaInfo {
            backend: Backend::Sqlite,
            schema_version: version.unwrap_or(0),
            latest_version: latest_version(),
            engine_version: format!("SQLite {engine}"),
        })
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

/// Driver errors become port errors; constraint failures are told apart so the
/// application can say "refused" rather than "broken".
pub(crate) fn map_err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db)
            if db.is_foreign_key_violation() || db.is_unique_violation() || db.is_check_violation() =>
        {
            StoreError::Constraint(db.message().to_owned())
        }
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            StoreError::Unavailable(e.to_string())
        }
        _ => StoreError::Database(e.to_string()),
    }
}
