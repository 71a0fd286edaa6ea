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

use shanzhi_store::StoreResult;
use shanzhi_store_sql::{SqlStore, map_err};
use sqlx::postgres::PgConnectOptions;

/// The store on PostgreSQL.
pub type PgStore = SqlStore<sqlx::Postgres>;

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// Connect to a `postgres://` URL and apply migrations.
pub async fn connect(url: &str) -> StoreResult<PgStore> {
    connect_with(PgConnectOptions::from_str(url).map_err(map_err)?).await
}

pub async fn connect_with(options: PgConnectOptions) -> StoreResult<PgStore> {
    // New matters are written in groups here too: one commit (and one WAL
    // flush) for many reports, fewer round trips.
    SqlStore::open(options, 16, MIGRATIONS).await
}
