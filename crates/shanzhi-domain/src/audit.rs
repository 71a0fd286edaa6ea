//! The admin audit log's entries: who did what to which thing, numbered,
//! timed and hash-chained, so an edit or a deletion anywhere breaks every
//! hash after it. The hash scheme is fixed (stored logs verify with it).

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::instant::Micros;

/// A change to record: who did what to which thing, before and after (JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl AuditEntry {
    pub fn new(actor: &str, action: &str, entity: &str) -> Self {
        AuditEntry {
            actor: actor.to_owned(),
            action: action.to_owned(),
            entity: entity.to_owned(),
            before: None,
            after: None,
        }
    }

    pub fn before(mut self, json: impl Into<String>) -> Self {
        self.before = Some(json.into());
        self
    }

    pub fn after(mut self, json: impl Into<String>) -> Self {
        self.after = Some(json.into());
        self
    }
}

/// A recorded entry: numbered, timed and chained to the one before by hash,
/// so an edit or a deletion anywhere breaks every hash after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditRecord {
    pub seq: i64,
    pub at: Micros,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// A chained record's hash: SHA-256 over a tag naming the chain, the
/// previous hash, the record's number and (if it has one) its time, then
/// each field length-prefixed, so no two different records are written the
/// same way and changing any of them changes every hash after it. The vote
/// chain, the secret ballots and the points ledgers hash with it.
pub fn chain_hash(tag: &[u8], prev_hash: &str, seq: i64, at: Option<Micros>, fields: &[&str]) -> String {
    let mut h = Sha256::new();
    h.update(tag);
    h.update(prev_hash.as_bytes());
    h.update(seq.to_le_bytes());
    if let Some(at) = at {
        h.update(at.get().to_le_bytes());
    }
    for f in fields {
        h.update((f.len() as u64).to_le_bytes());
        h.update(f.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The hash before the first entry.
pub const AUDIT_GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// SHA-256 over the previous hash and every field, length-prefixed so no two
/// different entries can be written the same way.
pub fn audit_hash(prev_hash: &str, seq: i64, at: Micros, entry: &AuditEntry) -> String {
    let mut h = Sha256::new();
    let fields: [&str; 5] = [
        &entry.actor,
        &entry.action,
        &entry.entity,
        entry.before.as_deref().unwrap_or("\u{0}"),
        entry.after.as_deref().unwrap_or("\u{0}"),
    ];
    h.update(prev_hash.as_bytes());
    h.update(seq.to_le_bytes());
    h.update(at.get().to_le_bytes());
    for f in fields {
        h.update((f.len() as u64).to_le_bytes());
        h.update(f.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
