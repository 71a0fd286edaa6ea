//! The figures' costs (issue 14) on a generated city-year:
//!
//!   cargo bench -p shanzhi-app --bench figures                       (SQLite, FIGURES_MATTERS=200000)
//!   SHANZHI_TEST_BACKEND=postgres scripts/with-postgres cargo bench -p shanzhi-app --bench figures
//!   FIGURES_RECOMPUTE=0 cargo bench …          (the kept figures alone, not recomputed beside)
//!   FIGURES_DB=/tmp/figures.db cargo bench …   (SQLite: the store is kept in that file, generated
//!                                                on the first run and read again by the next ones)
//!
//! 1. Demo matters with their timelines, reported over the past year, written
//!    through the store in bulk with their figure parts (no read-back).
//! 2. Every indicator query (each unit type) for the last whole month and
//!    for the current one, city-wide — the slowest case — from the kept
//!    parts, and recomputed from every timeline beside it (the ratio).
//! 3. The record export (rows/s), and the matter list as CSV and as XLSX.
//! 4. The peak resident memory of the process.

use std::sync::Arc;
use std::time::{Duration, Instant};

use shanzhi_app::figures::{FigureQuery, MAX_SHEET_ROWS};
use shanzhi_app::matters::{DemoOptions, MatterFilter};
use shanzhi_app::{App, NoProgress};
use shanzhi_domain::indicators::{Period, UnitKind};
use shanzhi_store::{PartQuery, Store};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn rate(rows: u64, took: Duration) -> String {
    format!("{rows} rows in {:.2} s, {:.0} rows/s", took.as_secs_f64(), rows as f64 / took.as_secs_f64().max(1e-9))
}

/// Peak resident memory of this process (VmHWM), in MiB.
fn peak_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kib| kib / 1024)
}

/// The month before the one `now` is in, and that one.
fn months() -> (Period, Period) {
    let today = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(8))).date();
    let last = today.first_of_month().yesterday().expect("a day before");
    (
        Period::month(last.year(), last.month()).expect("month"),
        Period::month(today.year(), today.month()).expect("month"),
    )
}

#[tokio::main]
async fn main() {
    let wanted = env("FIGURES_MATTERS", 200_000);
    let backend = std::env::var("SHANZHI_TEST_BACKEND").unwrap_or_else(|_| "sqlite".to_owned());
    // A kept file is generated once: a profile of the queries needs no
    // new city-year each time.
    let kept = std::env::var_os("FIGURES_DB").map(std::path::PathBuf::from);
    let reused = kept.as_ref().is_some_and(|p| p.exists());
    let (store, _db): (Arc<dyn Store>, _) = match &kept {
        Some(path) => (Arc::new(shanzhi_store_sqlite::open(path).await.expect("open the kept store")), None),
        None => {
            let db = shanzhi_testkit::test_db().await;
            (db.fixture.store.clone(), Some(db))
        }
    };
    let (app, key) = App::new(store.clone());
    let operator = app.operator(&key);
    if !reused {
        operator.load_demo().await.expect("demo");
    }
    let started = Instant::now();
    let mut made = if reused { wanted } else { 0u64 };
    let mut seed = 1;
    while made < wanted {
        let count = (wanted - made).min(50_000);
        let options =
            DemoOptions { count: count as usize, seed, open_only: false, spread_hours: 24 * 365, within: None };
        made += operator.generate_demo_matters_with(&options, &NoProgress).await.expect("demo matters") as u64;
        seed += 1;
    }
    let took = started.elapsed().as_secs_f64();
    if reused {
        println!(
            "[{backend}] the kept store {} is read again (FIGURES_DB)",
            kept.as_ref().map_or(String::new(), |p| p.display().to_string())
        );
    } else {
        println!(
            "[{backend}] generated {made} matters over a year, with their figure parts, in {took:.1} s ({:.0} matters/s)",
            made as f64 / took.max(1e-9)
        );
    }
    app.reload_timing().await.expect("timing");
    let started = Instant::now();
    let stale = store.count_stale_figure_matters().await.expect("stale");
    let left = app.refresh_figure_parts(usize::MAX).await.expect("refresh");
    assert_eq!(left, 0);
    println!(
        "[{backend}] figure parts refreshed for {stale} stale matters in {:.1} s (what the sweep's leader does as matters come)",
        started.elapsed().as_secs_f64()
    );
    let scoped = operator.scoped("bench");

    // FIGURES_RECOMPUTE=0: no recomputation from every timeline beside each
    // query (minutes at millions of matters).
    let recompute = env("FIGURES_RECOMPUTE", 1) != 0;
    let (last, current) = months();
    for (label, period) in [("last month", last), ("this month", current)] {
        for by in UnitKind::ALL {
            let q = FigureQuery { period, by, within: None, line: None };
            let started = Instant::now();
            let answer = scoped.indicators(&q).await.expect("indicators");
            let kept = started.elapsed();
            // Of which the store's sums (the rest: names, workers, the answer).
            let (start, end) = period.bounds();
            let as_of = end.min(shanzhi_domain::Micros::now());
            let pq = PartQuery { by, start, end, as_of, line: None, within: None, scope: Vec::new() };
            let started = Instant::now();
            let sums = store.sum_figure_parts(&pq).await.expect("sums").len();
            let summed = started.elapsed();
            if !recompute {
                println!(
                    "[{backend}] indicators {label} by {by:?}: {} ms ({} units; the store's sums {} ms, {sums} rows)",
                    kept.as_millis(),
                    answer.units.len(),
                    summed.as_millis()
                );
                continue;
            }
            let started = Instant::now();
            let recomputed = scoped.indicators_recomputed(&q).await.expect("indicators");
            let read = started.elapsed();
            assert_eq!(answer.units.len(), recomputed.units.len());
            println!(
                "[{backend}] indicators {label} by {by:?}: {} ms ({} units; the store's sums {} ms, {sums} rows); recomputed from every timeline {} ms ({:.0}×)",
                kept.as_millis(),
                answer.units.len(),
                summed.as_millis(),
                read.as_millis(),
                read.as_secs_f64() / kept.as_secs_f64().max(1e-9)
            );
        }
    }

    let started = Instant::now();
    let mut export = scoped.timeline_export(None, None, None).expect("export");
    while export.next_chunk().await.expect("chunk").is_some() {}
    println!("[{backend}] timeline export: {}", rate(export.rows(), started.elapsed()));

    let started = Instant::now();
    let mut matters = scoped.matter_export(&MatterFilter::default()).expect("export");
    while matters.next_csv().await.expect("chunk").is_some() {}
    let all_rows = matters.rows();
    println!("[{backend}] matter list CSV: {}", rate(all_rows, started.elapsed()));

    // One sheet holds 1,048,575 rows and the export refuses more: past that,
    // the matters of the last 90 days, as an official would filter them.
    let filter = if all_rows > MAX_SHEET_ROWS {
        let from = shanzhi_domain::Micros::now().plus_seconds(-90 * 24 * 3600);
        MatterFilter { from: Some(from), ..MatterFilter::default() }
    } else {
        MatterFilter::default()
    };
    let started = Instant::now();
    let matters = scoped.matter_export(&filter).expect("export");
    let (file, rows) = matters.xlsx_file().await.expect("xlsx");
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let part = if filter.from.is_some() { " (the last 90 days: the whole list is more than a sheet)" } else { "" };
    println!("[{backend}] matter list XLSX{part}: {} ({:.1} MB)", rate(rows, started.elapsed()), size as f64 / 1e6);
    println!("[{backend}] peak resident memory: {} MiB", peak_mib());
}
