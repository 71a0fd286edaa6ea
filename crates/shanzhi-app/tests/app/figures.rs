//! 一套机制统筹 (issue 14), the acceptance tests that read the record export:
//!
//! - on random timelines (matters reported by residents, grid workers and the
//!   hotline, then random commands that fit, given by the roles that may give
//!   them, with a hand-moved clock so that deadlines are met and missed across
//!   a month's end), a second, deliberately naive implementation written here
//!   from the definitions in the issue — reading nothing but the CSV rows —
//!   gets every numerator and denominator `Scoped::indicators` answers, for
//!   every unit type and three periods;
//! - the export replays to each matter's stored state (demo matters, and the
//!   random timelines above).
//!
//! Both run on the backend chosen by SHANZHI_TEST_BACKEND.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use crate::at;
use jiff::Timestamp;
use proptest::prelude::*;
use serde_json::{Value, json};
use shanzhi_app::AppError;
use shanzhi_app::access::Actor;
use shanzhi_app::figures::FigureQuery;
use shanzhi_app::matters::{IntakeRequest, SelfHandleRequest};
use shanzhi_app::timing::ManualClock;
use shanzhi_domain::indicators::{Key, Period, UnitKind};
use shanzhi_domain::{Assignee, CommandKind, DivisionCode, Level, Line, Matter, MatterId, MatterState, Micros, Role};
use shanzhi_store::{MatterQuery, MatterScope};
use shanzhi_testkit::{TestApp, community_grid};

// ---------------------------------------------------------------------------
// The export, read as plain strings.

/// The columns the issue fixes, in its order.
const HEADER: [&str; 21] = [
    "number",
    "matter_id",
    "seq",
    "at",
    "command",
    "actor_role",
    "from_state",
    "to_state",
    "category",
    "line",
    "channel",
    "district",
    "town",
    "community",
    "grid",
    "holder_kind",
    "holder_code",
    "stage",
    "deadline_at",
    "rating",
    "passed",
];

/// One CSV row, as text (times parsed).
#[derive(Debug, Clone)]
struct Row {
    number: String,
    seq: i64,
    at: Timestamp,
    command: String,
    from_state: String,
    to_state: String,
    category: String,
    line: String,
    channel: String,
    district: String,
    town: String,
    community: String,
    grid: String,
    holder_kind: String,
    holder_code: String,
    stage: String,
    deadline_at: Option<Timestamp>,
    rating: String,
    passed: String,
}

impl Row {
    fn holder(&self) -> Option<(&str, &str)> {
        (!self.holder_kind.is_empty()).then_some((self.holder_kind.as_str(), self.holder_code.as_str()))
    }
}

fn beijing(text: &str) -> Timestamp {
    assert!(text.ends_with("+08:00"), "times are written in China's offset: {text}");
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// The export's matters (by id, in file order), each with its rows in seq order.
fn parse_export(text: &str) -> Vec<(String, Vec<Row>)> {
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().expect("a header").iter().map(str::to_owned).collect();
    assert_eq!(header, HEADER, "the columns the issue fixes, in its order");
    let mut out: Vec<(String, Vec<Row>)> = Vec::new();
    for record in reader.records() {
        let r = record.expect("a CSV record");
        let c = |i: usize| r.get(i).expect("every column").to_owned();
        let id = c(1);
        let row = Row {
            number: c(0),
            seq: c(2).parse().expect("seq"),
            at: beijing(&c(3)),
            command: c(4),
            from_state: c(6),
            to_state: c(7),
            category: c(8),
            line: c(9),
            channel: c(10),
            district: c(11),
            town: c(12),
            community: c(13),
            grid: c(14),
            holder_kind: c(15),
            holder_code: c(16),
            stage: c(17),
            deadline_at: Some(c(18)).filter(|d| !d.is_empty()).map(|d| beijing(&d)),
            rating: c(19),
            passed: c(20),
        };
        match out.last_mut() {
            Some((last, rows)) if *last == id => rows.push(row),
            _ => {
                assert!(out.iter().all(|(m, _)| *m != id), "a matter's rows are together");
                out.push((id, vec![row]));
            }
        }
    }
    for (id, rows) in &out {
        let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
        let expected: Vec<i64> = (1..=rows.len() as i64).collect();
        assert_eq!(seqs, expected, "{id}: entries 1, 2, … in order");
    }
    out
}

/// The export `[from, to)` (default: everything until now) as `actor` (default: the operator).
async fn export(t: &TestApp, actor: Option<&Actor>, from: Option<Micros>, to: Option<Micros>) -> String {
    export_within(t, actor, from, to, None).await
}

async fn export_within(
    t: &TestApp,
    actor: Option<&Actor>,
    from: Option<Micros>,
    to: Option<Micros>,
    within: Option<DivisionCode>,
) -> String {
    let scoped = match actor {
        Some(a) => t.app().scoped(a.clone()),
        None => t.operator().scoped("test"),
    };
    let mut e = scoped.timeline_export(from, to, within).expect("export");
    let mut text = String::new();
    while let Some(chunk) = e.next_chunk().await.expect("chunk") {
        text.push_str(&chunk);
    }
    text
}

// ---------------------------------------------------------------------------
// The naive figures: straight from the definitions, on the rows alone.

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
async fn compare(t: &TestApp, who: &Actor, rows: &[(String, Vec<Row>)], q: &FigureQuery, now: Timestamp, label: &str) {
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

// ---------------------------------------------------------------------------
// The replay: the export ends where each stored matter is.

/// Who holds a stored matter, as the export writes it (docs/timeline-export.md).
fn stored_holder(m: &Matter) -> (String, String) {
    let community = m.grid.community().significant().to_owned();
    let worker_grid = m.general_grid.clone().unwrap_or_else(|| m.grid.clone()).to_string();
    let s = &m.status;
    let (kind, code) = match s.state {
        MatterState::Reported | MatterState::Filed => match s.level {
            Level::Grid => ("grid", worker_grid),
            Level::Community => ("division", community),
            Level::Town => ("division", community[..9].to_owned()),
            Level::District => ("division", community[..6].to_owned()),
        },
        MatterState::Dispatched | MatterState::InProgress | MatterState::Parked => match &s.assignee {
            Some(Assignee::Department(d)) => ("department", d.to_string()),
            _ => ("division", community),
        },
        MatterState::Responded => ("grid", worker_grid),
        _ => ("", String::new()),
    };
    (kind.to_owned(), code)
}

/// Replay one matter's rows by the lifecycle in DESIGN.md, from the command
/// names (and `passed`) alone: every row's `to_state` and holder follow from
/// the rows before it (a dispatch's holder is where it was sent).
fn replay_rows(m: &Matter, rows: &[Row]) {
    let id = m.id.as_str();
    let worker_grid = m.general_grid.clone().unwrap_or_else(|| m.grid.clone()).to_string();
    let office = |level: usize| -> (String, String) {
        match level {
            0 => ("grid".into(), worker_grid.clone()),
            1 => ("division".into(), rows[0].community.clone()),
            2 => ("division".into(), rows[0].town.clone()),
            _ => ("division".into(), rows[0].district.clone()),
        }
    };
    // Where it was reported: a grid worker's report stays in the grid, the hotline's goes to the town.
    let mut level = match (rows[0].holder_kind.as_str(), rows[0].holder_code.len()) {
        ("grid", _) => 0,
        ("division", 12) => 1,
        ("division", 9) => 2,
        ("division", 6) => 3,
        other => panic!("{id}: a report held by {other:?}"),
    };
    let mut assignee: Option<(String, String)> = None;
    let mut state = "reported".to_owned();
    for r in &rows[1..] {
        let next = match (r.command.as_str(), state.as_str()) {
            ("accept", "reported") => "filed",
            ("reject", "reported") => "rejected",
            ("merge", "reported" | "filed") => "merged",
            ("void", "reported" | "filed") => "voided",
            ("dispatch", "filed") => {
                let to = (r.holder_kind.clone(), r.holder_code.clone());
                assert!(
                    to.0 == "department" || to == ("division".to_owned(), rows[0].community.clone()),
                    "{id} #{}: dispatched to a department or its own community, not {to:?}",
                    r.seq
                );
                assignee = Some(to);
                "dispatched"
            }
            ("escalate", "filed" | "dispatched" | "in_progress") => {
                level += 1;
                assignee = None;
                "filed"
            }
            ("sign", "dispatched") => "in_progress",
            ("return", "dispatched" | "in_progress") => {
                assignee = None;
                "filed"
            }
            ("respond", "in_progress") => "responded",
            ("verify", "responded") if r.passed == "true" => "closed",
            ("verify", "responded") => "in_progress",
            ("self_handle", "reported") => {
                assignee = Some(("division".to_owned(), rows[0].community.clone()));
                "closed"
            }
            ("rate", "closed") => "rated",
            ("reopen", "rated") => "dispatched",
            ("extend" | "approve_extension" | "deny_extension" | "park" | "deny_park", "in_progress") => "in_progress",
            ("approve_park", "in_progress") => "parked",
            ("resume", "parked") => "in_progress",
            ("supervise", s) => s,
            (c, s) => panic!("{id} #{}: {c} does not fit {s}", r.seq),
        };
        state = next.to_owned();
        assert_eq!(r.to_state, state, "{id} #{}: {} leads to {state}", r.seq, r.command);
        let holder = match state.as_str() {
            "reported" | "filed" => Some(office(level)),
            "dispatched" | "in_progress" | "parked" => assignee.clone(),
            "responded" => Some(("grid".into(), worker_grid.clone())),
            _ => None,
        };
        let holder = holder.unwrap_or_default();
        assert_eq!((r.holder_kind.clone(), r.holder_code.clone()), holder, "{id} #{}: held by", r.seq);
        if matches!(state.as_str(), "parked" | "closed" | "rated" | "rejected" | "merged" | "voided") {
            assert!(r.stage.is_empty(), "{id} #{}: no clock runs when {state}", r.seq);
        }
    }
    assert_eq!(state, m.status.state.as_str(), "{id}: the replay ends in the stored state");
}

/// Per stored matter: the rows chain from the report to its state, and end
/// with its holder, rating, event count and clock. Returns how many matters.
async fn check_replay(t: &TestApp, exported: &[(String, Vec<Row>)]) -> usize {
    let everything = MatterScope { everything: true, ..MatterScope::default() };
    let stored = t.store().matters(&MatterQuery { scope: everything, limit: 100_000, ..MatterQuery::default() }).await;
    let stored = stored.expect("matters");
    let by_id: HashMap<&str, &Vec<Row>> = exported.iter().map(|(id, rows)| (id.as_str(), rows)).collect();
    assert_eq!(by_id.len(), stored.len(), "every matter is exported once");
    for m in &stored {
        let id = m.id.as_str();
        let rows = by_id.get(id).unwrap_or_else(|| panic!("{id} is exported"));
        assert_eq!(rows.len() as i64, m.event_count, "{id}: one row per timeline entry");
        let events = t.store().matter_events(&m.id).await.expect("events");
        assert_eq!(rows.len(), events.len(), "{id}");
        let community = m.grid.community().significant().to_owned();
        for (r, e) in rows.iter().zip(&events) {
            assert_eq!((r.seq, r.at.as_microsecond()), (e.seq, e.at.timestamp().as_microsecond()), "{id}");
            assert_eq!(r.command, e.kind.as_str(), "{id} #{}", r.seq);
            assert_eq!(
                (&r.number, &r.category, &r.line, &r.channel, &r.grid),
                (
                    &m.number,
                    &m.category.to_string(),
                    &m.line.as_str().to_owned(),
                    &m.channel.as_str().to_owned(),
                    &m.grid.to_string()
                ),
                "{id}: the matter's own facts"
            );
            assert_eq!(
                (&r.district[..], &r.town[..], &r.community[..]),
                (&community[..6], &community[..9], &community[..])
            );
            assert_eq!(r.rating.is_empty(), r.command != "rate", "{id} #{}: a rating on rate entries only", r.seq);
            assert_eq!(r.passed.is_empty(), r.command != "verify", "{id} #{}: passed on verify entries only", r.seq);
            assert_eq!(r.stage.is_empty(), r.deadline_at.is_none(), "{id} #{}: stage and deadline together", r.seq);
        }
        let first = &rows[0];
        assert_eq!(
            (first.command.as_str(), first.from_state.as_str(), first.to_state.as_str()),
            ("report", "", "reported")
        );
        for pair in rows.windows(2) {
            assert_eq!(
                pair[1].from_state, pair[0].to_state,
                "{id}: #{} starts where #{} ended",
                pair[1].seq, pair[0].seq
            );
        }
        replay_rows(m, rows);
        let last = rows.last().expect("rows");
        assert_eq!(last.to_state, m.status.state.as_str(), "{id}: the last entry ends in the stored state");
        let holder = (last.holder_kind.clone(), last.holder_code.clone());
        assert_eq!(holder, stored_holder(m), "{id}: the last holder is the stored one ({:?})", m.status);
        let mut rating = None;
        for r in rows.iter() {
            match r.command.as_str() {
                "rate" => rating = Some(r.rating.clone()),
                "reopen" => rating = None,
                _ => {}
            }
        }
        assert_eq!(rating.as_deref(), m.status.rating.map(|r| r.as_str()), "{id}: the rating");
        let clock = m.clock.as_ref().filter(|c| c.counting_from.is_some());
        let expected_clock = clock.map(|c| (c.stage.as_str().to_owned(), c.deadline.map(|d| d.as_microsecond())));
        let last_clock =
            (!last.stage.is_empty()).then(|| (last.stage.clone(), last.deadline_at.map(|d| d.as_microsecond())));
        assert_eq!(last_clock, expected_clock, "{id}: the last entry's clock is the matter's");
    }
    stored.len()
}

#[tokio::test]
async fn the_export_replays_to_each_matters_stored_state() {
    let started = std::time::Instant::now();
    let t = TestApp::new().with_grid().with_categories().start().await;
    let made = t.operator().generate_demo_matters(120, 14).await.expect("demo");
    assert!(made >= 100, "{made}");
    let rows = parse_export(&export(&t, None, None, None).await);
    assert_eq!(check_replay(&t, &rows).await, made);
    let states: BTreeSet<&str> = rows.iter().filter_map(|(_, r)| r.last()).map(|r| r.to_state.as_str()).collect();
    assert!(states.len() >= 6, "demo matters end in many states: {states:?}");
    eprintln!("replay of {made} demo matters: {:?}", started.elapsed());
}

// ---------------------------------------------------------------------------
// Random timelines.

/// Three communities: two towns of 锦江区 and one of 青羊区, each a master
/// grid and two general grids, with their staff.
const COMMUNITIES: [(&str, f64); 3] = [("510104022006", 104.07), ("510104017001", 104.09), ("510105002002", 104.11)];
const DEPARTMENTS: [(&str, &str); 3] =
    [("510104-chengguan", "锦江区城管局"), ("510104-shuiwu", "锦江区水务局"), ("510105-chengguan", "青羊区城管局")];

fn general_grids() -> Vec<String> {
    COMMUNITIES.iter().flat_map(|(c, _)| [format!("{c}001"), format!("{c}002")]).collect()
}

fn grid_workers() -> BTreeMap<String, Vec<String>> {
    general_grids().into_iter().map(|g| (g.clone(), vec![format!("gw_{g}")])).collect()
}

fn handler(department: &str) -> String {
    format!("dh_{}", department.replace('-', "_"))
}

#[derive(Debug, Clone)]
struct Step {
    /// Minutes the clock moves first.
    minutes: i64,
    /// Or the clock moves to the matter's deadline, when it is ahead: an
    /// entry exactly at the deadline is still in time.
    exact: bool,
    /// The matter acted on: the previous step's again, or this one.
    stay: bool,
    matter: usize,
    /// Which of the fitting commands (or a sweep).
    pick: usize,
    /// The command's arguments and who gives it.
    alt: usize,
}

fn arb_step() -> impl Strategy<Value = Step> {
    let minutes = prop_oneof![6 => 0i64..20, 3 => 20i64..180, 1 => 180i64..2000];
    let exact = proptest::bool::weighted(0.15);
    (minutes, exact, any::<bool>(), 0usize..64, 0usize..1000, 0usize..1000)
        .prop_map(|(minutes, exact, stay, matter, pick, alt)| Step { minutes, exact, stay, matter, pick, alt })
}

/// The loop's next step (the one a unit works towards), then side flows,
/// then what ends a matter early: a pick among the commands that fit, most
/// often forward so that timelines get far.
fn choose(allowed: &[CommandKind], pick: usize) -> Option<CommandKind> {
    use CommandKind as K;
    const FORWARD: [CommandKind; 12] = [
        K::Accept,
        K::Dispatch,
        K::Sign,
        K::Respond,
        K::Verify,
        K::Rate,
        K::Reopen,
        K::Resume,
        K::ApproveExtension,
        K::DenyExtension,
        K::ApprovePark,
        K::DenyPark,
    ];
    const SIDE: [CommandKind; 5] = [K::Extend, K::Park, K::Return, K::Escalate, K::Supervise];
    const END: [CommandKind; 3] = [K::Reject, K::Void, K::Merge];
    let among = |list: &[CommandKind]| {
        let fitting: Vec<CommandKind> = list.iter().copied().filter(|k| allowed.contains(k)).collect();
        (!fitting.is_empty()).then(|| fitting[(pick / 100) % fitting.len()])
    };
    let forward = FORWARD.iter().copied().find(|k| allowed.contains(k)).map(|k| match (k, pick % 3) {
        (K::ApproveExtension, 0) => K::DenyExtension,
        (K::ApprovePark, 0) => K::DenyPark,
        (k, _) => k,
    });
    match pick % 100 {
        0..4 => among(&END).or(forward),
        4..30 => among(&SIDE).or(forward),
        _ => forward.or_else(|| among(&SIDE)).or_else(|| among(&END)),
    }
}

struct World {
    t: TestApp,
    clock: Arc<ManualClock>,
    actors: HashMap<String, Actor>,
    /// Matter ids by index, once reported.
    ids: Vec<Option<String>>,
    /// The matter of the last step.
    last: usize,
}

impl World {
    async fn new(now: Timestamp, matters: usize) -> World {
        let clock = Arc::new(ManualClock::new(now));
        let mut features = Vec::new();
        for (c, x) in COMMUNITIES {
            features.extend(community_grid(c, x, 30.65));
        }
        let mut accounts: Vec<(String, Role, Option<String>)> = vec![
            ("res".into(), Role::Resident, None),
            ("sup".into(), Role::Supervisor, Some("5101".into())),
            ("disp_510104".into(), Role::Dispatcher, Some("510104".into())),
            ("disp_510105".into(), Role::Dispatcher, Some("510105".into())),
        ];
        for (c, _) in COMMUNITIES {
            accounts.push((format!("cw_{c}"), Role::CommunityWorker, Some(c.to_owned())));
        }
        for g in general_grids() {
            accounts.push((format!("gw_{g}"), Role::GridWorker, Some(g)));
        }
        for (d, _) in DEPARTMENTS {
            accounts.push((handler(d), Role::DeptHandler, Some(d.to_owned())));
        }
        let mut b = TestApp::new().with_clock(clock.clone()).with_features(features).with_categories();
        for (d, name) in DEPARTMENTS {
            b = b.with_department(d, name);
        }
        let refs: Vec<(&str, Role, Option<&str>)> =
            accounts.iter().map(|(u, r, s)| (u.as_str(), *r, s.as_deref())).collect();
        let t = b.with_accounts(&refs).start().await;
        let mut actors = HashMap::new();
        for (u, _, _) in &accounts {
            actors.insert(u.clone(), t.actor(u).await);
        }
        World { t, clock, actors, ids: vec![None; matters], last: 0 }
    }

    async fn report(&mut self, i: usize, alt: usize) {
        let (community, x) = COMMUNITIES[i % 3];
        let half = (i / 3) % 2;
        let grid = format!("{community}00{}", half + 1);
        let district = &community[..6];
        let (who, channel) = match alt % 3 {
            0 => ("res".to_owned(), "resident"),
            1 => (format!("gw_{grid}"), "grid_worker"),
            _ => (format!("disp_{district}"), "hotline"),
        };
        // 0401 路面塌陷 runs on clock hours (and is on both lines); 0110 on
        // working time; a grid worker handles 0507 乱堆物堆料 on the spot.
        let category = match (alt / 3) % 6 {
            0 | 3 => "0401",
            5 if channel == "grid_worker" => "0507",
            _ => "0110",
        };
        let r = IntakeRequest {
            category: category.to_owned(),
            lng: Some(x + 0.002 + 0.005 * half as f64),
            lat: Some(30.655),
            description: format!("第 {i} 件：路面破损，请尽快处理"),
            channel: Some(channel.to_owned()),
            ..IntakeRequest::default()
        };
        let scoped = self.t.app().scoped(self.actors[&who].clone());
        if category == "0507" {
            const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
            let after = SelfHandleRequest {
                report: r,
                text: "已清理".to_owned(),
                after_photos: vec![PNG.to_vec()],
                ..Default::default()
            };
            let m = scoped.self_handle(after).await.unwrap_or_else(|e| panic!("{who} handles on the spot: {e:?}"));
            self.ids[i] = Some(m.id);
            return;
        }
        let answer = scoped.intake(r).await;
        let answer = answer.unwrap_or_else(|e| panic!("{who} reports through {channel}: {e:?}"));
        self.ids[i] = Some(answer.matter.id);
    }

    async fn stored(&self, id: &str) -> Matter {
        let id = MatterId::parse(id).expect("id");
        self.t.store().matter(&id).await.expect("read").expect("stored")
    }

    /// Another open matter of the same community, still reported or filed.
    async fn merge_target(&self, i: usize) -> Option<String> {
        for (j, id) in self.ids.iter().enumerate() {
            let Some(id) = id else { continue };
            if j != i && j % 3 == i % 3 && !self.stored(id).await.status.state.is_final() {
                return Some(id.clone());
            }
        }
        None
    }

    /// The matter a step acts on.
    fn target(&self, s: &Step) -> usize {
        if s.stay { self.last } else { s.matter % self.ids.len() }
    }

    /// The deadline the matter's clock runs to now, if it runs.
    async fn deadline(&self, i: usize) -> Option<Timestamp> {
        let id = self.ids[i].as_ref()?;
        self.stored(id).await.deadline_at().map(|d| d.timestamp())
    }

    async fn step(&mut self, s: &Step) {
        let i = self.target(s);
        self.last = i;
        let Some(id) = self.ids[i].clone() else {
            return self.report(i, s.alt).await;
        };
        let m = self.stored(&id).await;
        let merge = self.merge_target(i).await;
        let mut allowed = m.status.allowed();
        if merge.is_none() {
            allowed.retain(|k| *k != CommandKind::Merge);
        }
        let Some(kind) = choose(&allowed, s.pick).filter(|_| !(s.pick / 100).is_multiple_of(10)) else {
            self.t.sweep().await.expect("sweep");
            return;
        };
        let (community, _) = COMMUNITIES[i % 3];
        let district = &community[..6];
        let worker_grid = m.general_grid.clone().unwrap_or_else(|| m.grid.clone()).to_string();
        let departments: Vec<&str> = DEPARTMENTS.iter().map(|d| d.0).filter(|d| d.starts_with(district)).collect();
        let reason = json!({"reason": "理由"});
        let args: Vec<Value> = match kind {
            CommandKind::Accept
            | CommandKind::Sign
            | CommandKind::ApproveExtension
            | CommandKind::ApprovePark
            | CommandKind::Resume => vec![json!({})],
            CommandKind::Dispatch => {
                let department = |d: &str| json!({"to": {"kind": "department", "code": d}});
                let chosen = match s.alt % 3 {
                    0 => json!({"to": {"kind": "community"}}),
                    n => department(departments[n % departments.len()]),
                };
                // The community may not take a category on its negative list.
                vec![chosen, department(departments[0])]
            }
            CommandKind::Respond => vec![json!({"text": "已处置"})],
            CommandKind::Verify => vec![json!({"passed": !s.alt.is_multiple_of(3), "note": "现场核查"})],
            CommandKind::Rate => vec![match s.alt % 3 {
                0 => json!({"rating": "satisfied"}),
                1 => json!({"rating": "basically_satisfied"}),
                _ => json!({"rating": "unsatisfied", "reason": "没修好"}),
            }],
            CommandKind::Extend => vec![json!({"hours": 1 + s.alt % 40, "reason": "需采购配件"})],
            CommandKind::Supervise => vec![json!({"note": "请加快办理"})],
            CommandKind::Note => vec![json!({"text": "补充说明"})],
            // Only with the report (see `report`): never a step of its own.
            CommandKind::SelfHandle => unreachable!("self_handle is not among the allowed steps"),
            CommandKind::Merge => vec![json!({"into": merge.clone().expect("a target")})],
            CommandKind::Reject
            | CommandKind::Return
            | CommandKind::Reopen
            | CommandKind::Escalate
            | CommandKind::DenyExtension
            | CommandKind::Park
            | CommandKind::DenyPark
            | CommandKind::Void => vec![reason],
        };
        let cw = format!("cw_{community}");
        let disp = format!("disp_{district}");
        let gw = format!("gw_{worker_grid}");
        let handlers: Vec<String> = departments.iter().map(|d| handler(d)).collect();
        let mut who: Vec<String> = match kind {
            CommandKind::Accept
            | CommandKind::Reject
            | CommandKind::Dispatch
            | CommandKind::Merge
            | CommandKind::Void
            | CommandKind::Escalate => vec![cw, disp],
            CommandKind::Sign
            | CommandKind::Return
            | CommandKind::Respond
            | CommandKind::Extend
            | CommandKind::Park => std::iter::once(cw).chain(handlers).collect(),
            CommandKind::ApproveExtension
            | CommandKind::DenyExtension
            | CommandKind::ApprovePark
            | CommandKind::DenyPark
            | CommandKind::Resume
            | CommandKind::Reopen => vec![disp],
            CommandKind::Verify => vec![gw, cw],
            CommandKind::Rate => vec!["res".to_owned(), disp],
            CommandKind::Supervise => vec!["sup".to_owned()],
            CommandKind::Note => vec![gw, disp],
            CommandKind::SelfHandle => vec![gw],
        };
        if s.alt % 2 == 1 {
            who.reverse();
        }
        for a in &args {
            // The people who may give it here, then the operator (the system) for
            // what nobody may (a rating of a grid worker's own report).
            for actor in who.iter().map(Some).chain([None]) {
                let scoped = match actor {
                    Some(u) => self.t.app().scoped(self.actors[u].clone()),
                    None => self.t.operator().scoped("test"),
                };
                match scoped.command(&id, kind.name(), a.clone()).await {
                    Ok(_) => return,
                    Err(AppError::Forbidden(_) | AppError::NotFound { .. }) => continue,
                    Err(AppError::Invalid { .. }) if kind == CommandKind::Dispatch => break,
                    Err(e) => panic!("{kind} {a} on {id} by {actor:?}: {e:?}"),
                }
            }
        }
        panic!("nobody could {kind} {id} ({:?})", m.status);
    }
}

fn figure_queries() -> Vec<FigureQuery> {
    let mut out = Vec::new();
    for period in ["2026-11", "2026-12", "2026-W49"] {
        let period = Period::parse(period).expect("period");
        for by in UnitKind::ALL {
            out.push(FigureQuery { period, by, within: None, line: None });
        }
        for line in [Line::Safety, Line::Development] {
            out.push(FigureQuery { period, by: UnitKind::District, within: None, line: Some(line) });
            out.push(FigureQuery { period, by: UnitKind::Department, within: None, line: Some(line) });
        }
    }
    out
}

async fn random_timeline(matters: usize, start: i64, steps: &[Step], tail: i64) {
    // From Thursday 2026-11-26 08:00 plus up to four days: runs cross November's end.
    let mut now = at(11, 26, 8, 0).checked_add(jiff::SignedDuration::from_mins(start)).expect("time");
    let mut w = World::new(now, matters).await;
    for s in steps {
        now = match w.deadline(w.target(s)).await {
            Some(deadline) if s.exact && deadline > now => deadline,
            _ => now.checked_add(jiff::SignedDuration::from_mins(s.minutes)).expect("time"),
        };
        w.clock.set(now);
        w.step(s).await;
    }
    // Look a while later (entries at `now` itself would not be seen yet).
    now = now.checked_add(jiff::SignedDuration::from_mins(tail)).expect("time");
    w.clock.set(now);
    let sup = w.actors["sup"].clone();
    let rows = parse_export(&export(&w.t, Some(&sup), None, None).await);
    for q in figure_queries() {
        compare(&w.t, &sup, &rows, &q, now, &format!("now {now}")).await;
    }
    // Callers with a narrower scope export and count only their matters: a
    // district's dispatcher, a community worker, a department's handler.
    for who in ["disp_510105", "cw_510104017001", "dh_510104_shuiwu"] {
        let them = w.actors[who].clone();
        let theirs = parse_export(&export(&w.t, Some(&them), None, None).await);
        assert!(theirs.len() <= rows.len());
        for q in figure_queries().into_iter().filter(|q| q.line.is_none()) {
            compare(&w.t, &them, &theirs, &q, now, &format!("now {now}, as {who}")).await;
        }
    }
    // `within` narrows the export and the figures alike (a town of 锦江区 here).
    let town = DivisionCode::parse("510104017").expect("town");
    let inside = parse_export(&export_within(&w.t, Some(&sup), None, None, Some(town.clone())).await);
    assert!(inside.iter().all(|(_, r)| r[0].town == "510104017"));
    for q in figure_queries().into_iter().filter(|q| q.line.is_none()) {
        let q = FigureQuery { within: Some(town.clone()), ..q };
        compare(&w.t, &sup, &inside, &q, now, &format!("now {now}, within {town}")).await;
    }
    // What docs/timeline-export.md promises: the export `--from` a period's
    // start `--to` its end (or now) is enough to recompute that period.
    for period in ["2026-11", "2026-12", "2026-W49"] {
        let period = Period::parse(period).expect("period");
        let (start, end) = period.bounds();
        let to = end.min(Micros::from(now));
        let part = parse_export(&export(&w.t, Some(&sup), Some(start), Some(to)).await);
        for q in figure_queries().into_iter().filter(|q| q.period == period) {
            compare(&w.t, &sup, &part, &q, now, &format!("now {now}, export of {period} only")).await;
        }
    }
    check_replay(&w.t, &rows).await;
}

proptest! {
    #![proptest_config(ProptestConfig {
        // FIGURES_CASES=500 for a longer search.
        cases: std::env::var("FIGURES_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(8),
        failure_persistence: None,
        max_shrink_iters: 24,
        ..ProptestConfig::default()
    })]
    #[test]
    fn a_naive_reading_of_the_export_gives_the_apis_figures(
        matters in 4usize..11,
        start in 0i64..(4 * 24 * 60),
        steps in proptest::collection::vec(arb_step(), 60..140),
        tail in 1i64..(3 * 24 * 60),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(random_timeline(matters, start, &steps, tail));
    }
}
