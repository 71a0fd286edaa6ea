//! The community fund (社区保障激励资金): the year's allocations by source,
//! money committed to a proposal by a council decision, payments against a
//! commitment with their voucher, releases of what was not spent. Each
//! entry is checked by replaying the community's books (never negative,
//! always balanced) and chained by hash to the one before; the ledger and
//! its summary are public.

use serde::{Deserialize, Serialize};
use shanzhi_domain::deliberation::ledger::{self, Account, Books, yuan};
use shanzhi_domain::deliberation::{Body, Fen, FundSource, LedgerEntry, Posting};
use shanzhi_domain::text::Bilingual;
use shanzhi_store::StoreError;

use super::fund_lists::proposal_text;
use super::{community_code, conflict};
use crate::access::Scoped;
use crate::{AppError, AppResult};

/// An allocation, a commitment, a payment or a release, as a form gives it.
/// `amount` is yuan as people write it (`12,000.50`).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PaymentForm {
    pub amount: String,
    /// Allocation: where the money comes from.
    #[serde(default)]
    pub source: Option<FundSource>,
    /// Allocation: its document number.
    #[serde(default)]
    pub reference: Option<String>,
    /// Commitment: the meeting whose vote decided.
    #[serde(default)]
    pub meeting: Option<String>,
    /// Payment: the voucher number and who is paid.
    #[serde(default)]
    pub voucher: Option<String>,
    #[serde(default)]
    pub payee: Option<String>,
    /// Payment: the budget line it pays (its item), when the proposal has a budget.
    #[serde(default)]
    pub line: Option<String>,
}

/// One line of the public ledger.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerLine {
    pub seq: i64,
    pub at: String,
    /// 拨付 / 安排 / 支付 / 退回.
    pub kind: String,
    pub amount: String,
    /// The proposal's title, for a commitment, payment or release.
    pub proposal: Option<String>,
    /// Source and reference, voucher and payee, or the decision.
    pub detail: String,
    pub hash: String,
}

/// The year's money from one source (yuan).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Allocated {
    pub source: String,
    pub amount: String,
}

/// The fund at a glance (yuan) and its ledger.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FundView {
    pub community: String,
    pub allocated: Vec<Allocated>,
    pub committed: String,
    pub spent: String,
    pub available: String,
    pub lines: Vec<LedgerLine>,
}

fn amount(text: &str) -> AppResult<Fen> {
    Fen::parse_yuan(text).map_err(|message| AppError::BadRequest { code: "invalid_amount", message })
}

fn broken(community: &str, seq: i64, why: &Bilingual) -> AppError {
    AppError::internal(format!("fund ledger of {community} fails at entry {seq}: {}", why.en))
}

impl Scoped<'_> {
    /// Replay a community's ledger: its books and last entry.
    pub(crate) async fn books(&self, community: &str) -> AppResult<(Books, Option<LedgerEntry>)> {
        let entries = self.app.store.ledger(community).await?;
        let books = ledger::verify(&entries).map_err(|(seq, why)| broken(community, seq, &why))?;
        Ok((books, entries.last().cloned()))
    }

    /// Append `posting` if the books allow it.
    async fn post(&self, community: &str, posting: Posting, proposal: Option<&str>) -> AppResult<FundView> {
        let (mut books, last) = self.books(community).await?;
        let entry = ledger::append(&mut books, last.as_ref(), self.app.now_micros(), &self.actor.name, posting)
            .map_err(|e| AppError::invalid("fund_refused", e))?;
        match self.app.store.append_ledger(community, &entry, proposal).await {
            Err(StoreError::Constraint(_)) => {
                return Err(conflict(
                    "ledger_moved",
                    "台账刚被他人更新，请重试",
                    "the ledger changed meanwhile: retry",
                ));
            }
            other => other?,
        }
        self.fund(community).await
    }

    /// The year's money arrives (those who administer the community).
    pub async fn allocate_funds(&self, community: &str, form: &PaymentForm) -> AppResult<FundView> {
        let code = community_code(community)?;
        self.administers(code.as_str())?;
        let posting = Posting::Allocate {
            source: form.source.unwrap_or(FundSource::City),
            amount: amount(&form.amount)?,
            reference: form.reference.clone().unwrap_or_default(),
        };
        self.post(code.as_str(), posting, None).await
    }

    /// The committee reserves money for a proposal a vote decided.
    pub async fn commit_funds(&self, proposal: &str, form: &PaymentForm) -> AppResult<FundView> {
        let p = self.readable(proposal).await?;
        self.require_body(&p.record.community, Body::Committee).await?;
        // The lists as they stand now: an item added since the proposal was raised still binds.
        self.check_negative_list(&p.record.community, &proposal_text(&p.record.title, &p.record.body)).await?;
        let meeting = form.meeting.clone().unwrap_or_default();
        let step = match self.app.store.meeting(&meeting).await? {
            Some(m) if m.proposal_id == p.record.id => m.step_code,
            _ => {
                return Err(AppError::invalid(
                    "no_decision",
                    Bilingual::new(
                        "资金只能依据议事会对本议题的决议安排：请指明表决会议",
                        "money is reserved only by a decision on this proposal: name the meeting that voted",
                    ),
                ));
            }
        };
        if !self.decided_tally(&p.record.id, &step, &meeting).await?.passed {
            return Err(AppError::invalid(
                "not_passed",
                Bilingual::new("该表决未通过，不能安排资金", "the vote did not pass: no money"),
            ));
        }
        let fen = amount(&form.amount)?;
        let (books, _) = self.books(&p.record.community).await?;
        let reserved = books.balance(&Account::Committed(p.record.id.clone()))
            + books.balance(&Account::Spent(p.record.id.clone()));
        self.check_commitment(&p.record.id, reserved, fen.get()).await?;
        let posting = Posting::Commit { proposal: p.record.id.clone(), amount: fen, decision: meeting };
        self.post(&p.record.community, posting, Some(&p.record.id)).await
    }

    /// The committee pays against the proposal's commitment, with a voucher.
    pub async fn pay_funds(&self, proposal: &str, form: &PaymentForm) -> AppResult<FundView> {
        let p = self.readable(proposal).await?;
        self.require_body(&p.record.community, Body::Committee).await?;
        let fen = amount(&form.amount)?;
        let entries = self.app.store.ledger(&p.record.community).await?;
        self.check_payment(&p.record.id, &entries, form.line.as_deref(), fen.get()).await?;
        let posting = Posting::Pay {
            proposal: p.record.id.clone(),
            amount: fen,
            voucher: form.voucher.clone().unwrap_or_default(),
            payee: form.payee.clone().unwrap_or_default(),
            line: form.line.as_deref().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned),
        };
        self.post(&p.record.community, posting, Some(&p.record.id)).await
    }

    /// What a proposal did not spend goes back to the fund.
    pub async fn release_funds(&self, proposal: &str, form: &PaymentForm) -> AppResult<FundView> {
        let p = self.readable(proposal).await?;
        self.require_body(&p.record.community, Body::Committee).await?;
        let posting = Posting::Release { proposal: p.record.id.clone(), amount: amount(&form.amount)? };
        self.post(&p.record.community, posting, Some(&p.record.id)).await
    }

    /// The public ledger of a community's fund.
    pub async fn fund(&self, community: &str) -> AppResult<FundView> {
        let code = community_code(community)?;
        let community = code.as_str();
        let entries = self.app.store.ledger(community).await?;
        let books = ledger::verify(&entries).map_err(|(seq, why)| broken(community, seq, &why))?;
        let summary = books.summary();
        let mut lines = Vec::new();
        for e in &entries {
            let (kind, fen, proposal, detail) = match &e.posting {
                Posting::Allocate { source, amount, reference } => {
                    ("拨付", *amount, None, format!("{}：{reference}", source.label_zh()))
                }
                Posting::Commit { proposal, amount, decision } => {
                    // The meeting by its day: people know a meeting by when it sat.
                    let held = self.app.store.meeting(decision).await?.map(|m| {
                        m.held_at.timestamp().to_zoned_datetime(shanzhi_domain::calendar::china()).date().to_string()
                    });
                    let detail = match held {
                        Some(day) => format!("决议：{day} 会议表决通过"),
                        None => "决议".to_owned(),
                    };
                    ("安排", *amount, Some(proposal), detail)
                }
                Posting::Pay { proposal, amount, voucher, payee, line } => {
                    let item = line.as_deref().map(|l| format!("，预算项目 {l}")).unwrap_or_default();
                    ("支付", *amount, Some(proposal), format!("凭证 {voucher}，收款方 {payee}{item}"))
                }
                Posting::Release { proposal, amount } => ("退回", *amount, Some(proposal), "结余退回".to_owned()),
            };
            let title = match proposal {
                Some(id) => self.app.store.proposal(id).await?.map(|p| p.title),
                None => None,
            };
            lines.push(LedgerLine {
                seq: e.seq,
                at: e.at.to_string(),
                kind: kind.to_owned(),
                amount: fen.yuan(),
                proposal: title,
                detail,
                hash: e.hash.clone(),
            });
        }
        Ok(FundView {
            community: community.to_owned(),
            allocated: summary
                .allocated
                .iter()
                .map(|(s, v)| Allocated { source: s.label_zh().to_owned(), amount: yuan(*v) })
                .collect(),
            committed: yuan(summary.committed),
            spent: yuan(summary.spent),
            available: yuan(books.balance(&Account::Available)),
            lines,
        })
    }
}
