use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::Serialize;
use shanzhi_domain::{CodeSystem, Division, DivisionCode, DivisionLevel};

use crate::StoreResult;

/// What an upsert did, row by row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct UpsertCounts {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// The division tree (行政区划).
#[async_trait]
pub trait DivisionStore {
    /// Insert new divisions and rename changed ones, all in one transaction:
    /// either every row is written or none is. Each parent must exist in the
    /// store or earlier in the batch.
    async fn upsert_divisions(&self, divisions: &[Division]) -> StoreResult<UpsertCounts>;

    async fn division(&self, system: CodeSystem, code: &DivisionCode) -> StoreResult<Option<Division>>;

    /// The divisions among `codes` that exist, ordered by code.
    async fn divisions(&self, system: CodeSystem, codes: &[DivisionCode]) -> StoreResult<Vec<Division>>;

    /// Divisions whose short name (without 居委会 …) occurs in `text` (a free-text address),
    /// ordered by code: the offline way to place an address.
    async fn divisions_named_in(&self, system: CodeSystem, text: &str) -> StoreResult<Vec<Division>>;

    /// Divisions under `within` (itself included) whose name contains
    /// `text` or whose code begins with it, by code, at most `limit`: what an
    /// administrator's picker offers.
    async fn find_divisions(
        &self,
        system: CodeSystem,
        within: &DivisionCode,
        text: &str,
        limit: usize,
    ) -> StoreResult<Vec<Division>>;

    /// Children of `parent` ordered by code; the roots when `parent` is `None`.
    async fn child_divisions(&self, system: CodeSystem, parent: Option<&DivisionCode>) -> StoreResult<Vec<Division>>;

    /// Number of divisions per level under `within` (itself excluded), or in
    /// the whole system when `within` is `None`. Levels with none are absent.
    async fn count_divisions(
        &self,
        system: CodeSystem,
        within: Option<&DivisionCode>,
    ) -> StoreResult<BTreeMap<DivisionLevel, u64>>;
}
