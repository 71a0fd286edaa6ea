//! The roll-ups (migrations 0013, 0032): the parts summed ahead by unit,
//! month of `at`, month of `known_at` and line, one column per figure key,
//! with a row of every line together (`all`), changed in the same
//! transaction as the parts they sum, so that a month's figures read about
//! one row per unit instead of every part of the month. Counts are whole
//! numbers, kept as integers, so that taking a matter's old parts away is
//! exact.
//!
//! A sum over roll-ups is the sum over the raw parts when
//! - the period is whole months (`at` in it ⟺ its month is),
//! - `as_of` is a month's start (`known_at < as_of` ⟺ its month is before),
//!   or else to the months before `as_of`'s are added its parts known before
//!   `as_of`, or from all months up to `as_of`'s are taken its parts known
//!   from `as_of` on (deadlines still ahead), whichever are fewer,
//! - every place filter (`within`, the scope) is a code no longer than the
//!   digits of the community code the level keeps (`place`): a matter's
//!   community starts with such a code exactly when its `place` does.

use std::collections::BTreeMap;

use shanzhi_domain::Micros;
use shanzhi_domain::indicators::parts::{MatterParts, Part};
use shanzhi_domain::indicators::{Key, Measure, UnitKind, month_number, month_start};
use shanzhi_store::{PartQuery, StoreError, StoreResult};
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};
use sqlx::QueryBuilder;

use crate::map_err;

/// Roll-up rows per statement (57 binds each).
const CHUNK: usize = 200;

/// The figure keys, in the order of their columns.
pub(super) const KEYS: usize = Key::ALL.len();

/// The four columns of one key: numerator, numerator_k, denominator, parts.
pub(super) fn key_columns(key: Key) -> [String; 4] {
    let k = key.as_str();
    [format!("{k}_n"), format!("{k}_nk"), format!("{k}_d"), format!("{k}_p")]
}

/// Every key's columns, in `Key::ALL` order.
pub(super) fn all_key_columns() -> Vec<String> {
    Key::ALL.iter().flat_map(|k| key_columns(*k)).collect()
}

/// A column of a key that a sum reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    Numerator,
    NumeratorK,
    Denominator,
}

/// The columns a sum reads, with their key's place in `Key::ALL`: every
/// numerator, the k-weighted one only of 满意率, the denominator only of a
/// rate (a count's parts have none), and no key's parts (every part has a
/// numerator or a denominator that is not 0, so a key with parts has a sum
/// that is not 0). Twenty columns of forty-eight: summing a month of a
/// city's grids costs per column (`parts_of` asserts what this rests on).
pub(super) fn summed_columns() -> &'static [(usize, Field, String)] {
    static COLUMNS: std::sync::LazyLock<Vec<(usize, Field, String)>> = std::sync::LazyLock::new(|| {
        let mut out = Vec::new();
        for (i, key) in Key::ALL.iter().enumerate() {
            let [n, nk, d, _] = key_columns(*key);
            out.push((i, Field::Numerator, n));
            if key.weighted_by_k() {
                out.push((i, Field::NumeratorK, nk));
            }
            if key.definition().measure == Measure::Rate {
                out.push((i, Field::Denominator, d));
            }
        }
        out
    });
    &COLUMNS
}

/// The line of the rows that sum every line.
pub(super) const ALL_LINES: &str = "all";

/// What roll-up rows are summed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Level {
    District,
    Town,
    Community,
    Grid,
    Department,
    /// The grid that held the matter (migration 0018): by grid workers.
    HolderGrid,
}

impl Level {
    const ALL: [Level; 6] =
        [Level::District, Level::Town, Level::Community, Level::Grid, Level::Department, Level::HolderGrid];

    pub(super) fn as_str(self) -> &'static str {
        match self {
            Level::District => "district",
            Level::Town => "town",
            Level::Community => "community",
            Level::Grid => "grid",
            Level::Department => "department",
            Level::HolderGrid => "holder_grid",
        }
    }

    /// Digits of the community code its rows keep to be filtered by.
    fn place_digits(self) -> usize {
        match self {
            Level::District | Level::Department => 6,
            Level::Town => 9,
            // A holder grid lies in its matter's community: 12 digits add no rows.
            Level::Community | Level::Grid | Level::HolderGrid => 12,
        }
    }
}

/// One part as `figure_parts` keeps it.
#[derive(Debug, Clone, SqlRow)]
pub(super) struct PartRow {
    pub key: String,
    pub at: i64,
    pub known_at: i64,
    pub numerator: f64,
    pub numerator_k: f64,
    pub denominator: f64,
    pub line: String,
    pub district: String,
    pub town: String,
    pub community: String,
    pub grid: String,
    pub department: Option<String>,
    pub holder_grid: Option<String>,
}

impl PartRow {
    pub(super) fn of(m: &MatterParts, p: &Part) -> PartRow {
        PartRow {
            key: p.key.as_str().to_owned(),
            at: p.at.get(),
            known_at: p.known_at.get(),
            numerator: p.numerator,
            numerator_k: p.numerator_k,
            denominator: p.denominator,
            line: m.line.as_str().to_owned(),
            district: m.places.district.significant().to_owned(),
            town: m.places.town.significant().to_owned(),
            community: m.places.community.significant().to_owned(),
            grid: m.places.grid.to_string(),
            department: p.department.as_ref().map(ToString::to_string),
            holder_grid: p.grid.as_ref().map(ToString::to_string),
        }
    }
}

/// A roll-up row's key (the table's primary key, in its order). `district`
/// and `town` are the matter's (empty on department and holder grid rows),
/// for units coarser than the level; `line` is the matter's, or `all`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct RollupKey {
    pub level: Level,
    pub line: String,
    pub month: i64,
    pub known_month: i64,
    pub place: String,
    pub district: String,
    pub town: String,
    pub unit: String,
}

/// A roll-up row's sums, or a change to them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Counts {
    pub numerator: i64,
    pub numerator_k: i64,
    pub denominator: i64,
    /// How many parts: a unit is answered when one of its parts counts.
    pub parts: i64,
}

impl Counts {
    pub(super) fn add(&mut self, other: Counts, sign: i64) {
        self.numerator += sign * other.numerator;
        self.numerator_k += sign * other.numerator_k;
        self.denominator += sign * other.denominator;
        self.parts += sign * other.parts;
    }

    pub(super) fn is_zero(&self) -> bool {
        *self == Counts::default()
    }
}

/// A count held in a REAL column, as an integer; anything else would make
/// the roll-ups inexact.
pub(super) fn whole(v: f64) -> StoreResult<i64> {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        Ok(v as i64)
    } else {
        Err(StoreError::Constraint(format!("a figure part of {v} is not a whole count")))
    }
}

impl Counts {
    pub(super) fn of_sums(numerator: f64, numerator_k: f64, denominator: f64, parts: i64) -> StoreResult<Counts> {
        Ok(Counts {
            numerator: whole(numerator)?,
            numerator_k: whole(numerator_k)?,
            denominator: whole(denominator)?,
            parts,
        })
    }
}

/// One roll-up row's sums (or a change to them), by key in `Key::ALL` order.
pub(super) type Row = [Counts; KEYS];

fn key_index(key: &str) -> StoreResult<usize> {
    let key: Key = key.parse().map_err(|e: shanzhi_domain::text::Bilingual| StoreError::corrupt(e.en))?;
    Ok(key_position(key))
}

/// A key's place in `Key::ALL`, which is that of its columns.
pub(super) fn key_position(key: Key) -> usize {
    Key::ALL.iter().position(|k| *k == key).expect("every key is in Key::ALL")
}

/// A part the sums can hold exactly (see `summed_columns`), or the reason
/// it cannot: a count with a denominator, a k-weighted numerator of a key
/// other than 满意率, or nothing at all.
pub(super) fn summable(p: &Part) -> StoreResult<()> {
    let refuse = |why: &str| Err(StoreError::Constraint(format!("a figure part of {} {why}", p.key.as_str())));
    if p.key.definition().measure == Measure::Count && p.denominator != 0.0 {
        return refuse("is a count and has no denominator");
    }
    if !p.key.weighted_by_k() && p.numerator_k != 0.0 {
        return refuse("has no numerator weighed by k");
    }
    if (p.numerator, p.numerator_k, p.denominator) == (0.0, 0.0, 0.0) {
        return refuse("counts nothing");
    }
    Ok(())
}

/// The changes to roll-up rows that replacing parts makes.
#[derive(Debug, Default)]
pub(super) struct Deltas(BTreeMap<RollupKey, Row>);

impl Deltas {
    /// Count a part in (`sign` 1) or out (−1) of every level's row.
    pub(super) fn add(&mut self, p: &PartRow, sign: i64) -> StoreResult<()> {
        let counts = Counts::of_sums(p.numerator, p.numerator_k, p.denominator, 1)?;
        let index = key_index(&p.key)?;
        let (month, known_month) = (month_number(Micros::new(p.at)), month_number(Micros::new(p.known_at)));
        for level in Level::ALL {
            let unit = match level {
                Level::District => &p.district,
                Level::Town => &p.town,
                Level::Community => &p.community,
                Level::Grid => &p.grid,
                Level::Department => match &p.department {
                    Some(d) => d,
                    None => continue,
                },
                Level::HolderGrid => match &p.holder_grid {
                    Some(g) => g,
                    None => continue,
                },
            };
            let places = !matches!(level, Level::Department | Level::HolderGrid);
            let key = RollupKey {
                level,
                month,
                known_month,
                place: p.community.chars().take(level.place_digits()).collect(),
                district: if places { p.district.clone() } else { String::new() },
                town: if places { p.town.clone() } else { String::new() },
                unit: unit.clone(),
                line: p.line.clone(),
            };
            let every_line = RollupKey { line: ALL_LINES.to_owned(), ..key.clone() };
            for row in [key, every_line] {
                self.0.entry(row).or_insert_with(|| [Counts::default(); KEYS])[index].add(counts, sign);
            }
        }
        Ok(())
    }

    /// The rows that change, in key order (writers lock them in one order).
    pub(super) fn changes(self) -> Vec<(RollupKey, Row)> {
        self.0.into_iter().filter(|(_, r)| r.iter().any(|c| !c.is_zero())).collect()
    }
}

/// How a sum is read from the roll-ups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Plan {
    pub level: Level,
    /// The column holding the unit asked for.
    pub unit_column: &'static str,
    /// Months of `at`: `[from, to)`.
    pub months: (i64, i64),
    /// Months of `known_at` before this one (when `as_of` is its start).
    pub known_before: i64,
    /// The month `as_of` is in, when it is not its start.
    pub edge: Option<Edge>,
}

/// A month `as_of` falls inside: month `month`, `[start, next)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Edge {
    pub month: i64,
    pub start: Micros,
    pub as_of: Micros,
    pub next: Micros,
}

/// The roll-up rows that give exactly the sums of `q`'s parts, if any do.
pub(super) fn plan(q: &PartQuery) -> Option<Plan> {
    let month_of = |t: Micros| Some(month_number(t)).filter(|n| month_start(*n) == t);
    let months = (month_of(q.start)?, month_of(q.end)?);
    let longest = q.within.iter().chain(&q.scope).map(|d| d.significant().len()).max().unwrap_or(0);
    let candidates: &[(Level, &'static str)] = match q.by {
        UnitKind::District => &[
            (Level::District, "unit"),
            (Level::Town, "district"),
            (Level::Community, "district"),
            (Level::Grid, "district"),
        ],
        UnitKind::Town => &[(Level::Town, "unit"), (Level::Community, "town"), (Level::Grid, "town")],
        // A grid row's place is its community's code, whole.
        UnitKind::Community => &[(Level::Community, "unit"), (Level::Grid, "place")],
        UnitKind::Grid => &[(Level::Grid, "unit")],
        UnitKind::Department => &[(Level::Department, "unit")],
        // The holder grid: the app credits its sums to the grid's workers.
        UnitKind::Worker => &[(Level::HolderGrid, "unit")],
    };
    let (level, unit_column) = candidates.iter().copied().find(|(l, _)| l.place_digits() >= longest)?;
    let n = month_number(q.as_of);
    let edge = (month_start(n) != q.as_of).then(|| Edge {
        month: n,
        start: month_start(n),
        as_of: q.as_of,
        next: month_start(n + 1),
    });
    Some(Plan { level, unit_column, months, known_before: n, edge })
}

/// Write `changes` to the roll-ups (in the caller's transaction) and drop
/// the rows no part counts in any more.
#[sql_bounds]
pub(super) async fn apply<DB>(conn: &mut DB::Connection, changes: Vec<(RollupKey, Row)>) -> StoreResult<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let columns = all_key_columns();
    let sums: Vec<String> = columns
        .iter()
        .chain([&"parts".to_owned()])
        .map(|c| format!("{c} = figure_rollups.{c} + excluded.{c}"))
        .collect();
    let insert = format!(
        "INSERT INTO figure_rollups (level, month, known_month, place, district, town, unit, line, {}, parts) ",
        columns.join(", ")
    );
    let upsert = format!(
        " ON CONFLICT (level, line, month, known_month, place, district, town, unit) DO UPDATE SET {}",
        sums.join(", ")
    );
    for chunk in changes.chunks(CHUNK) {
        let mut q = QueryBuilder::<DB>::new(&insert);
        q.push_values(chunk, |mut v, (k, row)| {
            v.push_bind(k.level.as_str().to_owned())
                .push_bind(k.month)
                .push_bind(k.known_month)
                .push_bind(k.place.clone())
                .push_bind(k.district.clone())
                .push_bind(k.town.clone())
                .push_bind(k.unit.clone())
                .push_bind(k.line.clone());
            for c in row {
                v.push_bind(c.numerator).push_bind(c.numerator_k).push_bind(c.denominator).push_bind(c.parts);
            }
            v.push_bind(row.iter().map(|c| c.parts).sum::<i64>());
        });
        q.push(&upsert);
        q.build().execute(&mut *conn).await.map_err(map_err)?;
    }
    // Along figure_rollups_empty: only the rows just emptied.
    QueryBuilder::<DB>::new("DELETE FROM figure_rollups WHERE parts = 0")
        .build()
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    Ok(())
}
