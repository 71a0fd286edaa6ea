use async_trait::async_trait;

use crate::StoreResult;

/// Small named values the platform keeps about itself (e.g. which demo data
/// has been loaded).
#[async_trait]
pub trait SettingStore {
    async fn setting(&self, key: &str) -> StoreResult<Option<String>>;
    async fn put_setting(&self, key: &str, value: &str) -> StoreResult<()>;
}
