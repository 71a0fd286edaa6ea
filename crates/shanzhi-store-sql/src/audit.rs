use async_trait::async_trait;
use shanzhi_domain::tlog::LeafRecord;
use shanzhi_store::{
    AUDIT_GENESIS, AuditEntry, AuditRecord, AuditStore, PiiAccess, StoreError, StoreResult, audit_hash,
};
use sqlx::{QueryBuilder, Transaction};

use shanzhi_domain::Micros;
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};

use crate::{SqlStore, map_err};

#[derive(SqlRow)]
struct AuditRow {
    seq: i64,
    at: i64,
    actor: String,
    action: String,
    entity: String,
    before_json: Option<String>,
    after_json: Option<String>,
    prev_hash: String,
    hash: String,
}

#[derive(SqlRow)]
struct PiiRow {
    at: i64,
    actor: String,
    subject: String,
    field: String,
    purpose: String,
}

/// Append `entry` inside an open transaction, and its leaf to the
/// transparency log; concurrent appends take turns (`next_link`). Callers
/// append the entry as their transaction's last write (the log's head is
/// locked last).
#[sql_bounds]
pub(crate) async fn append<DB>(conn: &mut DB::Connection, entry: &AuditEntry) -> StoreResult<i64> {
    let (seq, prev) = crate::next_link::<DB>(conn, "audit", "audit_log", AUDIT_GENESIS).await?;
    let at = Micros::now();
    let hash = audit_hash(&prev, seq, at, entry);
    let mut q = QueryBuilder::<DB>::new(
        "INSERT INTO audit_log (seq, at, actor, action, entity, before_json, after_json, prev_hash, hash) ",
    );
    q.push_values([()], |mut v, ()| {
        v.push_bind(seq)
            .push_bind(at.get())
            .push_bind(entry.actor.clone())
            .push_bind(entry.action.clone())
            .push_bind(entry.entity.clone())
            .push_bind(entry.before.clone())
            .push_bind(entry.after.clone())
            .push_bind(prev.clone())
            .push_bind(hash.clone());
    });
    q.build().execute(&mut *conn).await.map_err(map_err)?;
    let leaf = LeafRecord::audit(seq, &hash).map_err(StoreError::corrupt)?;
    crate::tlog::append::<DB>(conn, &[leaf]).await?;
    Ok(seq)
}

/// Append `entry` as the transaction's last write, then commit: the change
/// and its audit entry stand or fall together.
#[sql_bounds]
pub(crate) async fn commit<DB>(mut tx: Transaction<'_, DB>, entry: &AuditEntry) -> StoreResult<()> {
    append::<DB>(&mut tx, entry).await?;
    tx.commit().await.map_err(map_err)
}

#[sql_bounds]
#[async_trait]
impl<DB> AuditStore for SqlStore<DB> {
    async fn append_audit(&self, entry: &AuditEntry) -> StoreResult<i64> {
        let (_writer, mut tx) = self.begin_write().await?;
        let seq = append::<DB>(&mut tx, entry).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(seq)
    }

    async fn audit_log(&self, after_seq: i64, limit: usize) -> StoreResult<Vec<AuditRecord>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT seq, at, actor, action, entity, before_json, after_json, prev_hash, hash FROM audit_log WHERE seq > ",
        );
        q.push_bind(after_seq).push(" ORDER BY seq LIMIT ").push_bind(i64::try_from(limit).unwrap_or(i64::MAX));
        let rows = q.build_query_as::<AuditRow>().fetch_all(self.pool()).await.map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| AuditRecord {
                seq: r.seq,
                at: r.at.into(),
                actor: r.actor,
                action: r.action,
                entity: r.entity,
                before: r.before_json,
                after: r.after_json,
                prev_hash: r.prev_hash,
                hash: r.hash,
            })
            .collect())
    }

    async fn record_pii_access(&self, access: &PiiAccess) -> StoreResult<()> {
        let mut q = QueryBuilder::<DB>::new("INSERT INTO pii_access_log (id, at, actor, subject, field, purpose) ");
        q.push_values([access], |mut v, a| {
            v.push_bind(uuid::Uuid::now_v7().to_string())
                .push_bind(a.at.get())
                .push_bind(a.actor.clone())
                .push_bind(a.subject.clone())
                .push_bind(a.field.clone())
                .push_bind(a.purpose.clone());
        });
        self.execute(&mut q).await
    }

    async fn pii_accesses(&self, subject: &str) -> StoreResult<Vec<PiiAccess>> {
        let mut q =
            QueryBuilder::<DB>::new("SELECT at, actor, subject, field, purpose FROM pii_access_log WHERE subject = ");
        q.push_bind(subject.to_owned()).push(" ORDER BY at, id");
        let rows = q.build_query_as::<PiiRow>().fetch_all(self.pool()).await.map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| PiiAccess {
                at: r.at.into(),
                actor: r.actor,
                subject: r.subject,
                field: r.field,
                purpose: r.purpose,
            })
            .collect())
    }
}
