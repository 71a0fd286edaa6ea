//! The figures kept ready (shanzhi_domain::indicators::parts): each matter's
//! stored parts, marked stale in the same transaction as any new timeline
//! entry, and summed by unit for a period.

use async_trait::async_trait;
use shanzhi_domain::indicators::parts::MatterParts;
use shanzhi_domain::indicators::{Key, UnitKind};
use shanzhi_domain::{DivisionCode, Line, MatterId, Micros};

use crate::StoreResult;

/// What to sum: parts with `at` in `[start, end)` known before `as_of`.
#[derive(Debug, Clone)]
pub struct PartQuery {
    pub by: UnitKind,
    pub start: Micros,
    pub end: Micros,
    pub as_of: Micros,
    /// Only matters of this line (a matter of both lines counts in each).
    pub line: Option<Line>,
    /// Only matters under every one of these divisions' codes (the filter's
    /// `within`), and
    pub within: Option<DivisionCode>,
    /// under one of these (the caller's scope; empty: everywhere).
    pub scope: Vec<DivisionCode>,
}

/// The sums of one unit's parts of one key.
#[derive(Debug, Clone, PartialEq)]
pub struct PartSum {
    pub unit: String,
    pub key: Key,
    pub numerator: f64,
    pub numerator_k: f64,
    pub denominator: f64,
}

#[async_trait]
pub trait FigureStore {
    /// Matters whose parts are stale, with the timeline length when marked.
    async fn stale_figure_matters(&self, limit: usize) -> StoreResult<Vec<(MatterId, i64)>>;

    /// How many matters have stale parts.
    async fn count_stale_figure_matters(&self) -> StoreResult<u64>;

    /// Replace these matters' parts (one transaction); each is fresh again
    /// unless an entry came after the length it was computed from. A matter
    /// no longer marked stale (another server refreshed it meanwhile) is
    /// left as it is.
    async fn put_figure_parts(&self, parts: &[(MatterId, i64, Option<MatterParts>)]) -> StoreResult<()>;

    /// The parts summed by unit and key (from the roll-ups where they give
    /// exactly these sums).
    async fn sum_figure_parts(&self, q: &PartQuery) -> StoreResult<Vec<PartSum>>;

    /// How many roll-up rows are kept (none once no part is).
    async fn count_figure_rollups(&self) -> StoreResult<u64>;
}
