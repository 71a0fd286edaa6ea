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

/// Rows a read may have ready ahead of its caller.
const ROW_CHANNEL: usize = 8_192;

async fn open_with(options: SqliteConnectOptions) -> StoreResult<SqliteStore> {
    let options = options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        .pragma("temp_store", "memory")
        // Deleted and overwritten content is zeroed, not left in free space:
        // an erased person's number is gone from the file (PIPL).
        .pragma("secure_delete", "on")
        // Reads come from a 32 MiB page cache per connection rather than a
        // pread per page. (No mmap: with WAL it remaps on every commit that
        // grows the file, which costs more than it saves.)
        .pragma("cache_size", "-32768")
        // The rows of a read wait in a channel from the connection's thread to
        // the caller: at the default 50 the thread stops and is woken again for
        // every row once the caller falls behind (half the record export's
        // time); a page of timelines (500 matters) fits without a stop.
        .row_buffer_size(ROW_CHANNEL);
    SqlStore::open(options, 8, MIGRATIONS).await
}
