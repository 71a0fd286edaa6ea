//! The category dictionary and the duty lists.

use async_trait::async_trait;
use shanzhi_domain::{Category, CategoryCode, DutyItem, DutyLevel, DutyList};
use shanzhi_store::{AuditEntry, DictionaryStore, StoreResult};
use sqlx::{Pool, QueryBuilder, Row};

use crate::matter::{corrupt, get};
use crate::{Dialect, SqlStore, audit, map_err, now_micros};

#[async_trait]
impl<DB> DictionaryStore for SqlStore<DB>
where
    DB: Dialect,
    for<'c> &'c Pool<DB>: sqlx::Executor<'c, Database = DB>,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    DB::Arguments: sqlx::IntoArguments<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<String>: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB>,
    for<'q> f64: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<f64>: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB>,
    for<'q> Vec<u8>: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
{
    async fn categories(&self) -> StoreResult<Vec<(Category, i64)>> {
        let rows =
            QueryBuilder::<DB>::new("SELECT body, version FROM categories WHERE superseded_at IS NULL ORDER BY code")
                .build()
                .fetch_all(self.pool())
                .await
                .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                let body: String = get!(r, 0);
                Ok((serde_json::from_str(&body).map_err(corrupt)?, get!(r, 1)))
            })
            .collect()
    }

    async fn category(&self, code: &CategoryCode, version: Option<i64>) -> StoreResult<Option<(Category, i64)>> {
        let mut q = QueryBuilder::<DB>::new("SELECT body, version FROM categories WHERE code = ");
        q.push_bind(code.as_str().to_owned());
        match version {
            Some(v) => q.push(" AND version = ").push_bind(v),
            None => q.push(" AND superseded_at IS NULL"),
        };
        let Some(r) = q.build().fetch_optional(self.pool()).await.map_err(map_err)? else { return Ok(None) };
        let body: String = get!(r, 0);
        Ok(Some((serde_json::from_str(&body).map_err(corrupt)?, get!(r, 1))))
    }

    async fn put_category(&self, c: &Category, audit_entry: &AuditEntry) -> StoreResult<i64> {
        let now = now_micros();
        let _writer = self.writer().await;
        let mut tx = self.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
        let mut q = QueryBuilder::<DB>::new("SELECT COALESCE(MAX(version), 0) FROM categories WHERE code = ");
        q.push_bind(c.code.as_str().to_owned());
        let last: i64 = get!(q.build().fetch_one(&mut *tx).await.map_err(map_err)?, 0);
        let mut q = QueryBuilder::<DB>::new("UPDATE categories SET superseded_at = ");
        q.push_bind(now).push(" WHERE superseded_at IS NULL AND code = ").push_bind(c.code.as_str().to_owned());
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        let version = last + 1;
        let body = serde_json::to_string(c).map_err(corrupt)?;
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
        audit::append::<DB>(&mut tx, audit_entry).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(version)
    }

    async fn duties(&self, category: Option<&CategoryCode>) -> StoreResult<Vec<DutyItem>> {
        let mut q = QueryBuilder::<DB>::new("SELECT category_code, level, list, lead, co, note FROM duties");
        if let Some(c) = category {
            q.push(" WHERE category_code = ").push_bind(c.as_str().to_owned());
        }
        q.push(" ORDER BY category_code, level");
        let rows = q.build().fetch_all(self.pool()).await.map_err(map_err)?;
        rows.iter().map(duty_from_row).collect()
    }

    async fn duty(&self, category: &CategoryCode, level: DutyLevel) -> StoreResult<Option<DutyItem>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT category_code, level, list, lead, co, note FROM duties WHERE category_code = ",
        );
        q.push_bind(category.as_str().to_owned()).push(" AND level = ").push_bind(enum_text(&level));
        q.build().fetch_optional(self.pool()).await.map_err(map_err)?.as_ref().map(duty_from_row).transpose()
    }

    async fn put_duty(&self, d: &DutyItem, audit_entry: &AuditEntry) -> StoreResult<()> {
        let _writer = self.writer().await;
        let mut tx = self.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
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
        audit::append::<DB>(&mut tx, audit_entry).await?;
        tx.commit().await.map_err(map_err)
    }
}

/// The serde name of a unit enum (`town`, `negative` …).
fn enum_text<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn duty_from_row<R: Row>(r: &R) -> StoreResult<DutyItem>
where
    usize: sqlx::ColumnIndex<R>,
    for<'q> String: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> Option<String>: sqlx::Decode<'q, R::Database>,
{
    let category: String = get!(r, 0);
    let level: String = get!(r, 1);
    let list: String = get!(r, 2);
    let co: String = get!(r, 4);
    let parse = |s: &str| serde_json::Value::String(s.to_owned());
    Ok(DutyItem {
        category: CategoryCode::parse(&category).map_err(corrupt)?,
        level: serde_json::from_value::<DutyLevel>(parse(&level)).map_err(corrupt)?,
        list: serde_json::from_value::<DutyList>(parse(&list)).map_err(corrupt)?,
        lead: get!(r, 3),
        co: co.split(',').filter(|c| !c.is_empty()).map(str::to_owned).collect(),
        note: get!(r, 5),
    })
}
