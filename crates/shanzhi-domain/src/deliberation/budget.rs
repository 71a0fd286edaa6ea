//! A proposal's budget (预算明细): the lines the council decided, each an
//! item and an amount. The commitment may not exceed its total; a payment
//! names the line it pays and may not exceed what is left of it.

use serde::{Deserialize, Serialize};

use super::Fen;
use crate::text::Bilingual;

/// One line of a budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetLine {
    pub item: String,
    pub amount: Fen,
}

/// A budget: its lines in order, items unique.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Budget {
    pub lines: Vec<BudgetLine>,
}

/// Most lines a budget may have.
pub const MAX_LINES: usize = 50;
/// Longest item (characters).
pub const MAX_ITEM: usize = 60;

impl Budget {
    /// A budget from (item, yuan) as people write them; every problem found.
    pub fn parse<'a>(lines: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Budget, Vec<Bilingual>> {
        let mut errors = Vec::new();
        let mut out: Vec<BudgetLine> = Vec::new();
        for (i, (item, amount)) in lines.into_iter().enumerate() {
            let n = i + 1;
            if n > MAX_LINES {
                errors.push(Bilingual::new(
                    format!("预算最多 {MAX_LINES} 行"),
                    format!("a budget has at most {MAX_LINES} lines"),
                ));
                break;
            }
            let item = item.trim();
            let chars = item.chars().count();
            if !(1..=MAX_ITEM).contains(&chars) || item.chars().any(char::is_control) {
                errors.push(Bilingual::new(
                    format!("预算第 {n} 行的项目应为 1–{MAX_ITEM} 个字"),
                    format!("budget line {n}: the item must be 1–{MAX_ITEM} characters"),
                ));
            } else if out.iter().any(|l| l.item == item) {
                errors.push(Bilingual::new(
                    format!("预算项目“{item}”重复"),
                    format!("budget item '{item}' is given twice"),
                ));
            }
            match Fen::parse_yuan(amount) {
                Ok(amount) => out.push(BudgetLine { item: item.to_owned(), amount }),
                Err(e) => errors
                    .push(Bilingual::new(format!("预算第 {n} 行：{}", e.zh), format!("budget line {n}: {}", e.en))),
            }
        }
        if out.is_empty() && errors.is_empty() {
            errors.push(Bilingual::new("预算至少一行", "a budget has at least one line"));
        }
        if errors.is_empty() { Ok(Budget { lines: out }) } else { Err(errors) }
    }

    /// The total in fen.
    pub fn total(&self) -> i64 {
        self.lines.iter().map(|l| l.amount.get()).sum()
    }

    /// The line of `item`.
    pub fn line(&self, item: &str) -> Option<&BudgetLine> {
        self.lines.iter().find(|l| l.item == item.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_is_parsed_whole_and_totalled() {
        let b = Budget::parse([("电梯设备", "150,000"), ("安装施工", "30000.50")]).expect("budget");
        assert_eq!(b.total(), 18_000_050);
        assert_eq!(b.line(" 安装施工 ").map(|l| l.amount.get()), Some(3_000_050));
        assert!(b.line("监理").is_none());
        let bad = Budget::parse([("", "1"), ("设备", "x"), ("设备", "2"), ("设备", "3")]).expect_err("refused");
        assert_eq!(bad.len(), 3, "every problem: {bad:?}");
        assert!(Budget::parse(std::iter::empty()).is_err(), "no lines");
        let many: Vec<(String, String)> = (0..=MAX_LINES).map(|i| (format!("项{i}"), "1".to_owned())).collect();
        assert!(Budget::parse(many.iter().map(|(a, b)| (a.as_str(), b.as_str()))).is_err());
    }
}
