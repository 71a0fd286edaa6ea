//! The transparency log's storage: leaves written with their records (in the
//! records' own transactions), the stored subtree hashes proofs are read
//! from, the signed checkpoints and what this instance witnessed.

use std::collections::{BTreeSet, HashMap};

use async_trait::async_trait;
use shanzhi_domain::Micros;
use shanzhi_domain::tlog::{Hash, LeafKind, LeafRecord, NodeId};

use crate::StoreResult;

/// The tree as it stands: its size and root hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogHead {
    pub size: u64,
    pub root: Hash,
}

/// A stored leaf: its index, the record it covers, its hash and when it was
/// appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLeaf {
    pub index: u64,
    pub kind: LeafKind,
    pub key: String,
    pub seq: i64,
    pub leaf_hash: Hash,
    pub at: Micros,
}

/// A stored leaf beside the current hash of the record it covers (none:
/// the record is gone), for verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafCheck {
    pub leaf: LogLeaf,
    /// What the record's leaf should commit to now (hex), if the record
    /// exists: its hash (with a timeline entry's clock mark folded in).
    pub record_hash: Option<String>,
}

/// A record that has no leaf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unlogged {
    pub kind: LeafKind,
    pub key: String,
    pub seq: i64,
}

/// A checkpoint the log signed, as kept in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    pub size: u64,
    pub root: Hash,
    pub issued_at: Micros,
    /// The signing key (verifier key text).
    pub key: String,
    /// The signed note.
    pub note: String,
}

#[async_trait]
pub trait LogStore {
    async fn log_head(&self) -> StoreResult<LogHead>;
    /// The hashes of complete subtrees (each must lie within the tree).
    async fn log_nodes(&self, ids: &BTreeSet<NodeId>) -> StoreResult<HashMap<NodeId, Hash>>;
    /// Leaves from index `from`, in order.
    async fn log_leaves(&self, from: u64, limit: usize) -> StoreResult<Vec<LogLeaf>>;
    /// The leaves covering one record owner's records (a matter's timeline), by seq.
    async fn log_leaves_of(&self, kind: LeafKind, key: &str) -> StoreResult<Vec<LogLeaf>>;
    /// Leaves from `from` with the current hash of each one's record.
    async fn log_leaf_checks(&self, from: u64, limit: usize) -> StoreResult<Vec<LeafCheck>>;
    /// The stored subtree hashes from `(level, index)` on, in that order.
    async fn log_stored_nodes(&self, after: Option<NodeId>, limit: usize) -> StoreResult<Vec<(NodeId, Hash)>>;
    /// Records (timeline entries, audit entries) that have no leaf.
    async fn unlogged_records(&self, limit: usize) -> StoreResult<Vec<Unlogged>>;
    /// Append one leaf on its own (a segment's first leaf); its index.
    async fn append_log_leaf(&self, leaf: &LeafRecord) -> StoreResult<u64>;
    async fn save_checkpoint(&self, checkpoint: &StoredCheckpoint) -> StoreResult<()>;
    /// The checkpoints signed, newest first.
    async fn checkpoints(&self, limit: usize) -> StoreResult<Vec<StoredCheckpoint>>;
    /// As a witness: the latest checkpoint seen from `origin` (size, note).
    async fn witnessed(&self, origin: &str) -> StoreResult<Option<(u64, String)>>;
    /// As a witness: record `note` as the latest from `origin`, if nothing
    /// larger than `size` was recorded meanwhile (`expected`: the size read
    /// before). False when another request got there first.
    async fn put_witnessed(&self, origin: &str, expected: Option<u64>, size: u64, note: &str) -> StoreResult<bool>;
}
