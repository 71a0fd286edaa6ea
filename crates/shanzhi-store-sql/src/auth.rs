use async_trait::async_trait;
use shanzhi_domain::Username;
use shanzhi_store::{ApiTokenRecord, AuthStore, Credentials, Micros, SessionRecord, StoreResult};
use sqlx::{Pool, QueryBuilder, Row};

use crate::{Dialect, SqlStore, map_err};

#[async_trait]
impl<DB> AuthStore for SqlStore<DB>
where
    DB: Dialect,
    for<'c> &'c Pool<DB>: sqlx::Executor<'c, Database = DB>,
    DB::Arguments: sqlx::IntoArguments<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<String>: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
{
    async fn credentials(&self, username: &Username) -> StoreResult<Option<Credentials>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT id, password_hash, failed_logins, locked_until, disabled_at FROM users WHERE username = ",
        );
        q.push_bind(username.as_str().to_owned());
        let Some(r) = q.build().fetch_optional(self.pool()).await.map_err(map_err)? else { return Ok(None) };
        Ok(Some(Credentials {
            user_id: r.try_get(0usize).map_err(map_err)?,
            password_hash: r.try_get(1usize).map_err(map_err)?,
            failed_logins: r.try_get(2usize).map_err(map_err)?,
            locked_until: r.try_get(3usize).map_err(map_err)?,
            disabled: r.try_get::<Option<i64>, _>(4usize).map_err(map_err)?.is_some(),
        }))
    }

    async fn record_login_failure(&self, user_id: &str, lock_until: Option<Micros>) -> StoreResult<i64> {
        let mut q = QueryBuilder::<DB>::new("UPDATE users SET failed_logins = failed_logins + 1");
        if let Some(until) = lock_until {
            q.push(", locked_until = ").push_bind(until);
        }
        q.push(" WHERE id = ").push_bind(user_id.to_owned());
        q.build().execute(self.pool()).await.map_err(map_err)?;
        let mut q = QueryBuilder::<DB>::new("SELECT failed_logins FROM users WHERE id = ");
        q.push_bind(user_id.to_owned());
        q.build().fetch_one(self.pool()).await.map_err(map_err)?.try_get(0usize).map_err(map_err)
    }

    async fn record_login_success(&self, user_id: &str) -> StoreResult<()> {
        let mut q = QueryBuilder::<DB>::new("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ");
        q.push_bind(user_id.to_owned());
        q.build().execute(self.pool()).await.map_err(map_err)?;
        Ok(())
    }

    async fn create_session(&self, s: &SessionRecord) -> StoreResult<()> {
        let mut q =
            QueryBuilder::<DB>::new("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) ");
        q.push_values([s], |mut v, s| {
            v.push_bind(s.token_hash.clone())
                .push_bind(s.user_id.clone())
                .push_bind(s.csrf_token.clone())
                .push_bind(s.created_at)
                .push_bind(s.expires_at);
        });
        q.build().execute(self.pool()).await.map_err(map_err)?;
        Ok(())
    }

    async fn session(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT token_hash, user_id, csrf_token, created_at, expires_at, revoked_at FROM sessions WHERE token_hash = ",
        );
        q.push_bind(token_hash.to_owned());
        let Some(r) = q.build().fetch_optional(self.pool()).await.map_err(map_err)? else { return Ok(None) };
        Ok(Some(SessionRecord {
            token_hash: r.try_get(0usize).map_err(map_err)?,
            user_id: r.try_get(1usize).map_err(map_err)?,
            csrf_token: r.try_get(2usize).map_err(map_err)?,
            created_at: r.try_get(3usize).map_err(map_err)?,
            expires_at: r.try_get(4usize).map_err(map_err)?,
            revoked_at: r.try_get(5usize).map_err(map_err)?,
        }))
    }

    async fn revoke_session(&self, token_hash: &str, at: Micros) -> StoreResult<()> {
        let mut q = QueryBuilder::<DB>::new("UPDATE sessions SET revoked_at = ");
        q.push_bind(at).push(" WHERE revoked_at IS NULL AND token_hash = ").push_bind(token_hash.to_owned());
        q.build().execute(self.pool()).await.map_err(map_err)?;
        Ok(())
    }

    async fn create_api_token(&self, t: &ApiTokenRecord) -> StoreResult<()> {
        let mut q = QueryBuilder::<DB>::new("INSERT INTO api_tokens (token_hash, id, user_id, name, created_at) ");
        q.push_values([t], |mut v, t| {
            v.push_bind(t.token_hash.clone())
                .push_bind(t.id.clone())
                .push_bind(t.user_id.clone())
                .push_bind(t.name.clone())
                .push_bind(t.created_at);
        });
        q.build().execute(self.pool()).await.map_err(map_err)?;
        Ok(())
    }

    async fn api_token(&self, token_hash: &str) -> StoreResult<Option<ApiTokenRecord>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT token_hash, id, user_id, name, created_at, revoked_at FROM api_tokens WHERE token_hash = ",
        );
        q.push_bind(token_hash.to_owned());
        let Some(r) = q.build().fetch_optional(self.pool()).await.map_err(map_err)? else { return Ok(None) };
        Ok(Some(ApiTokenRecord {
            token_hash: r.try_get(0usize).map_err(map_err)?,
            id: r.try_get(1usize).map_err(map_err)?,
            user_id: r.try_get(2usize).map_err(map_err)?,
            name: r.try_get(3usize).map_err(map_err)?,
            created_at: r.try_get(4usize).map_err(map_err)?,
            revoked_at: r.try_get(5usize).map_err(map_err)?,
        }))
    }

    async fn revoke_api_token(&self, token_hash: &str, at: Micros) -> StoreResult<()> {
        let mut q = QueryBuilder::<DB>::new("UPDATE api_tokens SET revoked_at = ");
        q.push_bind(at).push(" WHERE revoked_at IS NULL AND token_hash = ").push_bind(token_hash.to_owned());
        q.build().execute(self.pool()).await.map_err(map_err)?;
        Ok(())
    }
}
