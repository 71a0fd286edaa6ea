//! A figure query's sums: from the raw parts, or from the roll-ups with the
//! parts not yet known at `as_of` taken away again.

use std::collections::HashMap;

use shanzhi_domain::Micros;
use shanzhi_domain::indicators::{Key, UnitKind};
use shanzhi_store::{PartQuery, PartSum, StoreError, StoreResult};
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};
use sqlx::{Pool, QueryBuilder, Row};

use super::rollup::{ALL_LINES, Counts, Field, KEYS, Plan, Row as KeyCounts, key_position, summed_columns};
use crate::map_err;

#[derive(SqlRow)]
struct SumRow {
    unit: String,
    key: String,
    numerator: f64,
    numerator_k: f64,
    denominator: f64,
}

/// The column of `figure_parts` a unit kind groups by (by grid workers: the
/// grid that held the matter, whose workers the app credits).
fn part_column(by: UnitKind) -> &'static str {
    match by {
        UnitKind::District => "district",
        UnitKind::Town => "town",
        UnitKind::Community => "community",
        UnitKind::Grid => "grid",
        UnitKind::Department => "department",
        UnitKind::Worker => "holder_grid",
    }
}

/// The line, `within` and scope filters on the parts, `place` being the
/// column holding the community code or its first digits.
#[sql_bounds]
fn push_filters<DB>(q: &mut QueryBuilder<DB>, place: &str, pq: &PartQuery) {
    if let Some(line) = pq.line {
        q.push(" AND (line = ").push_bind(line.as_str().to_owned()).push(" OR line = 'both')");
    }
    push_places(q, place, pq);
}

/// The `within` and scope filters on `place`.
#[sql_bounds]
fn push_places<DB>(q: &mut QueryBuilder<DB>, place: &str, pq: &PartQuery) {
    if let Some(w) = &pq.within {
        q.push(format!(" AND {place} LIKE ")).push_bind(format!("{}%", w.significant()));
    }
    if !pq.scope.is_empty() {
        q.push(" AND (");
        for (i, d) in pq.scope.iter().enumerate() {
            if i > 0 {
                q.push(" OR ");
            }
            q.push(format!("{place} LIKE ")).push_bind(format!("{}%", d.significant()));
        }
        q.push(")");
    }
}

/// The sums of every part that counts, read one by one.
#[sql_bounds]
pub(super) async fn raw<DB>(pool: &Pool<DB>, pq: &PartQuery) -> StoreResult<Vec<PartSum>> {
    let column = part_column(pq.by);
    let mut q = QueryBuilder::<DB>::new(format!(
        "SELECT {column} AS unit, key, SUM(numerator) AS numerator, SUM(numerator_k) AS numerator_k, \
         SUM(denominator) AS denominator FROM figure_parts WHERE at >= "
    ));
    q.push_bind(pq.start.get()).push(" AND at < ").push_bind(pq.end.get());
    q.push(" AND known_at < ").push_bind(pq.as_of.get());
    q.push(format!(" AND {column} IS NOT NULL"));
    push_filters(&mut q, "community", pq);
    q.push(format!(" GROUP BY {column}, key"));
    let rows = q.build_query_as::<SumRow>().fetch_all(pool).await.map_err(map_err)?;
    rows.into_iter()
        .map(|r| {
            Ok(PartSum {
                unit: r.unit,
                key: parse_key(&r.key)?,
                numerator: r.numerator,
                numerator_k: r.numerator_k,
                denominator: r.denominator,
            })
        })
        .collect()
}

/// The same sums from the roll-ups `plan` names.
#[sql_bounds]
pub(super) async fn rolled<DB>(pool: &Pool<DB>, pq: &PartQuery, plan: &Plan) -> StoreResult<Vec<PartSum>> {
    let unit = plan.unit_column;
    // One snapshot for every read: a month's parts moved between two reads
    // (a late event) must not be counted twice or not at all.
    let mut tx = pool.begin_with(DB::BEGIN_SNAPSHOT).await.map_err(map_err)?;
    // Inside a month: its parts known before as_of added to the earlier
    // months', or those known from as_of on taken from all — the fewer.
    let (known_before, edge) = match plan.edge {
        None => (plan.known_before, None),
        Some(e) => {
            let before = count_known::<DB>(&mut tx, e.start, e.as_of).await?;
            let after = count_known::<DB>(&mut tx, e.as_of, e.next).await?;
            if before <= after {
                (e.month, Some((e.start, e.as_of, 1)))
            } else {
                (e.month + 1, Some((e.as_of, e.next, -1)))
            }
        }
    };
    let columns = summed_columns();
    let summed: Vec<String> = columns.iter().map(|(_, _, c)| format!("CAST(SUM({c}) AS BIGINT)")).collect();
    let mut q = QueryBuilder::<DB>::new(format!(
        "SELECT {unit} AS unit, {} FROM figure_rollups WHERE level = ",
        summed.join(", ")
    ));
    q.push_bind(plan.level.as_str().to_owned());
    q.push(" AND month >= ").push_bind(plan.months.0).push(" AND month < ").push_bind(plan.months.1);
    q.push(" AND known_month < ").push_bind(known_before);
    // Every line: the rows summing them; one line: its rows and both lines'.
    match pq.line {
        None => q.push(" AND line = ").push_bind(ALL_LINES.to_owned()),
        Some(line) => q.push(" AND line IN (").push_bind(line.as_str().to_owned()).push(", 'both')"),
    };
    push_places(&mut q, "place", pq);
    q.push(format!(" GROUP BY {unit}"));
    // One row per unit, its keys side by side: no map keyed by unit and key
    // (tens of thousands of grids times twelve keys at a city's scale).
    let mut units: Vec<(String, KeyCounts)> = Vec::new();
    for r in q.build().fetch_all(&mut *tx).await.map_err(map_err)? {
        let unit: String = r.try_get(0usize).map_err(map_err)?;
        let mut row: KeyCounts = [Counts::default(); KEYS];
        for (at, (key, field, _)) in columns.iter().enumerate() {
            let v: i64 = r.try_get(1 + at).map_err(map_err)?;
            let counts = &mut row[*key];
            match field {
                Field::Numerator => counts.numerator = v,
                Field::NumeratorK => counts.numerator_k = v,
                Field::Denominator => counts.denominator = v,
            }
        }
        units.push((unit, row));
    }
    if let Some((from, to, sign)) = edge {
        let mut index: HashMap<String, usize> = units.iter().enumerate().map(|(i, (u, _))| (u.clone(), i)).collect();
        for ((unit, key), counts) in known_between::<DB>(&mut tx, pq, from, to).await? {
            let i = match index.get(&unit) {
                Some(i) => *i,
                None => {
                    index.insert(unit.clone(), units.len());
                    units.push((unit, [Counts::default(); KEYS]));
                    units.len() - 1
                }
            };
            units[i].1[key_position(key)].add(counts, sign);
        }
    }
    tx.commit().await.map_err(map_err)?;
    units.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    // A unit's key is answered when one of its parts counts, as from the raw
    // parts: exactly when its sums are not all 0 (see `summed_columns`).
    let mut out = Vec::with_capacity(units.len() * KEYS);
    for (unit, row) in units {
        for (key, c) in Key::ALL.iter().zip(row) {
            if (c.numerator, c.numerator_k, c.denominator) != (0, 0, 0) {
                out.push(PartSum {
                    unit: unit.clone(),
                    key: *key,
                    numerator: c.numerator as f64,
                    numerator_k: c.numerator_k as f64,
                    denominator: c.denominator as f64,
                });
            }
        }
    }
    Ok(out)
}

/// How many parts are known in `[from, to)` (along figure_parts_known alone).
#[sql_bounds]
async fn count_known<DB>(conn: &mut DB::Connection, from: Micros, to: Micros) -> StoreResult<i64> {
    let mut q = QueryBuilder::<DB>::new("SELECT COUNT(*) AS n FROM figure_parts WHERE known_at >= ");
    q.push_bind(from.get()).push(" AND known_at < ").push_bind(to.get());
    Ok(q.build_query_as::<CountRow>().fetch_one(&mut *conn).await.map_err(map_err)?.n)
}

#[derive(SqlRow)]
struct CountRow {
    n: i64,
}

/// The sums of the parts of `pq`'s period known in `[from, to)`.
#[sql_bounds]
async fn known_between<DB>(
    conn: &mut DB::Connection,
    pq: &PartQuery,
    from: Micros,
    to: Micros,
) -> StoreResult<Vec<((String, Key), Counts)>> {
    let column = part_column(pq.by);
    let mut q = QueryBuilder::<DB>::new(format!(
        "SELECT {column} AS unit, key, SUM(numerator) AS numerator, SUM(numerator_k) AS numerator_k, \
         SUM(denominator) AS denominator, COUNT(*) AS parts FROM figure_parts WHERE known_at >= "
    ));
    q.push_bind(from.get()).push(" AND known_at < ").push_bind(to.get());
    // `+at`: SQLite reads the parts known then along figure_parts_known, not
    // every part of the period along the primary key.
    q.push(" AND +at >= ").push_bind(pq.start.get()).push(" AND +at < ").push_bind(pq.end.get());
    q.push(format!(" AND {column} IS NOT NULL"));
    push_filters(&mut q, "community", pq);
    q.push(format!(" GROUP BY {column}, key"));
    let rows = q.build_query_as::<CountedSumRow>().fetch_all(&mut *conn).await.map_err(map_err)?;
    rows.into_iter()
        .map(|r| {
            Ok(((r.unit, parse_key(&r.key)?), Counts::of_sums(r.numerator, r.numerator_k, r.denominator, r.parts)?))
        })
        .collect()
}

#[derive(SqlRow)]
struct CountedSumRow {
    unit: String,
    key: String,
    numerator: f64,
    numerator_k: f64,
    denominator: f64,
    parts: i64,
}

fn parse_key(key: &str) -> StoreResult<Key> {
    key.parse().map_err(|e: shanzhi_domain::text::Bilingual| StoreError::corrupt(e.en))
}
