//! SQLite storage for Shanzhi: the embedded default. One file under the data
//! directory, WAL journal, foreign keys on, `synchronous=FULL` so that a
//! commit the platform has acknowledged survives a killed process (and power
//! loss). The queries are shared with PostgreSQL (`shanzhi-store-sql`); this
//! crate opens the pool and carries SQLite's migrations.

mod backup;

pub use backup::{backup_into, check_backup, existing_contents, path_of_url};

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use shanzhi_store::StoreResult;
use shanzhi_store_sql::{SqlStore, map_err};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};

/// The store on SQLite.
pub type SqliteStore = SqlStore<sqlx::Sqlite>;

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// Open (creating if missing) the database file at `path` and apply migrations.
pub async fn open(path: &Path) -> StoreResult<SqliteStore> {
    open_with(SqliteConnectOptions::new().filename(path)).await
}

/// Open a `sqlite://` URL (e.g. `sqlite:///var/lib/shanzhi/shanzhi.db`).
pub async fn open_url(url: &str) -> StoreResult<SqliteStore> {
    open_with(SqliteConnectOptions::from_str(url).map_err(map_err)?).await
}

async fn open_with(options: SqliteConnectOptions) -> StoreResult<SqliteStore> {
    let options = options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        .pragma("temp_store", "memory")
        // Reads come from a 32 MiB page cache per connection rather than a
        // pread per page. (No mmap: with WAL it remaps on every commit that
        // grows the file, which costs more than it saves.)
        .pragma("cache_size", "-32768");
    SqlStore::open(options, 8, MIGRATIONS).await
}
