//! The SQL of the Shanzhi store, written once for both backends. The schema
//! is plain SQL that SQLite and PostgreSQL read alike; what differs (how a
//! write transaction begins, the clock, the engine's version query, bind
//! limits) is a [`Dialect`]. Placeholders come from sqlx's `QueryBuilder`,
//! which writes `?` or `$n` as the engine wants.
//!
//! The backend crates (`shanzhi-store-sqlite`, `shanzhi-store-pg`) open the
//! connection pool, tune it, and carry their own migrations.

mod audit;
mod auth;
mod callback;
mod case;
mod contents;
mod convert;
mod deliberation;
mod dictionary;
mod division;
mod fetch;
mod figures;
mod fragments;
mod fund;
mod grid;
mod matter;
mod notify;

pub use contents::read_contents;
pub use matter::{GroupReceiver, run_group_commit};
mod patrol;
mod people;
mod ranking;
mod register;
mod setting;
mod signup;
mod task;
mod timing;
pub mod tlog;
mod visit;
mod volunteer;

use std::borrow::Cow;
use std::sync::Arc;

use async_trait::async_trait;
use shanzhi_store::{Backend, SchemaInfo, Store, StoreContents, StoreError, StoreResult};
use shanzhi_store_sql_macros::sql_bounds;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AssertSqlSafe, Database, Pool, QueryBuilder, SqlSafeStr, Transaction};
use tokio::sync::OwnedMutexGuard;

/// What differs between the engines.
pub trait Dialect: Database {
    const BACKEND: Backend;
    /// Rows per multi-row statement, well below the engine's bind limit.
    const CHUNK_ROWS: usize;
    /// How a write transaction begins. SQLite takes the write lock up front
    /// (`BEGIN IMMEDIATE`), so concurrent writers queue on the busy timeout
    /// instead of failing halfway.
    const BEGIN_WRITE: &'static str;
    /// How a read that spans several statements begins, so that all of them
    /// see one snapshot: SQLite's deferred transaction holds its first read's
    /// snapshot to the end (WAL); PostgreSQL's default, read committed, would
    /// give each statement its own.
    const BEGIN_SNAPSHOT: &'static str;
    /// The current time as the engine stores it.
    const NOW: &'static str;
    /// A query returning the engine's version as one text column.
    const ENGINE_VERSION: &'static str;
    /// How `ENGINE_VERSION` is labelled.
    const ENGINE_NAME: &'static str;
    /// Statements that refresh the planner's statistics.
    const ANALYZE: &'static [&'static str];
    /// Counts the tables of this name where the store keeps its tables (the
    /// name is bound after it).
    const TABLE_EXISTS: &'static str;
}

impl Dialect for sqlx::Sqlite {
    const BACKEND: Backend = Backend::Sqlite;
    const CHUNK_ROWS: usize = 500;
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";
    const BEGIN_SNAPSHOT: &'static str = "BEGIN";
    const NOW: &'static str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
    const ENGINE_VERSION: &'static str = "SELECT sqlite_version()";
    const ENGINE_NAME: &'static str = "SQLite";
    // A full pass (about a second per million matters): a sample misjudges the
    // skewed columns (one city for every row) and sends lists down the wrong index.
    const ANALYZE: &'static [&'static str] = &["PRAGMA analysis_limit = 0", "ANALYZE"];
    const TABLE_EXISTS: &'static str = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ";
}

impl Dialect for sqlx::Postgres {
    const BACKEND: Backend = Backend::Postgres;
    const CHUNK_ROWS: usize = 1000;
    const BEGIN_WRITE: &'static str = "BEGIN";
    const BEGIN_SNAPSHOT: &'static str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    const NOW: &'static str = "now()";
    const ENGINE_VERSION: &'static str = "SHOW server_version";
    const ENGINE_NAME: &'static str = "PostgreSQL";
    const ANALYZE: &'static [&'static str] = &["ANALYZE"];
    // current_schema(): the first schema of the search path, where migrations
    // create the tables.
    const TABLE_EXISTS: &'static str =
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ";
}

/// A store over a pool of either engine.
#[derive(Debug)]
pub struct SqlStore<DB: Database> {
    pool: Pool<DB>,
    migrations: &'static [(i64, &'static str, &'static str)],
    /// SQLite has one writer at a time: writers of this process queue here
    /// instead of spinning on the busy timeout (other processes still use it).
    writer: Option<Arc<tokio::sync::Mutex<()>>>,
    /// New matters go through a group writer (SQLite; see `matter::group`).
    group: Option<matter::GroupCommit>,
}

impl<DB: Database> Clone for SqlStore<DB> {
    fn clone(&self) -> Self {
        SqlStore {
            pool: self.pool.clone(),
            migrations: self.migrations,
            writer: self.writer.clone(),
            group: self.group.clone(),
        }
    }
}

impl<DB: Dialect> SqlStore<DB> {
    /// A store over `pool`; `migrations` are the backend's own, applied by
    /// [`SqlStore::migrate`].
    pub fn new(pool: Pool<DB>, migrations: &'static [(i64, &'static str, &'static str)]) -> Self {
        let writer = (DB::BACKEND == Backend::Sqlite).then(|| Arc::new(tokio::sync::Mutex::new(())));
        SqlStore { pool, migrations, writer, group: None }
    }

    /// Wait for this process's turn to write (SQLite only).
    pub(crate) async fn writer(&self) -> Option<OwnedMutexGuard<()>> {
        match &self.writer {
            Some(w) => Some(w.clone().lock_owned().await),
            None => None,
        }
    }

    /// This process's turn to write (SQLite only), then a write transaction
    /// in it; keep both to the end (`let (_writer, mut tx) = …`).
    pub(crate) async fn begin_write(&self) -> StoreResult<(Option<OwnedMutexGuard<()>>, Transaction<'static, DB>)> {
        let writer = self.writer().await;
        let tx = self.pool.begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
        Ok((writer, tx))
    }

    pub fn pool(&self) -> &Pool<DB> {
        &self.pool
    }

    fn migrator(&self) -> Migrator {
        let migrations = self
            .migrations
            .iter()
            .map(|(version, description, sql)| {
                Migration::new(
                    *version,
                    Cow::Borrowed(*description),
                    MigrationType::Simple,
                    AssertSqlSafe(*sql).into_sql_str(),
                    false,
                )
            })
            .collect();
        Migrator::with_migrations(migrations)
    }

    fn latest_version(&self) -> i64 {
        self.migrations.iter().map(|m| m.0).max().unwrap_or(0)
    }
}

#[sql_bounds]
impl<DB> SqlStore<DB>
where
    DB::Connection: sqlx::migrate::Migrate,
{
    /// How both backends open their store: a pool of `max_connections` to
    /// `options`, `migrations` applied, new matters through a group writer
    /// (one commit for many reports) that runs until the last handle drops.
    pub async fn open(
        options: <DB::Connection as sqlx::Connection>::Options,
        max_connections: u32,
        migrations: &'static [(i64, &'static str, &'static str)],
    ) -> StoreResult<Self> {
        let pool = sqlx::pool::PoolOptions::<DB>::new()
            .max_connections(max_connections)
            .acquire_timeout(std::time::Duration::from_secs(15))
            .connect_with(options)
            .await
            .map_err(map_err)?;
        let (store, queue) = SqlStore::new(pool, migrations).with_group_commit();
        store.migrate().await?;
        tokio::spawn(run_group_commit(store.clone(), queue));
        Ok(store)
    }

    /// Apply the backend's migrations (idempotent).
    pub async fn migrate(&self) -> StoreResult<()> {
        self.migrator().run(&self.pool).await.map_err(|e| StoreError::Migration(e.to_string()))?;
        // A store from before the transparency log: log what it holds, once.
        let (_writer, mut tx) = self.begin_write().await?;
        let logged = tlog::backfill::<DB>(&mut tx).await?;
        tx.commit().await.map_err(map_err)?;
        if logged > 0 {
            tracing::info!(
                records = logged,
                "透明日志已收录既有记录 (existing records entered in the transparency log)"
            );
        }
        // Matters from before the search index (migration 0016): indexed
        // here, a batch per transaction, since the fold is not SQL.
        let mut indexed = 0;
        loop {
            let mut tx = self.pool.begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
            let n = matter::backfill_batch::<DB>(&mut tx).await?;
            tx.commit().await.map_err(map_err)?;
            indexed += n;
            if n == 0 {
                break;
            }
        }
        if indexed > 0 {
            tracing::info!(matters = indexed, "已为既有事件建立搜索索引 (existing matters indexed for search)");
        }
        Ok(())
    }
}

#[sql_bounds]
#[async_trait]
impl<DB> Store for SqlStore<DB> {
    fn backend(&self) -> Backend {
        DB::BACKEND
    }

    async fn schema_info(&self) -> StoreResult<SchemaInfo> {
        use sqlx::Row;
        let row = QueryBuilder::<DB>::new("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
            .build()
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)?;
        let version: Option<i64> = row.try_get(0usize).map_err(map_err)?;
        let row = QueryBuilder::<DB>::new(DB::ENGINE_VERSION).build().fetch_one(&self.pool).await.map_err(map_err)?;
        let engine: String = row.try_get(0usize).map_err(map_err)?;
        Ok(SchemaInfo {
            backend: DB::BACKEND,
            schema_version: version.unwrap_or(0),
            latest_version: self.latest_version(),
            engine_version: format!("{} {engine}", DB::ENGINE_NAME),
        })
    }

    async fn analyze(&self) -> StoreResult<()> {
        // One connection, so a per-connection pragma applies to the ANALYZE.
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        for sql in DB::ANALYZE {
            QueryBuilder::<DB>::new(*sql).build().execute(&mut *conn).await.map_err(map_err)?;
        }
        Ok(())
    }

    async fn contents(&self) -> StoreResult<StoreContents> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        Ok(read_contents::<DB>(&mut conn).await?.unwrap_or_default())
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

/// Add one to the counter `name` and read it back, inside the caller's write
/// transaction. The update comes first: on PostgreSQL it locks the row until
/// commit, so concurrent writers take turns and numbers never repeat.
#[sql_bounds]
pub(crate) async fn bump_counter<DB>(conn: &mut DB::Connection, name: &str) -> StoreResult<i64> {
    use sqlx::Row;
    let mut q = QueryBuilder::<DB>::new("UPDATE counters SET value = value + 1 WHERE name = ");
    q.push_bind(name.to_owned());
    q.build().execute(&mut *conn).await.map_err(map_err)?;
    let mut q = QueryBuilder::<DB>::new("SELECT value FROM counters WHERE name = ");
    q.push_bind(name.to_owned());
    q.build().fetch_one(&mut *conn).await.map_err(map_err)?.try_get(0usize).map_err(map_err)
}

/// The next link of a hash chain: its number from the counter `counter`, and
/// the hash of the link before it in `table` (`genesis` for the first). The
/// counter moves first: on PostgreSQL that locks its row until commit, so
/// appends take turns and the chain never forks.
#[sql_bounds]
pub(crate) async fn next_link<DB>(
    conn: &mut DB::Connection,
    counter: &str,
    table: &str,
    genesis: &str,
) -> StoreResult<(i64, String)> {
    use sqlx::Row;
    let seq = bump_counter::<DB>(conn, counter).await?;
    let mut q = QueryBuilder::<DB>::new(format!("SELECT hash FROM {table} WHERE seq = "));
    q.push_bind(seq - 1);
    let prev = match q.build().fetch_optional(&mut *conn).await.map_err(map_err)? {
        Some(row) => row.try_get(0usize).map_err(map_err)?,
        None => genesis.to_owned(),
    };
    Ok((seq, prev))
}

/// One more than the largest `column` among the rows of `table` whose
/// `key_column` is `key` (1 for none): the next sequence number or version,
/// read inside the caller's write transaction.
#[sql_bounds]
pub(crate) async fn next_number<DB>(
    conn: &mut DB::Connection,
    table: &str,
    column: &str,
    key_column: &str,
    key: &str,
) -> StoreResult<i64> {
    use sqlx::Row;
    let mut q =
        QueryBuilder::<DB>::new(format!("SELECT COALESCE(MAX({column}), 0) FROM {table} WHERE {key_column} = "));
    q.push_bind(key.to_owned());
    let last: i64 = q.build().fetch_one(&mut *conn).await.map_err(map_err)?.try_get(0usize).map_err(map_err)?;
    Ok(last + 1)
}

/// The current instant as stored: microseconds since the Unix epoch.
pub fn now_micros() -> i64 {
    jiff::Timestamp::now().as_microsecond()
}

/// Driver errors become port errors; constraint failures are told apart so the
/// application can say "refused" rather than "broken".
pub fn map_err(e: sqlx::Error) -> StoreError {
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
