//! The figures kept ready (migration 0011): stored parts per matter, the
//! stale marks written beside every new timeline entry, sums by unit.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use shanzhi_domain::indicators::UnitKind;
use shanzhi_domain::indicators::parts::MatterParts;
use shanzhi_domain::{MatterEvent, MatterId};
use shanzhi_store::{FigureStore, PartQuery, PartSum, StoreError, StoreResult};
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};
use sqlx::QueryBuilder;

use crate::fragments::push_list;
use crate::{SqlStore, map_err};

/// Rows per statement (14 binds each: well under every backend's limit).
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

#[derive(SqlRow)]
struct SumRow {
    unit: String,
    key: String,
    numerator: f64,
    numerator_k: f64,
    denominator: f64,
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

/// The column a unit kind groups by.
fn unit_column(by: UnitKind) -> Option<&'static str> {
    match by {
        UnitKind::District => Some("district"),
        UnitKind::Town => Some("town"),
        UnitKind::Community => Some("community"),
        UnitKind::Grid => Some("grid"),
        UnitKind::Department => Some("department"),
        UnitKind::Worker => None,
    }
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
        let row = QueryBuilder::<DB>::new("SELECT COUNT(*) AS n FROM figure_stale")
            .build_query_as::<CountRow>()
            .fetch_one(self.pool())
            .await
            .map_err(map_err)?;
        Ok(u64::try_from(row.n).unwrap_or(0))
    }

    async fn put_figure_parts(&self, parts: &[(MatterId, i64, Option<MatterParts>)]) -> StoreResult<()> {
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
        for chunk in parts.chunks(CHUNK) {
            let mut q = QueryBuilder::<DB>::new("DELETE FROM figure_parts WHERE matter_id IN ");
            push_list(&mut q, chunk.iter().map(|(id, _, _)| id.as_str().to_owned()));
            q.build().execute(&mut *tx).await.map_err(map_err)?;
        }
        let rows: Vec<(&MatterId, &MatterParts, usize, &shanzhi_domain::indicators::parts::Part)> = parts
            .iter()
            .filter_map(|(id, _, p)| p.as_ref().map(|p| (id, p)))
            .flat_map(|(id, m)| m.parts.iter().enumerate().map(move |(n, part)| (id, m, n, part)))
            .collect();
        for chunk in rows.chunks(CHUNK) {
            let mut q = QueryBuilder::<DB>::new(
                "INSERT INTO figure_parts (matter_id, key, at, known_at, numerator, numerator_k, denominator, \
                 line, district, town, community, grid, department, n) ",
            );
            q.push_values(chunk, |mut v, (id, m, n, p)| {
                v.push_bind(id.as_str().to_owned())
                    .push_bind(p.key.as_str().to_owned())
                    .push_bind(p.at.get())
                    .push_bind(p.known_at.get())
                    .push_bind(p.numerator)
                    .push_bind(p.numerator_k)
                    .push_bind(p.denominator)
                    .push_bind(m.line.as_str().to_owned())
                    .push_bind(m.places.district.significant().to_owned())
                    .push_bind(m.places.town.significant().to_owned())
                    .push_bind(m.places.community.significant().to_owned())
                    .push_bind(m.places.grid.to_string())
                    .push_bind(p.department.as_ref().map(ToString::to_string))
                    .push_bind(i64::try_from(*n).unwrap_or(i64::MAX));
            });
            q.build().execute(&mut *tx).await.map_err(map_err)?;
        }
        for (id, seq, _) in parts.iter().copied() {
            let mut q = QueryBuilder::<DB>::new("DELETE FROM figure_stale WHERE matter_id = ");
            q.push_bind(id.as_str().to_owned()).push(" AND seq <= ").push_bind(*seq);
            q.build().execute(&mut *tx).await.map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)
    }

    async fn sum_figure_parts(&self, pq: &PartQuery) -> StoreResult<Vec<PartSum>> {
        let Some(column) = unit_column(pq.by) else { return Ok(Vec::new()) };
        let mut q = QueryBuilder::<DB>::new(format!(
            "SELECT {column} AS unit, key, SUM(numerator) AS numerator, SUM(numerator_k) AS numerator_k, \
             SUM(denominator) AS denominator FROM figure_parts WHERE at >= "
        ));
        q.push_bind(pq.start.get()).push(" AND at < ").push_bind(pq.end.get());
        q.push(" AND known_at < ").push_bind(pq.as_of.get());
        if pq.by == UnitKind::Department {
            q.push(" AND department IS NOT NULL");
        }
        if let Some(line) = pq.line {
            q.push(" AND (line = ").push_bind(line.as_str().to_owned()).push(" OR line = 'both')");
        }
        if let Some(w) = &pq.within {
            q.push(" AND community LIKE ").push_bind(format!("{}%", w.significant()));
        }
        if !pq.scope.is_empty() {
            q.push(" AND (");
            for (i, d) in pq.scope.iter().enumerate() {
                if i > 0 {
                    q.push(" OR ");
                }
                q.push("community LIKE ").push_bind(format!("{}%", d.significant()));
            }
            q.push(")");
        }
        q.push(format!(" GROUP BY {column}, key"));
        let rows = q.build_query_as::<SumRow>().fetch_all(self.pool()).await.map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(PartSum {
                    unit: r.unit,
                    key: r.key.parse().map_err(|e: shanzhi_domain::text::Bilingual| StoreError::corrupt(e.en))?,
                    numerator: r.numerator,
                    numerator_k: r.numerator_k,
                    denominator: r.denominator,
                })
            })
            .collect()
    }
}
