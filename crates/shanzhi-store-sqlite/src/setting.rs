use async_trait::async_trait;
use shanzhi_store::{SettingStore, StoreResult};

use crate::{SqliteStore, map_err};

#[async_trait]
impl SettingStore for SqliteStore {
    async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = ?")
            .bind(key)
            .fetch_optional(self.pool())
            .await
            .map_err(map_err)?;
        Ok(row.map(|r| r.0))
    }

    async fn put_setting(&self, key: &str, value: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES (?, ?) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, \
             updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        )
        .bind(key)
        .bind(value)
        .execute(self.pool())
        .await
        .map_err(map_err)?;
        Ok(())
    }
}
