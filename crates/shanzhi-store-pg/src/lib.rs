//! PostgreSQL storage for Shanzhi: the production backend. Plain SQL only, so
//! PG-wire engines (CockroachDB, YugabyteDB, Citus) stay possible; the
//! database's own durability (`synchronous_commit`) makes commits survive.

mod division;
mod grid;
mod setting;
#[cfg(feature = "testkit")]
pub mod testkit;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use shanzhi_store::{Backend, SchemaInfo, Store, StoreError, StoreResult};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{AssertSqlSafe, PgPool, SqlSafeStr};

/// The migrations of this backend, embedded in the binary.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "divisions and settings", include_str!("../migrations/0001_divisions.sql")),
    (2, "grids", include_str!("../migrations/0002_grids.sql")),
];

/// Rows per statement: far below PostgreSQL's 65,535 bind parameters.
pub(crate) const CHUNK_ROWS: usize = 1000;

#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connect to a `postgres://` URL and apply migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url).map_err(map_err)?;
        Self::connect_with(options).await
    }

    pub async fn connect_with(options: PgConnectOptions) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(15))
            .connect_with(options)
            .await
            .map_err(map_err)?;
        let store = PgStore { pool };
        migrator().run(&store.pool).await.map_err(|e| StoreError::Migration(e.to_string()))?;
        Ok(store)
    }

    pub(crate) fn pool(&self) -> &PgPool {
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
impl Store for PgStore {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    async fn schema_info(&self) -> StoreResult<SchemaInfo> {
        let (version,): (Option<i64>,) = sqlx::query_as("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)?;
        let (engine,): (String,) =
            sqlx::query_as("SHOW server_version").fetch_one(&self.pool).await.map_err(map_err)?;
        Ok(SchemaInfo {
            backend: Backend::Postgres,
            schema_version: version.unwrap_or(0),
            latest_version: latest_version(),
            engine_version: format!("PostgreSQL {engine}"),
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
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => {
            StoreError::Unavailable(e.to_string())
        }
        _ => StoreError::Database(e.to_string()),
    }
}
