//! The category dictionary and the duty lists.

use async_trait::async_trait;
use shanzhi_domain::{Category, CategoryCode, DutyItem, DutyLevel, DutyList};
use shanzhi_store::{AuditEntry, DictionaryStore, StoreResult};
use sqlx::QueryBuilder;

use shanzhi_domain::Micros;
use shanzhi_store::StoreError;
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};

use crate::{SqlStore, audit, map_err};

#[sql_bounds]
#[async_trait]
impl<DB> DictionaryStore for SqlStore<DB> {
    async fn categories(&self) -> StoreResult<Vec<(Category, i64)>> {
        let rows =
            QueryBuilder::<DB>::new("SELECT body, version FROM categories WHERE superseded_at IS NULL ORDER BY code")
                .build_query_as::<CategoryRow>()
                .fetch_all(self.pool())
                .await
                .map_err(map_err)?;
        rows.into_iter().map(CategoryRow::parse).collect()
    }

    async fn category(&self, code: &CategoryCode, version: Option<i64>) -> StoreResult<Option<(Category, i64)>> {
        let mut q = QueryBuilder::<DB>::new("SELECT body, version FROM categories WHERE code = ");
        q.push_bind(code.as_str().to_owned());
        match version {
            Some(v) => q.push(" AND version = ").push_bind(v),
            None => q.push(" AND superseded_at IS NULL"),
        };
        q.build_query_as::<CategoryRow>()
            .fetch_optional(self.pool())
            .await
            .map_err(map_err)?
            .map(CategoryRow::parse)
            .transpose()
    }

    async fn put_category(&self, c: &Category, audit_entry: &AuditEntry) -> StoreResult<i64> {
        let now = Micros::now().get();
        let (_writer, mut tx) = self.begin_write().await?;
        let version = crate::next_number::<DB>(&mut tx, "categories", "version", "code", c.code.as_str()).await?;
        let mut q = QueryBuilder::<DB>::new("UPDATE categories SET superseded_at = ");
        q.push_bind(now).push(" WHERE superseded_at IS NULL AND code = ").push_bind(c.code.as_str().to_owned());
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        let body = serde_json::to_string(c).map_err(StoreError::corrupt)?;
        let mut q = QueryBuilder::<DB>::new(
            "INSERT INTO categories (code, version, name, parent_code, kind, line, body, created_at) ",
        );
        q.push_values([c], |mut v, c| {
            let kind =
                serde_json::to_value(c.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            let line =
                serde_json::to_value(c.line).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            v.push_bind(c.code.as_str().to_owned())
                .push_bind(version)
                .push_bind(c.name.clone())
                .push_bind(c.parent.as_ref().map(|p| p.as_str().to_owned()))
                .push_bind(kind)
                .push_bind(line)
                .push_bind(body.clone())
                .push_bind(now);
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        audit::commit::<DB>(tx, audit_entry).await?;
        Ok(version)
    }

    async fn duties(&self, category: Option<&CategoryCode>) -> StoreResult<Vec<DutyItem>> {
        let mut q = QueryBuilder::<DB>::new("SELECT category_code, level, list, lead, co, note FROM duties");
        if let Some(c) = category {
            q.push(" WHERE category_code = ").push_bind(c.as_str().to_owned());
        }
        q.push(" ORDER BY category_code, level");
        self.fetch_records::<DutyRow, _>(&mut q).await
    }

    async fn duty(&self, category: &CategoryCode, level: DutyLevel) -> StoreResult<Option<DutyItem>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT category_code, level, list, lead, co, note FROM duties WHERE category_code = ",
        );
        q.push_bind(category.as_str().to_owned()).push(" AND level = ").push_bind(enum_text(&level));
        self.fetch_record::<DutyRow, _>(&mut q).await
    }

    async fn put_duty(&self, d: &DutyItem, audit_entry: &AuditEntry) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q = QueryBuilder::<DB>::new("DELETE FROM duties WHERE category_code = ");
        q.push_bind(d.category.as_str().to_owned()).push(" AND level = ").push_bind(enum_text(&d.level));
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        let mut q = QueryBuilder::<DB>::new("INSERT INTO duties (category_code, level, list, lead, co, note) ");
        q.push_values([d], |mut v, d| {
            v.push_bind(d.category.as_str().to_owned())
                .push_bind(enum_text(&d.level))
                .push_bind(enum_text(&d.list))
                .push_bind(d.lead.clone())
                .push_bind(d.co.join(","))
                .push_bind(d.note.clone());
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        audit::commit::<DB>(tx, audit_entry).await
    }

    async fn remove_duty(
        &self,
        category: &CategoryCode,
        level: DutyLevel,
        audit_entry: &AuditEntry,
    ) -> StoreResult<bool> {
        let (_writer, mut tx) = self.begin_write().await?;
        let key = |q: &mut QueryBuilder<DB>| {
            q.push_bind(category.as_str().to_owned()).push(" AND level = ").push_bind(enum_text(&level));
        };
        // Whether there is a row, read in the writing transaction (the
        // engines' affected-row counts are not generic).
        let mut q = QueryBuilder::<DB>::new(
            "SELECT category_code, level, list, lead, co, note FROM duties WHERE category_code = ",
        );
        key(&mut q);
        if q.build_query_as::<DutyRow>().fetch_optional(&mut *tx).await.map_err(map_err)?.is_none() {
            return Ok(false);
        }
        let mut q = QueryBuilder::<DB>::new("DELETE FROM duties WHERE category_code = ");
        key(&mut q);
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        audit::commit::<DB>(tx, audit_entry).await?;
        Ok(true)
    }
}

/// The serde name of a unit enum (`town`, `negative` …).
fn enum_text<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

#[derive(SqlRow)]
struct DutyRow {
    category_code: String,
    level: String,
    list: String,
    lead: Option<String>,
    co: String,
    note: String,
}

impl TryFrom<DutyRow> for DutyItem {
    type Error = StoreError;
    fn try_from(r: DutyRow) -> StoreResult<DutyItem> {
        let parse = |s: &str| serde_json::Value::String(s.to_owned());
        Ok(DutyItem {
            category: CategoryCode::parse(&r.category_code).map_err(StoreError::corrupt)?,
            level: serde_json::from_value::<DutyLevel>(parse(&r.level)).map_err(StoreError::corrupt)?,
            list: serde_json::from_value::<DutyList>(parse(&r.list)).map_err(StoreError::corrupt)?,
            lead: r.lead,
            co: r.co.split(',').filter(|c| !c.is_empty()).map(str::to_owned).collect(),
            note: r.note,
        })
    }
}

#[derive(SqlRow)]
struct CategoryRow {
    body: String,
    version: i64,
}

impl CategoryRow {
    fn parse(self) -> StoreResult<(Category, i64)> {
        Ok((serde_json::from_str(&self.body).map_err(StoreError::corrupt)?, self.version))
    }
}
