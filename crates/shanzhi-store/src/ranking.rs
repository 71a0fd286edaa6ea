//! 口碑榜 storage: the versions of each unit type's ranking scheme, and the
//! published rankings — frozen, chained by hash, each with its leaf in the
//! transparency log written in the same transaction.

use async_trait::async_trait;
use shanzhi_domain::Micros;

use crate::{AuditEntry, StoreResult};

/// A saved version of a unit type's scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredScheme {
    pub unit_kind: String,
    pub version: i64,
    /// The first month in force (`2026-11`).
    pub valid_from: String,
    /// The scheme as JSON.
    pub body: String,
    pub saved_at: Micros,
    pub saved_by: String,
}

/// A ranking to publish: its canonical bytes and where it is filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRanking {
    pub period: String,
    pub unit_kind: String,
    pub scope: String,
    /// The canonical bytes (`RankingBody::canonical`).
    pub body: String,
    pub published_at: Micros,
    pub published_by: String,
}

/// A published ranking as stored, with its place in the chain and the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedRanking {
    pub seq: i64,
    pub period: String,
    pub unit_kind: String,
    pub scope: String,
    pub body: String,
    pub published_at: Micros,
    pub published_by: String,
    pub prev_hash: String,
    pub hash: String,
    /// Its leaf's index in the transparency log (none: no leaf — tampering).
    pub log_index: Option<u64>,
}

#[async_trait]
pub trait RankingStore {
    /// Every saved scheme version of `unit_kind` (all kinds when `None`), by kind and version.
    async fn ranking_schemes(&self, unit_kind: Option<&str>) -> StoreResult<Vec<StoredScheme>>;
    /// Save a new version of a unit type's scheme (numbered one past the
    /// last of that kind), recording `audit` in the same transaction; the
    /// version given.
    async fn save_ranking_scheme(
        &self,
        unit_kind: &str,
        valid_from: &str,
        body: &str,
        saved_by: &str,
        audit: &AuditEntry,
    ) -> StoreResult<i64>;
    /// Publish: the next number in the chain, the hash over the previous
    /// hash and the body, and its log leaf, in one transaction. A second
    /// publication of the same period, kind and scope is refused
    /// (`StoreError::Constraint`).
    async fn publish_ranking(&self, ranking: &NewRanking) -> StoreResult<PublishedRanking>;
    /// The publication of `period`, `unit_kind` and `scope`, if any.
    async fn published_ranking(
        &self,
        period: &str,
        unit_kind: &str,
        scope: &str,
    ) -> StoreResult<Option<PublishedRanking>>;
    /// Publications after `after_seq`, in chain order (for verification).
    async fn published_rankings(&self, after_seq: i64, limit: usize) -> StoreResult<Vec<PublishedRanking>>;
}
