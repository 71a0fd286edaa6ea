//! Leases (one server at a time runs a job) and the editable calendar days.

use async_trait::async_trait;
use shanzhi_domain::Micros;
use shanzhi_domain::calendar::DayKind;
use shanzhi_store::{
    AuditEntry, CalendarDay, CalendarStore, DaySource, LeaseRecord, LeaseStore, StoreError, StoreResult,
};
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};
use sqlx::QueryBuilder;

use crate::{SqlStore, audit, map_err};

#[derive(SqlRow)]
struct LeaseRow {
    name: String,
    holder: String,
    acquired_at: i64,
    renewed_at: i64,
    expires_at: i64,
}

impl From<LeaseRow> for LeaseRecord {
    fn from(r: LeaseRow) -> Self {
        LeaseRecord {
            name: r.name,
            holder: r.holder,
            acquired_at: r.acquired_at.into(),
            renewed_at: r.renewed_at.into(),
            expires_at: r.expires_at.into(),
        }
    }
}

#[derive(SqlRow)]
struct DayRow {
    day: String,
    source: String,
    kind: String,
    name: String,
    updated_by: String,
    updated_at: i64,
}

#[sql_bounds]
#[async_trait]
impl<DB> LeaseStore for SqlStore<DB> {
    async fn take_lease(&self, name: &str, holder: &str, now: Micros, ttl_micros: i64) -> StoreResult<bool> {
        let now = now.get();
        // One statement: insert, or take over when expired or already ours.
        // The WHERE of the upsert makes a live lease of another holder a no-op.
        let mut q =
            QueryBuilder::<DB>::new("INSERT INTO leases (name, holder, acquired_at, renewed_at, expires_at) VALUES (");
        q.push_bind(name.to_owned()).push(", ").push_bind(holder.to_owned());
        q.push(", ").push_bind(now).push(", ").push_bind(now).push(", ").push_bind(now.saturating_add(ttl_micros));
        q.push(
            ") ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, \
             acquired_at = CASE WHEN leases.holder = excluded.holder THEN leases.acquired_at ELSE excluded.acquired_at END, \
             renewed_at = excluded.renewed_at, expires_at = excluded.expires_at \
             WHERE leases.holder = excluded.holder OR leases.expires_at <= excluded.renewed_at \
             RETURNING holder",
        );
        let row = q.build().fetch_optional(self.pool()).await.map_err(map_err)?;
        Ok(row.is_some())
    }

    async fn release_lease(&self, name: &str, holder: &str) -> StoreResult<()> {
        let mut q = QueryBuilder::<DB>::new("DELETE FROM leases WHERE name = ");
        q.push_bind(name.to_owned()).push(" AND holder = ").push_bind(holder.to_owned());
        self.execute(&mut q).await
    }

    async fn lease(&self, name: &str) -> StoreResult<Option<LeaseRecord>> {
        let select = "SELECT name, holder, acquired_at, renewed_at, expires_at FROM leases WHERE name = ";
        self.fetch_by_key::<LeaseRow, _>(select, name).await
    }
}

fn kind_text(kind: DayKind) -> &'static str {
    match kind {
        DayKind::Work => "work",
        DayKind::Off => "off",
    }
}

#[sql_bounds]
#[async_trait]
impl<DB> CalendarStore for SqlStore<DB> {
    async fn calendar_days(&self) -> StoreResult<Vec<CalendarDay>> {
        let rows = QueryBuilder::<DB>::new(
            "SELECT day, source, kind, name, updated_by, updated_at FROM calendar_days ORDER BY day, source DESC",
        )
        .build_query_as::<DayRow>()
        .fetch_all(self.pool())
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(CalendarDay {
                    date: r.day.parse().map_err(StoreError::corrupt)?,
                    source: if r.source == "official" { DaySource::Official } else { DaySource::Local },
                    kind: if r.kind == "work" { DayKind::Work } else { DayKind::Off },
                    name: r.name,
                    updated_by: r.updated_by,
                    updated_at: r.updated_at.into(),
                })
            })
            .collect()
    }

    async fn put_calendar_days(&self, days: &[CalendarDay], audit_entry: &AuditEntry) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        for chunk in days.chunks(DB::CHUNK_ROWS / 6 + 1) {
            let mut q =
                QueryBuilder::<DB>::new("INSERT INTO calendar_days (day, source, kind, name, updated_by, updated_at) ");
            q.push_values(chunk, |mut v, d| {
                v.push_bind(d.date.to_string())
                    .push_bind(d.source.as_str().to_owned())
                    .push_bind(kind_text(d.kind).to_owned())
                    .push_bind(d.name.clone())
                    .push_bind(d.updated_by.clone())
                    .push_bind(d.updated_at.get());
            });
            q.push(
                " ON CONFLICT (day, source) DO UPDATE SET kind = excluded.kind, name = excluded.name, \
                 updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            );
            q.build().execute(&mut *tx).await.map_err(map_err)?;
        }
        audit::commit::<DB>(tx, audit_entry).await
    }

    async fn delete_calendar_day(
        &self,
        date: jiff::civil::Date,
        source: DaySource,
        audit_entry: &AuditEntry,
    ) -> StoreResult<bool> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q = QueryBuilder::<DB>::new("DELETE FROM calendar_days WHERE day = ");
        q.push_bind(date.to_string()).push(" AND source = ").push_bind(source.as_str().to_owned());
        q.push(" RETURNING day");
        let gone = q.build().fetch_optional(&mut *tx).await.map_err(map_err)?.is_some();
        if gone {
            audit::append::<DB>(&mut tx, audit_entry).await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(gone)
    }
}
