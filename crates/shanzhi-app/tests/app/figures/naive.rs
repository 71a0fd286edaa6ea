//! The naive figures: straight from the definitions, on the rows alone.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use shanzhi_app::access::Actor;
use shanzhi_app::figures::FigureQuery;
use shanzhi_domain::indicators::{Key, UnitKind};
use shanzhi_testkit::TestApp;

use super::export::Row;
use super::random::grid_workers;

type Figures = BTreeMap<String, BTreeMap<&'static str, (f64, f64)>>;

const COUNTS: [&str; 5] = ["reported", "filed", "closed", "overdue", "supervised"];

struct Question<'a> {
    start: Timestamp,
    end: Timestamp,
    as_of: Timestamp,
    by: &'a str,
    k: f64,
    line: Option<&'a str>,
    /// The grid workers of each grid (who a `grid` holder credits).
    workers: &'a BTreeMap<String, Vec<String>>,
}

fn naive(matters: &[(String, Vec<Row>)], q: &Question<'_>) -> Figures {
    let mut out = Figures::new();
    let place = matches!(q.by, "district" | "town" | "community" | "grid");
    for (_, all) in matters {
        let first = &all[0];
        if let Some(line) = q.line
            && first.line != line
            && first.line != "both"
        {
            continue;
        }
        // Only what was recorded before as_of is seen.
        let rows: Vec<&Row> = all.iter().filter(|r| r.at < q.as_of).collect();
        if rows.is_empty() {
            continue;
        }
        let in_p = |t: Timestamp| q.start <= t && t < q.end;
        // The units a contribution counts for: the matter's place, or who held it.
        let units = |holder: Option<(&str, &str)>| -> Vec<String> {
            match (q.by, holder) {
                ("district", _) => vec![first.district.clone()],
                ("town", _) => vec![first.town.clone()],
                ("community", _) => vec![first.community.clone()],
                ("grid", _) => vec![first.grid.clone()],
                ("department", Some(("department", code))) => vec![code.to_owned()],
                ("worker", Some(("grid", code))) => q.workers.get(code).cloned().unwrap_or_default(),
                _ => Vec::new(),
            }
        };
        let mut add = |key: &'static str, holder: Option<(&str, &str)>, num: f64, den: f64| {
            for u in units(holder) {
                let f = out.entry(u).or_default().entry(key).or_insert((0.0, 0.0));
                f.0 += num;
                f.1 += den;
            }
        };
        let before = |i: usize| if i == 0 { None } else { rows[i - 1].holder() };
        // The department of the latest respond before entry i: who held it just before that respond.
        let responder = |i: usize| {
            let j = (0..i).rev().find(|&j| rows[j].command == "respond")?;
            before(j).filter(|(kind, _)| *kind == "department")
        };
        for (i, r) in rows.iter().enumerate() {
            if !in_p(r.at) {
                continue;
            }
            match r.command.as_str() {
                "report" if place => {
                    add("reported", None, 1.0, 0.0);
                    add("proactive_share", None, if r.channel == "grid_worker" { 1.0 } else { 0.0 }, 1.0);
                }
                "accept" => add("filed", before(i), 1.0, 0.0),
                "verify" => {
                    let passed = match r.passed.as_str() {
                        "true" => true,
                        "false" => false,
                        other => panic!("a verify entry says passed=true or false, not '{other}'"),
                    };
                    if passed {
                        add("closed", responder(i), 1.0, 0.0);
                    }
                    add("rework_rate", responder(i), if passed { 0.0 } else { 1.0 }, 1.0);
                }
                "rate" => {
                    let score = match r.rating.as_str() {
                        "satisfied" => 1.0,
                        "basically_satisfied" => q.k,
                        "unsatisfied" => 0.0,
                        other => panic!("a rate entry has a rating, not '{other}'"),
                    };
                    add("satisfaction_rate", responder(i), score, 1.0);
                }
                "supervise" => add("supervised", before(i), 1.0, 0.0),
                // 自行处置: closed by the worker who reported it, no department judged.
                "self_handle" => add("closed", None, 1.0, 0.0),
                _ => {}
            }
        }
        if place && rows[0].command == "report" && in_p(rows[0].at) {
            let closed =
                rows.iter().any(|r| (r.command == "verify" && r.passed == "true") || r.command == "self_handle");
            add("closure_rate", None, if closed { 1.0 } else { 0.0 }, 1.0);
        }

        // Clock runs: maximal stretches of one non-empty stage; a parked entry
        // pauses the run it is in without ending it.
        struct Run {
            stage: String,
            entries: Vec<usize>,
            ended_by: Option<usize>,
        }
        let mut runs: Vec<Run> = Vec::new();
        let mut open: Option<Run> = None;
        for (i, r) in rows.iter().enumerate() {
            if r.to_state == "parked" {
                if let Some(run) = open.as_mut() {
                    run.entries.push(i);
                }
                continue;
            }
            if let Some(run) = open.as_mut()
                && !r.stage.is_empty()
                && run.stage == r.stage
            {
                run.entries.push(i);
                continue;
            }
            if let Some(mut run) = open.take() {
                run.ended_by = Some(i);
                runs.push(run);
            }
            if !r.stage.is_empty() {
                open = Some(Run { stage: r.stage.clone(), entries: vec![i], ended_by: None });
            }
        }
        runs.extend(open);
        for run in runs {
            // Missed at the first deadline that the time passed while it was in force.
            let mut missed = None;
            for &j in &run.entries {
                if rows[j].to_state == "parked" {
                    continue;
                }
                let Some(deadline) = rows[j].deadline_at else { continue };
                let until = rows.get(j + 1).map_or(q.as_of, |next| next.at);
                if until > deadline {
                    missed = Some(deadline);
                    break;
                }
            }
            let (decided, met) = match (missed, run.ended_by) {
                (Some(d), _) => (d, false),
                (None, Some(e)) => (rows[e].at, true),
                (None, None) => continue,
            };
            if !in_p(decided) {
                continue;
            }
            let last = run.entries.iter().copied().rfind(|&j| rows[j].at <= decided);
            let last = last.unwrap_or_else(|| panic!("a run decided before it began: {:?}", rows[run.entries[0]]));
            let holder = rows[last].holder();
            let key = match run.stage.as_str() {
                "sign" => Some("on_time_sign_rate"),
                "handle" => Some("on_time_handling_rate"),
                "verify" => Some("on_time_verify_rate"),
                "accept" | "dispatch" => None,
                other => panic!("unknown stage '{other}'"),
            };
            if let Some(key) = key {
                add(key, holder, if met { 1.0 } else { 0.0 }, 1.0);
            }
            if !met {
                add("overdue", holder, 1.0, 0.0);
            }
        }
    }
    out
}

/// The API's figures equal the naive ones, unit by unit and key by key.
pub(super) async fn compare(
    t: &TestApp,
    who: &Actor,
    rows: &[(String, Vec<Row>)],
    q: &FigureQuery,
    now: Timestamp,
    label: &str,
) {
    let workers = grid_workers();
    let answer = t.app().scoped(who.clone()).indicators(q).await.expect("indicators");
    let (start, end) = q.period.bounds();
    let (start, end) = (start.timestamp(), end.timestamp());
    let line = q.line.map(|l| l.as_str());
    let question =
        Question { start, end, as_of: end.min(now), by: q.by.as_str(), k: answer.k, line, workers: &workers };
    let expected = naive(rows, &question);
    let label = format!("{label} {} by={} line={line:?}", q.period, q.by.as_str());
    let api_units: BTreeSet<&str> = answer.units.iter().map(|u| u.code.as_str()).collect();
    for unit in expected.keys() {
        assert!(api_units.contains(unit.as_str()), "{label}: unit {unit} counts but is not answered");
    }
    if !matches!(q.by, UnitKind::District | UnitKind::Town) {
        let naive_units: BTreeSet<&str> = expected.keys().map(String::as_str).collect();
        assert_eq!(api_units, naive_units, "{label}: units appear when something counts for them");
    }
    for unit in &answer.units {
        assert_eq!(unit.figures.len(), Key::ALL.len(), "{label}: {} has every key", unit.code);
        for key in Key::ALL {
            let f = unit.figures[key];
            let k = key.as_str();
            let (mut num, mut den) = expected.get(&unit.code).and_then(|e| e.get(k)).copied().unwrap_or((0.0, 0.0));
            if COUNTS.contains(&k) {
                den = 1.0;
            }
            num = (num * 1e9).round() / 1e9;
            assert!(
                (f.numerator - num).abs() < 1e-9 && f.denominator == den,
                "{label}: {} {k}: the API says {}/{}, the export {num}/{den}",
                unit.code,
                f.numerator,
                f.denominator,
            );
            let value = (den > 0.0).then(|| num / den);
            assert!(
                match (f.value, value) {
                    (Some(a), Some(b)) => (a - b).abs() < 1e-9,
                    (a, b) => a.is_none() && b.is_none(),
                },
                "{label}: {} {k}: value {:?}, expected {value:?}",
                unit.code,
                f.value
            );
        }
    }
}
