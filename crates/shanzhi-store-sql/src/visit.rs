use async_trait::async_trait;
use jiff::civil::Date;
use shanzhi_domain::{DivisionCode, GridCode, Micros};
use shanzhi_store::{
    AuditEntry, DailyLogRecord, LogCommentRecord, StoreError, StoreResult, VisitAdded, VisitQuery, VisitRecord,
    VisitStore,
};
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};
use sqlx::{QueryBuilder, Row};

use crate::fragments::{push_between, push_list};
use crate::{SqlStore, audit, map_err};

const VISIT_COLUMNS: &str = "SELECT id, worker_id, community_code, grid_code, day, at, lng, lat, subject_id, \
                             care_mark_id, raised, key_id, sealed, images, matter_id, idempotency_key, request_hash \
                             FROM visits ";
const LOG_COLUMNS: &str = "SELECT worker_id, day, community_code, grid_code, notes, updated_at FROM daily_logs ";

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::corrupt(what)
}

fn community(code: &str) -> StoreResult<DivisionCode> {
    DivisionCode::parse(code).map_err(|e| corrupt(e.message(code)))
}

fn grid(code: Option<String>) -> StoreResult<Option<GridCode>> {
    code.as_deref().map(GridCode::parse).transpose().map_err(corrupt)
}

fn day(s: &str) -> StoreResult<Date> {
    s.parse::<Date>().map_err(|e| corrupt(format!("{s}: {e}")))
}

#[derive(SqlRow)]
struct VisitRow {
    id: String,
    worker_id: String,
    community_code: String,
    grid_code: Option<String>,
    day: String,
    at: i64,
    lng: Option<f64>,
    lat: Option<f64>,
    subject_id: String,
    care_mark_id: Option<String>,
    raised: Option<String>,
    key_id: Option<String>,
    sealed: Option<String>,
    images: String,
    matter_id: Option<String>,
    idempotency_key: Option<String>,
    request_hash: String,
}

impl TryFrom<VisitRow> for VisitRecord {
    type Error = StoreError;
    fn try_from(r: VisitRow) -> StoreResult<VisitRecord> {
        Ok(VisitRecord {
            id: r.id,
            worker_id: r.worker_id,
            community: community(&r.community_code)?,
            grid: grid(r.grid_code)?,
            day: day(&r.day)?,
            at: Micros::new(r.at),
            position: r.lng.zip(r.lat),
            subject_id: r.subject_id,
            care_mark_id: r.care_mark_id,
            raised: r.raised,
            key_id: r.key_id,
            sealed: r.sealed,
            images: serde_json::from_str(&r.images).map_err(corrupt)?,
            matter_id: r.matter_id,
            idempotency_key: r.idempotency_key,
            request_hash: r.request_hash,
        })
    }
}

#[derive(SqlRow)]
struct LogRow {
    worker_id: String,
    day: String,
    community_code: String,
    grid_code: Option<String>,
    notes: String,
    updated_at: i64,
}

impl TryFrom<LogRow> for DailyLogRecord {
    type Error = StoreError;
    fn try_from(r: LogRow) -> StoreResult<DailyLogRecord> {
        Ok(DailyLogRecord {
            worker_id: r.worker_id,
            day: day(&r.day)?,
            community: community(&r.community_code)?,
            grid: grid(r.grid_code)?,
            notes: r.notes,
            updated_at: Micros::new(r.updated_at),
        })
    }
}

#[derive(SqlRow)]
struct CommentRow {
    id: String,
    worker_id: String,
    day: String,
    author_id: String,
    at: i64,
    body: String,
}

impl TryFrom<CommentRow> for LogCommentRecord {
    type Error = StoreError;
    fn try_from(r: CommentRow) -> StoreResult<LogCommentRecord> {
        Ok(LogCommentRecord {
            id: r.id,
            worker_id: r.worker_id,
            day: day(&r.day)?,
            author_id: r.author_id,
            at: Micros::new(r.at),
            body: r.body,
        })
    }
}

/// Restrict `q` (after a WHERE) to a community subtree and grids.
#[sql_bounds]
fn push_place<DB>(q: &mut QueryBuilder<DB>, within: Option<&DivisionCode>, grids: &[GridCode]) {
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
impl<DB> VisitStore for SqlStore<DB> {
    async fn add_visit(&self, v: &VisitRecord, audit_entry: &AuditEntry) -> StoreResult<VisitAdded> {
        let (_writer, mut tx) = self.begin_write().await?;
        if let Some(key) = &v.idempotency_key {
            let mut q = QueryBuilder::<DB>::new(format!("{VISIT_COLUMNS} WHERE idempotency_key = "));
            q.push_bind(key.clone());
            if let Some(row) = q.build_query_as::<VisitRow>().fetch_optional(&mut *tx).await.map_err(map_err)? {
                tx.commit().await.map_err(map_err)?;
                return Ok(VisitAdded::Existing(Box::new(row.try_into()?)));
            }
        }
        let images = serde_json::to_string(&v.images).map_err(corrupt)?;
        let mut q = QueryBuilder::<DB>::new(
            "INSERT INTO visits (id, worker_id, community_code, grid_code, day, at, lng, lat, subject_id, \
             care_mark_id, raised, key_id, sealed, images, matter_id, idempotency_key, request_hash) ",
        );
        q.push_values([v], |mut b, v| {
            b.push_bind(v.id.clone())
                .push_bind(v.worker_id.clone())
                .push_bind(v.community.as_str().to_owned())
                .push_bind(v.grid.as_ref().map(|g| g.as_str().to_owned()))
                .push_bind(v.day.to_string())
                .push_bind(v.at.get())
                .push_bind(v.position.map(|p| p.0))
                .push_bind(v.position.map(|p| p.1))
                .push_bind(v.subject_id.clone())
                .push_bind(v.care_mark_id.clone())
                .push_bind(v.raised.clone())
                .push_bind(v.key_id.clone())
                .push_bind(v.sealed.clone())
                .push_bind(images.clone())
                .push_bind(v.matter_id.clone())
                .push_bind(v.idempotency_key.clone())
                .push_bind(v.request_hash.clone());
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        if let Some(mark) = &v.care_mark_id {
            let on = v.day.to_string();
            let mut q = QueryBuilder::<DB>::new("UPDATE care_marks SET last_visit_on = ");
            q.push_bind(on.clone())
                .push(" WHERE id = ")
                .push_bind(mark.clone())
                .push(" AND (last_visit_on IS NULL OR last_visit_on < ")
                .push_bind(on)
                .push(")");
            q.build().execute(&mut *tx).await.map_err(map_err)?;
        }
        audit::commit::<DB>(tx, audit_entry).await?;
        Ok(VisitAdded::New)
    }

    async fn visit(&self, id: &str) -> StoreResult<Option<VisitRecord>> {
        self.fetch_by_key::<VisitRow, _>(format!("{VISIT_COLUMNS} WHERE id = "), id).await
    }

    async fn visit_by_idempotency_key(&self, key: &str) -> StoreResult<Option<VisitRecord>> {
        self.fetch_by_key::<VisitRow, _>(format!("{VISIT_COLUMNS} WHERE idempotency_key = "), key).await
    }

    async fn set_visit_matter(&self, id: &str, matter_id: &str, audit_entry: &AuditEntry) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q = QueryBuilder::<DB>::new("SELECT COUNT(*) FROM visits WHERE matter_id IS NULL AND id = ");
        q.push_bind(id.to_owned());
        let free: i64 = q.build().fetch_one(&mut *tx).await.map_err(map_err)?.try_get(0usize).map_err(map_err)?;
        if free != 1 {
            return Err(StoreError::Constraint(format!("visit {id} is unknown or has a matter already")));
        }
        let mut q = QueryBuilder::<DB>::new("UPDATE visits SET matter_id = ");
        q.push_bind(matter_id.to_owned()).push(" WHERE id = ").push_bind(id.to_owned());
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        audit::commit::<DB>(tx, audit_entry).await
    }

    async fn visits(&self, query: &VisitQuery) -> StoreResult<Vec<VisitRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!("{VISIT_COLUMNS} WHERE 1 = 1"));
        if let Some(w) = &query.worker_id {
            q.push(" AND worker_id = ").push_bind(w.clone());
        }
        push_place(&mut q, query.within.as_ref(), &query.grids);
        if let Some(from) = query.from {
            q.push(" AND day >= ").push_bind(from.to_string());
        }
        if let Some(to) = query.to {
            q.push(" AND day <= ").push_bind(to.to_string());
        }
        let limit = i64::try_from(query.limit).unwrap_or(i64::MAX);
        q.push(" ORDER BY at, id LIMIT ").push_bind(limit);
        self.fetch_records::<VisitRow, _>(&mut q).await
    }

    async fn put_daily_log(&self, log: &DailyLogRecord, audit_entry: &AuditEntry) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q = QueryBuilder::<DB>::new("DELETE FROM daily_logs WHERE worker_id = ");
        q.push_bind(log.worker_id.clone()).push(" AND day = ").push_bind(log.day.to_string());
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        let mut q = QueryBuilder::<DB>::new(
            "INSERT INTO daily_logs (worker_id, day, community_code, grid_code, notes, updated_at) ",
        );
        q.push_values([log], |mut b, l| {
            b.push_bind(l.worker_id.clone())
                .push_bind(l.day.to_string())
                .push_bind(l.community.as_str().to_owned())
                .push_bind(l.grid.as_ref().map(|g| g.as_str().to_owned()))
                .push_bind(l.notes.clone())
                .push_bind(l.updated_at.get());
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        audit::commit::<DB>(tx, audit_entry).await
    }

    async fn daily_log(&self, worker_id: &str, on: Date) -> StoreResult<Option<DailyLogRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!("{LOG_COLUMNS} WHERE worker_id = "));
        q.push_bind(worker_id.to_owned()).push(" AND day = ").push_bind(on.to_string());
        Ok(self.fetch_records::<LogRow, _>(&mut q).await?.pop())
    }

    async fn daily_logs(
        &self,
        within: Option<&DivisionCode>,
        grids: &[GridCode],
        on: Date,
    ) -> StoreResult<Vec<DailyLogRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!("{LOG_COLUMNS} WHERE day = "));
        q.push_bind(on.to_string());
        push_place(&mut q, within, grids);
        q.push(" ORDER BY worker_id");
        self.fetch_records::<LogRow, _>(&mut q).await
    }

    async fn add_log_comment(&self, c: &LogCommentRecord, audit_entry: &AuditEntry) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q =
            QueryBuilder::<DB>::new("INSERT INTO daily_log_comments (id, worker_id, day, author_id, at, body) ");
        q.push_values([c], |mut b, c| {
            b.push_bind(c.id.clone())
                .push_bind(c.worker_id.clone())
                .push_bind(c.day.to_string())
                .push_bind(c.author_id.clone())
                .push_bind(c.at.get())
                .push_bind(c.body.clone());
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        audit::commit::<DB>(tx, audit_entry).await
    }

    async fn log_comments(&self, worker_id: &str, on: Date) -> StoreResult<Vec<LogCommentRecord>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT id, worker_id, day, author_id, at, body FROM daily_log_comments WHERE worker_id = ",
        );
        q.push_bind(worker_id.to_owned()).push(" AND day = ").push_bind(on.to_string()).push(" ORDER BY at, id");
        self.fetch_records::<CommentRow, _>(&mut q).await
    }
}
