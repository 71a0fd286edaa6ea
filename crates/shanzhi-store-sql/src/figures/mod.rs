//! The figures kept ready (migrations 0011, 0013, 0018): stored parts per matter,
//! the stale marks written beside every new timeline entry, the roll-ups
//! changed with the parts, sums by unit.

mod rollup;
mod sums;

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use shanzhi_domain::indicators::parts::MatterParts;
use shanzhi_domain::{MatterEvent, MatterId};
use shanzhi_store::{FigureStore, PartQuery, PartSum, StoreError, StoreResult};
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};
use sqlx::QueryBuilder;

use crate::fragments::push_list;
use crate::{SqlStore, map_err};
use rollup::{Deltas, PartRow};

/// Rows per statement (15 binds each: well under every backend's limit).
const CHUNK: usize = 500;

#[derive(SqlRow)]
struct StaleRow {
    matter_id: String,
    seq: i64,
}

#[derive(SqlRow)]
struct IdRow {
    matter_id: String,
}

#[derive(SqlRow)]
struct CountRow {
    n: i64,
}

/// The rows of a `SELECT COUNT(*) AS n` query.
#[sql_bounds]
async fn count<DB>(pool: &sqlx::Pool<DB>, sql: &'static str) -> StoreResult<u64> {
    let row = QueryBuilder::<DB>::new(sql).build_query_as::<CountRow>().fetch_one(pool).await.map_err(map_err)?;
    Ok(u64::try_from(row.n).unwrap_or(0))
}

/// Mark the matters of these entries stale (in the caller's transaction).
#[sql_bounds]
pub(crate) async fn mark_stale<'a, DB>(
    conn: &mut DB::Connection,
    events: &[(&'a MatterId, &'a MatterEvent)],
) -> StoreResult<()> {
    // One row per matter: PostgreSQL refuses to update a row twice in one statement.
    let mut latest: BTreeMap<&str, i64> = BTreeMap::new();
    for (id, e) in events {
        let seq = latest.entry(id.as_str()).or_insert(e.seq);
        *seq = (*seq).max(e.seq);
    }
    let rows: Vec<(&str, i64)> = latest.into_iter().collect();
    for chunk in rows.chunks(CHUNK) {
        let mut q = QueryBuilder::<DB>::new("INSERT INTO figure_stale (matter_id, seq) ");
        q.push_values(chunk, |mut v, (id, seq)| {
            v.push_bind((*id).to_owned()).push_bind(*seq);
        });
        q.push(
            " ON CONFLICT (matter_id) DO UPDATE SET seq = CASE WHEN excluded.seq > figure_stale.seq \
             THEN excluded.seq ELSE figure_stale.seq END",
        );
        q.build().execute(&mut *conn).await.map_err(map_err)?;
    }
    Ok(())
}

#[sql_bounds]
#[async_trait]
impl<DB> FigureStore for SqlStore<DB> {
    async fn stale_figure_matters(&self, limit: usize) -> StoreResult<Vec<(MatterId, i64)>> {
        let mut q = QueryBuilder::<DB>::new("SELECT matter_id, seq FROM figure_stale ORDER BY matter_id LIMIT ");
        q.push_bind(i64::try_from(limit.clamp(1, 100_000)).unwrap_or(1));
        let rows = q.build_query_as::<StaleRow>().fetch_all(self.pool()).await.map_err(map_err)?;
        rows.into_iter().map(|r| Ok((MatterId::parse(&r.matter_id).map_err(StoreError::corrupt)?, r.seq))).collect()
    }

    async fn count_stale_figure_matters(&self) -> StoreResult<u64> {
        count::<DB>(self.pool(), "SELECT COUNT(*) AS n FROM figure_stale").await
    }

    async fn put_figure_parts(&self, parts: &[(MatterId, i64, Option<MatterParts>)]) -> StoreResult<()> {
        // Refused whole, before anything is written: parts the sums cannot hold.
        for p in parts.iter().filter_map(|(_, _, p)| p.as_ref()).flat_map(|m| &m.parts) {
            rollup::summable(p)?;
        }
        let mut tx = self.pool().begin().await.map_err(map_err)?;
        // Lock the stale marks first: a server refreshing the same matters
        // waits here, and a matter whose mark another server has cleared
        // meanwhile is left as that server wrote it (it may have read a
        // longer timeline than this one).
        let mut marked: BTreeSet<String> = BTreeSet::new();
        for chunk in parts.chunks(CHUNK) {
            let mut q = QueryBuilder::<DB>::new("UPDATE figure_stale SET seq = seq WHERE matter_id IN ");
            push_list(&mut q, chunk.iter().map(|(id, _, _)| id.as_str().to_owned()));
            q.push(" RETURNING matter_id");
            for row in q.build_query_as::<IdRow>().fetch_all(&mut *tx).await.map_err(map_err)? {
                marked.insert(row.matter_id);
            }
        }
        let parts: Vec<&(MatterId, i64, Option<MatterParts>)> =
            parts.iter().filter(|(id, _, _)| marked.contains(id.as_str())).collect();
        // The old parts leave the roll-ups, the new ones join them.
        let mut deltas = Deltas::default();
        for chunk in parts.chunks(CHUNK) {
            let mut q = QueryBuilder::<DB>::new("DELETE FROM figure_parts WHERE matter_id IN ");
            push_list(&mut q, chunk.iter().map(|(id, _, _)| id.as_str().to_owned()));
            q.push(
                " RETURNING key, at, known_at, numerator, numerator_k, denominator, line, district, town, \
                 community, grid, department, holder_grid",
            );
            for old in q.build_query_as::<PartRow>().fetch_all(&mut *tx).await.map_err(map_err)? {
                deltas.add(&old, -1)?;
            }
        }
        let rows: Vec<(&MatterId, usize, PartRow)> = parts
            .iter()
            .filter_map(|(id, _, p)| p.as_ref().map(|p| (id, p)))
            .flat_map(|(id, m)| m.parts.iter().enumerate().map(move |(n, part)| (id, n, PartRow::of(m, part))))
            .collect();
        for (_, _, row) in &rows {
            deltas.add(row, 1)?;
        }
        for chunk in rows.chunks(CHUNK) {
            let mut q = QueryBuilder::<DB>::new(
                "INSERT INTO figure_parts (matter_id, key, at, known_at, numerator, numerator_k, denominator, \
                 line, district, town, community, grid, department, holder_grid, n) ",
            );
            q.push_values(chunk, |mut v, (id, n, p)| {
                v.push_bind(id.as_str().to_owned())
                    .push_bind(p.key.clone())
                    .push_bind(p.at)
                    .push_bind(p.known_at)
                    .push_bind(p.numerator)
                    .push_bind(p.numerator_k)
                    .push_bind(p.denominator)
                    .push_bind(p.line.clone())
                    .push_bind(p.district.clone())
                    .push_bind(p.town.clone())
                    .push_bind(p.community.clone())
                    .push_bind(p.grid.clone())
                    .push_bind(p.department.clone())
                    .push_bind(p.holder_grid.clone())
                    .push_bind(i64::try_from(*n).unwrap_or(i64::MAX));
            });
            q.build().execute(&mut *tx).await.map_err(map_err)?;
        }
        rollup::apply::<DB>(&mut tx, deltas.changes()).await?;
        for (id, seq, _) in parts.iter().copied() {
            let mut q = QueryBuilder::<DB>::new("DELETE FROM figure_stale WHERE matter_id = ");
            q.push_bind(id.as_str().to_owned()).push(" AND seq <= ").push_bind(*seq);
            q.build().execute(&mut *tx).await.map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)
    }

    async fn sum_figure_parts(&self, pq: &PartQuery) -> StoreResult<Vec<PartSum>> {
        match rollup::plan(pq) {
            Some(plan) => sums::rolled(self.pool(), pq, &plan).await,
            None => sums::raw(self.pool(), pq).await,
        }
    }

    async fn count_figure_rollups(&self) -> StoreResult<u64> {
        count::<DB>(self.pool(), "SELECT COUNT(*) AS n FROM figure_rollups").await
    }
}
