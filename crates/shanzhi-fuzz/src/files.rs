//! Targets for the files people upload or import: 12345 hotline exports,
//! division lists, GeoJSON grids and the official-days calendar.

use std::collections::{BTreeMap, HashSet};

use jiff::{Timestamp, ToSpan};
use shanzhi_app::divisions::{ImportRejection, parse_division_csv};
use shanzhi_app::fuzz::parse_hotline;
use shanzhi_app::table::{TableLimits, read_table};
use shanzhi_domain::calendar::{Calendar, LimitUnit, WorkingHours, china, parse_official_days};
use shanzhi_domain::category::{Limit, TimeLimits};
use shanzhi_domain::{CodeSystem, DivisionCode, Stage, Thresholds, Timing};
use shanzhi_geo::features::{MAX_VERTICES, decode_geometry, encode_geometry, parse_grid_collection, simplify_for_zoom};
use shanzhi_geo::topology::{Tolerance, area_m2, check};

use crate::input::{Input, SEP};

pub fn hotline_csv(data: &[u8]) {
    hotline(data, "orders.csv");
}

pub fn hotline_xlsx(data: &[u8]) {
    hotline(data, "orders.xlsx");
}

/// A refusal names at least one problem (an empty one would tell nobody anything).
fn refused(r: &ImportRejection) {
    assert!(!r.problems.is_empty(), "a refusal without a problem");
    let _ = r.to_string();
}

fn hotline(data: &[u8], name: &str) {
    let limits = TableLimits::HOTLINE;
    match read_table(data, name, &limits) {
        Ok(rows) => {
            assert!(rows.len() <= limits.max_rows + 1, "{} rows", rows.len());
            for row in &rows {
                assert!(row.len() <= limits.max_columns, "{} columns", row.len());
                for cell in row {
                    assert!(cell.chars().count() <= limits.max_cell_chars, "cell of {} chars", cell.chars().count());
                }
            }
        }
        Err(r) => refused(&r),
    }
    match parse_hotline(data, name) {
        Ok(orders) => {
            assert!(!orders.is_empty() && orders.len() <= limits.max_rows, "{} orders", orders.len());
            let mut last = 1;
            for o in &orders {
                assert!(o.line > last, "lines in order: {} after {last}", o.line);
                last = o.line;
                let r = &o.request;
                let order = r.external_ref.as_deref().unwrap_or_default();
                assert!(!order.is_empty() && order.len() <= 64, "order number {order:?}");
                assert!(r.reported_at.is_some() && r.channel.as_deref() == Some("hotline"));
                assert_eq!(r.lng.is_some(), r.lat.is_some(), "a longitude without a latitude");
                assert!(r.grid.is_some() || r.lng.is_some(), "an order without a place");
                assert!(!r.category.is_empty());
            }
        }
        Err(r) => refused(&r),
    }
}

/// First byte: the code system; the rest: the CSV file.
pub fn divisions(data: &[u8]) {
    let mut input = Input::new(data);
    let system = if input.byte().is_multiple_of(2) { CodeSystem::Nbs2023 } else { CodeSystem::Mca };
    match parse_division_csv(input.rest(), system) {
        Ok(divisions) => {
            let mut seen = HashSet::new();
            for d in &divisions {
                assert_eq!(d.code_system, system);
                assert!(seen.insert(d.code.clone()), "duplicate code {} accepted", d.code);
                let again = DivisionCode::parse(d.code.as_str()).ok();
                assert_eq!(again.as_ref(), Some(&d.code), "code does not parse back");
                assert!(!d.name.as_str().trim().is_empty(), "empty name accepted");
            }
        }
        Err(r) => {
            refused(&r);
            assert!(r.problems.len() <= 200, "{} problems listed (at most 200)", r.problems.len());
        }
    }
}

/// First byte: the zoom to simplify at; the rest: the GeoJSON text.
pub fn grids(data: &[u8]) {
    let mut input = Input::new(data);
    let zoom = input.byte();
    // The import reads the file as UTF-8 text; other bytes never reach the parser.
    let Ok(text) = std::str::from_utf8(input.rest()) else { return };
    let grids = match parse_grid_collection(text) {
        Ok(g) => g,
        Err(problems) => {
            assert!(!problems.is_empty(), "a refusal without a problem");
            return;
        }
    };
    assert!(!grids.is_empty());
    for (i, g) in grids.iter().enumerate() {
        assert!(i == 0 || g.number > grids[i - 1].number, "features numbered in file order");
        let rings: Vec<_> =
            g.geometry.0.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors())).collect();
        assert!(!g.geometry.0.is_empty());
        assert!(rings.iter().map(|r| r.0.len()).sum::<usize>() <= MAX_VERTICES, "vertex bound");
        for ring in rings {
            assert!(ring.0.len() >= 4 && ring.0.first() == ring.0.last(), "ring not closed");
            for c in &ring.0 {
                assert!(c.x.is_finite() && c.y.is_finite() && c.x.abs() <= 180.0 && c.y.abs() <= 90.0, "{c:?}");
            }
        }
        // What is stored reads back as it was.
        assert_eq!(decode_geometry(&encode_geometry(&g.geometry)).as_ref(), Ok(&g.geometry), "geometry round trip");
        let area = area_m2(&g.geometry);
        assert!(area.is_finite() && area >= 0.0, "area {area}");
        let shown = simplify_for_zoom(&g.geometry, zoom);
        assert!(shown.0.iter().all(|p| p.exterior().0.len() >= 4), "simplified into nothing");
    }
    // The whole-file checks the import runs before writing.
    let report = check(&grids, &[], Tolerance::default());
    let numbers: HashSet<usize> = grids.iter().map(|g| g.number).collect();
    assert!(report.problems.iter().all(|p| numbers.contains(&p.number)), "a problem names an unknown feature");
}

/// Choice bytes (limit amount, unit, urgency, thresholds, start offset),
/// then the working hours (`09:00-12:00,13:30-17:30`), then the CSV file.
pub fn calendar(data: &[u8]) {
    let mut input = Input::new(data);
    let amount = u32::from(input.byte());
    let unit = [LimitUnit::Hours, LimitUnit::WorkingHours, LimitUnit::WorkingDays][usize::from(input.byte() % 3)];
    let urgent = input.byte() % 2 == 1;
    let (yellow, orange) = (input.byte() % 101, input.byte() % 101);
    let offset_minutes = i64::from(input.u16());
    let hours_text = input.text_field(SEP);
    let csv = String::from_utf8_lossy(input.rest());
    // The import's own bounds (shanzhi_app::timing::calendar): 1 MiB, 20,000 lines.
    if csv.len() > 1024 * 1024 || csv.lines().count() > 20_000 {
        return;
    }
    let days = match parse_official_days(&csv) {
        Ok(days) => days,
        Err(message) => {
            assert!(!message.is_empty());
            return;
        }
    };
    // The import refuses dates outside 2000–2100.
    if days.keys().any(|d| !(2000..=2100).contains(&d.year())) {
        return;
    }
    let hours = WorkingHours::parse(&hours_text).unwrap_or_default();
    let text = hours.to_string();
    assert_eq!(WorkingHours::parse(&text).as_ref(), Ok(&hours), "working hours round trip: {text}");
    let first = days.keys().next().copied().unwrap_or(jiff::civil::date(2026, 1, 5));
    let calendar = Calendar::new(days, BTreeMap::new(), hours);
    let Ok(start) = first.to_zoned_datetime(china()).map(|z| z.timestamp()) else { return };
    let Ok(t) = start.checked_add(offset_minutes.minutes()) else { return };
    let end = calendar.add(t, amount, unit);
    assert!(end >= t, "a deadline before its start: {t} + {amount} {unit:?} = {end}");
    if unit == LimitUnit::WorkingHours && end < Timestamp::MAX {
        let counted = calendar.working_seconds_between(t, end);
        assert_eq!(counted, i64::from(amount) * 3600, "{t} + {amount} working hours = {end}, which counts {counted} s");
    }
    let timing = Timing { calendar, thresholds: Thresholds::new(yellow, orange).unwrap_or_default() };
    let limits = TimeLimits { handle: Some(Limit { amount, unit }), ..TimeLimits::default() };
    if let Some(clock) = timing.start(Stage::Handle, &limits, urgent, t) {
        let (Some(y), Some(o), Some(d)) = (clock.yellow_at, clock.orange_at, clock.deadline) else {
            panic!("a running clock without its times: {clock:?}");
        };
        assert!(t <= y && y <= o && o <= d, "warnings out of order: {clock:?}");
    }
}
