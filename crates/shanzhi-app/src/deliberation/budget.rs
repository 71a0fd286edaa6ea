//! A proposal's budget (预算明细): set by the council at its decision or by
//! the committee while it implements (the body of the step under way); the
//! commitment may not exceed its total, and a payment names the line it
//! pays and may not exceed what is left of it.

use serde::{Deserialize, Serialize};
use shanzhi_domain::deliberation::budget::MAX_LINES;
use shanzhi_domain::deliberation::ledger::{Account, yuan};
use shanzhi_domain::deliberation::{Body, Budget, LedgerEntry, Posting};
use shanzhi_domain::text::Bilingual;
use shanzhi_store::StoredBudget;

use super::ProposalView;
use crate::access::Scoped;
use crate::{AppError, AppResult};

/// One line as a form gives it: the item and yuan as people write it.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BudgetLineForm {
    pub item: String,
    pub amount: String,
}

/// A budget as a form gives it.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BudgetForm {
    pub lines: Vec<BudgetLineForm>,
}

/// One line as people read it (yuan): what was budgeted and paid.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BudgetLineView {
    pub item: String,
    pub amount: String,
    pub paid: String,
}

/// A proposal's budget as people read it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BudgetView {
    pub lines: Vec<BudgetLineView>,
    pub total: String,
    /// The step that set it, by name.
    pub step: String,
    pub version: i64,
}

fn corrupt(e: impl std::fmt::Display) -> AppError {
    AppError::internal(e.to_string())
}

/// Paid on `item` of `proposal` by the entries so far (fen).
pub(crate) fn paid_on(entries: &[LedgerEntry], proposal: &str, item: &str) -> i64 {
    entries
        .iter()
        .filter_map(|e| match &e.posting {
            Posting::Pay { proposal: p, amount, line: Some(l), .. } if p == proposal && l == item => Some(amount.get()),
            _ => None,
        })
        .sum()
}

impl Scoped<'_> {
    /// The latest budget of a proposal, parsed.
    pub(crate) async fn budget_of(&self, proposal: &str) -> AppResult<Option<(Budget, StoredBudget)>> {
        match self.app.store.budget(proposal).await? {
            Some(stored) => Ok(Some((serde_json::from_str(&stored.lines).map_err(corrupt)?, stored))),
            None => Ok(None),
        }
    }

    /// The budget as its page shows it, with what each line has paid.
    pub(crate) async fn budget_view(&self, p: &super::proposals::Loaded) -> AppResult<Option<BudgetView>> {
        let Some((budget, stored)) = self.budget_of(&p.record.id).await? else { return Ok(None) };
        let entries = self.app.store.ledger(&p.record.community).await?;
        let step = p.method.steps.iter().find(|s| s.code == stored.step_code).map(|s| s.name.clone());
        Ok(Some(BudgetView {
            lines: budget
                .lines
                .iter()
                .map(|l| BudgetLineView {
                    item: l.item.clone(),
                    amount: l.amount.yuan(),
                    paid: yuan(paid_on(&entries, &p.record.id, &l.item)),
                })
                .collect(),
            total: yuan(budget.total()),
            step: step.unwrap_or(stored.step_code),
            version: stored.version,
        }))
    }

    /// The council (at its decision) or the committee (implementing) sets
    /// the proposal's budget: the body of the step under way. Never below
    /// what is already reserved or paid for it.
    pub async fn set_budget(&self, id: &str, form: &BudgetForm) -> AppResult<ProposalView> {
        if form.lines.len() > MAX_LINES {
            return Err(AppError::bad_request(
                "invalid_budget",
                format!("预算最多 {MAX_LINES} 行"),
                format!("a budget has at most {MAX_LINES} lines"),
            ));
        }
        let p = self.readable(id).await?;
        let Some(step) = p.current_step().filter(|s| matches!(s.body, Body::Council | Body::Committee)) else {
            return Err(AppError::invalid(
                "no_budget_step",
                Bilingual::new(
                    "预算只能在议事会决议或居委会实施的步骤中设定",
                    "a budget is set at the council's decision or while the committee implements",
                ),
            ));
        };
        self.require_body(&p.record.community, step.body).await?;
        let budget = Budget::parse(form.lines.iter().map(|l| (l.item.as_str(), l.amount.as_str())))
            .map_err(|errors| AppError::BadRequest { code: "invalid_budget", message: super::all_of(&errors) })?;
        let (books, _) = self.books(&p.record.community).await?;
        let reserved = books.balance(&Account::Committed(p.record.id.clone()))
            + books.balance(&Account::Spent(p.record.id.clone()));
        if budget.total() < reserved {
            return Err(AppError::invalid(
                "budget_below_committed",
                Bilingual::new(
                    format!("预算合计不能少于已安排的 {} 元", yuan(reserved)),
                    format!("the budget cannot total less than the {} yuan already reserved", yuan(reserved)),
                ),
            ));
        }
        let stored = StoredBudget {
            proposal_id: p.record.id.clone(),
            version: 0,
            step_code: step.code.clone(),
            lines: serde_json::to_string(&budget).map_err(corrupt)?,
            total_fen: budget.total(),
            set_at: self.app.now_micros(),
            set_by: self.actor.name.clone(),
        };
        self.app.store.save_budget(&stored).await?;
        self.proposal_view(&p).await
    }

    /// A commitment within the decided budget (when there is one).
    pub(crate) async fn check_commitment(&self, proposal: &str, books_reserved: i64, amount: i64) -> AppResult<()> {
        let Some((budget, _)) = self.budget_of(proposal).await? else { return Ok(()) };
        if books_reserved + amount > budget.total() {
            return Err(AppError::invalid(
                "over_budget",
                Bilingual::new(
                    format!("安排的资金不能超过决议的预算合计 {} 元", yuan(budget.total())),
                    format!("money reserved cannot exceed the decided budget of {} yuan", yuan(budget.total())),
                ),
            ));
        }
        Ok(())
    }

    /// A payment names a line of the budget and stays within it.
    pub(crate) async fn check_payment(
        &self,
        proposal: &str,
        entries: &[LedgerEntry],
        line: Option<&str>,
        amount: i64,
    ) -> AppResult<()> {
        let budget = self.budget_of(proposal).await?.map(|(b, _)| b);
        match (budget, line.map(str::trim).filter(|l| !l.is_empty())) {
            (None, None) => Ok(()),
            (None, Some(_)) => Err(AppError::invalid(
                "no_budget_line",
                Bilingual::new(
                    "该议题尚未设定预算，支付不能指明预算项目",
                    "the proposal has no budget: no line to name",
                ),
            )),
            (Some(_), None) => Err(AppError::invalid(
                "no_budget_line",
                Bilingual::new("请指明支付的预算项目", "name the budget line the payment is for"),
            )),
            (Some(b), Some(item)) => {
                let Some(l) = b.line(item) else {
                    return Err(AppError::invalid(
                        "no_budget_line",
                        Bilingual::new(format!("预算中没有“{item}”这一项"), format!("the budget has no line '{item}'")),
                    ));
                };
                let left = l.amount.get() - paid_on(entries, proposal, &l.item);
                if amount > left {
                    return Err(AppError::invalid(
                        "over_budget_line",
                        Bilingual::new(
                            format!("“{}”余额为 {} 元，支付不能超过", l.item, yuan(left)),
                            format!("'{}' has {} yuan left: the payment cannot exceed it", l.item, yuan(left)),
                        ),
                    ));
                }
                Ok(())
            }
        }
    }
}
