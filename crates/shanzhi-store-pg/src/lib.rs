//! PostgreSQL storage for Shanzhi: the production backend. Plain SQL only, so
//! PG-wire engines (CockroachDB, YugabyteDB, Citus) stay possible; the
//! database's own durability (`synchronous_commit`) makes commits survive.
//! The queries are shared with SQLite (`shanzhi-store-sql`); this crate opens
//! the pool and carries PostgreSQL's migrations.

mod dump;
#[cfg(feature = "testkit")]
pub mod testkit;

pub use dump::{ExportedSnapshot, ensure_schema, existing_contents, export_snapshot};

use std::str::FromStr;
use std::time::Duration;

use shanzhi_store::StoreResult;
use shanzhi_store_sql::{SqlStore, map_err};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

/// The store on PostgreSQL.
pub type PgStore = SqlStore<sqlx::Postgres>;

/// The migrations of this backend, embedded in the binary.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "divisions and settings", include_str!("../migrations/0001_divisions.sql")),
    (2, "grids", include_str!("../migrations/0002_grids.sql")),
    (3, "people", include_str!("../migrations/0003_people.sql")),
    (4, "matters", include_str!("../migrations/0004_matters.sql")),
    (5, "time limits", include_str!("../migrations/0005_time_limits.sql")),
    (6, "open311", include_str!("../migrations/0006_open311.sql")),
    (7, "hardening", include_str!("../migrations/0007_hardening.sql")),
];

/// Connect to a `postgres://` URL and apply migrations.
pub async fn connect(url: &str) -> StoreResult<PgStore> {
    connect_with(PgConnectOptions::from_str(url).map_err(map_err)?).await
}

pub async fn connect_with(options: PgConnectOptions) -> StoreResult<PgStore> {
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(15))
        .connect_with(options)
        .await
        .map_err(map_err)?;
    // New matters are written in groups here too: one commit (and one WAL
    // flush) for many reports, fewer round trips.
    let (store, queue) = SqlStore::new(pool, MIGRATIONS).with_group_commit();
    store.migrate().await?;
    tokio::spawn(shanzhi_store_sql::run_group_commit(store.clone(), queue));
    Ok(store)
}

#[cfg(test)]
mod migration_files {
    /// Every file in `migrations/` is registered above, in order: a file
    /// left out would never run.
    #[test]
    fn every_migration_file_is_listed() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .expect("migrations dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        let listed: Vec<i64> = super::MIGRATIONS.iter().map(|m| m.0).collect();
        let numbered: Vec<i64> = files.iter().map(|f| f[..4].parse().expect("NNNN_name.sql")).collect();
        assert_eq!(listed, numbered, "{files:?}");
    }
}
