//! The figures, computed from record-export rows exactly as docs/indicators.md
//! defines them. The engine hands out contributions (to a unit, a key, from
//! an entry); [`Tallies`] sums them, a drill-down keeps the entries.

use std::collections::BTreeMap;

use super::record::{Holder, TimelineRow};
use super::{Key, Measure, UnitKind};
use crate::Line;
use crate::grid::GridCode;
use crate::instant::Micros;
use crate::matter::{Channel, CommandKind, EventKind, MatterState, Rating};
use crate::timing::Stage;

/// What to compute.
pub struct Params<'a> {
    /// The period `[start, end)`.
    pub start: Micros,
    pub end: Micros,
    /// Entries at or after this are not seen (the period's end, or now).
    pub as_of: Micros,
    pub by: UnitKind,
    /// The weight of `basically_satisfied` in the satisfaction rate.
    pub k: f64,
    /// Only matters of this line (a matter of both lines counts in each).
    pub line: Option<Line>,
    /// The grid workers of a grid at an instant (for `by = worker`).
    pub workers: &'a (dyn Fn(&GridCode, Micros) -> Vec<String> + Sync),
}

impl std::fmt::Debug for Params<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Params")
            .field("start", &self.start)
            .field("end", &self.end)
            .field("as_of", &self.as_of)
            .field("by", &self.by)
            .field("k", &self.k)
            .field("line", &self.line)
            .finish_non_exhaustive()
    }
}

/// A numerator and a denominator.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    pub numerator: f64,
    pub denominator: f64,
}

impl Tally {
    pub fn value(&self) -> Option<f64> {
        (self.denominator > 0.0).then(|| self.numerator / self.denominator)
    }
}

/// One contribution to a unit's figure, and the entry behind it.
#[derive(Debug, Clone)]
pub struct Attribution<'r> {
    pub unit: String,
    pub key: Key,
    pub row: &'r TimelineRow,
    pub numerator: f64,
    pub denominator: f64,
}

/// Figures per unit code.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tallies(pub BTreeMap<String, BTreeMap<Key, Tally>>);

impl Tallies {
    pub fn add(&mut self, a: &Attribution<'_>) {
        let t = self.0.entry(a.unit.clone()).or_default().entry(a.key).or_default();
        t.numerator += a.numerator;
        t.denominator += a.denominator;
    }

    /// Every key of every unit listed, counts with denominator 1.
    pub fn finished(mut self, units: impl IntoIterator<Item = String>) -> Tallies {
        for u in units {
            self.0.entry(u).or_default();
        }
        for figures in self.0.values_mut() {
            for key in Key::ALL {
                let t = figures.entry(*key).or_default();
                if key.definition().measure == Measure::Count {
                    t.denominator = 1.0;
                }
                // Sums of k-weighted ratings carry float noise (57.5999…).
                t.numerator = (t.numerator * 1e9).round() / 1e9;
            }
        }
        self
    }
}

/// A clock run: consecutive entries with one stage (parked entries pause it).
struct Run {
    stage: Stage,
    entries: Vec<usize>,
    /// The entry that ended it, if any.
    ended_by: Option<usize>,
}

fn runs(rows: &[&TimelineRow]) -> Vec<Run> {
    let mut out = Vec::new();
    let mut current: Option<Run> = None;
    for (i, r) in rows.iter().enumerate() {
        if r.to_state == MatterState::Parked && r.stage.is_none() {
            if let Some(c) = &mut current {
                c.entries.push(i);
            }
            continue;
        }
        match (r.stage, &mut current) {
            (Some(s), Some(c)) if c.stage == s => c.entries.push(i),
            _ => {
                if let Some(mut c) = current.take() {
                    c.ended_by = Some(i);
                    out.push(c);
                }
                current = r.stage.map(|stage| Run { stage, entries: vec![i], ended_by: None });
            }
        }
    }
    out.extend(current);
    out
}

fn is(r: &TimelineRow, kind: CommandKind) -> bool {
    r.command == EventKind::Command(kind)
}

/// Every contribution of these matters' entries (each matter's rows in
/// timeline order) to the figures of `p`.
pub fn compute<'r>(
    matters: impl IntoIterator<Item = &'r [TimelineRow]>,
    p: &Params<'_>,
    sink: &mut dyn FnMut(Attribution<'r>),
) {
    for rows in matters {
        matter(rows, p, sink);
    }
}

fn matter<'r>(all: &'r [TimelineRow], p: &Params<'_>, sink: &mut dyn FnMut(Attribution<'r>)) {
    let Some(first) = all.first() else { return };
    if let Some(line) = p.line
        && first.line != line
        && first.line != Line::Both
    {
        return;
    }
    let rows: Vec<&'r TimelineRow> = all.iter().filter(|r| r.at < p.as_of).collect();
    let in_period = |t: Micros| t >= p.start && t < p.end;
    contributions(&rows, p.as_of, &mut |c| {
        if !in_period(c.at) {
            return;
        }
        for unit in units_of(p, first, c.holder, c.at) {
            let numerator = c.numerator + p.k * c.numerator_k;
            sink(Attribution { unit, key: c.key, row: c.row, numerator, denominator: c.denominator });
        }
    });
}

/// Which units a contribution goes to: the matter's place, or who held it.
fn units_of(p: &Params<'_>, first: &TimelineRow, holder: Option<&Holder>, at: Micros) -> Vec<String> {
    let places = &first.places;
    match (p.by, holder) {
        (UnitKind::District, _) => vec![places.district.significant().to_owned()],
        (UnitKind::Town, _) => vec![places.town.significant().to_owned()],
        (UnitKind::Community, _) => vec![places.community.significant().to_owned()],
        (UnitKind::Grid, _) => vec![places.grid.to_string()],
        (UnitKind::Department, Some(Holder::Department(d))) => vec![d.to_string()],
        (UnitKind::Worker, Some(Holder::Grid(g))) => (p.workers)(g, at),
        _ => Vec::new(),
    }
}

/// One contribution of a matter's entries, before periods and units.
pub(super) struct Contribution<'r> {
    pub key: Key,
    /// The entry behind it.
    pub row: &'r TimelineRow,
    /// The unit it goes to when units are holders (none: places only).
    pub holder: Option<&'r Holder>,
    /// The instant that puts it in a period.
    pub at: Micros,
    /// The instant from which it holds: a figure as of `t` counts it only
    /// when `known_at < t` (later than `at` only for 办结率's numerator).
    pub known_at: Micros,
    pub numerator: f64,
    /// Numerator to be weighed by k (基本满意).
    pub numerator_k: f64,
    pub denominator: f64,
}

/// Every contribution of one matter's entries (`rows`: in timeline order,
/// those before `as_of`; `as_of` ends the last deadline's watch).
pub(super) fn contributions<'r>(rows: &[&'r TimelineRow], as_of: Micros, sink: &mut dyn FnMut(Contribution<'r>)) {
    // The unit that held the matter before entry i (after the entry before).
    let before = |i: usize| if i == 0 { None } else { rows[i - 1].holder.as_ref() };
    // The department whose response the entry i judges: the holder when it responded.
    let responder = |i: usize| {
        rows[..i]
            .iter()
            .rposition(|r| is(r, CommandKind::Respond))
            .and_then(before)
            .filter(|h| matches!(h, Holder::Department(_)))
    };
    for (i, r) in rows.iter().enumerate() {
        match r.command {
            EventKind::Report => {
                sink(plain(Key::Reported, r, None, r.at, 1.0, 0.0));
                let proactive = if r.channel == Channel::GridWorker { 1.0 } else { 0.0 };
                sink(plain(Key::ProactiveShare, r, None, r.at, proactive, 1.0));
            }
            EventKind::Command(CommandKind::Accept) => sink(plain(Key::Filed, r, before(i), r.at, 1.0, 0.0)),
            EventKind::Command(CommandKind::Verify) => {
                let passed = r.passed == Some(true);
                let judged = responder(i);
                if passed {
                    sink(plain(Key::Closed, r, judged, r.at, 1.0, 0.0));
                }
                sink(plain(Key::ReworkRate, r, judged, r.at, if passed { 0.0 } else { 1.0 }, 1.0));
            }
            // Handled and closed on the spot by the grid worker who reported
            // it: closed, with no department's response to judge (so no
            // 返工率 entry: nothing was sent back for rework).
            EventKind::Command(CommandKind::SelfHandle) => sink(plain(Key::Closed, r, None, r.at, 1.0, 0.0)),
            EventKind::Command(CommandKind::Rate) => {
                let (num, num_k) = match r.rating {
                    Some(Rating::Satisfied) => (1.0, 0.0),
                    Some(Rating::BasicallySatisfied) => (0.0, 1.0),
                    _ => (0.0, 0.0),
                };
                let c = plain(Key::SatisfactionRate, r, responder(i), r.at, num, 1.0);
                sink(Contribution { numerator_k: num_k, ..c });
            }
            EventKind::Command(CommandKind::Supervise) => sink(plain(Key::Supervised, r, before(i), r.at, 1.0, 0.0)),
            _ => {}
        }
    }
    // 办结率: of the matters reported in P, those verified (or handled on
    // the spot, 自行处置) by as_of.
    if let Some(report) = rows.first().filter(|r| r.command == EventKind::Report) {
        sink(plain(Key::ClosureRate, report, None, report.at, 0.0, 1.0));
        let closes = |r: &&&TimelineRow| {
            (is(r, CommandKind::Verify) && r.passed == Some(true)) || is(r, CommandKind::SelfHandle)
        };
        if let Some(verified) = rows.iter().find(closes) {
            let c = plain(Key::ClosureRate, report, None, report.at, 1.0, 0.0);
            sink(Contribution { known_at: verified.at, ..c });
        }
    }
    for run in runs(rows) {
        let next = |i: usize| rows.get(i + 1).map_or(as_of, |r| r.at);
        // Missed at the first deadline the time passed; else met when it ended.
        let missed = run.entries.iter().find_map(|&j| rows[j].deadline_at.filter(|d| next(j) > *d));
        let (decided, met) = match (missed, run.ended_by) {
            (Some(d), _) => (d, false),
            (None, Some(k)) => (rows[k].at, true),
            (None, None) => continue,
        };
        let last = run.entries.iter().rev().find(|&&j| rows[j].at <= decided).or(run.entries.first()).copied();
        let Some(last) = last else { continue };
        let row = rows[last];
        let holder = row.holder.as_ref();
        let key = match run.stage {
            Stage::Sign => Some(Key::OnTimeSignRate),
            Stage::Handle => Some(Key::OnTimeHandlingRate),
            Stage::Verify => Some(Key::OnTimeVerifyRate),
            Stage::Accept | Stage::Dispatch => None,
        };
        if let Some(key) = key {
            sink(plain(key, row, holder, decided, if met { 1.0 } else { 0.0 }, 1.0));
        }
        if !met {
            sink(plain(Key::Overdue, row, holder, decided, 1.0, 0.0));
        }
    }
}

/// A contribution that holds from the instant it counts at.
fn plain<'r>(
    key: Key,
    row: &'r TimelineRow,
    holder: Option<&'r Holder>,
    at: Micros,
    num: f64,
    den: f64,
) -> Contribution<'r> {
    Contribution { key, row, holder, at, known_at: at, numerator: num, numerator_k: 0.0, denominator: den }
}
