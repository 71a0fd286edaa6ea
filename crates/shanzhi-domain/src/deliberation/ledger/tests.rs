use proptest::prelude::*;

use super::*;

fn fen(yuan: i64) -> Fen {
    Fen::new(yuan * 100).expect("amount")
}

fn allocate(y: i64) -> Posting {
    Posting::Allocate { source: FundSource::City, amount: fen(y), reference: "成社治发〔2026〕1号".to_owned() }
}

fn commit(p: &str, y: i64) -> Posting {
    Posting::Commit { proposal: p.to_owned(), amount: fen(y), decision: "议事会决议 2026-03".to_owned() }
}

fn pay(p: &str, y: i64) -> Posting {
    Posting::Pay {
        proposal: p.to_owned(),
        amount: fen(y),
        voucher: "记-031".to_owned(),
        payee: "某某建筑公司".to_owned(),
        line: None,
    }
}

/// The entries of `postings`, each appended after the one before.
fn chain(postings: Vec<Posting>) -> Vec<LedgerEntry> {
    let mut books = Books::default();
    let mut out: Vec<LedgerEntry> = Vec::new();
    for (i, p) in postings.into_iter().enumerate() {
        let at = Micros::new(1_800_000_000_000_000 + i64::try_from(i).expect("small") * 1_000_000);
        let e = append(&mut books, out.last(), at, "committee:王主任", p).expect("allowed");
        out.push(e);
    }
    out
}

#[test]
fn yuan_as_people_write_it() {
    assert_eq!(Fen::parse_yuan("12,000.5").map(Fen::get), Ok(1_200_050));
    assert_eq!(Fen::parse_yuan("¥300").map(Fen::get), Ok(30_000));
    assert_eq!(Fen::parse_yuan("0.01").map(Fen::get), Ok(1));
    for bad in ["", "0", "-5", "1.234", "1e3", "１２", "12.", ".5", "100000001"] {
        assert!(Fen::parse_yuan(bad).is_err(), "{bad}");
    }
    assert_eq!(fen(1_234_567).yuan(), "1,234,567.00");
    assert_eq!(yuan(-150), "-1.50");
}

#[test]
fn nothing_is_paid_past_the_allocation_or_without_a_decision() {
    let mut books = Books::default();
    books.post(&allocate(100_000)).expect("allocation");
    books.post(&commit("p1", 60_000)).expect("decided");
    // More than is left of the fund.
    let refused = books.post(&commit("p2", 50_000)).expect_err("past the allocation");
    assert!(refused.zh.contains("不足"), "{}", refused.zh);
    // No decision named: refused.
    let no_decision = Posting::Commit { proposal: "p2".to_owned(), amount: fen(10), decision: " ".to_owned() };
    assert!(books.post(&no_decision).expect_err("no decision").zh.contains("决议"));
    // A proposal with no commitment cannot be paid.
    assert!(books.post(&pay("p2", 1)).is_err());
    books.post(&pay("p1", 58_000)).expect("paid");
    assert!(books.post(&pay("p1", 2_001)).is_err(), "past the commitment");
    books.post(&Posting::Release { proposal: "p1".to_owned(), amount: fen(2_000) }).expect("released");
    let s = books.summary();
    assert_eq!(
        (s.allocated[&FundSource::City], s.committed, s.spent, s.available),
        (10_000_000, 0, 5_800_000, 4_200_000)
    );
    assert!(books.is_balanced());
}

#[test]
fn tampering_with_an_entry_is_found() {
    let entries = chain(vec![allocate(50_000), commit("p1", 30_000), pay("p1", 20_000), pay("p1", 10_000)]);
    assert!(verify(&entries).is_ok());

    // An amount changed: its hash no longer matches.
    let mut edited = entries.clone();
    edited[2].posting = pay("p1", 2_000);
    assert_eq!(verify(&edited).map(|_| ()).map_err(|(seq, _)| seq), Err(3));

    // Changed and its hash recomputed: the next entry's link breaks.
    let mut rehashed = edited.clone();
    let e = &mut rehashed[2];
    e.hash = ledger_hash(&e.prev_hash, e.seq, e.at, &e.actor, &e.posting);
    assert_eq!(verify(&rehashed).map(|_| ()).map_err(|(seq, _)| seq), Err(4));

    // An entry deleted, or two swapped.
    let mut deleted = entries.clone();
    deleted.remove(1);
    assert!(verify(&deleted).is_err());
    let mut swapped = entries.clone();
    swapped.swap(2, 3);
    assert!(verify(&swapped).is_err());

    // The whole chain rewritten consistently but overspending: the replay refuses it.
    let forged = {
        let mut out: Vec<LedgerEntry> = Vec::new();
        for p in [allocate(10), pay("p9", 10)] {
            let seq = out.last().map_or(1, |x: &LedgerEntry| x.seq + 1);
            let prev_hash = out.last().map_or(LEDGER_GENESIS.to_owned(), |x| x.hash.clone());
            let at = Micros::new(1);
            let hash = ledger_hash(&prev_hash, seq, at, "x", &p);
            out.push(LedgerEntry { seq, at, actor: "x".to_owned(), posting: p, prev_hash, hash });
        }
        out
    };
    assert_eq!(verify(&forged).map(|_| ()).map_err(|(seq, _)| seq), Err(2));
}

fn posting() -> impl Strategy<Value = Posting> {
    let proposal = prop_oneof![Just("p1"), Just("p2"), Just("p3")].prop_map(str::to_owned);
    let amount = (1i64..5_000).prop_map(fen);
    prop_oneof![
        amount.clone().prop_map(|amount| Posting::Allocate {
            source: FundSource::District,
            amount,
            reference: "文号".to_owned()
        }),
        (proposal.clone(), amount.clone()).prop_map(|(proposal, amount)| Posting::Commit {
            proposal,
            amount,
            decision: "决议".to_owned()
        }),
        (proposal.clone(), amount.clone()).prop_map(|(proposal, amount)| Posting::Pay {
            proposal,
            amount,
            voucher: "凭证".to_owned(),
            payee: "收款方".to_owned(),
            line: None
        }),
        (proposal, amount).prop_map(|(proposal, amount)| Posting::Release { proposal, amount }),
    ]
}

proptest! {
    #[test]
    fn the_books_always_balance_and_never_go_negative(postings in proptest::collection::vec(posting(), 0..60)) {
        let mut books = Books::default();
        for p in &postings {
            let before = books.clone();
            if books.post(p).is_err() {
                prop_assert_eq!(&books, &before, "a refused posting changed the books");
            }
            prop_assert!(books.is_balanced());
            for (account, v) in books.balances() {
                match account {
                    Account::Source(_) => prop_assert!(*v <= 0),
                    _ => prop_assert!(*v >= 0, "{:?} went negative", account),
                }
            }
            let s = books.summary();
            let allocated: i64 = s.allocated.values().sum();
            prop_assert_eq!(allocated, s.available + s.committed + s.spent);
        }
    }
}
