//! Backups of a live SQLite store, and the checks a restore makes first.
//!
//! The copy is made with `VACUUM INTO` rather than the online backup API:
//! sqlx does not expose `sqlite3_backup_*`, and reaching it through
//! libsqlite3-sys would need `unsafe` code, which the workspace forbids.
//! `VACUUM INTO` gives what a backup needs in one statement: it reads one
//! snapshot inside a single read transaction, so in WAL mode writers carry on
//! meanwhile (only checkpoints wait for it to finish), and the copy comes out
//! compacted.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use shanzhi_store::{StoreContents, StoreError, StoreResult};
use shanzhi_store_sql::{map_err, read_contents};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};

/// Write a consistent copy of the database at `source` to `dest`, which must
/// not exist yet. `source` must exist: a missing database is an error, not an
/// empty backup. The copy is not synced to disk: the caller does that before
/// trusting it (`VACUUM INTO` never calls fsync).
pub async fn backup_into(source: &Path, dest: &Path) -> StoreResult<()> {
    let dest = dest.to_str().ok_or_else(|| StoreError::Database(format!("path is not UTF-8: {}", dest.display())))?;
    // No journal mode or other pragma that writes: the server owns those.
    let options = SqliteConnectOptions::new().filename(source).busy_timeout(Duration::from_secs(30));
    let mut conn = options.connect().await.map_err(map_err)?;
    let result = sqlx::query("VACUUM INTO ?").bind(dest).execute(&mut conn).await.map_err(map_err);
    conn.close().await.map_err(map_err)?;
    result.map(|_| ())
}

/// Check that the file at `path` is a whole Shanzhi database: SQLite's own
/// `integrity_check` passes and it has been migrated. Opens it read-only and
/// immutable, so it leaves no journal files beside it. Returns what it holds.
pub async fn check_backup(path: &Path) -> StoreResult<StoreContents> {
    let options = SqliteConnectOptions::new().filename(path).read_only(true).immutable(true);
    let mut conn = options.connect().await.map_err(map_err)?;
    let result = check(&mut conn).await;
    conn.close().await.map_err(map_err)?;
    result
}

async fn check(conn: &mut SqliteConnection) -> StoreResult<StoreContents> {
    let report: Vec<String> =
        sqlx::query_scalar("PRAGMA integrity_check").fetch_all(&mut *conn).await.map_err(map_err)?;
    if report.len() != 1 || report[0] != "ok" {
        let first: Vec<&str> = report.iter().take(5).map(String::as_str).collect();
        return Err(StoreError::corrupt(format!("integrity_check failed: {}", first.join("; "))));
    }
    read_contents::<sqlx::Sqlite>(conn)
        .await?
        .ok_or_else(|| StoreError::corrupt("no _sqlx_migrations table: not a Shanzhi database"))
}

/// What the database at `path` holds, without migrating or creating it:
/// `None` if there is no file or it was never migrated.
pub async fn existing_contents(path: &Path) -> StoreResult<Option<StoreContents>> {
    if !path.exists() {
        return Ok(None);
    }
    let options = SqliteConnectOptions::new().filename(path).busy_timeout(Duration::from_secs(10));
    let mut conn = options.connect().await.map_err(map_err)?;
    let result = read_contents::<sqlx::Sqlite>(&mut conn).await;
    conn.close().await.map_err(map_err)?;
    result
}

/// The file a `sqlite://` URL names; an in-memory database has none.
pub fn path_of_url(url: &str) -> StoreResult<PathBuf> {
    let options = SqliteConnectOptions::from_str(url).map_err(map_err)?;
    let path = options.get_filename();
    // sqlx names an in-memory database `file:sqlx-in-memory-N` and does not say otherwise.
    if url.contains(":memory:")
        || url.contains("mode=memory")
        || path.to_string_lossy().starts_with("file:sqlx-in-memory")
        || path.as_os_str().is_empty()
    {
        return Err(StoreError::Database("an in-memory database has no file to back up or restore".to_owned()));
    }
    Ok(path.to_path_buf())
}
