use async_trait::async_trait;

use shanzhi_domain::Micros;

use crate::people::Credentials;
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

/// A throttle's count after a hit: `hits` in the window that began at
/// `window_start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleCount {
    pub hits: i64,
    pub window_start: Micros,
}

#[async_trait]
pub trait AuthStore {
    async fn credentials(&self, username: &Username) -> StoreResult<Option<Credentials>>;

    /// Add `delta` to the count of `key` in one atomic statement (so parallel
    /// requests cannot all read the same count); a window that began at or
    /// before `expired_before` starts afresh at `now`. Counts never go below 0.
    async fn throttle_add(
        &self,
        key: &str,
        delta: i64,
        now: Micros,
        expired_before: Micros,
    ) -> StoreResult<ThrottleCount>;
    async fn throttle_clear(&self, key: &str) -> StoreResult<()>;

    async fn create_session(&self, session: &SessionRecord) -> StoreResult<()>;
    async fn session(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>>;
    async fn revoke_session(&self, token_hash: &str, at: Micros) -> StoreResult<()>;
    /// Sign a person out everywhere (but the session `keep`, if given);
    /// returns how many sessions ended.
    async fn revoke_sessions_of(&self, user_id: &str, keep: Option<&str>, at: Micros) -> StoreResult<u64>;

    async fn create_api_token(&self, token: &ApiTokenRecord) -> StoreResult<()>;
    async fn api_token(&self, token_hash: &str) -> StoreResult<Option<ApiTokenRecord>>;
    async fn revoke_api_token(&self, token_hash: &str, at: Micros) -> StoreResult<()>;
    /// A person's tokens, revoked ones too, oldest first.
    async fn api_tokens_of(&self, user_id: &str) -> StoreResult<Vec<ApiTokenRecord>>;
    /// Revoke a token by its id (what lists show); false if there is no such
    /// live token of `user_id`.
    async fn revoke_api_token_by_id(&self, user_id: &str, id: &str, at: Micros) -> StoreResult<bool>;
}
