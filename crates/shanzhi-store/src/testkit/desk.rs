//! The dispatcher's desk reads: the due-first order and its paging.

use jiff::Timestamp;
use shanzhi_domain::category::{Limit, TimeLimits};
use shanzhi_domain::{DivisionCode, Matter, Phone, Stage, Timing};

use super::matters::{create, matter, setup};
use crate::{MatterOrder, MatterQuery, MatterScope, Store};

/// Matters due at different times, across two communities (two parts of a
/// scope, merged), one without a clock: listed soonest deadline first, the
/// clockless last, and pages of two continue one another without a gap or a
/// repeat.
pub async fn matters_list_due_first_and_page_in_that_order(store: &dyn Store) {
    setup(store).await;
    let timing = Timing::default();
    let limits = TimeLimits { accept: Some(Limit::hours(10)), ..TimeLimits::default() };
    let start = 1_800_000_000;
    // (id, grid, hours after `start` the clock starts, reported at): the
    // newest report is not the soonest due.
    let rows = [
        ("d0", "510104022006001", 5, 100),
        ("d1", "510104022001001", 0, 101),
        ("d2", "510104022006001", 3, 102),
        ("d3", "510104022001001", 1, 103),
        ("d4", "510104022006001", 2, 104),
    ];
    for (id, grid, hours, at) in rows {
        let mut m = matter(id, grid, at, "井盖");
        let t = Timestamp::from_second(start + hours * 3_600).expect("time");
        m.clock = Some(timing.start(Stage::Accept, &limits, false, t).expect("timed"));
        create(store, &m, None).await;
    }
    let mut untimed = matter("d5", "510104022006001", 105, "无时限");
    untimed.clock = None;
    create(store, &untimed, None).await;

    let ids = |v: &[Matter]| v.iter().map(|m| m.id.to_string()).collect::<Vec<_>>();
    let expected = ["d1", "d3", "d4", "d2", "d0", "d5"];
    let communities = MatterScope {
        divisions: vec![
            DivisionCode::parse("510104022006").expect("c"),
            DivisionCode::parse("510104022001").expect("c"),
        ],
        ..MatterScope::default()
    };
    for scope in [MatterScope { everything: true, ..MatterScope::default() }, communities] {
        let all =
            MatterQuery { scope: scope.clone(), order: MatterOrder::DueFirst, limit: 10, ..MatterQuery::default() };
        assert_eq!(ids(&store.matters(&all).await.expect("list")), expected);
        let newest = MatterQuery { order: MatterOrder::Newest, ..all.clone() };
        assert_eq!(ids(&store.matters(&newest).await.expect("list"))[0], "d5", "the other order is unchanged");

        let mut page = MatterQuery { limit: 2, ..all };
        let mut seen = Vec::new();
        for _ in 0..10 {
            let batch = store.matters(&page).await.expect("page");
            let Some(last) = batch.last() else { break };
            page.after = Some((MatterOrder::DueFirst.key(last), last.id.clone()));
            seen.extend(ids(&batch));
        }
        assert_eq!(seen, expected, "each page continues the last, across the clockless tail");
    }
}

/// A search by the reporter's phone number: exact, within the scope, and
/// counted alike.
pub async fn matters_are_found_by_the_reporters_phone(store: &dyn Store) {
    setup(store).await;
    let with_phone = |id: &str, grid: &str, at: i64, phone: Option<&str>| {
        let mut m = matter(id, grid, at, "井盖");
        m.reporter.phone = phone.map(|p| Phone::parse(p).expect("phone"));
        m
    };
    for m in [
        with_phone("p0", "510104022006001", 100, Some("13900001111")),
        with_phone("p1", "510104022006001", 101, Some("13900002222")),
        with_phone("p2", "510105002001001", 102, Some("13900001111")),
        with_phone("p3", "510104022006001", 103, None),
        with_phone("p4", "510104022006001", 104, Some("13900001111")),
    ] {
        create(store, &m, None).await;
    }
    let jinjiang = MatterScope { divisions: vec![DivisionCode::parse("510104").expect("c")], ..MatterScope::default() };
    let q = MatterQuery {
        scope: jinjiang,
        reporter_phone: Some("13900001111".to_owned()),
        limit: 10,
        ..MatterQuery::default()
    };
    let found = store.matters(&q).await.expect("list");
    assert_eq!(found.iter().map(|m| m.id.to_string()).collect::<Vec<_>>(), ["p4", "p0"], "in scope, that number");
    let counts = store.count_matters(&q).await.expect("count");
    assert_eq!(counts.values().sum::<u64>(), 2);
    let partial = MatterQuery { reporter_phone: Some("1390000".to_owned()), ..q };
    assert!(store.matters(&partial).await.expect("list").is_empty(), "a part of a number finds nothing");
}
