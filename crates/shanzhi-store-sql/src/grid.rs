use std::collections::HashSet;

use async_trait::async_trait;
use jiff::civil::Date;
use shanzhi_domain::{DivisionCode, GridCode, WorkPhone};
use shanzhi_store::{
    AuditEntry, GridChangeSet, GridContactRecord, GridQuery, GridRecord, GridStore, GridWorkerContact, GridWriteCounts,
    MAX_WORKERS_PER_GRID, StoreError, StoreResult,
};
use sqlx::{QueryBuilder, Row};

use crate::convert::{self, GRID_COLUMNS, GridRow};
use crate::fragments::{push_between, push_list, push_name_or_code};
use crate::{SqlStore, audit, map_err};
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};

/// Grid codes bound per name lookup.
const NAMES_CHUNK: usize = 1_000;

#[derive(SqlRow)]
struct NameRow {
    code: String,
    name: String,
}

/// A grid and one of its workers (or none), as the contacts' join reads them.
#[derive(Debug, SqlRow)]
struct ContactRow {
    code: String,
    kind: String,
    name: String,
    user_id: Option<String>,
    display_name: Option<String>,
    work_phone: Option<String>,
}

/// Rows of one grid in a row: the grid, then each worker once.
fn contacts(rows: Vec<ContactRow>) -> StoreResult<Vec<GridContactRecord>> {
    let mut out: Vec<GridContactRecord> = Vec::new();
    for r in rows {
        if out.last().is_none_or(|g| g.code.as_str() != r.code) {
            out.push(GridContactRecord {
                code: GridCode::parse(&r.code).map_err(StoreError::corrupt)?,
                kind: r.kind.parse().map_err(StoreError::corrupt)?,
                name: r.name,
                workers: Vec::new(),
            });
        }
        let (Some(grid), Some(user_id), Some(name)) = (out.last_mut(), r.user_id, r.display_name) else { continue };
        if grid.workers.len() < MAX_WORKERS_PER_GRID && !grid.workers.iter().any(|w| w.user_id == user_id) {
            let work_phone = r.work_phone.as_deref().map(WorkPhone::parse).transpose().map_err(StoreError::corrupt)?;
            grid.workers.push(GridWorkerContact { user_id, name, work_phone });
        }
    }
    Ok(out)
}

#[sql_bounds]
fn push_codes<DB>(q: &mut QueryBuilder<DB>, codes: &[&GridCode]) {
    q.push(" AND code IN ");
    push_list(q, codes.iter().map(|c| c.as_str().to_owned()));
}

#[sql_bounds]
#[async_trait]
impl<DB> GridStore for SqlStore<DB> {
    async fn apply_grid_changes(
        &self,
        changes: &GridChangeSet,
        audit_entry: &AuditEntry,
    ) -> StoreResult<GridWriteCounts> {
        let effective = changes.effective.to_string();
        let touched: Vec<&GridCode> = {
            let mut seen = HashSet::new();
            changes
                .retire
                .iter()
                .chain(changes.insert.iter().map(|(i, _)| &i.code))
                .filter(|c| seen.insert(*c))
                .collect()
        };
        let (_writer, mut tx) = self.begin_write().await?;
        let mut closed = 0;
        for chunk in touched.chunks(DB::CHUNK_ROWS) {
            // What the current versions of these codes are: later ones refuse
            // the change, same-day ones are replaced, earlier ones end.
            let mut current = QueryBuilder::<DB>::new("SELECT code, valid_from FROM grids WHERE valid_to IS NULL");
            push_codes(&mut current, chunk);
            for row in current.build().fetch_all(&mut *tx).await.map_err(map_err)? {
                let code: String = row.try_get("code").map_err(map_err)?;
                let from: String = row.try_get("valid_from").map_err(map_err)?;
                if from > effective {
                    // Now, not when the connection is next used: an open
                    // transaction holds its locks until then.
                    let _ = tx.rollback().await;
                    return Err(StoreError::Constraint(format!(
                        "grid {code} has a version beginning {from}, after {effective}"
                    )));
                }
                closed += 1;
            }
            let mut same_day = QueryBuilder::<DB>::new("DELETE FROM grids WHERE valid_to IS NULL AND valid_from = ");
            same_day.push_bind(effective.clone());
            push_codes(&mut same_day, chunk);
            same_day.build().execute(&mut *tx).await.map_err(map_err)?;
            let mut end = QueryBuilder::<DB>::new("UPDATE grids SET valid_to = ");
            end.push_bind(effective.clone())
                .push(" WHERE valid_to IS NULL AND valid_from < ")
                .push_bind(effective.clone());
            push_codes(&mut end, chunk);
            end.build().execute(&mut *tx).await.map_err(map_err)?;
        }
        for chunk in changes.insert.chunks(DB::CHUNK_ROWS) {
            let mut q = QueryBuilder::<DB>::new(
                "INSERT INTO grids (code, valid_from, kind, name, parent_code, community_code, households, \
                 min_lng, min_lat, max_lng, max_lat, geometry) ",
            );
            q.push_values(chunk, |mut v, (info, geometry)| {
                let b = convert::bbox(geometry);
                v.push_bind(info.code.as_str().to_owned())
                    .push_bind(effective.clone())
                    .push_bind(info.kind.as_str().to_owned())
                    .push_bind(info.name.clone())
                    .push_bind(info.parent.as_ref().map(|p| p.as_str().to_owned()))
                    .push_bind(info.community().as_str().to_owned())
                    .push_bind(info.households.map(i64::from))
                    .push_bind(b[0])
                    .push_bind(b[1])
                    .push_bind(b[2])
                    .push_bind(b[3])
                    .push_bind(shanzhi_geo::features::encode_geometry(geometry));
            });
            q.build().execute(&mut *tx).await.map_err(map_err)?;
        }
        let revision = crate::bump_counter::<DB>(&mut tx, "grids").await?;
        audit::commit::<DB>(tx, audit_entry).await?;
        Ok(GridWriteCounts { opened: changes.insert.len() as u64, closed, revision })
    }

    async fn grids(&self, query: &GridQuery) -> StoreResult<Vec<GridRecord>> {
        let as_of = query.as_of.to_string();
        let mut q = QueryBuilder::<DB>::new(format!("SELECT {GRID_COLUMNS} FROM grids WHERE valid_from <= "));
        q.push_bind(as_of.clone()).push(" AND (valid_to IS NULL OR valid_to > ").push_bind(as_of).push(")");
        if !query.communities.is_empty() {
            q.push(" AND community_code IN ");
            push_list(&mut q, query.communities.iter().map(|c| c.as_str().to_owned()));
        }
        if !query.codes.is_empty() {
            q.push(" AND code IN ");
            push_list(&mut q, query.codes.iter().map(|c| c.as_str().to_owned()));
        }
        if let Some(within) = &query.within {
            let (lower, upper) = within.descendant_bounds();
            q.push(" AND ");
            push_between(&mut q, "community_code", lower, upper);
        }
        if let Some(kind) = query.kind {
            q.push(" AND kind = ").push_bind(kind.as_str().to_owned());
        }
        if let Some([x0, y0, x1, y1]) = query.bbox {
            q.push(" AND max_lng >= ").push_bind(x0).push(" AND min_lng <= ").push_bind(x1);
            q.push(" AND max_lat >= ").push_bind(y0).push(" AND min_lat <= ").push_bind(y1);
        }
        if let Some(text) = &query.name_or_code {
            push_name_or_code(&mut q, text);
        }
        q.push(" ORDER BY code");
        if let Some(limit) = query.limit {
            q.push(" LIMIT ").push_bind(i64::try_from(limit).unwrap_or(i64::MAX));
        }
        let rows = q.build_query_as::<GridRow>().fetch_all(self.pool()).await.map_err(map_err)?;
        rows.into_iter().map(convert::grid).collect()
    }

    async fn community_grid_contacts(
        &self,
        community: &DivisionCode,
        day: Date,
        limit: usize,
    ) -> StoreResult<Vec<GridContactRecord>> {
        let day = day.to_string();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX / 16);
        let mut q = QueryBuilder::<DB>::new(
            "SELECT g.code, g.kind, g.name, u.id AS user_id, u.display_name, u.work_phone \
             FROM (SELECT code, kind, name FROM grids WHERE community_code = ",
        );
        q.push_bind(community.as_str().to_owned()).push(" AND valid_from <= ").push_bind(day.clone());
        q.push(" AND (valid_to IS NULL OR valid_to > ").push_bind(day.clone()).push(") ORDER BY code LIMIT ");
        q.push_bind(limit);
        q.push(
            ") g LEFT JOIN assignments a ON a.scope_kind = 'grid' AND a.scope_code = g.code \
             AND a.role = 'grid_worker' AND a.valid_from <= ",
        );
        q.push_bind(day.clone()).push(" AND (a.valid_to IS NULL OR a.valid_to > ").push_bind(day).push(")");
        q.push(" LEFT JOIN users u ON u.id = a.user_id AND u.disabled_at IS NULL");
        // Bounded: a grid's row, then at most a few more per grid.
        q.push(" ORDER BY g.code, u.id LIMIT ");
        q.push_bind(limit.saturating_mul(MAX_WORKERS_PER_GRID as i64 + 1));
        let rows = q.build_query_as::<ContactRow>().fetch_all(self.pool()).await.map_err(map_err)?;
        contacts(rows)
    }

    async fn grid_names(&self, codes: &[GridCode], day: Date) -> StoreResult<Vec<(GridCode, String)>> {
        let day = day.to_string();
        let mut out = Vec::with_capacity(codes.len());
        for chunk in codes.chunks(NAMES_CHUNK) {
            let mut q = QueryBuilder::<DB>::new("SELECT code, name FROM grids WHERE valid_from <= ");
            q.push_bind(day.clone()).push(" AND (valid_to IS NULL OR valid_to > ").push_bind(day.clone()).push(")");
            q.push(" AND code IN ");
            push_list(&mut q, chunk.iter().map(|c| c.as_str().to_owned()));
            for row in q.build_query_as::<NameRow>().fetch_all(self.pool()).await.map_err(map_err)? {
                out.push((GridCode::parse(&row.code).map_err(StoreError::corrupt)?, row.name));
            }
        }
        Ok(out)
    }

    async fn grid_history(&self, code: &GridCode) -> StoreResult<Vec<GridRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!("SELECT {GRID_COLUMNS} FROM grids WHERE code = "));
        q.push_bind(code.as_str().to_owned()).push(" ORDER BY valid_from");
        let rows = q.build_query_as::<GridRow>().fetch_all(self.pool()).await.map_err(map_err)?;
        rows.into_iter().map(convert::grid).collect()
    }

    async fn grid_revision(&self) -> StoreResult<i64> {
        QueryBuilder::<DB>::new("SELECT value FROM counters WHERE name = 'grids'")
            .build()
            .fetch_one(self.pool())
            .await
            .map_err(map_err)?
            .try_get(0usize)
            .map_err(map_err)
    }
}
