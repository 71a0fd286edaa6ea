//! The admin audit log: read it (where allowed) and verify its hash chain.

use serde::Serialize;
use shanzhi_store::{AUDIT_GENESIS, AuditEntry, AuditRecord, audit_hash};

use crate::{App, AppResult};

/// The outcome of `shanzhi audit verify`.
#[derive(Debug, Clone, Serialize)]
pub struct AuditVerification {
    pub entries: usize,
    /// The first entry whose hash or link does not match, if any.
    pub broken_at: Option<i64>,
}

/// Check every entry's hash and its link to the one before.
pub async fn verify_audit_chain(app: &App) -> AppResult<AuditVerification> {
    let mut prev = AUDIT_GENESIS.to_owned();
    let mut expected_seq = 1;
    let mut entries = 0;
    loop {
        let batch = app.store.audit_log(expected_seq - 1, 1000).await?;
        if batch.is_empty() {
            return Ok(AuditVerification { entries, broken_at: None });
        }
        for r in batch {
            let entry = AuditEntry {
                actor: r.actor.clone(),
                action: r.action.clone(),
                entity: r.entity.clone(),
                before: r.before.clone(),
                after: r.after.clone(),
            };
            if r.seq != expected_seq || r.prev_hash != prev || r.hash != audit_hash(&prev, r.seq, r.at, &entry) {
                return Ok(AuditVerification { entries, broken_at: Some(expected_seq) });
            }
            prev = r.hash;
            expected_seq += 1;
            entries += 1;
        }
    }
}

impl super::AuditDesk<'_> {
    /// Entries after `after`, oldest first.
    pub async fn audit_log(&self, after: i64, limit: usize) -> AppResult<Vec<AuditRecord>> {
        Ok(self.app.store.audit_log(after, limit.min(1000)).await?)
    }
}
