use async_trait::async_trait;
use shanzhi_domain::{Micros, Phone};
use shanzhi_store::{AuditEntry, ClaimHow, ConsentRecord, SignupStore, SmsCodeTry, StoreResult, UserRecord};
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};
use sqlx::QueryBuilder;

use crate::people::{USER_COLUMNS, UserRow};
use crate::{SqlStore, audit, map_err};

#[derive(SqlRow)]
struct TryRow {
    code_hash: String,
    expires_at: i64,
    attempts: i64,
}

#[derive(SqlRow)]
struct ConsentRow {
    id: String,
    user_id: String,
    version: String,
    at: i64,
    withdrawn_at: Option<i64>,
}

impl From<ConsentRow> for ConsentRecord {
    fn from(r: ConsentRow) -> Self {
        ConsentRecord {
            id: r.id,
            user_id: r.user_id,
            version: r.version,
            at: r.at.into(),
            withdrawn_at: r.withdrawn_at.map(Micros::new),
        }
    }
}

#[derive(SqlRow)]
struct AtRow {
    at: Option<i64>,
}

#[derive(SqlRow)]
struct IdRow {
    id: String,
}

impl From<IdRow> for String {
    fn from(r: IdRow) -> Self {
        r.id
    }
}

#[sql_bounds]
#[async_trait]
impl<DB> SignupStore for SqlStore<DB> {
    async fn put_sms_code(&self, phone: &Phone, code_hash: &str, at: Micros, expires_at: Micros) -> StoreResult<()> {
        let mut q =
            QueryBuilder::<DB>::new("INSERT INTO sms_codes (phone, code_hash, created_at, expires_at) VALUES (");
        q.push_bind(phone.reveal().to_owned()).push(", ").push_bind(code_hash.to_owned());
        q.push(", ").push_bind(at.get()).push(", ").push_bind(expires_at.get());
        q.push(
            ") ON CONFLICT (phone) DO UPDATE SET code_hash = excluded.code_hash, created_at = excluded.created_at, ",
        );
        q.push("expires_at = excluded.expires_at, attempts = 0, used_at = NULL");
        self.execute(&mut q).await
    }

    async fn try_sms_code(&self, phone: &Phone) -> StoreResult<Option<SmsCodeTry>> {
        let mut q =
            QueryBuilder::<DB>::new("UPDATE sms_codes SET attempts = attempts + 1 WHERE used_at IS NULL AND phone = ");
        q.push_bind(phone.reveal().to_owned()).push(" RETURNING code_hash, expires_at, attempts");
        let row = q.build_query_as::<TryRow>().fetch_optional(self.pool()).await.map_err(map_err)?;
        Ok(row.map(|r| SmsCodeTry { code_hash: r.code_hash, expires_at: r.expires_at.into(), attempts: r.attempts }))
    }

    async fn use_sms_code(&self, phone: &Phone, code_hash: &str, at: Micros) -> StoreResult<bool> {
        let mut q = QueryBuilder::<DB>::new("UPDATE sms_codes SET used_at = ");
        q.push_bind(at.get()).push(" WHERE used_at IS NULL AND phone = ").push_bind(phone.reveal().to_owned());
        q.push(" AND code_hash = ").push_bind(code_hash.to_owned()).push(" RETURNING phone");
        Ok(q.build().fetch_all(self.pool()).await.map_err(map_err)?.len() == 1)
    }

    async fn verify_phone(&self, user_id: &str, at: Micros) -> StoreResult<()> {
        let mut q = QueryBuilder::<DB>::new("UPDATE users SET phone_verified_at = ");
        q.push_bind(at.get()).push(" WHERE erased_at IS NULL AND id = ").push_bind(user_id.to_owned());
        self.execute(&mut q).await
    }

    async fn phone_verified_at(&self, user_id: &str) -> StoreResult<Option<Micros>> {
        let mut q = QueryBuilder::<DB>::new("SELECT phone_verified_at AS at FROM users WHERE id = ");
        q.push_bind(user_id.to_owned());
        let row = q.build_query_as::<AtRow>().fetch_optional(self.pool()).await.map_err(map_err)?;
        Ok(row.and_then(|r| r.at).map(Micros::new))
    }

    async fn resident_by_phone(&self, phone: &Phone) -> StoreResult<Option<UserRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!(
            "{USER_COLUMNS} WHERE kind = 'resident' AND disabled_at IS NULL AND erased_at IS NULL AND phone = "
        ));
        q.push_bind(phone.reveal().to_owned()).push(" ORDER BY created_at, id LIMIT 1");
        self.fetch_record::<UserRow, _>(&mut q).await
    }

    async fn record_consent(&self, c: &ConsentRecord, audit_entry: &AuditEntry) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q = QueryBuilder::<DB>::new("INSERT INTO consents (id, user_id, version, at) ");
        q.push_values([c], |mut v, c| {
            v.push_bind(c.id.clone()).push_bind(c.user_id.clone()).push_bind(c.version.clone()).push_bind(c.at.get());
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        audit::commit::<DB>(tx, audit_entry).await
    }

    async fn consents_of(&self, user_id: &str) -> StoreResult<Vec<ConsentRecord>> {
        let mut q =
            QueryBuilder::<DB>::new("SELECT id, user_id, version, at, withdrawn_at FROM consents WHERE user_id = ");
        q.push_bind(user_id.to_owned()).push(" ORDER BY at, id");
        self.fetch_records::<ConsentRow, _>(&mut q).await
    }

    async fn withdraw_consents(&self, user_id: &str, at: Micros) -> StoreResult<()> {
        let mut q = QueryBuilder::<DB>::new("UPDATE consents SET withdrawn_at = ");
        q.push_bind(at.get()).push(" WHERE withdrawn_at IS NULL AND user_id = ").push_bind(user_id.to_owned());
        self.execute(&mut q).await
    }

    async fn claim_matter(&self, matter_id: &str, user_id: &str, how: ClaimHow, at: Micros) -> StoreResult<bool> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q = QueryBuilder::<DB>::new("UPDATE matters SET reporter_user_id = ");
        q.push_bind(user_id.to_owned())
            .push(" WHERE reporter_user_id IS NULL AND id = ")
            .push_bind(matter_id.to_owned());
        q.push(" RETURNING id");
        let claimed = q.build().fetch_all(&mut *tx).await.map_err(map_err)?.len() == 1;
        if !claimed {
            return Ok(false);
        }
        let mut q = QueryBuilder::<DB>::new("INSERT INTO matter_claims (matter_id, user_id, how, at) ");
        q.push_values([()], |mut v, ()| {
            v.push_bind(matter_id.to_owned())
                .push_bind(user_id.to_owned())
                .push_bind(how.as_str().to_owned())
                .push_bind(at.get());
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(true)
    }

    async fn unclaimed_by_phone(&self, phone: &Phone, limit: i64) -> StoreResult<Vec<String>> {
        let mut q =
            QueryBuilder::<DB>::new("SELECT id FROM matters WHERE reporter_user_id IS NULL AND reporter_phone = ");
        q.push_bind(phone.reveal().to_owned())
            .push(" ORDER BY reported_at DESC, id DESC LIMIT ")
            .push_bind(limit.clamp(0, 500));
        self.fetch_records::<IdRow, _>(&mut q).await
    }

    async fn erase_user(
        &self,
        user_id: &str,
        placeholder_username: &str,
        at: Micros,
        audit_entry: &AuditEntry,
    ) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q =
            QueryBuilder::<DB>::new("DELETE FROM sms_codes WHERE phone IN (SELECT phone FROM users WHERE id = ");
        q.push_bind(user_id.to_owned()).push(")");
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        let mut q = QueryBuilder::<DB>::new("UPDATE users SET username = ");
        q.push_bind(placeholder_username.to_owned()).push(", display_name = '', phone = NULL, password_hash = NULL, ");
        q.push("phone_verified_at = NULL, work_phone = NULL, ");
        q.push("disabled_at = ").push_bind(at.get()).push(", erased_at = ").push_bind(at.get());
        q.push(" WHERE id = ").push_bind(user_id.to_owned());
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        let mut q = QueryBuilder::<DB>::new(
            "UPDATE matters SET reporter_name = NULL, reporter_phone = NULL WHERE reporter_user_id = ",
        );
        q.push_bind(user_id.to_owned());
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        for table in ["sessions", "api_tokens"] {
            let mut q = QueryBuilder::<DB>::new(format!("UPDATE {table} SET revoked_at = "));
            q.push_bind(at.get()).push(" WHERE revoked_at IS NULL AND user_id = ").push_bind(user_id.to_owned());
            q.build().execute(&mut *tx).await.map_err(map_err)?;
        }
        let mut q = QueryBuilder::<DB>::new("UPDATE consents SET withdrawn_at = ");
        q.push_bind(at.get()).push(" WHERE withdrawn_at IS NULL AND user_id = ").push_bind(user_id.to_owned());
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        audit::commit::<DB>(tx, audit_entry).await
    }
}
