//! Division import and queries, on the backend chosen by SHANZHI_TEST_BACKEND.

use shanzhi_app::divisions::ImportRejection;
use shanzhi_app::{App, AppError, demo};
use shanzhi_domain::{CodeSystem, DivisionCode, DivisionLevel};
use shanzhi_testkit::TestApp;

const NBS: CodeSystem = CodeSystem::Nbs2023;
const HEADER: &str = "level,code,name,parent_code\n";

fn code(s: &str) -> DivisionCode {
    DivisionCode::parse(s).expect("code")
}

async fn app() -> TestApp {
    TestApp::new().start().await
}

async fn total(app: &App) -> u64 {
    app.division_totals(NBS).await.expect("totals").values().sum()
}

async fn rejected(app: &TestApp, csv: &str) -> ImportRejection {
    match app.operator().import_divisions(csv.as_bytes(), NBS).await {
        Err(AppError::ImportRejected(r)) => r,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[tokio::test]
async fn the_chengdu_list_imports_with_its_real_totals() {
    let app = app().await;
    let report = app.operator().import_divisions(demo::CHENGDU_DIVISIONS_CSV.as_bytes(), NBS).await.expect("import");
    assert_eq!(report.rows, 20 + 261 + 3047);
    assert_eq!(report.by_level.get(&DivisionLevel::Town), Some(&261));
    let added: Vec<_> = report.ancestors_added.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(added, ["四川省", "成都市"], "the city and province come from the built-in table");
    assert_eq!(report.written.inserted, 3328 + 2);

    let city = app.division_view(NBS, &code("510100000000")).await.expect("city");
    assert_eq!(city.division.name.as_str(), "成都市");
    assert_eq!(city.children.len(), 20);
    assert_eq!(city.descendant_counts.get(&DivisionLevel::District), Some(&20));
    assert_eq!(city.descendant_counts.get(&DivisionLevel::Town), Some(&261));
    assert_eq!(city.descendant_counts.get(&DivisionLevel::Community), Some(&3047));

    let jinjiang = app.division_view(NBS, &code("510104")).await.expect("锦江区");
    assert_eq!(jinjiang.division.name.as_str(), "锦江区");
    let chain: Vec<_> = jinjiang.ancestors.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(chain, ["四川省", "成都市"]);
    assert!(jinjiang.children.iter().any(|t| t.name.as_str() == "春熙路街道"));
    assert!(jinjiang.children.iter().all(|t| t.level() == DivisionLevel::Town));
}

#[tokio::test]
async fn reimporting_the_same_file_changes_nothing() {
    let app = app().await;
    app.operator().import_divisions(demo::CHENGDU_DIVISIONS_CSV.as_bytes(), NBS).await.expect("first");
    let again = app.operator().import_divisions(demo::CHENGDU_DIVISIONS_CSV.as_bytes(), NBS).await.expect("second");
    assert_eq!((again.written.inserted, again.written.updated), (0, 0));
    assert_eq!(again.written.unchanged, 3328);
    assert!(again.ancestors_added.is_empty());
    assert_eq!(total(&app).await, 3330);
}

#[tokio::test]
async fn each_kind_of_bad_row_is_named_by_line_and_nothing_is_written() {
    let app = app().await;
    let cases = [
        ("district,510104,锦江区,5101\ntown,510199001,某街道,510199\n", 3, "unknown parent"),
        ("district,5101x4,锦江区,5101\n", 2, "digits only"),
        ("district,51010,锦江区,5101\n", 2, "2, 4, 6, 9 or 12 digits"),
        ("district,510104,锦江区,5101\ndistrict,510104,又一个锦江区,5101\n", 3, "duplicate code, already on line 2"),
        ("town,510104,锦江区,5101\n", 2, "wrong level"),
        ("district,510104,锦江区,5102\n", 2, "does not match"),
        ("district,510104,,5101\n", 2, "name is empty"),
        ("district,510104,锦江区\n", 2, "wrong number of fields"),
        ("district,510104,锦江区,5101\nhamlet,510104001,某村,510104\n", 3, "unknown division level"),
    ];
    for (body, line, reason) in cases {
        let r = rejected(&app, &format!("{HEADER}{body}")).await;
        let p = &r.problems[0];
        assert_eq!(p.line, Some(line), "{body}: {r}");
        assert!(p.message.en.contains(reason), "{body}: expected '{reason}' in {}", p.message);
        assert!(!p.message.zh.is_empty());
        assert_eq!(total(&app).await, 0, "{body}: nothing may be written");
    }
}

#[tokio::test]
async fn a_good_file_with_one_bad_row_writes_nothing_and_lists_all_problems() {
    let app = app().await;
    let mut csv = demo::CHENGDU_DIVISIONS_CSV.to_owned();
    csv.push_str("town_street,510104999,坏街道,510199\r\nvillage_community,51010402200,坏社区,510104022\r\n");
    let r = rejected(&app, &csv).await;
    assert_eq!(r.problems.len(), 2, "{r}");
    assert_eq!(r.problems[0].line, Some(3330));
    assert_eq!(r.problems[1].line, Some(3331));
    assert!(r.to_string().contains("第 3330 行"), "{r}");
    assert_eq!(total(&app).await, 0);
}

#[tokio::test]
async fn unreadable_files_are_refused_with_a_reason() {
    let app = app().await;
    let no_columns = rejected(&app, "a,b,c\n1,2,3\n").await;
    assert!(no_columns.problems[0].message.en.contains("header"), "{no_columns}");
    let empty = rejected(&app, HEADER).await;
    assert!(empty.problems[0].message.en.contains("no data rows"));
    let latin1 = app
        .operator()
        .import_divisions(&b"level,code,name,parent_code\ndistrict,510104,\xbd\xf5,5101\n"[..], NBS)
        .await;
    match latin1 {
        Err(AppError::ImportRejected(r)) => assert!(r.problems[0].message.en.contains("UTF-8"), "{r}"),
        other => panic!("expected rejection, got {other:?}"),
    }
    assert_eq!(total(&app).await, 0);
}

#[tokio::test]
async fn a_later_file_may_hang_under_stored_divisions() {
    let app = app().await;
    let first = format!("{HEADER}district,510104,锦江区,5101\ntown_street,510104022,春熙路街道,510104\n");
    app.operator().import_divisions(first.as_bytes(), NBS).await.expect("first");
    let second = format!("{HEADER}village_community,510104022001,和平社区,510104022\n");
    let report = app.operator().import_divisions(second.as_bytes(), NBS).await.expect("second");
    assert_eq!(report.written.inserted, 1);
    assert!(report.ancestors_added.is_empty());
    let town = app.division_view(NBS, &code("510104022")).await.expect("town");
    assert_eq!(town.children.len(), 1);
}

#[tokio::test]
async fn nbs_and_mca_codes_stay_apart() {
    let app = app().await;
    app.operator().import_divisions(demo::CHENGDU_DIVISIONS_CSV.as_bytes(), NBS).await.expect("nbs");
    let mca = include_str!("../../../../data/chengdu/chengdu_divisions_mca20251231.csv");
    let report = app.operator().import_divisions(mca.as_bytes(), CodeSystem::Mca).await.expect("mca");
    assert_eq!(report.rows, 281);
    let nbs_town = app.division_view(NBS, &code("510104022")).await.expect("nbs");
    assert_eq!(nbs_town.division.name.as_str(), "春熙路街道");
    let mca_town = app.division_view(CodeSystem::Mca, &code("510104003")).await.expect("mca");
    assert_eq!(mca_town.division.name.as_str(), "春熙路街道");
    assert_eq!(total(&app).await, 3330, "MCA rows do not leak into NBS");
}

#[tokio::test]
async fn unknown_divisions_are_not_found() {
    let app = app().await;
    app.operator().import_divisions(demo::CHENGDU_DIVISIONS_CSV.as_bytes(), NBS).await.expect("import");
    let err = app.division_view(NBS, &code("510199")).await.expect_err("unknown");
    assert_eq!(err.code(), "division_not_found");
    assert!(app.child_divisions(NBS, Some(&code("510199"))).await.is_err());
    let roots = app.child_divisions(NBS, None).await.expect("roots");
    assert_eq!(roots.len(), 1);
    assert_eq!(roots[0].name.as_str(), "四川省");
}
