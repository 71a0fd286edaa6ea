//! The community fund's ledger (社区保障激励资金台账): one chain per
//! community, append-only. The domain computes each entry (the books must
//! allow it; its hash links it to the one before); the store keeps it,
//! refusing an entry whose number is taken (two appends that raced: the
//! second is told to read again).

use async_trait::async_trait;
use shanzhi_domain::Micros;
use shanzhi_domain::deliberation::LedgerEntry;

use crate::StoreResult;

#[async_trait]
pub trait FundStore {
    /// Append `entry` to `community`'s ledger; `proposal` is the proposal
    /// it concerns, if any. `Constraint` if its number is taken or it does
    /// not follow the last entry.
    async fn append_ledger(&self, community: &str, entry: &LedgerEntry, proposal: Option<&str>) -> StoreResult<()>;
    /// A community's ledger, in order.
    async fn ledger(&self, community: &str) -> StoreResult<Vec<LedgerEntry>>;
    /// Communities that keep a ledger.
    async fn ledger_communities(&self) -> StoreResult<Vec<String>>;

    /// Save a new version of a community's own negative and priority lists
    /// (JSON `FundLists`); its version number.
    async fn save_fund_lists(&self, community: &str, body: &str, at: Micros, by: &str) -> StoreResult<i64>;
    /// The latest version of a community's own lists, if it has any.
    async fn fund_lists(&self, community: &str) -> StoreResult<Option<StoredFundLists>>;

    /// Save a new version of a proposal's budget; its version number.
    async fn save_budget(&self, budget: &StoredBudget) -> StoreResult<i64>;
    /// The latest version of a proposal's budget, if it has one.
    async fn budget(&self, proposal: &str) -> StoreResult<Option<StoredBudget>>;
}

/// A version of a proposal's budget (`lines`: JSON `Budget`; `version` is
/// assigned on save).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBudget {
    pub proposal_id: String,
    pub version: i64,
    pub step_code: String,
    pub lines: String,
    pub total_fen: i64,
    pub set_at: Micros,
    pub set_by: String,
}

/// A saved version of a community's own lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFundLists {
    pub community: String,
    pub version: i64,
    pub body: String,
    pub saved_at: Micros,
    pub saved_by: String,
}
