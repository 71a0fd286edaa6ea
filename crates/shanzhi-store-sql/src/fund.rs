//! The community fund's ledger (migration 0015): entries as the domain made
//! them, appended only after the last one of their community.

use async_trait::async_trait;
use shanzhi_domain::Micros;
use shanzhi_domain::deliberation::LedgerEntry;
use shanzhi_domain::deliberation::ledger::LEDGER_GENESIS;
use shanzhi_store::{FundStore, StoreError, StoreResult, StoredBudget, StoredFundLists};
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};
use sqlx::{QueryBuilder, Row};

use crate::{SqlStore, map_err};

#[derive(SqlRow)]
struct EntryRow {
    seq: i64,
    at: i64,
    actor: String,
    posting: String,
    prev_hash: String,
    hash: String,
}

impl TryFrom<EntryRow> for LedgerEntry {
    type Error = StoreError;
    fn try_from(r: EntryRow) -> StoreResult<LedgerEntry> {
        Ok(LedgerEntry {
            seq: r.seq,
            at: r.at.into(),
            actor: r.actor,
            posting: serde_json::from_str(&r.posting).map_err(StoreError::corrupt)?,
            prev_hash: r.prev_hash,
            hash: r.hash,
        })
    }
}

#[derive(SqlRow)]
struct ListsRow {
    community_code: String,
    version: i64,
    body: String,
    saved_at: i64,
    saved_by: String,
}

impl From<ListsRow> for StoredFundLists {
    fn from(r: ListsRow) -> StoredFundLists {
        StoredFundLists {
            community: r.community_code,
            version: r.version,
            body: r.body,
            saved_at: r.saved_at.into(),
            saved_by: r.saved_by,
        }
    }
}

#[derive(SqlRow)]
struct BudgetRow {
    proposal_id: String,
    version: i64,
    step_code: String,
    lines: String,
    total_fen: i64,
    set_at: i64,
    set_by: String,
}

impl From<BudgetRow> for StoredBudget {
    fn from(r: BudgetRow) -> StoredBudget {
        StoredBudget {
            proposal_id: r.proposal_id,
            version: r.version,
            step_code: r.step_code,
            lines: r.lines,
            total_fen: r.total_fen,
            set_at: r.set_at.into(),
            set_by: r.set_by,
        }
    }
}

#[sql_bounds]
#[async_trait]
impl<DB> FundStore for SqlStore<DB> {
    async fn append_ledger(&self, community: &str, e: &LedgerEntry, proposal: Option<&str>) -> StoreResult<()> {
        let _writer = self.writer().await;
        let mut tx = self.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
        let mut q = QueryBuilder::<DB>::new("SELECT seq, hash FROM fund_ledger WHERE community_code = ");
        q.push_bind(community.to_owned()).push(" ORDER BY seq DESC LIMIT 1");
        let last = match q.build().fetch_optional(&mut *tx).await.map_err(map_err)? {
            Some(r) => {
                (r.try_get::<i64, _>(0usize).map_err(map_err)?, r.try_get::<String, _>(1usize).map_err(map_err)?)
            }
            None => (0, LEDGER_GENESIS.to_owned()),
        };
        if e.seq != last.0 + 1 || e.prev_hash != last.1 {
            return Err(StoreError::Constraint(format!(
                "ledger entry {} of {community} does not follow entry {} (the ledger moved on: read it again)",
                e.seq, last.0
            )));
        }
        let posting = serde_json::to_string(&e.posting).map_err(StoreError::corrupt)?;
        let mut q = QueryBuilder::<DB>::new(
            "INSERT INTO fund_ledger (community_code, seq, at, actor, posting, proposal_id, prev_hash, hash) ",
        );
        q.push_values([e], |mut v, e| {
            v.push_bind(community.to_owned())
                .push_bind(e.seq)
                .push_bind(e.at.get())
                .push_bind(e.actor.clone())
                .push_bind(posting.clone())
                .push_bind(proposal.map(str::to_owned))
                .push_bind(e.prev_hash.clone())
                .push_bind(e.hash.clone());
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }

    async fn ledger(&self, community: &str) -> StoreResult<Vec<LedgerEntry>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT seq, at, actor, posting, prev_hash, hash FROM fund_ledger WHERE community_code = ",
        );
        q.push_bind(community.to_owned()).push(" ORDER BY seq LIMIT 1000000");
        self.fetch_records::<EntryRow, _>(&mut q).await
    }

    async fn ledger_communities(&self) -> StoreResult<Vec<String>> {
        let rows = QueryBuilder::<DB>::new(
            "SELECT DISTINCT community_code FROM fund_ledger ORDER BY community_code LIMIT 100000",
        )
        .build()
        .fetch_all(self.pool())
        .await
        .map_err(map_err)?;
        rows.iter().map(|r| r.try_get(0usize).map_err(map_err)).collect()
    }

    async fn save_fund_lists(&self, community: &str, body: &str, at: Micros, by: &str) -> StoreResult<i64> {
        let _writer = self.writer().await;
        let mut tx = self.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
        let version = crate::next_number::<DB>(&mut tx, "fund_lists", "version", "community_code", community).await?;
        let mut q =
            QueryBuilder::<DB>::new("INSERT INTO fund_lists (community_code, version, body, saved_at, saved_by) ");
        q.push_values([()], |mut v, ()| {
            v.push_bind(community.to_owned())
                .push_bind(version)
                .push_bind(body.to_owned())
                .push_bind(at.get())
                .push_bind(by.to_owned());
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(version)
    }

    async fn fund_lists(&self, community: &str) -> StoreResult<Option<StoredFundLists>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT community_code, version, body, saved_at, saved_by FROM fund_lists WHERE community_code = ",
        );
        q.push_bind(community.to_owned()).push(" ORDER BY version DESC LIMIT 1");
        Ok(self.fetch_records::<ListsRow, _>(&mut q).await?.into_iter().next())
    }

    async fn save_budget(&self, b: &StoredBudget) -> StoreResult<i64> {
        let _writer = self.writer().await;
        let mut tx = self.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
        let version =
            crate::next_number::<DB>(&mut tx, "proposal_budgets", "version", "proposal_id", &b.proposal_id).await?;
        let mut q = QueryBuilder::<DB>::new(
            "INSERT INTO proposal_budgets (proposal_id, version, step_code, lines, total_fen, set_at, set_by) ",
        );
        q.push_values([b], |mut v, b| {
            v.push_bind(b.proposal_id.clone())
                .push_bind(version)
                .push_bind(b.step_code.clone())
                .push_bind(b.lines.clone())
                .push_bind(b.total_fen)
                .push_bind(b.set_at.get())
                .push_bind(b.set_by.clone());
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(version)
    }

    async fn budget(&self, proposal: &str) -> StoreResult<Option<StoredBudget>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT proposal_id, version, step_code, lines, total_fen, set_at, set_by FROM proposal_budgets \
             WHERE proposal_id = ",
        );
        q.push_bind(proposal.to_owned()).push(" ORDER BY version DESC LIMIT 1");
        Ok(self.fetch_records::<BudgetRow, _>(&mut q).await?.into_iter().next())
    }
}
