//! The figures kept ready: every new timeline entry marks its matter stale
//! in its own transaction, a refresh computed from an older timeline leaves
//! it stale, and sums filter by period, as-of instant, line, place and scope.

use shanzhi_domain::indicators::parts::{MatterParts, Part, parts_of};
use shanzhi_domain::indicators::{Key, Places, UnitKind, rows_of};
use shanzhi_domain::{Command, DivisionCode, Line, MatterState, Micros};

use super::matters::{create, event, id, matter, setup};
use crate::{PartQuery, PartSum, Store};

fn query(by: UnitKind) -> PartQuery {
    PartQuery {
        by,
        start: Micros::new(0),
        end: Micros::new(100_000),
        as_of: Micros::new(100_000),
        line: None,
        within: None,
        scope: Vec::new(),
    }
}

async fn sum(store: &dyn Store, q: &PartQuery, unit: &str, key: Key) -> Option<PartSum> {
    store.sum_figure_parts(q).await.expect("sum").into_iter().find(|s| s.unit == unit && s.key == key)
}

pub async fn figure_parts_are_marked_stale_with_every_entry_and_summed_by_unit(store: &dyn Store) {
    setup(store).await;
    // Entries are written at 1_000 + seq µs (the kit's clock).
    let m = matter("m1", "510104022006001", 10, "井盖破损");
    create(store, &m, None).await;
    assert_eq!(store.stale_figure_matters(10).await.expect("stale"), [(id("m1"), 1)], "marked with the report");
    let stored = store.matter(&id("m1")).await.expect("read").expect("found");
    let events = store.matter_events(&id("m1")).await.expect("events");
    let parts = parts_of(&rows_of(&stored, &events));
    store.put_figure_parts(&[(id("m1"), 1, parts.clone())]).await.expect("put");
    assert_eq!(store.count_stale_figure_matters().await.expect("count"), 0);

    let reported = sum(store, &query(UnitKind::District), "510104", Key::Reported).await.expect("a sum");
    assert_eq!((reported.numerator, reported.denominator), (1.0, 0.0));
    let closure = sum(store, &query(UnitKind::Community), "510104022006", Key::ClosureRate).await.expect("a sum");
    assert_eq!((closure.numerator, closure.denominator), (0.0, 1.0));
    for (what, q) in [
        ("not yet known", PartQuery { as_of: Micros::new(1_001), ..query(UnitKind::District) }),
        ("before the period", PartQuery { start: Micros::new(1_002), ..query(UnitKind::District) }),
        ("another line", PartQuery { line: Some(Line::Safety), ..query(UnitKind::District) }),
        ("another district", PartQuery { within: DivisionCode::parse("510105").ok(), ..query(UnitKind::District) }),
        (
            "out of scope",
            PartQuery { scope: vec![DivisionCode::parse("510105").expect("code")], ..query(UnitKind::Town) },
        ),
        ("no department", query(UnitKind::Department)),
    ] {
        assert!(store.sum_figure_parts(&q).await.expect("sum").is_empty(), "{what}");
    }
    let q = PartQuery { scope: vec![DivisionCode::parse("510104022").expect("code")], ..query(UnitKind::Grid) };
    assert!(sum(store, &q, "510104022006001", Key::Reported).await.is_some(), "in scope");

    // An entry marks it stale again; a refresh from the older timeline does not clear it.
    let first = events[0].clone();
    let accept = event("m1", 2, &first.hash, &Command::Accept, Some(MatterState::Reported), MatterState::Filed);
    let mut next = stored.clone();
    next.status = next.status.apply(&Command::Accept).expect("fits");
    store.append_matter_event(&next, &accept, &[]).await.expect("append");
    assert_eq!(store.stale_figure_matters(10).await.expect("stale"), [(id("m1"), 2)]);
    store.put_figure_parts(&[(id("m1"), 1, parts)]).await.expect("put");
    assert_eq!(store.count_stale_figure_matters().await.expect("count"), 1, "computed before the accept");
    assert!(sum(store, &query(UnitKind::District), "510104", Key::Reported).await.is_some(), "written all the same");

    // Parts replace the matter's old ones; k-weighted numerators and departments sum apart.
    let places = Places::of(&stored);
    let part = |key, at, num, num_k, den| Part {
        key,
        at: Micros::new(at),
        known_at: Micros::new(at),
        numerator: num,
        numerator_k: num_k,
        denominator: den,
        department: Some(shanzhi_domain::DepartmentCode::parse("510104-chengguan").expect("code")),
        grid: None,
    };
    let made = MatterParts {
        line: Line::Both,
        places,
        parts: vec![part(Key::SatisfactionRate, 20, 0.0, 1.0, 1.0), part(Key::SatisfactionRate, 30, 1.0, 0.0, 1.0)],
    };
    store.put_figure_parts(&[(id("m1"), 2, Some(made))]).await.expect("put");
    assert_eq!(store.count_stale_figure_matters().await.expect("count"), 0);
    // A second server's refresh of a matter no longer stale leaves it alone.
    store.put_figure_parts(&[(id("m1"), 1, parts_of(&rows_of(&stored, &events)))]).await.expect("put");
    assert!(sum(store, &query(UnitKind::District), "510104", Key::Reported).await.is_none(), "old parts gone");
    let q = PartQuery { line: Some(Line::Safety), ..query(UnitKind::Department) };
    let rated = sum(store, &q, "510104-chengguan", Key::SatisfactionRate).await.expect("a matter of both lines");
    assert_eq!((rated.numerator, rated.numerator_k, rated.denominator), (1.0, 1.0, 2.0));

    // Parts the roll-ups cannot sum exactly are refused, and nothing changes.
    let places = Places::of(&stored);
    for bad in [
        part(Key::Reported, 40, 1.0, 0.0, 1.0),
        part(Key::ClosureRate, 40, 0.0, 1.0, 1.0),
        part(Key::ReworkRate, 40, 0.0, 0.0, 0.0),
    ] {
        let made = MatterParts { line: Line::Both, places: places.clone(), parts: vec![bad.clone()] };
        let refused = store.put_figure_parts(&[(id("m1"), 3, Some(made))]).await;
        assert!(matches!(refused, Err(crate::StoreError::Constraint(_))), "{bad:?}: {refused:?}");
        let rated = sum(store, &q, "510104-chengguan", Key::SatisfactionRate).await.expect("kept");
        assert_eq!((rated.numerator, rated.numerator_k, rated.denominator), (1.0, 1.0, 2.0));
        assert!(sum(store, &query(UnitKind::District), "510104", bad.key).await.is_none(), "{bad:?}");
    }
}
