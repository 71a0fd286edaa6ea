//! The bounded fuzz run of `cargo test`: every target on its seeds, its
//! crash regressions, mutations and random inputs from a fixed seed. One
//! test per target, so a failure names its target and the targets share the
//! cores. `SHANZHI_FUZZ_CASES` scales the number of generated inputs (a
//! longer local run); docs/fuzzing.md has the coverage-guided runs.

use shanzhi_fuzz::run::{Budget, run};
use shanzhi_fuzz::{TARGETS, target};

/// Generated inputs per target: mutations and random ones, a quarter of
/// them random. The HTTP target is slower per input (a database behind it).
fn budget(name: &str) -> Budget {
    let scale: f64 = std::env::var("SHANZHI_FUZZ_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(1.0);
    let base = if name == "http" { 3_000.0 } else { 20_000.0 };
    let total = (base * scale) as usize;
    Budget { mutations: total - total / 4, random: total / 4, seed: 0x5A4E_5A48_4900_2026 }
}

fn bounded(name: &str) {
    let t = target(name).unwrap_or_else(|| panic!("no target {name}"));
    let started = std::time::Instant::now();
    match run(t, budget(name)) {
        Ok(c) => {
            assert!(c.corpus > 0, "{name}: no seeds under crates/shanzhi-fuzz/seeds/{name}/");
            println!(
                "{name}: {} seeds, {} mutated, {} random in {:.1?}",
                c.corpus,
                c.mutations,
                c.random,
                started.elapsed()
            );
        }
        Err(failure) => panic!("{failure}"),
    }
}

#[test]
fn every_target_is_tested_here() {
    let names: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
    let here = include_str!("bounded.rs");
    for name in names {
        assert!(here.contains(&format!("fn {name}() {{\n    bounded(\"{name}\")")), "no test for target {name}");
    }
}

#[test]
fn hotline_csv() {
    bounded("hotline_csv")
}

#[test]
fn labelled_csv() {
    bounded("labelled_csv")
}

#[test]
fn classify_model() {
    bounded("classify_model")
}

#[test]
fn hotline_xlsx() {
    bounded("hotline_xlsx")
}

#[test]
fn divisions() {
    bounded("divisions")
}

#[test]
fn grids() {
    bounded("grids")
}

#[test]
fn calendar() {
    bounded("calendar")
}

#[test]
fn open311_form() {
    bounded("open311_form")
}

#[test]
fn command() {
    bounded("command")
}

#[test]
fn matter_query() {
    bounded("matter_query")
}

#[test]
fn report_body() {
    bounded("report_body")
}

#[test]
fn answers() {
    bounded("answers")
}

#[test]
fn multipart() {
    bounded("multipart")
}

#[test]
fn http() {
    bounded("http")
}
