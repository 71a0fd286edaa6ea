//! What `shanzhi backup` and `shanzhi restore` need from the database itself;
//! the binary runs `pg_dump` and `pg_restore`.

use shanzhi_store::{StoreContents, StoreError, StoreResult};
use shanzhi_store_sql::{map_err, read_contents};
use sqlx::{Connection, PgConnection};

/// An open read-only transaction whose snapshot `pg_dump --snapshot` copies,
/// with what that snapshot holds: the backup's summary then counts exactly
/// what the dump contains, however many writes land meanwhile. Keep it until
/// the dump has finished, then [`release`](Self::release) it.
#[derive(Debug)]
pub struct ExportedSnapshot {
    conn: PgConnection,
    /// The id to pass to `pg_dump --snapshot`.
    pub id: String,
    pub contents: StoreContents,
}

/// Export a snapshot of the database at `url` (its `search_path` selects
/// Shanzhi's schema). Fails if no Shanzhi store is there.
pub async fn export_snapshot(url: &str) -> StoreResult<ExportedSnapshot> {
    let mut conn = PgConnection::connect(url).await.map_err(map_err)?;
    // Repeatable read: the snapshot is taken at the first statement and kept,
    // so the counts below and the dump see the same data.
    sqlx::query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").execute(&mut conn).await.map_err(map_err)?;
    let id: String = sqlx::query_scalar("SELECT pg_export_snapshot()").fetch_one(&mut conn).await.map_err(map_err)?;
    let contents = read_contents::<sqlx::Postgres>(&mut conn).await?.ok_or_else(|| {
        StoreError::Database("no Shanzhi tables at this URL (check the database and its search_path)".to_owned())
    })?;
    Ok(ExportedSnapshot { conn, id, contents })
}

impl ExportedSnapshot {
    /// End the transaction (after the dump: the snapshot dies with it).
    pub async fn release(mut self) -> StoreResult<()> {
        sqlx::query("COMMIT").execute(&mut self.conn).await.map_err(map_err)?;
        self.conn.close().await.map_err(map_err)
    }
}

/// What the database at `url` holds, without migrating it: `None` if
/// Shanzhi's tables are not there (never migrated, or another schema).
pub async fn existing_contents(url: &str) -> StoreResult<Option<StoreContents>> {
    let mut conn = PgConnection::connect(url).await.map_err(map_err)?;
    let result = read_contents::<sqlx::Postgres>(&mut conn).await;
    conn.close().await.map_err(map_err)?;
    result
}

/// Create `schema` in the database at `url` unless it exists (a restore puts
/// the dump's tables there; an existing schema keeps its owner and grants).
pub async fn ensure_schema(url: &str, schema: &str) -> StoreResult<()> {
    let mut conn = PgConnection::connect(url).await.map_err(map_err)?;
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1)")
        .bind(schema)
        .fetch_one(&mut conn)
        .await
        .map_err(map_err)?;
    if !exists {
        let sql = format!("CREATE SCHEMA \"{}\"", schema.replace('"', "\"\""));
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.map_err(map_err)?;
    }
    conn.close().await.map_err(map_err)
}
