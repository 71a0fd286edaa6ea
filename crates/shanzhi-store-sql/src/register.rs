use async_trait::async_trait;
use jiff::civil::Date;
use shanzhi_domain::{DivisionCode, GridCode, Micros};
use shanzhi_store::{
    AuditEntry, CareMarkRecord, RegisterMapPlace, RegisterQuery, RegisterRecord, RegisterStore, RegisterVersion,
    StoreError, StoreResult,
};
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};
use sqlx::{QueryBuilder, Row};

use crate::fragments::{like_pattern, push_between, push_list};
use crate::{SqlStore, audit, map_err};

const RECORD_COLUMNS: &str = "SELECT id, kind, community_code, grid_code, parent_id, name, fields, id_hash, \
                              search_text, version, updated_by, updated_at FROM register_records ";
const MARK_COLUMNS: &str = "SELECT id, resident_id, community_code, grid_code, key_id, sealed, every_days, worker_id, \
                            started_on, last_visit_on, ended_on, purge_on, created_by, created_at FROM care_marks ";

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::corrupt(what)
}

fn grid(code: Option<String>) -> StoreResult<Option<GridCode>> {
    code.as_deref().map(GridCode::parse).transpose().map_err(corrupt)
}

fn date(s: Option<String>) -> StoreResult<Option<Date>> {
    s.map(|s| s.parse::<Date>().map_err(|e| corrupt(format!("{s}: {e}")))).transpose()
}

#[derive(SqlRow)]
struct RecordRow {
    id: String,
    kind: String,
    community_code: String,
    grid_code: Option<String>,
    parent_id: Option<String>,
    name: String,
    fields: String,
    id_hash: Option<String>,
    search_text: String,
    version: i64,
    updated_by: String,
    updated_at: i64,
}

impl TryFrom<RecordRow> for RegisterRecord {
    type Error = StoreError;
    fn try_from(r: RecordRow) -> StoreResult<RegisterRecord> {
        Ok(RegisterRecord {
            id: r.id,
            kind: r.kind.parse().map_err(corrupt)?,
            community: DivisionCode::parse(&r.community_code).map_err(|e| corrupt(e.message(&r.community_code)))?,
            grid: grid(r.grid_code)?,
            parent_id: r.parent_id,
            name: r.name,
            fields: r.fields,
            id_hash: r.id_hash,
            search_text: r.search_text,
            version: r.version,
            updated_by: r.updated_by,
            updated_at: Micros::new(r.updated_at),
        })
    }
}

/// A place with its households and residents counted.
const PLACE_COLUMNS: &str = "SELECT p.id, p.kind, p.community_code, p.grid_code, p.parent_id, p.name, p.fields, \
     p.id_hash, p.search_text, p.version, p.updated_by, p.updated_at, \
     (SELECT COUNT(*) FROM register_records h WHERE h.parent_id = p.id AND h.kind = 'household') AS households, \
     (SELECT COUNT(*) FROM register_records r JOIN register_records h ON h.id = r.parent_id \
      WHERE h.parent_id = p.id AND h.kind = 'household' AND r.kind = 'resident') AS residents \
     FROM register_records p WHERE p.kind IN ('building', 'organisation', 'facility') \
     AND p.fields LIKE '%\"lng\":%' AND p.fields LIKE '%\"lat\":%'";

#[derive(SqlRow)]
struct PlaceRow {
    #[sql_row(flatten)]
    record: RecordRow,
    households: i64,
    residents: i64,
}

impl TryFrom<PlaceRow> for RegisterMapPlace {
    type Error = StoreError;
    fn try_from(r: PlaceRow) -> StoreResult<RegisterMapPlace> {
        Ok(RegisterMapPlace {
            record: r.record.try_into()?,
            households: u64::try_from(r.households).map_err(corrupt)?,
            residents: u64::try_from(r.residents).map_err(corrupt)?,
        })
    }
}

#[derive(SqlRow)]
struct PlaceMarkRow {
    place_id: String,
    #[sql_row(flatten)]
    mark: MarkRow,
}

impl TryFrom<PlaceMarkRow> for (String, CareMarkRecord) {
    type Error = StoreError;
    fn try_from(r: PlaceMarkRow) -> StoreResult<(String, CareMarkRecord)> {
        Ok((r.place_id, r.mark.try_into()?))
    }
}

#[derive(SqlRow)]
struct VersionRow {
    version: i64,
    grid_code: Option<String>,
    parent_id: Option<String>,
    name: String,
    fields: String,
    saved_by: String,
    saved_at: i64,
}

impl TryFrom<VersionRow> for RegisterVersion {
    type Error = StoreError;
    fn try_from(r: VersionRow) -> StoreResult<RegisterVersion> {
        Ok(RegisterVersion {
            version: r.version,
            grid: grid(r.grid_code)?,
            parent_id: r.parent_id,
            name: r.name,
            fields: r.fields,
            saved_by: r.saved_by,
            saved_at: Micros::new(r.saved_at),
        })
    }
}

#[derive(SqlRow)]
struct MarkRow {
    id: String,
    resident_id: String,
    community_code: String,
    grid_code: Option<String>,
    key_id: String,
    sealed: Option<String>,
    every_days: i64,
    worker_id: Option<String>,
    started_on: String,
    last_visit_on: Option<String>,
    ended_on: Option<String>,
    purge_on: Option<String>,
    created_by: String,
    created_at: i64,
}

impl TryFrom<MarkRow> for CareMarkRecord {
    type Error = StoreError;
    fn try_from(r: MarkRow) -> StoreResult<CareMarkRecord> {
        Ok(CareMarkRecord {
            id: r.id,
            resident_id: r.resident_id,
            community: DivisionCode::parse(&r.community_code).map_err(|e| corrupt(e.message(&r.community_code)))?,
            grid: grid(r.grid_code)?,
            key_id: r.key_id,
            sealed: r.sealed,
            every_days: u32::try_from(r.every_days).map_err(corrupt)?,
            worker_id: r.worker_id,
            started_on: date(Some(r.started_on))?.ok_or_else(|| corrupt("started_on"))?,
            last_visit_on: date(r.last_visit_on)?,
            ended_on: date(r.ended_on)?,
            purge_on: date(r.purge_on)?,
            created_by: r.created_by,
            created_at: Micros::new(r.created_at),
        })
    }
}

/// Append `records`' current state to `register_versions`.
#[sql_bounds]
async fn push_versions<DB>(conn: &mut DB::Connection, records: &[RegisterRecord]) -> StoreResult<()> {
    for chunk in records.chunks(DB::CHUNK_ROWS / 8 + 1) {
        let mut q = QueryBuilder::<DB>::new(
            "INSERT INTO register_versions (record_id, version, grid_code, parent_id, name, fields, saved_by, saved_at) ",
        );
        q.push_values(chunk, |mut v, r| {
            v.push_bind(r.id.clone())
                .push_bind(r.version)
                .push_bind(r.grid.as_ref().map(|g| g.as_str().to_owned()))
                .push_bind(r.parent_id.clone())
                .push_bind(r.name.clone())
                .push_bind(r.fields.clone())
                .push_bind(r.updated_by.clone())
                .push_bind(r.updated_at.get());
        });
        q.build().execute(&mut *conn).await.map_err(map_err)?;
    }
    Ok(())
}

/// Restrict care marks (after a WHERE) to a community subtree and grids.
#[sql_bounds]
fn push_mark_place<DB>(q: &mut QueryBuilder<DB>, within: Option<&DivisionCode>, grids: &[GridCode]) {
    if let Some(d) = within {
        let (lower, upper) = d.descendant_bounds();
        q.push(" AND ");
        push_between(q, "community_code", lower, upper);
    }
    if !grids.is_empty() {
        q.push(" AND grid_code IN ");
        push_list(q, grids.iter().map(|g| g.as_str().to_owned()));
    }
}

#[sql_bounds]
#[async_trait]
impl<DB> RegisterStore for SqlStore<DB> {
    async fn add_register_records(&self, records: &[RegisterRecord], audit_entry: &AuditEntry) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        for chunk in records.chunks(DB::CHUNK_ROWS / 12 + 1) {
            let mut q = QueryBuilder::<DB>::new(
                "INSERT INTO register_records (id, kind, community_code, grid_code, parent_id, name, fields, id_hash, \
                 search_text, version, updated_by, updated_at) ",
            );
            q.push_values(chunk, |mut v, r| {
                v.push_bind(r.id.clone())
                    .push_bind(r.kind.as_str().to_owned())
                    .push_bind(r.community.as_str().to_owned())
                    .push_bind(r.grid.as_ref().map(|g| g.as_str().to_owned()))
                    .push_bind(r.parent_id.clone())
                    .push_bind(r.name.clone())
                    .push_bind(r.fields.clone())
                    .push_bind(r.id_hash.clone())
                    .push_bind(r.search_text.clone())
                    .push_bind(1_i64)
                    .push_bind(r.updated_by.clone())
                    .push_bind(r.updated_at.get());
            });
            q.build().execute(&mut *tx).await.map_err(map_err)?;
        }
        let firsts: Vec<RegisterRecord> = records.iter().map(|r| RegisterRecord { version: 1, ..r.clone() }).collect();
        push_versions::<DB>(&mut tx, &firsts).await?;
        audit::commit::<DB>(tx, audit_entry).await
    }

    async fn update_register_record(&self, r: &RegisterRecord, audit_entry: &AuditEntry) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        let stored = scalar::<DB>(&mut tx, "SELECT version FROM register_records WHERE id = ", &r.id).await?;
        if stored != Some(r.version - 1) {
            return Err(StoreError::Constraint(format!(
                "register record {} is not at version {} (changed meanwhile, or unknown)",
                r.id,
                r.version - 1
            )));
        }
        let mut q = QueryBuilder::<DB>::new("UPDATE register_records SET community_code = ");
        q.push_bind(r.community.as_str().to_owned()).push(", grid_code = ");
        q.push_bind(r.grid.as_ref().map(|g| g.as_str().to_owned()))
            .push(", parent_id = ")
            .push_bind(r.parent_id.clone())
            .push(", name = ")
            .push_bind(r.name.clone())
            .push(", fields = ")
            .push_bind(r.fields.clone())
            .push(", search_text = ")
            .push_bind(r.search_text.clone())
            .push(", version = ")
            .push_bind(r.version)
            .push(", updated_by = ")
            .push_bind(r.updated_by.clone())
            .push(", updated_at = ")
            .push_bind(r.updated_at.get())
            .push(" WHERE id = ")
            .push_bind(r.id.clone());
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        push_versions::<DB>(&mut tx, std::slice::from_ref(r)).await?;
        audit::commit::<DB>(tx, audit_entry).await
    }

    async fn register_record(&self, id: &str) -> StoreResult<Option<RegisterRecord>> {
        self.fetch_by_key::<RecordRow, _>(format!("{RECORD_COLUMNS} WHERE id = "), id).await
    }

    async fn register_record_by_hash(&self, id_hash: &str) -> StoreResult<Option<RegisterRecord>> {
        self.fetch_by_key::<RecordRow, _>(format!("{RECORD_COLUMNS} WHERE id_hash = "), id_hash).await
    }

    async fn registered_id_hashes(&self, hashes: &[String]) -> StoreResult<Vec<String>> {
        let mut out = Vec::new();
        for chunk in hashes.chunks(DB::CHUNK_ROWS) {
            let mut q = QueryBuilder::<DB>::new("SELECT id_hash FROM register_records WHERE id_hash IN ");
            push_list(&mut q, chunk.iter().cloned());
            for row in q.build().fetch_all(self.pool()).await.map_err(map_err)? {
                out.push(row.try_get::<String, _>(0usize).map_err(map_err)?);
            }
        }
        Ok(out)
    }

    async fn register_records(&self, query: &RegisterQuery) -> StoreResult<Vec<RegisterRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!("{RECORD_COLUMNS} WHERE 1 = 1"));
        if let Some(d) = &query.within {
            let (lower, upper) = d.descendant_bounds();
            q.push(" AND ");
            push_between(&mut q, "community_code", lower, upper);
        }
        if !query.grids.is_empty() {
            q.push(" AND grid_code IN ");
            push_list(&mut q, query.grids.iter().map(|g| g.as_str().to_owned()));
        }
        if let Some(k) = query.kind {
            q.push(" AND kind = ").push_bind(k.as_str().to_owned());
        }
        if let Some(p) = &query.parent_id {
            q.push(" AND parent_id = ").push_bind(p.clone());
        }
        if let Some(s) = &query.search {
            q.push(" AND search_text LIKE ").push_bind(like_pattern(s)).push(" ESCAPE '\\'");
        }
        let limit = i64::try_from(query.limit).unwrap_or(i64::MAX);
        q.push(" ORDER BY name, id LIMIT ").push_bind(limit);
        self.fetch_records::<RecordRow, _>(&mut q).await
    }

    async fn register_map_places(
        &self,
        within: Option<&DivisionCode>,
        grids: &[GridCode],
        limit: usize,
    ) -> StoreResult<Vec<RegisterMapPlace>> {
        let mut q = QueryBuilder::<DB>::new(PLACE_COLUMNS);
        if let Some(d) = within {
            let (lower, upper) = d.descendant_bounds();
            q.push(" AND ");
            push_between(&mut q, "p.community_code", lower, upper);
        }
        if !grids.is_empty() {
            q.push(" AND p.grid_code IN ");
            push_list(&mut q, grids.iter().map(|g| g.as_str().to_owned()));
        }
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        q.push(" ORDER BY p.name, p.id LIMIT ").push_bind(limit);
        self.fetch_records::<PlaceRow, _>(&mut q).await
    }

    async fn care_marks_at_places(&self, place_ids: &[String]) -> StoreResult<Vec<(String, CareMarkRecord)>> {
        let mut out = Vec::new();
        for chunk in place_ids.chunks(DB::CHUNK_ROWS) {
            let mut q = QueryBuilder::<DB>::new(
                "SELECT h.parent_id AS place_id, m.id, m.resident_id, m.community_code, m.grid_code, m.key_id, \
                 m.sealed, m.every_days, m.worker_id, m.started_on, m.last_visit_on, m.ended_on, m.purge_on, \
                 m.created_by, m.created_at FROM care_marks m \
                 JOIN register_records r ON r.id = m.resident_id \
                 JOIN register_records h ON h.id = r.parent_id AND h.kind = 'household' \
                 WHERE m.ended_on IS NULL AND h.parent_id IN ",
            );
            push_list(&mut q, chunk.iter().cloned());
            q.push(" ORDER BY h.parent_id, m.id");
            out.extend(self.fetch_records::<PlaceMarkRow, _>(&mut q).await?);
        }
        Ok(out)
    }

    async fn register_versions(&self, id: &str) -> StoreResult<Vec<RegisterVersion>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT version, grid_code, parent_id, name, fields, saved_by, saved_at FROM register_versions \
             WHERE record_id = ",
        );
        q.push_bind(id.to_owned()).push(" ORDER BY version");
        self.fetch_records::<VersionRow, _>(&mut q).await
    }

    async fn add_care_mark(&self, m: &CareMarkRecord, audit_entry: &AuditEntry) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q = QueryBuilder::<DB>::new(
            "INSERT INTO care_marks (id, resident_id, open_resident, community_code, grid_code, key_id, sealed, \
             every_days, worker_id, started_on, last_visit_on, ended_on, purge_on, created_by, created_at) ",
        );
        q.push_values([m], |mut v, m| {
            v.push_bind(m.id.clone())
                .push_bind(m.resident_id.clone())
                .push_bind(m.ended_on.is_none().then(|| m.resident_id.clone()))
                .push_bind(m.community.as_str().to_owned())
                .push_bind(m.grid.as_ref().map(|g| g.as_str().to_owned()))
                .push_bind(m.key_id.clone())
                .push_bind(m.sealed.clone())
                .push_bind(i64::from(m.every_days))
                .push_bind(m.worker_id.clone())
                .push_bind(m.started_on.to_string())
                .push_bind(m.last_visit_on.map(|d| d.to_string()))
                .push_bind(m.ended_on.map(|d| d.to_string()))
                .push_bind(m.purge_on.map(|d| d.to_string()))
                .push_bind(m.created_by.clone())
                .push_bind(m.created_at.get());
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        audit::commit::<DB>(tx, audit_entry).await
    }

    async fn update_care_mark(&self, m: &CareMarkRecord, audit_entry: &AuditEntry) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        if scalar::<DB>(&mut tx, "SELECT every_days FROM care_marks WHERE id = ", &m.id).await?.is_none() {
            return Err(StoreError::Constraint(format!("care mark {} does not exist", m.id)));
        }
        let mut q = QueryBuilder::<DB>::new("UPDATE care_marks SET key_id = ");
        q.push_bind(m.key_id.clone())
            .push(", sealed = ")
            .push_bind(m.sealed.clone())
            .push(", open_resident = ")
            .push_bind(m.ended_on.is_none().then(|| m.resident_id.clone()))
            .push(", grid_code = ")
            .push_bind(m.grid.as_ref().map(|g| g.as_str().to_owned()))
            .push(", every_days = ")
            .push_bind(i64::from(m.every_days))
            .push(", worker_id = ")
            .push_bind(m.worker_id.clone())
            .push(", last_visit_on = ")
            .push_bind(m.last_visit_on.map(|d| d.to_string()))
            .push(", ended_on = ")
            .push_bind(m.ended_on.map(|d| d.to_string()))
            .push(", purge_on = ")
            .push_bind(m.purge_on.map(|d| d.to_string()))
            .push(" WHERE id = ")
            .push_bind(m.id.clone());
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        audit::commit::<DB>(tx, audit_entry).await
    }

    async fn care_mark(&self, id: &str) -> StoreResult<Option<CareMarkRecord>> {
        self.fetch_by_key::<MarkRow, _>(format!("{MARK_COLUMNS} WHERE id = "), id).await
    }

    async fn open_care_marks(
        &self,
        within: Option<&DivisionCode>,
        grids: &[GridCode],
    ) -> StoreResult<Vec<CareMarkRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!("{MARK_COLUMNS} WHERE ended_on IS NULL"));
        push_mark_place(&mut q, within, grids);
        q.push(" ORDER BY resident_id, id");
        self.fetch_records::<MarkRow, _>(&mut q).await
    }

    async fn care_marks_during(
        &self,
        within: Option<&DivisionCode>,
        grids: &[GridCode],
        (from, to): (Date, Date),
    ) -> StoreResult<Vec<CareMarkRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!("{MARK_COLUMNS} WHERE started_on <= "));
        q.push_bind(to.to_string())
            .push(" AND (ended_on IS NULL OR ended_on >= ")
            .push_bind(from.to_string())
            .push(")");
        push_mark_place(&mut q, within, grids);
        q.push(" ORDER BY resident_id, id");
        self.fetch_records::<MarkRow, _>(&mut q).await
    }

    async fn purge_care_reasons(&self, day: Date, audit_entry: &AuditEntry) -> StoreResult<u64> {
        let (_writer, mut tx) = self.begin_write().await?;
        let day = day.to_string();
        let n =
            scalar::<DB>(&mut tx, "SELECT COUNT(*) FROM care_marks WHERE sealed IS NOT NULL AND purge_on <= ", &day)
                .await?
                .unwrap_or(0);
        if n == 0 {
            tx.commit().await.map_err(map_err)?;
            return Ok(0);
        }
        let mut q =
            QueryBuilder::<DB>::new("UPDATE care_marks SET sealed = NULL WHERE sealed IS NOT NULL AND purge_on <= ");
        q.push_bind(day);
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        audit::commit::<DB>(tx, audit_entry).await?;
        u64::try_from(n).map_err(corrupt)
    }
}

/// The first column of the row `select` (ending in a comparison) finds for `key`.
#[sql_bounds]
async fn scalar<DB>(conn: &mut DB::Connection, select: &str, key: &str) -> StoreResult<Option<i64>> {
    let mut q = QueryBuilder::<DB>::new(select);
    q.push_bind(key.to_owned());
    let row = q.build().fetch_optional(&mut *conn).await.map_err(map_err)?;
    row.map(|r| r.try_get::<i64, _>(0usize)).transpose().map_err(map_err)
}
