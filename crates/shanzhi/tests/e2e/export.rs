//! `shanzhi export timeline` and `shanzhi export matters` as a user runs
//! them: the fixed header of the record export, one row per timeline entry,
//! the matter list as CSV and XLSX, and the refusals.

use std::process::Output;

use calamine::{Reader, Xlsx, open_workbook};
use shanzhi_app::figures::MATTER_HEADERS;
use shanzhi_store::{MatterQuery, MatterScope};
use shanzhi_testkit::{TestApp, TestDb};
use tempfile::TempDir;

use crate::support::{shanzhi, text};

/// The record export's columns, in the order issue 14 fixes.
const TIMELINE_HEADER: &str = "number,matter_id,seq,at,command,actor_role,from_state,to_state,category,line,channel,district,town,community,grid,holder_kind,holder_code,stage,deadline_at,rating,passed,contacted";

fn cli(cwd: &TempDir, args: &[&str], db: &TestDb) -> Output {
    shanzhi(cwd.path()).args(args).args(&db.cli_args).output().expect("run shanzhi")
}

#[tokio::test]
async fn the_exports_write_every_entry_and_every_matter() {
    let t = TestApp::new().with_grid().with_categories().start().await;
    assert!(t.operator().generate_demo_matters(40, 11).await.expect("demo") > 0);
    let all = MatterQuery {
        scope: MatterScope { everything: true, ..MatterScope::default() },
        limit: 10_000,
        ..MatterQuery::default()
    };
    let matters = t.store().matters(&all).await.expect("matters");
    let entries: i64 = matters.iter().map(|m| m.event_count).sum();
    let cwd = tempfile::tempdir().expect("cwd");

    let out = cli(&cwd, &["export", "timeline", "--out", "timeline.csv"], t.db());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = std::fs::read_to_string(cwd.path().join("timeline.csv")).expect("written");
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some(TIMELINE_HEADER), "the fixed interface");
    assert_eq!(lines.count() as i64, entries, "one row per timeline entry");
    assert!(text(&out.stderr).contains(&format!("已导出 {entries} 条处置记录")), "{}", text(&out.stderr));

    let out = cli(&cwd, &["export", "matters"], t.db());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = String::from_utf8(out.stdout).expect("UTF-8");
    let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(reader.headers().expect("header").iter().collect::<Vec<_>>(), MATTER_HEADERS);
    assert_eq!(reader.records().count(), matters.len());

    let out = cli(
        &cwd,
        &["export", "matters", "--format", "xlsx", "--out", "matters.xlsx", "--state", "closed,rated"],
        t.db(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut book: Xlsx<_> = open_workbook(cwd.path().join("matters.xlsx")).expect("an XLSX file");
    let range = book.worksheet_range("事件清单").expect("one sheet");
    let done = matters.iter().filter(|m| matches!(m.status.state.as_str(), "closed" | "rated")).count();
    assert!(done > 0, "the demo closes some matters");
    assert_eq!(range.height(), done + 1, "the header and the closed and rated matters");

    let refused = cli(&cwd, &["export", "matters", "--format", "xlsx"], t.db());
    assert!(!refused.status.success());
    assert!(text(&refused.stderr).contains("xlsx needs --out FILE"), "{}", text(&refused.stderr));
    let refused = cli(&cwd, &["export", "matters", "--state", "bogus"], t.db());
    assert!(!refused.status.success());
    assert!(text(&refused.stderr).contains("unknown matter state 'bogus'"), "{}", text(&refused.stderr));
}
