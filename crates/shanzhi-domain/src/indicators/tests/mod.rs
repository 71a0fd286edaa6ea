//! The figures of the hand-worked fixture (worked.rs), and of views on it.

mod self_handle;
mod worked;

use worked::*;

use super::{Key, Params, Tallies, UnitKind, compute};
use crate::Line;
use crate::grid::GridCode;
use crate::instant::Micros;

fn figures(by: UnitKind, line: Option<Line>) -> Tallies {
    let workers = |g: &GridCode, _: Micros| match g.as_str() {
        "510104022006001" => vec!["wa".to_owned()],
        "510105002002001" => vec!["wb".to_owned()],
        _ => Vec::new(),
    };
    let params = Params { start: nov(1, 0), end: dec(1, 0), as_of: dec(1, 0), by, k: 0.8, line, workers: &workers };
    let matters = fixture();
    let mut tallies = Tallies::default();
    compute(matters.iter().map(Vec::as_slice), &params, &mut |a| tallies.add(&a));
    tallies.finished(Vec::new())
}

/// (key, numerator, denominator) of every figure of a unit; a count's
/// denominator is 1, a share with nothing to share is 0/0.
fn check(t: &Tallies, unit: &str, expected: &[(Key, f64, f64)]) {
    let got = t.0.get(unit).unwrap_or_else(|| panic!("no unit {unit}: {:?}", t.0.keys().collect::<Vec<_>>()));
    assert_eq!(expected.len(), Key::ALL.len(), "{unit}: every key written down");
    for (key, num, den) in expected {
        let tally = got.get(key).copied().unwrap_or_default();
        assert!(
            (tally.numerator - num).abs() < 1e-9 && (tally.denominator - den).abs() < 1e-9,
            "{unit} {key:?}: got {}/{}, worked out {num}/{den}",
            tally.numerator,
            tally.denominator
        );
    }
}

#[test]
fn every_figure_of_the_fixture_matches_the_hand_working() {
    use Key::*;
    let districts = figures(UnitKind::District, None);
    check(
        &districts,
        "510104",
        &[
            (Reported, 8.0, 1.0),
            (Filed, 9.0, 1.0),
            (Closed, 8.0, 1.0),
            (OnTimeSignRate, 9.0, 10.0),
            (OnTimeHandlingRate, 7.0, 10.0),
            (OnTimeVerifyRate, 9.0, 9.0),
            (Overdue, 7.0, 1.0),
            (Supervised, 1.0, 1.0),
            (ReworkRate, 1.0, 9.0),
            (SatisfactionRate, 2.8, 5.0),
            (ProactiveShare, 2.0, 8.0),
            (ClosureRate, 6.0, 8.0),
        ],
    );
    check(
        &districts,
        "510105",
        &[
            (Reported, 9.0, 1.0),
            (Filed, 6.0, 1.0),
            (Closed, 4.0, 1.0),
            (OnTimeSignRate, 5.0, 7.0),
            (OnTimeHandlingRate, 4.0, 5.0),
            (OnTimeVerifyRate, 4.0, 5.0),
            (Overdue, 5.0, 1.0),
            (Supervised, 1.0, 1.0),
            (ReworkRate, 1.0, 5.0),
            (SatisfactionRate, 2.8, 3.0),
            (ProactiveShare, 1.0, 9.0),
            (ClosureRate, 4.0, 9.0),
        ],
    );
    let departments = figures(UnitKind::Department, None);
    check(
        &departments,
        "510104-chengguan",
        &[
            (Reported, 0.0, 1.0),
            (Filed, 0.0, 1.0),
            (Closed, 8.0, 1.0),
            (OnTimeSignRate, 9.0, 10.0),
            (OnTimeHandlingRate, 7.0, 10.0),
            (OnTimeVerifyRate, 0.0, 0.0),
            (Overdue, 4.0, 1.0),
            (Supervised, 1.0, 1.0),
            (ReworkRate, 1.0, 9.0),
            (SatisfactionRate, 2.8, 5.0),
            (ProactiveShare, 0.0, 0.0),
            (ClosureRate, 0.0, 0.0),
        ],
    );
    check(
        &departments,
        "510105-shuiwu",
        &[
            (Reported, 0.0, 1.0),
            (Filed, 0.0, 1.0),
            (Closed, 3.0, 1.0),
            (OnTimeSignRate, 4.0, 6.0),
            (OnTimeHandlingRate, 3.0, 4.0),
            (OnTimeVerifyRate, 0.0, 0.0),
            (Overdue, 3.0, 1.0),
            (Supervised, 1.0, 1.0),
            (ReworkRate, 1.0, 4.0),
            (SatisfactionRate, 1.8, 2.0),
            (ProactiveShare, 0.0, 0.0),
            (ClosureRate, 0.0, 0.0),
        ],
    );
    let workers = figures(UnitKind::Worker, None);
    check(
        &workers,
        "wa",
        &[
            (Reported, 0.0, 1.0),
            (Filed, 2.0, 1.0),
            (Closed, 0.0, 1.0),
            (OnTimeSignRate, 0.0, 0.0),
            (OnTimeHandlingRate, 0.0, 0.0),
            (OnTimeVerifyRate, 9.0, 9.0),
            (Overdue, 1.0, 1.0),
            (Supervised, 0.0, 1.0),
            (ReworkRate, 0.0, 0.0),
            (SatisfactionRate, 0.0, 0.0),
            (ProactiveShare, 0.0, 0.0),
            (ClosureRate, 0.0, 0.0),
        ],
    );
    check(
        &workers,
        "wb",
        &[
            (Reported, 0.0, 1.0),
            (Filed, 0.0, 1.0),
            (Closed, 0.0, 1.0),
            (OnTimeSignRate, 0.0, 0.0),
            (OnTimeHandlingRate, 0.0, 0.0),
            (OnTimeVerifyRate, 4.0, 5.0),
            (Overdue, 2.0, 1.0),
            (Supervised, 0.0, 1.0),
            (ReworkRate, 0.0, 0.0),
            (SatisfactionRate, 0.0, 0.0),
            (ProactiveShare, 0.0, 0.0),
            (ClosureRate, 0.0, 0.0),
        ],
    );
    assert_eq!(districts.0.len(), 2);
    assert_eq!(departments.0.len(), 2, "the community's own handling counts for no department");
}

#[test]
fn a_line_counts_only_its_matters() {
    use Key::*;
    // 综治 holds only M13; 社治 is the rest of district A.
    let safety = figures(UnitKind::District, Some(Line::Safety));
    assert_eq!(safety.0.keys().collect::<Vec<_>>(), ["510104"]);
    let a = &safety.0["510104"];
    assert_eq!((a[&Reported].numerator, a[&Filed].numerator, a[&Overdue].numerator), (1.0, 1.0, 1.0));
    assert_eq!((a[&ClosureRate].numerator, a[&ClosureRate].denominator), (0.0, 1.0));
    let development = figures(UnitKind::District, Some(Line::Development));
    let a = &development.0["510104"];
    assert_eq!((a[&Reported].numerator, a[&Filed].numerator, a[&Overdue].numerator), (7.0, 8.0, 6.0));
    assert_eq!((a[&ProactiveShare].numerator, a[&ProactiveShare].denominator), (2.0, 7.0));
}

#[test]
fn a_past_view_sees_only_what_was_recorded_by_then() {
    // As of 2 November 00:00 (the month so far): M5's accept run was missed
    // on 1日12时 and its sign run met at 1日20时; M1 is closed; M15 verified.
    let workers = |_: &GridCode, _: Micros| Vec::new();
    let params = Params {
        start: nov(1, 0),
        end: dec(1, 0),
        as_of: nov(2, 0),
        by: UnitKind::District,
        k: 0.8,
        line: None,
        workers: &workers,
    };
    let matters = fixture();
    let mut t = Tallies::default();
    compute(matters.iter().map(Vec::as_slice), &params, &mut |a| t.add(&a));
    let a = &t.finished(Vec::new()).0["510104"];
    assert_eq!(a[&Key::Reported].numerator, 1.0, "M1 only");
    assert_eq!(a[&Key::Overdue].numerator, 1.0, "M5's accept run");
    assert_eq!((a[&Key::OnTimeSignRate].numerator, a[&Key::OnTimeSignRate].denominator), (2.0, 2.0), "M1, M5");
    assert_eq!(a[&Key::Closed].numerator, 1.0, "M15 (M1 closes on the 2nd)");
}

/// Stored parts summed as the store sums them give what `compute` gives,
/// for every place and department unit, over periods and as-of instants
/// that cut runs, deadlines still ahead and late verifications.
#[test]
fn stored_parts_sum_to_the_computed_figures() {
    use super::parts::{kept_for, parts_of, unit_of};
    let workers = |_: &GridCode, _: Micros| Vec::new();
    let matters = fixture();
    let stored: Vec<_> = matters.iter().filter_map(|rows| parts_of(rows)).collect();
    let windows = [
        (nov(1, 0), dec(1, 0), dec(1, 0)),
        (nov(1, 0), dec(1, 0), nov(2, 0)),
        (nov(1, 0), dec(1, 0), nov(15, 13)),
        (nov(10, 0), nov(20, 0), dec(31, 0)),
        (oct(1, 0), nov(1, 0), nov(1, 0)),
        (nov(1, 0), dec(1, 0), nov(30, 23)),
        (dec(1, 0), dec(31, 0), dec(15, 0)),
    ];
    for by in UnitKind::ALL.into_iter().filter(|b| kept_for(*b)) {
        for line in [None, Some(Line::Development), Some(Line::Safety)] {
            for (start, end, as_of) in windows {
                let params = Params { start, end, as_of, by, k: 0.8, line, workers: &workers };
                let mut expected = Tallies::default();
                compute(matters.iter().map(Vec::as_slice), &params, &mut |a| expected.add(&a));
                let mut summed = Tallies::default();
                for m in &stored {
                    if line.is_some_and(|l| m.line != l && m.line != Line::Both) {
                        continue;
                    }
                    for p in &m.parts {
                        if p.at < start || p.at >= end || p.at >= as_of || p.known_at >= as_of {
                            continue;
                        }
                        let Some(unit) = unit_of(by, &m.places, p) else { continue };
                        let t = summed.0.entry(unit).or_default().entry(p.key).or_default();
                        t.numerator += p.numerator + 0.8 * p.numerator_k;
                        t.denominator += p.denominator;
                    }
                }
                assert_eq!(
                    summed.finished(Vec::new()),
                    expected.finished(Vec::new()),
                    "{by:?} {line:?} [{start:?}, {end:?}) as of {as_of:?}"
                );
            }
        }
    }
}

#[test]
fn times_and_rows_are_written_as_the_fixed_columns_say() {
    use super::record::{COLUMNS, export_time};
    assert_eq!(export_time(nov(1, 8)), "2026-11-01T08:00:00+08:00");
    assert_eq!(export_time(Micros::new(nov(1, 8).get() + 123)), "2026-11-01T08:00:00.000123+08:00");
    assert_eq!(export_time(Micros::new(nov(1, 0).get() - 1)), "2026-10-31T23:59:59.999999+08:00");
    for rows in fixture() {
        for r in &rows {
            let mut line = String::new();
            r.write_csv(&mut line);
            let cells: Vec<&str> = line.trim_end_matches('\n').split(',').collect();
            assert_eq!(cells.len(), COLUMNS.len(), "{line}");
            assert_eq!((cells[0], cells[2]), (r.number.as_str(), r.seq.to_string().as_str()));
            assert_eq!(cells[3], export_time(r.at));
            assert_eq!(cells[18], r.deadline_at.map(export_time).unwrap_or_default());
            assert_eq!(cells[20], r.passed.map(|p| p.to_string()).unwrap_or_default());
        }
    }
}
