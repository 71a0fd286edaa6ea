//! `shanzhi demo register` and `shanzhi import register`: a street's
//! register of about 30,000 people in 12,000 households, generated and
//! imported by the real binary; the import's time is reported (run with
//! `--nocapture` to read it), and a second import of the same people is
//! refused whole.

use std::time::Instant;

use crate::support::{heavy, load_a_grid, run, run_ok, text};

#[tokio::test]
async fn a_generated_street_register_is_imported_and_its_time_reported() {
    let _heavy = heavy().await;
    let db = shanzhi_testkit::test_db().await;
    let cwd = tempfile::tempdir().expect("cwd");
    load_a_grid(cwd.path(), &db, 7, None);
    let file = cwd.path().join("street.csv");
    let file = file.to_str().expect("path");
    run_ok(cwd.path(), &["demo", "register", "--out", file, "--street", "510104022"], &db);
    let written = std::fs::read_to_string(file).expect("file");
    let people = written.lines().filter(|l| l.starts_with("居民,")).count();
    assert!((28_000..=32_000).contains(&people), "about 30,000 people: {people}");

    let started = Instant::now();
    let out = run_ok(cwd.path(), &["import", "register", file, "--street", "510104022"], &db);
    let seconds = started.elapsed().as_secs_f64();
    let report = text(&out.stdout);
    println!(
        "import register: {people} people, 12000 households in {seconds:.1} s (debug build, with the grid index build)"
    );
    assert!(report.contains("住户 12000") && report.contains(&format!("居民 {people}")), "{report}");

    let again = run(cwd.path(), &["import", "register", file, "--street", "510104022"], &db);
    assert!(!again.status.success(), "the same people twice are refused");
    let err = text(&again.stderr);
    assert!(err.contains("已登记") && err.contains("第"), "line numbers name the rows: {}", &err[..err.len().min(400)]);
}
