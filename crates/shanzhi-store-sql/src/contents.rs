//! What a database holds, counted. Backups and restores read databases that
//! were never migrated, or were migrated by an older build, so a missing table
//! counts as empty rather than failing.

use shanzhi_store::{StoreContents, StoreResult};
use sqlx::{QueryBuilder, Row};

use crate::map_err;
use shanzhi_store_sql_macros::sql_bounds;

/// The counts of the database behind `conn`, or `None` if it was never
/// migrated (no `_sqlx_migrations` table: nothing of Shanzhi's is there).
#[sql_bounds]
pub async fn read_contents<DB>(conn: &mut DB::Connection) -> StoreResult<Option<StoreContents>> {
    if !table_exists::<DB>(conn, "_sqlx_migrations").await? {
        return Ok(None);
    }
    let row = QueryBuilder::<DB>::new("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
        .build()
        .fetch_one(&mut *conn)
        .await
        .map_err(map_err)?;
    let schema_version: Option<i64> = row.try_get(0usize).map_err(map_err)?;
    let mut counts = [0u64; 4];
    for (count, table) in counts.iter_mut().zip(["divisions", "users", "matters", "matter_events"]) {
        if table_exists::<DB>(conn, table).await? {
            let row = QueryBuilder::<DB>::new(format!("SELECT COUNT(*) FROM {table}"))
                .build()
                .fetch_one(&mut *conn)
                .await
                .map_err(map_err)?;
            let n: i64 = row.try_get(0usize).map_err(map_err)?;
            *count = u64::try_from(n).unwrap_or(0);
        }
    }
    let [divisions, users, matters, matter_events] = counts;
    Ok(Some(StoreContents { divisions, users, matters, matter_events, schema_version: schema_version.unwrap_or(0) }))
}

#[sql_bounds]
async fn table_exists<DB>(conn: &mut DB::Connection, table: &str) -> StoreResult<bool> {
    let mut q = QueryBuilder::<DB>::new(DB::TABLE_EXISTS);
    q.push_bind(table.to_owned());
    let row = q.build().fetch_one(&mut *conn).await.map_err(map_err)?;
    let n: i64 = row.try_get(0usize).map_err(map_err)?;
    Ok(n > 0)
}
