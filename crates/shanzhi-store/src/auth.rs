use async_trait::async_trait;

use crate::people::{Credentials, Micros};
use crate::{StoreResult, Username};

/// A sign-in session, found by the hash of its token (the token itself is
/// never stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub token_hash: String,
    pub user_id: String,
    pub csrf_token: String,
    pub created_at: Micros,
    pub expires_at: Micros,
    pub revoked_at: Option<Micros>,
}

/// An API token, found by its hash; shown once when created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenRecord {
    pub token_hash: String,
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub created_at: Micros,
    pub revoked_at: Option<Micros>,
}

#[async_trait]
pub trait AuthStore {
    async fn credentials(&self, username: &Username) -> StoreResult<Option<Credentials>>;
    /// Count a failed sign-in; lock the account until `lock_until` if given.
    /// Returns the failures counted so far.
    async fn record_login_failure(&self, user_id: &str, lock_until: Option<Micros>) -> StoreResult<i64>;
    async fn record_login_success(&self, user_id: &str) -> StoreResult<()>;

    async fn create_session(&self, session: &SessionRecord) -> StoreResult<()>;
    async fn session(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>>;
    async fn revoke_session(&self, token_hash: &str, at: Micros) -> StoreResult<()>;

    async fn create_api_token(&self, token: &ApiTokenRecord) -> StoreResult<()>;
    async fn api_token(&self, token_hash: &str) -> StoreResult<Option<ApiTokenRecord>>;
    async fn revoke_api_token(&self, token_hash: &str, at: Micros) -> StoreResult<()>;
}
