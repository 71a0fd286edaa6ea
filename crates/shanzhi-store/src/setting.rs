use async_trait::async_trait;

use crate::{AuditEntry, StoreResult};

/// Small named values the platform keeps about itself (e.g. which demo data
/// has been loaded).
#[async_trait]
pub trait SettingStore {
    async fn setting(&self, key: &str) -> StoreResult<Option<String>>;
    /// Set a value, recording `audit` in the same transaction.
    async fn put_setting(&self, key: &str, value: &str, audit: &AuditEntry) -> StoreResult<()>;
}
