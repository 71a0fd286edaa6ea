//! A resident's 公益积分 ledger: append-only, hash-chained (the chain hash
//! of [`crate::audit::chain_hash`]), each entry earned, redeemed or expired,
//! each carrying the balance after it, which never goes below zero.

use serde::{Deserialize, Serialize};

use crate::instant::Micros;
use crate::text::Bilingual;

crate::code_enum! {
    /// What a ledger entry does.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum PointsKind {
        Earned => "earned", "获得";
        Redeemed => "redeemed", "兑换";
        Expired => "expired", "过期";
    }
    from_str(s: s.trim()) -> Bilingual {
        Bilingual::new(format!("未知的积分记录类型“{s}”"), format!("unknown points entry kind '{s}'"))
    }
}

impl PointsKind {
    /// How people say it, in English.
    pub fn label_en(self) -> &'static str {
        match self {
            PointsKind::Earned => "earned",
            PointsKind::Redeemed => "redeemed",
            PointsKind::Expired => "expired",
        }
    }

    /// The entry's effect on the balance.
    pub fn signed(self, amount: i64) -> i64 {
        match self {
            PointsKind::Earned => amount,
            PointsKind::Redeemed | PointsKind::Expired => -amount,
        }
    }
}

/// One recorded entry of a resident's ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsEntry {
    pub seq: i64,
    pub at: Micros,
    pub kind: PointsKind,
    /// Always above zero; the kind says which way it goes.
    pub amount: i64,
    /// The balance after this entry.
    pub balance: i64,
    /// The community it concerns (where it was earned or redeemed).
    pub community: String,
    /// What it is for: `activity:ID`, `redemption:ID`.
    pub reference: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash before a ledger's first entry.
pub const POINTS_GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry's hash over everything it records.
pub fn points_hash(user: &str, e: &PointsEntry) -> String {
    let (amount, balance) = (e.amount.to_string(), e.balance.to_string());
    crate::audit::chain_hash(
        b"shanzhi/points/v1\n",
        &e.prev_hash,
        e.seq,
        Some(e.at),
        &[user, e.kind.as_str(), &amount, &balance, &e.community, &e.reference],
    )
}

/// The next entry of `user`'s ledger after `prev`, if the balance allows it.
pub fn append_points(
    user: &str,
    prev: Option<&PointsEntry>,
    at: Micros,
    kind: PointsKind,
    amount: i64,
    community: &str,
    reference: &str,
) -> Result<PointsEntry, Bilingual> {
    if amount <= 0 || amount > 1_000_000 {
        return Err(Bilingual::new("积分数应大于 0", "points must be above zero"));
    }
    let before = prev.map_or(0, |p| p.balance);
    let balance = before + kind.signed(amount);
    if balance < 0 {
        return Err(Bilingual::new(
            format!("积分余额 {before}，不足 {amount}"),
            format!("the balance is {before} points, less than {amount}"),
        ));
    }
    let mut e = PointsEntry {
        seq: prev.map_or(1, |p| p.seq + 1),
        at,
        kind,
        amount,
        balance,
        community: community.to_owned(),
        reference: reference.to_owned(),
        prev_hash: prev.map_or(POINTS_GENESIS, |p| p.hash.as_str()).to_owned(),
        hash: String::new(),
    };
    e.hash = points_hash(user, &e);
    Ok(e)
}

/// Replay a stored ledger: numbers and links in order, every hash
/// recomputed, every balance recomputed from the amounts and never
/// negative. The balance at the end, or the first entry that fails.
pub fn replay_points(user: &str, entries: &[PointsEntry]) -> Result<i64, (i64, Bilingual)> {
    let mut balance = 0i64;
    let mut prev_hash = POINTS_GENESIS;
    for (i, e) in entries.iter().enumerate() {
        let expected = i64::try_from(i).unwrap_or(i64::MAX - 1) + 1;
        if e.seq != expected || e.prev_hash != prev_hash {
            return Err((
                e.seq,
                Bilingual::new("积分记录缺失、重复或顺序被改动", "a points entry is missing, repeated or out of order"),
            ));
        }
        if points_hash(user, e) != e.hash {
            return Err((
                e.seq,
                Bilingual::new(
                    "积分记录内容被改动（哈希不符）",
                    "a points entry was changed (its hash does not match)",
                ),
            ));
        }
        balance += e.kind.signed(e.amount);
        if e.amount <= 0 || balance < 0 || balance != e.balance {
            return Err((
                e.seq,
                Bilingual::new(
                    "积分余额与记录不符或为负",
                    "a points balance does not follow from the entries or is negative",
                ),
            ));
        }
        prev_hash = &e.hash;
    }
    Ok(balance)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn the_balance_never_goes_negative_and_the_ledger_replays(
            ops in proptest::collection::vec((0usize..3, 1i64..50), 0..60),
        ) {
            let mut entries: Vec<PointsEntry> = Vec::new();
            let mut expected = 0i64;
            for (i, (k, amount)) in ops.iter().enumerate() {
                let kind = PointsKind::ALL[*k];
                match append_points("u1", entries.last(), Micros::new(i as i64), kind, *amount, "c", "r") {
                    Ok(e) => {
                        expected += kind.signed(*amount);
                        entries.push(e);
                    }
                    Err(_) => prop_assert!(expected + kind.signed(*amount) < 0),
                }
                prop_assert!(expected >= 0);
            }
            prop_assert_eq!(replay_points("u1", &entries), Ok(expected));
            if !entries.is_empty() {
                prop_assert!(replay_points("u2", &entries).is_err(), "the chain names its owner");
            }
        }
    }

    #[test]
    fn a_changed_or_missing_entry_is_named() {
        let e1 = append_points("u", None, Micros::new(1), PointsKind::Earned, 10, "c", "activity:a").expect("earn");
        let e2 =
            append_points("u", Some(&e1), Micros::new(2), PointsKind::Redeemed, 4, "c", "redemption:r").expect("spend");
        assert_eq!(e2.balance, 6);
        assert!(append_points("u", Some(&e2), Micros::new(3), PointsKind::Redeemed, 7, "c", "r").is_err());
        let mut forged = e1.clone();
        forged.amount = 100;
        forged.balance = 100;
        assert_eq!(replay_points("u", &[forged, e2.clone()]).map_err(|e| e.0), Err(1));
        assert_eq!(replay_points("u", std::slice::from_ref(&e2)).map_err(|e| e.0), Err(2));
    }
}
