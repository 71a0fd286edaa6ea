//! The roll-ups of the kept parts: after random replacements of random
//! matters' parts, every sum equals the sum of the latest parts taken one by
//! one — whole months and quarters as of a month's start or of any instant
//! (read from the roll-ups), days (read from the parts), by every unit (grid
//! workers by the grid that held the matter), line and place filter — and
//! once every part is gone no roll-up row is left.

use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use shanzhi_domain::indicators::parts::{MatterParts, Part, unit_of};
use shanzhi_domain::indicators::{Key, Measure, Period, Places, UnitKind};
use shanzhi_domain::{DepartmentCode, DivisionCode, GridCode, Line, Micros};

use super::matters::{create, id, matter, setup};
use crate::{PartQuery, Store};

const GRIDS: [&str; 4] = ["510104022006001", "510104022006002", "510104017001001", "510105002001001"];
const MATTERS: usize = 5;
/// 2026-10-01 00:00 in Beijing, and the span parts fall in (into February).
const OCTOBER: i64 = 1_790_784_000_000_000;
const SPAN: i64 = 130 * 86_400_000_000;

fn places(grid: &str) -> Places {
    let grid = GridCode::parse(grid).expect("grid");
    let community = grid.community();
    let up = |n: usize| DivisionCode::parse(&community.significant()[..n]).expect("code");
    Places { district: up(6), town: up(9), community: community.clone(), grid: grid.clone(), worker_grid: grid }
}

fn arb_part() -> impl Strategy<Value = Part> {
    // Held by a department, by a grid (whose workers it goes to) or by neither.
    let holder = prop_oneof![
        Just((None, None)),
        Just((Some("510104-chengguan"), None)),
        Just((Some("510105-shuiwu"), None)),
        (0..GRIDS.len()).prop_map(|g| (None, Some(GRIDS[g]))),
    ];
    let when = (0..SPAN, prop_oneof![Just(0i64), 0..40 * 86_400_000_000i64]);
    (0..Key::ALL.len(), when, 0..2u8, 0..2u8, 0..2u8, holder).prop_map(
        |(key, (at, later), num, num_k, den, (department, grid))| {
            // As the store takes them: a count has no denominator, only
            // 满意率 a k-weighted numerator, and a part counts something.
            let key = Key::ALL[key];
            let num_k = if key.weighted_by_k() { num_k } else { 0 };
            let den = if key.definition().measure == Measure::Rate { den } else { 0 };
            let num = if (num, num_k, den) == (0, 0, 0) { 1 } else { num };
            Part {
                key,
                at: Micros::new(OCTOBER + at),
                known_at: Micros::new(OCTOBER + at + later),
                numerator: f64::from(num),
                numerator_k: f64::from(num_k),
                denominator: f64::from(den),
                department: department.map(|d| DepartmentCode::parse(d).expect("department")),
                grid: grid.map(|g| GridCode::parse(g).expect("grid")),
            }
        },
    )
}

/// A replacement: matter i gets these parts (or none).
fn arb_replacement() -> impl Strategy<Value = (usize, Option<MatterParts>)> {
    let line = prop_oneof![Just(Line::Development), Just(Line::Safety), Just(Line::Both)];
    let parts = (line, 0..GRIDS.len(), proptest::collection::vec(arb_part(), 0..8))
        .prop_map(|(line, g, parts)| MatterParts { line, places: places(GRIDS[g]), parts });
    (0..MATTERS, proptest::option::weighted(0.85, parts))
}

type Sums = BTreeMap<(String, Key), (f64, f64, f64)>;

/// The sums of `q`, part by part.
fn expected(kept: &BTreeMap<usize, MatterParts>, q: &PartQuery) -> Sums {
    let mut out = Sums::new();
    for m in kept.values() {
        let community = m.places.community.significant();
        let under = |d: &DivisionCode| community.starts_with(d.significant());
        let line = q.line.is_none_or(|l| m.line == l || m.line == Line::Both);
        if !line || !q.within.as_ref().is_none_or(under) || !(q.scope.is_empty() || q.scope.iter().any(under)) {
            continue;
        }
        for p in &m.parts {
            let Some(unit) = unit_of(q.by, &m.places, p) else { continue };
            if p.at >= q.start && p.at < q.end && p.known_at < q.as_of {
                let s = out.entry((unit, p.key)).or_default();
                *s = (s.0 + p.numerator, s.1 + p.numerator_k, s.2 + p.denominator);
            }
        }
    }
    out
}

fn queries() -> Vec<PartQuery> {
    let code = |c: &str| DivisionCode::parse(c).expect("code");
    let mut out = Vec::new();
    for period in ["2026-11", "2026-Q4", "2026-12", "2026-11-30"] {
        let (start, end) = Period::parse(period).expect("period").bounds();
        let mid = Micros::new(start.get() + 9 * 86_400_000_000 + 1_234);
        let december = Period::parse("2026-12").expect("month").bounds().0;
        for as_of in [end, mid, Micros::new(end.get() - 1), december] {
            for by in UnitKind::ALL {
                let q = PartQuery { by, start, end, as_of, line: None, within: None, scope: Vec::new() };
                out.push(PartQuery { line: Some(Line::Safety), ..q.clone() });
                out.push(PartQuery { within: Some(code("510104")), ..q.clone() });
                out.push(PartQuery { within: Some(code("510104022")), ..q.clone() });
                out.push(PartQuery { scope: vec![code("510104022006"), code("510105")], ..q.clone() });
                out.push(q);
            }
        }
    }
    out
}

pub async fn rolled_up_sums_equal_the_parts_after_random_replacements(store: &dyn Store) {
    setup(store).await;
    for i in 0..MATTERS {
        create(store, &matter(&format!("r{i}"), GRIDS[i % GRIDS.len()], 10, "井盖破损"), None).await;
    }
    let mut runner = TestRunner::deterministic();
    let rounds = proptest::collection::vec(proptest::collection::vec(arb_replacement(), 1..4), 3..6);
    for case in 0..3 {
        let rounds = rounds.new_tree(&mut runner).expect("case").current();
        let mut kept: BTreeMap<usize, MatterParts> = BTreeMap::new();
        for (round, batch) in rounds.iter().enumerate() {
            // Each matter once a batch, as a refresh reads it.
            let batch: BTreeMap<usize, Option<MatterParts>> = batch.iter().cloned().collect();
            // Seq 0: the report's stale mark stays, so each matter can be replaced again.
            let puts: Vec<_> = batch.iter().map(|(i, p)| (id(&format!("r{i}")), 0, p.clone())).collect();
            store.put_figure_parts(&puts).await.expect("put");
            for (i, p) in &batch {
                match p {
                    Some(p) => kept.insert(*i, p.clone()),
                    None => kept.remove(i),
                };
            }
            for q in queries() {
                let mut got = Sums::new();
                for s in store.sum_figure_parts(&q).await.expect("sum") {
                    assert!(got.insert((s.unit, s.key), (s.numerator, s.numerator_k, s.denominator)).is_none());
                }
                assert_eq!(got, expected(&kept, &q), "case {case} round {round}: {q:?}");
            }
        }
        let gone: Vec<_> = (0..MATTERS).map(|i| (id(&format!("r{i}")), 0, None)).collect();
        store.put_figure_parts(&gone).await.expect("put");
        assert_eq!(store.count_figure_rollups().await.expect("count"), 0, "case {case}: no part, no roll-up row");
    }
}

/// Random parts for a few matters, kept (for a migration to carry over).
pub async fn rolled_up_parts_to_migrate(store: &dyn Store) {
    setup(store).await;
    let mut runner = TestRunner::deterministic();
    let batch = proptest::collection::vec(arb_replacement(), 8..12).new_tree(&mut runner).expect("parts").current();
    for i in 0..MATTERS {
        create(store, &matter(&format!("r{i}"), GRIDS[i % GRIDS.len()], 10, "井盖破损"), None).await;
    }
    let batch: BTreeMap<usize, Option<MatterParts>> = batch.into_iter().collect();
    let puts: Vec<_> = batch.iter().map(|(i, p)| (id(&format!("r{i}")), 0, p.clone())).collect();
    store.put_figure_parts(&puts).await.expect("put");
}

/// Every query's sums, in one comparable list.
pub async fn rolled_up_sums_of_every_query(store: &dyn Store) -> Vec<(usize, String, Key, f64, f64, f64)> {
    let mut out = Vec::new();
    for (n, q) in queries().iter().enumerate() {
        for s in store.sum_figure_parts(q).await.expect("sum") {
            out.push((n, s.unit, s.key, s.numerator, s.numerator_k, s.denominator));
        }
    }
    out.sort_by(|a, b| (a.0, &a.1, a.2).cmp(&(b.0, &b.1, b.2)));
    out
}

/// SQL that turns a migrated store's roll-ups back into those of migration
/// 0013 (a row per key), rebuilt from the rows by unit, with 0032 not yet
/// applied: a store as it was before, for the migration to carry over.
/// `int`: the engine's integer type; `table_options`: after the table;
/// `free_key`: what frees the old primary key's name (PostgreSQL's index).
pub fn rollups_back_to_0031(int: &str, table_options: &str, free_key: &str) -> String {
    let per_key: Vec<String> = Key::ALL
        .iter()
        .map(|k| {
            let k = k.as_str();
            format!(
                "SELECT level, month, known_month, place, district, town, unit, '{k}', line, \
                 {k}_n, {k}_nk, {k}_d, {k}_p FROM wide WHERE line <> 'all' AND {k}_p > 0"
            )
        })
        .collect();
    format!(
        "DROP INDEX figure_rollups_empty;
         ALTER TABLE figure_rollups RENAME TO wide;
         {free_key}
         CREATE TABLE figure_rollups (
             level TEXT NOT NULL, month {int} NOT NULL, known_month {int} NOT NULL, place TEXT NOT NULL,
             district TEXT NOT NULL, town TEXT NOT NULL, unit TEXT NOT NULL, key TEXT NOT NULL, line TEXT NOT NULL,
             numerator {int} NOT NULL, numerator_k {int} NOT NULL, denominator {int} NOT NULL, parts {int} NOT NULL,
             PRIMARY KEY (level, month, known_month, place, district, town, unit, key, line)
         ){table_options};
         CREATE INDEX figure_rollups_empty ON figure_rollups (level) WHERE parts = 0;
         INSERT INTO figure_rollups {};
         DROP TABLE wide;
         DELETE FROM _sqlx_migrations WHERE version = 32;",
        per_key.join(" UNION ALL ")
    )
}
