use async_trait::async_trait;
use shanzhi_store::{AuditEntry, SettingStore, StoreResult};
use sqlx::{QueryBuilder, Row};

use crate::{SqlStore, audit, map_err};
use shanzhi_store_sql_macros::sql_bounds;

#[sql_bounds]
#[async_trait]
impl<DB> SettingStore for SqlStore<DB> {
    async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        let mut q = QueryBuilder::<DB>::new("SELECT value FROM settings WHERE key = ");
        q.push_bind(key.to_owned());
        let row = q.build().fetch_optional(self.pool()).await.map_err(map_err)?;
        row.map(|r| r.try_get::<String, _>(0usize).map_err(map_err)).transpose()
    }

    async fn put_setting(&self, key: &str, value: &str, audit_entry: &AuditEntry) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q = QueryBuilder::<DB>::new("INSERT INTO settings (key, value) VALUES (");
        q.push_bind(key.to_owned()).push(", ").push_bind(value.to_owned());
        q.push(format!(") ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = {}", DB::NOW));
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        audit::commit::<DB>(tx, audit_entry).await
    }
}
