//! The figures of the hand-worked fixture (worked.rs), and of views on it.

mod csv;
mod self_handle;
mod worked;

use worked::*;

use super::record::TimelineRow;
use super::{Key, Params, Tallies, UnitKind, compute};
use crate::Line;
use crate::grid::GridCode;
use crate::instant::Micros;

/// Nobody works any grid (enough where no figure is by worker).
fn no_workers(_: &GridCode, _: Micros) -> Vec<String> {
    Vec::new()
}

/// November as seen at `as_of`, by `by`, with 基本满意 weighted 0.8.
fn november<'a>(
    as_of: Micros,
    by: UnitKind,
    line: Option<Line>,
    workers: &'a (dyn Fn(&GridCode, Micros) -> Vec<String> + Sync),
) -> Params<'a> {
    Params { start: nov(1, 0), end: dec(1, 0), as_of, by, k: 0.8, line, workers }
}

/// What `compute` makes of `matters`, finished.
fn tally(matters: &[Vec<TimelineRow>], params: &Params) -> Tallies {
    let mut tallies = Tallies::default();
    compute(matters.iter().map(Vec::as_slice), params, &mut |a| tallies.add(&a));
    tallies.finished(Vec::new())
}

/// The fixture's two grid workers, wa and wb.
fn workers(g: &GridCode, _: Micros) -> Vec<String> {
    match g.as_str() {
        "510104022006001" => vec!["wa".to_owned()],
        "510105002002001" => vec!["wb".to_owned()],
        _ => Vec::new(),
    }
}

fn figures(by: UnitKind, line: Option<Line>) -> Tallies {
    tally(&fixture(), &november(dec(1, 0), by, line, &workers))
}

/// The figures' order in the table below.
const COLUMNS: [Key; 12] = [
    Key::Reported,
    Key::Filed,
    Key::Closed,
    Key::OnTimeSignRate,
    Key::OnTimeHandlingRate,
    Key::OnTimeVerifyRate,
    Key::Overdue,
    Key::Supervised,
    Key::ReworkRate,
    Key::SatisfactionRate,
    Key::ProactiveShare,
    Key::ClosureRate,
];

/// Every figure of a unit as `numerator/denominator`, in [`COLUMNS`]' order;
/// a count's denominator is 1, a share with nothing to share is 0/0.
fn check(t: &Tallies, unit: &str, expected: &str) {
    let got = t.0.get(unit).unwrap_or_else(|| panic!("no unit {unit}: {:?}", t.0.keys().collect::<Vec<_>>()));
    let expected: Vec<(f64, f64)> = expected
        .split_whitespace()
        .map(|cell| {
            let (num, den) = cell.split_once('/').expect("numerator/denominator");
            (num.parse().expect("numerator"), den.parse().expect("denominator"))
        })
        .collect();
    assert_eq!(COLUMNS.len(), Key::ALL.len(), "every key is a column");
    assert_eq!(expected.len(), COLUMNS.len(), "{unit}: every key written down");
    for (key, (num, den)) in COLUMNS.iter().zip(expected) {
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
    let districts = figures(UnitKind::District, None);
    let departments = figures(UnitKind::Department, None);
    let workers = figures(UnitKind::Worker, None);
    // Reported Filed Closed | on time: sign handling verify | Overdue Supervised
    // | Rework Satisfaction Proactive Closure (rates).
    for (tallies, unit, expected) in [
        (&districts, "510104", "8/1 9/1 8/1 9/10 7/10 9/9 7/1 1/1 1/9 2.8/5 2/8 6/8"),
        (&districts, "510105", "9/1 6/1 4/1 5/7 4/5 4/5 5/1 1/1 1/5 2.8/3 1/9 4/9"),
        (&departments, "510104-chengguan", "0/1 0/1 8/1 9/10 7/10 0/0 4/1 1/1 1/9 2.8/5 0/0 0/0"),
        (&departments, "510105-shuiwu", "0/1 0/1 3/1 4/6 3/4 0/0 3/1 1/1 1/4 1.8/2 0/0 0/0"),
        (&workers, "wa", "0/1 2/1 0/1 0/0 0/0 9/9 1/1 0/1 0/0 0/0 0/0 0/0"),
        (&workers, "wb", "0/1 0/1 0/1 0/0 0/0 4/5 2/1 0/1 0/0 0/0 0/0 0/0"),
    ] {
        check(tallies, unit, expected);
    }
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
    let t = tally(&fixture(), &november(nov(2, 0), UnitKind::District, None, &no_workers));
    let a = &t.0["510104"];
    assert_eq!(a[&Key::Reported].numerator, 1.0, "M1 only");
    assert_eq!(a[&Key::Overdue].numerator, 1.0, "M5's accept run");
    assert_eq!((a[&Key::OnTimeSignRate].numerator, a[&Key::OnTimeSignRate].denominator), (2.0, 2.0), "M1, M5");
    assert_eq!(a[&Key::Closed].numerator, 1.0, "M15 (M1 closes on the 2nd)");
}

/// Stored parts summed as the store sums them give what `compute` gives,
/// for every unit kind (by grid workers: the sums by holder grid, each
/// credited to the grid's workers), over periods and as-of instants that
/// cut runs, deadlines still ahead and late verifications.
#[test]
fn stored_parts_sum_to_the_computed_figures() {
    use super::parts::{parts_of, unit_of};
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
    for by in UnitKind::ALL {
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
                        let units = match (by, &p.grid) {
                            (UnitKind::Worker, Some(g)) => workers(g, as_of),
                            _ => vec![unit],
                        };
                        for unit in units {
                            let t = summed.0.entry(unit).or_default().entry(p.key).or_default();
                            t.numerator += p.numerator + 0.8 * p.numerator_k;
                            t.denominator += p.denominator;
                        }
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
