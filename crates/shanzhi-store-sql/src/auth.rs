use async_trait::async_trait;
use shanzhi_domain::{Micros, Username};
use shanzhi_store::{ApiTokenRecord, AuthStore, Credentials, SessionRecord, StoreResult, ThrottleCount};
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};
use sqlx::QueryBuilder;

use crate::{SqlStore, map_err};

const TOKEN_COLUMNS: &str = "SELECT token_hash, id, user_id, name, created_at, revoked_at FROM api_tokens";

#[derive(SqlRow)]
struct TokenRow {
    token_hash: String,
    id: String,
    user_id: String,
    name: String,
    created_at: i64,
    revoked_at: Option<i64>,
}

impl From<TokenRow> for ApiTokenRecord {
    fn from(r: TokenRow) -> Self {
        ApiTokenRecord {
            token_hash: r.token_hash,
            id: r.id,
            user_id: r.user_id,
            name: r.name,
            created_at: r.created_at.into(),
            revoked_at: r.revoked_at.map(Micros::new),
        }
    }
}

#[derive(SqlRow)]
struct SessionRow {
    token_hash: String,
    user_id: String,
    csrf_token: String,
    created_at: i64,
    expires_at: i64,
    revoked_at: Option<i64>,
}

impl From<SessionRow> for SessionRecord {
    fn from(r: SessionRow) -> Self {
        SessionRecord {
            token_hash: r.token_hash,
            user_id: r.user_id,
            csrf_token: r.csrf_token,
            created_at: r.created_at.into(),
            expires_at: r.expires_at.into(),
            revoked_at: r.revoked_at.map(Micros::new),
        }
    }
}

#[derive(SqlRow)]
struct CredentialsRow {
    id: String,
    password_hash: Option<String>,
    disabled_at: Option<i64>,
}

impl From<CredentialsRow> for Credentials {
    fn from(r: CredentialsRow) -> Self {
        Credentials { user_id: r.id, password_hash: r.password_hash, disabled: r.disabled_at.is_some() }
    }
}

#[derive(SqlRow)]
struct ThrottleRow {
    hits: i64,
    window_start: i64,
}

#[sql_bounds]
#[async_trait]
impl<DB> AuthStore for SqlStore<DB> {
    async fn credentials(&self, username: &Username) -> StoreResult<Option<Credentials>> {
        let select = "SELECT id, password_hash, disabled_at FROM users WHERE username = ";
        self.fetch_by_key::<CredentialsRow, _>(select, username.as_str()).await
    }

    async fn throttle_add(
        &self,
        key: &str,
        delta: i64,
        now: Micros,
        expired_before: Micros,
    ) -> StoreResult<ThrottleCount> {
        // One upsert: the count a request sees already includes every request
        // that came before it, however many run at once.
        let first = delta.max(0);
        let (now, expired_before) = (now.get(), expired_before.get());
        let mut q = QueryBuilder::<DB>::new("INSERT INTO throttles (key, hits, window_start) VALUES (");
        q.push_bind(key.to_owned()).push(", ").push_bind(first).push(", ").push_bind(now);
        q.push(") ON CONFLICT (key) DO UPDATE SET hits = CASE WHEN throttles.window_start <= ");
        q.push_bind(expired_before).push(" THEN ").push_bind(first);
        q.push(" WHEN throttles.hits + ").push_bind(delta).push(" < 0 THEN 0 ELSE throttles.hits + ");
        q.push_bind(delta).push(" END, window_start = CASE WHEN throttles.window_start <= ");
        q.push_bind(expired_before).push(" THEN ").push_bind(now);
        q.push(" ELSE throttles.window_start END RETURNING hits, window_start");
        let r = q.build_query_as::<ThrottleRow>().fetch_one(self.pool()).await.map_err(map_err)?;
        Ok(ThrottleCount { hits: r.hits, window_start: r.window_start.into() })
    }

    async fn throttle_clear(&self, key: &str) -> StoreResult<()> {
        let mut q = QueryBuilder::<DB>::new("DELETE FROM throttles WHERE key = ");
        q.push_bind(key.to_owned());
        self.execute(&mut q).await
    }

    async fn create_session(&self, s: &SessionRecord) -> StoreResult<()> {
        let mut q =
            QueryBuilder::<DB>::new("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) ");
        q.push_values([s], |mut v, s| {
            v.push_bind(s.token_hash.clone())
                .push_bind(s.user_id.clone())
                .push_bind(s.csrf_token.clone())
                .push_bind(s.created_at.get())
                .push_bind(s.expires_at.get());
        });
        self.execute(&mut q).await
    }

    async fn session(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>> {
        let select = "SELECT token_hash, user_id, csrf_token, created_at, expires_at, revoked_at FROM sessions WHERE token_hash = ";
        self.fetch_by_key::<SessionRow, _>(select, token_hash).await
    }

    async fn revoke_session(&self, token_hash: &str, at: Micros) -> StoreResult<()> {
        let mut q = QueryBuilder::<DB>::new("UPDATE sessions SET revoked_at = ");
        q.push_bind(at.get()).push(" WHERE revoked_at IS NULL AND token_hash = ").push_bind(token_hash.to_owned());
        self.execute(&mut q).await
    }

    async fn revoke_sessions_of(&self, user_id: &str, keep: Option<&str>, at: Micros) -> StoreResult<u64> {
        let mut q = QueryBuilder::<DB>::new("UPDATE sessions SET revoked_at = ");
        q.push_bind(at.get()).push(" WHERE revoked_at IS NULL AND user_id = ").push_bind(user_id.to_owned());
        if let Some(keep) = keep {
            q.push(" AND token_hash <> ").push_bind(keep.to_owned());
        }
        q.push(" RETURNING user_id");
        Ok(q.build().fetch_all(self.pool()).await.map_err(map_err)?.len() as u64)
    }

    async fn create_api_token(&self, t: &ApiTokenRecord) -> StoreResult<()> {
        let mut q = QueryBuilder::<DB>::new("INSERT INTO api_tokens (token_hash, id, user_id, name, created_at) ");
        q.push_values([t], |mut v, t| {
            v.push_bind(t.token_hash.clone())
                .push_bind(t.id.clone())
                .push_bind(t.user_id.clone())
                .push_bind(t.name.clone())
                .push_bind(t.created_at.get());
        });
        self.execute(&mut q).await
    }

    async fn api_token(&self, token_hash: &str) -> StoreResult<Option<ApiTokenRecord>> {
        self.fetch_by_key::<TokenRow, _>(format!("{TOKEN_COLUMNS} WHERE token_hash = "), token_hash).await
    }

    async fn api_tokens_of(&self, user_id: &str) -> StoreResult<Vec<ApiTokenRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!("{TOKEN_COLUMNS} WHERE user_id = "));
        q.push_bind(user_id.to_owned()).push(" ORDER BY created_at, id");
        self.fetch_records::<TokenRow, _>(&mut q).await
    }

    async fn revoke_api_token_by_id(&self, user_id: &str, id: &str, at: Micros) -> StoreResult<bool> {
        let mut q = QueryBuilder::<DB>::new("UPDATE api_tokens SET revoked_at = ");
        q.push_bind(at.get()).push(" WHERE revoked_at IS NULL AND id = ").push_bind(id.to_owned());
        q.push(" AND user_id = ").push_bind(user_id.to_owned()).push(" RETURNING id");
        Ok(q.build().fetch_all(self.pool()).await.map_err(map_err)?.len() == 1)
    }

    async fn revoke_api_token(&self, token_hash: &str, at: Micros) -> StoreResult<()> {
        let mut q = QueryBuilder::<DB>::new("UPDATE api_tokens SET revoked_at = ");
        q.push_bind(at.get()).push(" WHERE revoked_at IS NULL AND token_hash = ").push_bind(token_hash.to_owned());
        self.execute(&mut q).await
    }
}
