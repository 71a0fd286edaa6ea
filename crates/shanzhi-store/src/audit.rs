use async_trait::async_trait;
use serde::Serialize;

use crate::StoreResult;
use shanzhi_domain::Micros;
pub use shanzhi_domain::audit::{AUDIT_GENESIS, AuditEntry, AuditRecord, audit_hash};

/// Someone saw an unmasked personal value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PiiAccess {
    pub at: Micros,
    pub actor: String,
    pub subject: String,
    pub field: String,
    pub purpose: String,
}

/// The admin audit log (append-only: there is no method to change or remove
/// an entry) and the record of who saw personal data.
#[async_trait]
pub trait AuditStore {
    /// Append an entry on its own (most writes append theirs in their own
    /// transaction instead).
    async fn append_audit(&self, entry: &AuditEntry) -> StoreResult<i64>;
    /// Entries after `after_seq`, oldest first.
    async fn audit_log(&self, after_seq: i64, limit: usize) -> StoreResult<Vec<AuditRecord>>;
    async fn record_pii_access(&self, access: &PiiAccess) -> StoreResult<()>;
    async fn pii_accesses(&self, subject: &str) -> StoreResult<Vec<PiiAccess>>;
}
