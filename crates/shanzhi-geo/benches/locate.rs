//! `cargo bench -p shanzhi-geo --bench locate`: the point index over the full
//! generated Chengdu grid (seed 1: ≈14,000 general and ≈126,000 micro-grids
//! plus 3,047 master grids) and 1,000,000 random points in the city's bounding
//! box. Prints build time, memory, single-thread throughput and latency, and
//! the same points and polygons through Shapely 2's STRtree when `python3` has
//! `shapely` (pip install shapely), with the ratio. Nothing here is committed
//! data: the grid and the points are generated on every run.

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;
use shanzhi_domain::GridKind;
use shanzhi_geo::features::encode_geometry;
use shanzhi_geo::generate::{GenerateOptions, generate};
use shanzhi_geo::{GridIndex, IndexInput};

/// Chengdu's bounding box (city outline, CGCS2000).
const BBOX: (f64, f64, f64, f64) = (102.9917, 30.0914, 104.8961, 31.4378);
const POINTS: usize = 1_000_000;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let t = Instant::now();
    let generated = generate(&support::chengdu_districts(&[]), &GenerateOptions::full(1));
    let count = |k| generated.grids.iter().filter(|g| g.info.kind == k).count();
    println!(
        "generated grid: {} master, {} general, {} micro in {:.1} s",
        count(GridKind::Master),
        count(GridKind::General),
        count(GridKind::Micro),
        t.elapsed().as_secs_f64()
    );
    let inputs: Vec<IndexInput> =
        generated.grids.iter().map(|g| IndexInput { info: g.info.clone(), geometry: g.geometry.clone() }).collect();

    // Build: best of three (the first also warms the allocator).
    let mut build = Duration::MAX;
    let before = rss_kib();
    let mut index = GridIndex::default();
    for _ in 0..3 {
        let input = inputs.clone();
        let t = Instant::now();
        index = GridIndex::build(input, Default::default(), 1);
        build = build.min(t.elapsed());
    }
    let after = rss_kib();
    println!(
        "index build: {:.3} s for {} polygons (one thread); heap ≈ {:.1} MiB (RSS change {:.1} MiB)",
        build.as_secs_f64(),
        index.len(),
        index.heap_bytes() as f64 / 1048576.0,
        after.saturating_sub(before) as f64 / 1024.0
    );

    // The place search: a scan of every name (the gazetteer is built with
    // the index, so the build time above includes it).
    for q in ["总府路", "第1网格", "社区第3网格第2微网格", "没有这个地名"] {
        let mut runs: Vec<Duration> = (0..30)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(index.places().search(q, 10));
                t.elapsed()
            })
            .collect();
        runs.sort();
        println!(
            "place search {q:?}: {} names, median {:.1} ms (one thread)",
            index.places().len(),
            percentile(&runs, 0.5).as_secs_f64() * 1e3
        );
    }

    let mut rng = Pcg64Mcg::seed_from_u64(2026);
    let points: Vec<(f64, f64)> = (0..POINTS)
        .map(|_| (BBOX.0 + (BBOX.2 - BBOX.0) * rng.random::<f64>(), BBOX.1 + (BBOX.3 - BBOX.1) * rng.random::<f64>()))
        .collect();

    // Throughput: one thread, no timer in the loop.
    let t = Instant::now();
    let mut hits = 0usize;
    for &(x, y) in &points {
        hits += usize::from(index.locate_code(x, y).is_some());
    }
    let bulk = t.elapsed();
    let ours_per_s = POINTS as f64 / bulk.as_secs_f64();
    println!(
        "lookups: {POINTS} points, {hits} inside a grid, {:.3} s → {:.2} M lookups/s (one thread)",
        bulk.as_secs_f64(),
        ours_per_s / 1e6
    );

    // Inside and outside points separately (outside ones stop at an empty square).
    type Points = Vec<(f64, f64)>;
    let (inside, outside): (Points, Points) = points.iter().partition(|&&(x, y)| index.locate_code(x, y).is_some());
    for (label, set) in [("inside a grid", &inside), ("outside", &outside)] {
        let t = Instant::now();
        for &(x, y) in set {
            std::hint::black_box(index.locate_code(x, y));
        }
        println!("  {label}: {:.0} ns per lookup", t.elapsed().as_nanos() as f64 / set.len().max(1) as f64);
    }

    // Latency: each lookup timed on its own (includes ~20 ns of timer cost).
    let mut lat: Vec<Duration> = points
        .iter()
        .map(|&(x, y)| {
            let t = Instant::now();
            std::hint::black_box(index.locate_code(x, y));
            t.elapsed()
        })
        .collect();
    lat.sort_unstable();
    println!(
        "latency per lookup: median {} ns, p99 {} ns, max {} ns",
        percentile(&lat, 0.5).as_nanos(),
        percentile(&lat, 0.99).as_nanos(),
        lat.last().map_or(0, Duration::as_nanos)
    );

    if std::env::var_os("SHANZHI_BENCH_NO_PEER").is_none() {
        shapely(&generated.grids, &points, ours_per_s, hits);
    }
}

fn shapely(grids: &[shanzhi_geo::generate::GeneratedGrid], points: &[(f64, f64)], ours_per_s: f64, hits: usize) {
    let has_shapely =
        Command::new("python3").args(["-c", "import shapely, numpy"]).output().is_ok_and(|o| o.status.success());
    if !has_shapely {
        println!("shapely: not available (pip install shapely numpy) — peer figure skipped");
        return;
    }
    let dir = std::env::temp_dir().join(format!("shanzhi-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let polygons = dir.join("polygons.geojsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&polygons).expect("polygons"));
    for g in grids {
        writeln!(f, "{}", encode_geometry(&g.geometry)).expect("write");
    }
    drop(f);
    let pts = dir.join("points.f64");
    let bytes: Vec<u8> = points.iter().flat_map(|&(x, y)| x.to_le_bytes().into_iter().chain(y.to_le_bytes())).collect();
    std::fs::write(&pts, bytes).expect("points");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/shapely_locate.py");
    let out = Command::new("python3").arg(script).arg(&polygons).arg(&pts).output().expect("run python3");
    let _ = std::fs::remove_dir_all(&dir);
    if !out.status.success() {
        println!("shapely: failed: {}", String::from_utf8_lossy(&out.stderr));
        return;
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("shapely JSON");
    let query_s = v["query_s"].as_f64().unwrap_or(f64::NAN);
    let theirs_per_s = points.len() as f64 / query_s;
    println!(
        "shapely {}: STRtree build {:.3} s, bulk query {:.3} s → {:.2} M points/s, {} points inside a grid",
        shapely_version(),
        v["build_s"].as_f64().unwrap_or(f64::NAN),
        query_s,
        theirs_per_s / 1e6,
        v["hits"]
    );
    println!(
        "ratio: Shanzhi index {:.1}× Shapely STRtree bulk query (points inside: ours {hits}, theirs {})",
        ours_per_s / theirs_per_s,
        v["hits"]
    );
}

fn shapely_version() -> String {
    Command::new("python3")
        .args(["-c", "import shapely; print(shapely.__version__, 'GEOS', shapely.geos_version_string)"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}
