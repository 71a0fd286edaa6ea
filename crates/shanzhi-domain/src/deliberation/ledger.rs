//! The community fund's ledger (社区保障激励资金台账): double-entry,
//! append-only and hash-chained. Every posting moves one amount from one
//! account to another, so the books always balance; the fund's available
//! money and each proposal's commitment never go below zero, so nothing is
//! paid past the allocation, and nothing is paid without a decision (money
//! reaches a proposal only by a commitment that names the decision).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::instant::Micros;
use crate::text::Bilingual;

crate::code_enum! {
    /// Where the year's money comes from.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum FundSource {
        City => "city", "市级保障激励资金";
        District => "district", "区（市）县配套资金";
        Foundation => "foundation", "社区基金会";
        Trust => "trust", "信托制物业账户";
        Other => "other", "其他来源";
    }
    from_str(s: s.trim()) -> Bilingual {
        Bilingual::new(format!("未知的资金来源“{s}”"), format!("unknown fund source '{s}'"))
    }
}

/// An amount of money in fen (分), never negative. Parsed from yuan as
/// people write it ("12000", "12,000.50").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fen(i64);

/// The most one posting may move: ¥100,000,000 (far above any community fund).
pub const MAX_FEN: i64 = 10_000_000_000;

impl Fen {
    pub fn new(fen: i64) -> Result<Fen, Bilingual> {
        if (1..=MAX_FEN).contains(&fen) {
            Ok(Fen(fen))
        } else {
            Err(Bilingual::new("金额应大于 0 且不超过 1 亿元", "an amount is above 0 and at most ¥100,000,000"))
        }
    }

    /// Yuan with at most two decimals, commas allowed between thousands.
    pub fn parse_yuan(text: &str) -> Result<Fen, Bilingual> {
        let bad = || {
            Bilingual::new(
                format!("金额“{text}”应为元，最多两位小数"),
                format!("amount '{text}' must be yuan with at most two decimals"),
            )
        };
        let s: String = text.trim().trim_start_matches('¥').chars().filter(|c| *c != ',').collect();
        let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
        let digits = |d: &str| !d.is_empty() && d.len() <= 12 && d.chars().all(|c| c.is_ascii_digit());
        let frac_ok = if s.contains('.') { frac.len() <= 2 && digits(frac) } else { true };
        if !digits(whole) || !frac_ok {
            return Err(bad());
        }
        let yuan: i64 = whole.parse().map_err(|_| bad())?;
        let fen: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
        Fen::new(yuan * 100 + fen)
    }

    pub fn get(self) -> i64 {
        self.0
    }

    /// As yuan with two decimals, `12,000.50`.
    pub fn yuan(self) -> String {
        yuan(self.0)
    }
}

/// Any signed amount of fen as yuan, `-1,234.50`.
pub fn yuan(fen: i64) -> String {
    let digits = (fen.unsigned_abs() / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{}{grouped}.{:02}", if fen < 0 { "-" } else { "" }, fen.unsigned_abs() % 100)
}

/// What one ledger entry does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Posting {
    /// The year's money arrives from a source.
    Allocate { source: FundSource, amount: Fen, reference: String },
    /// A decided proposal reserves money (`decision`: the vote that decided it).
    Commit { proposal: String, amount: Fen, decision: String },
    /// A payment for a proposal, against its commitment, with its voucher.
    Pay {
        proposal: String,
        amount: Fen,
        voucher: String,
        payee: String,
        /// The budget line it pays (absent in entries before budgets; left
        /// out of the JSON then, so their hashes stand).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        line: Option<String>,
    },
    /// What a finished proposal did not spend goes back to the fund.
    Release { proposal: String, amount: Fen },
}

/// An account of the books. Balances are kept debit-positive.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Account {
    /// Where money came from (credit side).
    Source(FundSource),
    /// The fund's money not yet reserved.
    Available,
    /// Reserved for a proposal, not yet paid.
    Committed(String),
    /// Paid for a proposal.
    Spent(String),
}

/// The books as the entries so far leave them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Books {
    balances: BTreeMap<Account, i64>,
}

fn text_ok(s: &str, max: usize) -> bool {
    let n = s.trim().chars().count();
    (1..=max).contains(&n) && !s.chars().any(char::is_control)
}

impl Books {
    pub fn balance(&self, account: &Account) -> i64 {
        self.balances.get(account).copied().unwrap_or(0)
    }

    /// Every account's balance.
    pub fn balances(&self) -> &BTreeMap<Account, i64> {
        &self.balances
    }

    /// Debits equal credits: the balances sum to zero.
    pub fn is_balanced(&self) -> bool {
        self.balances.values().map(|v| i128::from(*v)).sum::<i128>() == 0
    }

    /// The debit and credit a posting makes, if the books allow it; the
    /// books are unchanged when they do not.
    pub fn post(&mut self, posting: &Posting) -> Result<(), Bilingual> {
        let (debit, credit, amount) = match posting {
            Posting::Allocate { source, amount, reference } => {
                if !text_ok(reference, 100) {
                    return Err(Bilingual::new("拨付须注明文号或依据", "an allocation names its reference"));
                }
                (Account::Available, Account::Source(*source), *amount)
            }
            Posting::Commit { proposal, amount, decision } => {
                if !text_ok(decision, 100) || !text_ok(proposal, 64) {
                    return Err(Bilingual::new(
                        "资金只能依据议事会决议安排：须注明决议",
                        "money is reserved only by a council decision: name the decision",
                    ));
                }
                if self.balance(&Account::Available) < amount.get() {
                    return Err(Bilingual::new(
                        format!(
                            "可用资金 {} 元，不足以安排 {} 元",
                            yuan(self.balance(&Account::Available)),
                            amount.yuan()
                        ),
                        format!(
                            "only ¥{} available, not enough to reserve ¥{}",
                            yuan(self.balance(&Account::Available)),
                            amount.yuan()
                        ),
                    ));
                }
                (Account::Committed(proposal.clone()), Account::Available, *amount)
            }
            Posting::Pay { proposal, amount, voucher, payee, .. } => {
                if !text_ok(voucher, 100) || !text_ok(payee, 100) {
                    return Err(Bilingual::new("支付须有凭证号和收款方", "a payment needs its voucher and its payee"));
                }
                let left = self.balance(&Account::Committed(proposal.clone()));
                if left < amount.get() {
                    return Err(Bilingual::new(
                        format!("该项目经决议安排的资金尚余 {} 元，不能支付 {} 元", yuan(left), amount.yuan()),
                        format!(
                            "only ¥{} of this proposal's decided money is left: ¥{} cannot be paid",
                            yuan(left),
                            amount.yuan()
                        ),
                    ));
                }
                (Account::Spent(proposal.clone()), Account::Committed(proposal.clone()), *amount)
            }
            Posting::Release { proposal, amount } => {
                let left = self.balance(&Account::Committed(proposal.clone()));
                if left < amount.get() {
                    return Err(Bilingual::new(
                        format!("该项目尚余 {} 元，不能退回 {} 元", yuan(left), amount.yuan()),
                        format!("only ¥{} is left on this proposal: ¥{} cannot be released", yuan(left), amount.yuan()),
                    ));
                }
                (Account::Available, Account::Committed(proposal.clone()), *amount)
            }
        };
        *self.balances.entry(debit).or_insert(0) += amount.get();
        *self.balances.entry(credit).or_insert(0) -= amount.get();
        Ok(())
    }

    /// The public summary: allocated by source, committed, spent, available.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for (account, v) in &self.balances {
            match account {
                Account::Source(src) => {
                    s.allocated.insert(*src, -v);
                }
                Account::Available => s.available = *v,
                Account::Committed(_) => s.committed += v,
                Account::Spent(_) => s.spent += v,
            }
        }
        s
    }
}

/// The fund at a glance (fen).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub allocated: BTreeMap<FundSource, i64>,
    pub committed: i64,
    pub spent: i64,
    pub available: i64,
}

/// A recorded entry of one community's ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub seq: i64,
    pub at: Micros,
    pub actor: String,
    pub posting: Posting,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash before a ledger's first entry.
pub const LEDGER_GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// SHA-256 over the previous hash, the number, the time, the actor and the
/// posting (its JSON), each length-prefixed.
pub fn ledger_hash(prev_hash: &str, seq: i64, at: Micros, actor: &str, posting: &Posting) -> String {
    let body = serde_json::to_string(posting).unwrap_or_default();
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(seq.to_le_bytes());
    h.update(at.get().to_le_bytes());
    for f in [actor, body.as_str()] {
        h.update((f.len() as u64).to_le_bytes());
        h.update(f.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The next entry after `prev` (or the first), if the books allow it.
pub fn append(
    books: &mut Books,
    prev: Option<&LedgerEntry>,
    at: Micros,
    actor: &str,
    posting: Posting,
) -> Result<LedgerEntry, Bilingual> {
    books.post(&posting)?;
    let seq = prev.map_or(1, |p| p.seq + 1);
    let prev_hash = prev.map_or(LEDGER_GENESIS, |p| p.hash.as_str()).to_owned();
    let hash = ledger_hash(&prev_hash, seq, at, actor, &posting);
    Ok(LedgerEntry { seq, at, actor: actor.to_owned(), posting, prev_hash, hash })
}

/// Replay a stored ledger: every hash recomputed, every link and number in
/// order, every posting allowed by the books before it. The first entry
/// that fails is named.
pub fn verify(entries: &[LedgerEntry]) -> Result<Books, (i64, Bilingual)> {
    let mut books = Books::default();
    let mut prev_hash = LEDGER_GENESIS.to_owned();
    for (i, e) in entries.iter().enumerate() {
        let expected_seq = i64::try_from(i).unwrap_or(i64::MAX - 1) + 1;
        if e.seq != expected_seq || e.prev_hash != prev_hash {
            return Err((
                e.seq,
                Bilingual::new("台账条目缺失、重复或顺序被改动", "a ledger entry is missing, repeated or out of order"),
            ));
        }
        if ledger_hash(&e.prev_hash, e.seq, e.at, &e.actor, &e.posting) != e.hash {
            return Err((
                e.seq,
                Bilingual::new(
                    "台账条目内容被改动（哈希不符）",
                    "a ledger entry was changed (its hash does not match)",
                ),
            ));
        }
        books.post(&e.posting).map_err(|why| (e.seq, why))?;
        prev_hash = e.hash.clone();
    }
    Ok(books)
}

#[cfg(test)]
mod tests;
