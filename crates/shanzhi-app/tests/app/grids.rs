//! Grid import, re-cuts, history and locate, on the backend chosen by
//! SHANZHI_TEST_BACKEND, over the real Chengdu divisions.

use jiff::civil::date;
use serde_json::{Value, json};
use shanzhi_app::grids::{
    GenerateRequest, GridImportOptions, MicroChoice, generate_grid_features, grid_collection_json,
};
use shanzhi_app::{AppError, NoProgress};
use shanzhi_domain::{DivisionCode, GridCode, GridKind};
use shanzhi_geo::Crs;
use shanzhi_store::GridQuery;
use shanzhi_testkit::{TestApp, grid_feature, rect};

async fn app() -> TestApp {
    TestApp::new().with_divisions().start().await
}

/// A grid of 60 households.
fn feature(code: &str, kind: &str, parent: Option<&str>, geometry: Value) -> Value {
    let mut f = grid_feature(code, kind, parent, geometry);
    f["properties"]["households"] = json!(60);
    f
}

/// 总府路社区 as a square: two general grids (west, east), two micro-grids each.
fn square_community() -> Vec<Value> {
    let c = "510104022006";
    let m = format!("{c}000");
    let (g1, g2) = (format!("{c}001"), format!("{c}002"));
    vec![
        feature(&m, "master", None, rect(104.07, 30.65, 104.08, 30.66)),
        feature(&g1, "general", Some(&m), rect(104.07, 30.65, 104.075, 30.66)),
        feature(&g2, "general", Some(&m), rect(104.075, 30.65, 104.08, 30.66)),
        feature(&format!("{c}003"), "micro", Some(&g1), rect(104.07, 30.65, 104.075, 30.655)),
        feature(&format!("{c}004"), "micro", Some(&g1), rect(104.07, 30.655, 104.075, 30.66)),
        feature(&format!("{c}005"), "micro", Some(&g2), rect(104.075, 30.65, 104.08, 30.655)),
        feature(&format!("{c}006"), "micro", Some(&g2), rect(104.075, 30.655, 104.08, 30.66)),
    ]
}

fn collection(features: Vec<Value>) -> String {
    json!({"type": "FeatureCollection", "features": features}).to_string()
}

async fn import(
    app: &TestApp,
    text: &str,
    day: jiff::civil::Date,
) -> Result<shanzhi_app::grids::GridImportReport, AppError> {
    app.operator().import_grids(text, GridImportOptions::from(day), &NoProgress).await
}

async fn grid_count(app: &TestApp) -> usize {
    app.store().grids(&GridQuery::as_of(date(2030, 1, 1))).await.expect("grids").len()
}

#[tokio::test]
async fn a_grid_file_imports_locates_and_reimports_unchanged() {
    let app = app().await;
    let text = collection(square_community());
    let report = import(&app, &text, date(2025, 1, 1)).await.expect("import");
    assert_eq!((report.features, report.opened, report.closed), (7, 7, 0));
    assert_eq!(report.by_kind.get(&GridKind::Micro), Some(&4));
    assert!(report.gaps.is_empty(), "{:?}", report.gaps);
    assert!(report.to_string().contains("导入网格 7 个"), "{report}");

    let hit = app.locate(104.072, 30.652, Crs::Wgs84).expect("locate");
    assert!(hit.found);
    let loc = hit.location.expect("location");
    assert_eq!(loc.micro_grid.map(|g| g.code.to_string()).as_deref(), Some("510104022006003"));
    assert_eq!(loc.general_grid.map(|g| g.code.to_string()).as_deref(), Some("510104022006001"));
    assert_eq!(loc.community.name.as_deref(), Some("总府路社区居委会"));
    assert_eq!(loc.town.name.as_deref(), Some("春熙路街道"));
    assert_eq!(loc.district.code.as_str(), "510104000000");
    assert_eq!(loc.district.name.as_deref(), Some("锦江区"));

    // The same place as an AMap (GCJ-02) SDK reports it lands in the same cell.
    let (gx, gy) = Crs::Gcj02.from_wgs84(104.072, 30.652);
    let via_gcj = app.locate(gx, gy, Crs::Gcj02).expect("gcj").location.expect("found");
    assert_eq!(via_gcj.micro_grid.map(|g| g.code.to_string()).as_deref(), Some("510104022006003"));
    assert!(!app.locate(104.5, 30.2, Crs::Wgs84).expect("outside").found);
    assert!(app.locate(f64::NAN, 30.0, Crs::Wgs84).is_err());
    assert!(app.locate(200.0, 30.0, Crs::Wgs84).is_err());

    let again = import(&app, &text, date(2025, 6, 1)).await.expect("again");
    assert_eq!((again.opened, again.closed, again.unchanged), (0, 0, 7));
    assert_eq!(again.revision, report.revision, "nothing changed, the revision stays");
}

#[tokio::test]
async fn bad_grid_files_are_rejected_whole_and_change_nothing() {
    let app = app().await;
    import(&app, &collection(square_community()), date(2025, 1, 1)).await.expect("good file");
    let revision = app.store().grid_revision().await.expect("revision");
    let before = grid_count(&app).await;

    let bowtie = json!({"type": "Polygon", "coordinates": [[[104.07, 30.65], [104.075, 30.66], [104.075, 30.65], [104.07, 30.66], [104.07, 30.65]]]});
    let mut self_intersecting = square_community();
    self_intersecting[1]["geometry"] = bowtie;
    let mut overlapping = square_community();
    overlapping[2]["geometry"] = rect(104.073, 30.65, 104.08, 30.66);
    let mut unknown_community = square_community();
    unknown_community.push(feature("510104022999001", "general", None, rect(104.07, 30.65, 104.071, 30.651)));
    let mut short_code = square_community();
    short_code[5]["properties"]["code"] = json!("51010402200605");
    let mut outside_parent = square_community();
    outside_parent[6]["geometry"] = rect(104.075, 30.655, 104.09, 30.66);

    for (name, features, feature_no, reason) in [
        ("self-intersection", self_intersecting, 2, "self-intersection"),
        ("overlap", overlapping, 3, "overlaps sibling grid 510104022006001"),
        ("unknown community", unknown_community, 8, "unknown community"),
        ("wrong code length", short_code, 6, "15 digits"),
        ("outside its parent", outside_parent, 7, "outside the parent grid"),
    ] {
        match import(&app, &collection(features), date(2026, 1, 1)).await {
            Err(AppError::GridImportRejected(r)) => {
                let p =
                    r.problems.iter().find(|p| p.message.en.contains(reason)).unwrap_or_else(|| panic!("{name}: {r}"));
                assert_eq!(p.number, feature_no, "{name}: {r}");
                assert!(r.to_string().contains(&format!("第 {feature_no} 个要素")), "{name}: {r}");
            }
            other => panic!("{name}: expected a rejection, got {other:?}"),
        }
        assert_eq!(app.store().grid_revision().await.expect("revision"), revision, "{name}: nothing written");
        assert_eq!(grid_count(&app).await, before, "{name}");
    }
    for bad in ["", "{", r#"{"type":"Point","coordinates":[1,2]}"#, r#"{"type":"FeatureCollection","features":[]}"#] {
        assert!(matches!(import(&app, bad, date(2026, 1, 1)).await, Err(AppError::GridImportRejected(_))), "{bad}");
    }
}

#[tokio::test]
async fn a_recut_keeps_history_queryable_by_date() {
    let app = app().await;
    import(&app, &collection(square_community()), date(2025, 1, 1)).await.expect("first");
    // Re-cut: the east general grid is renamed and loses one micro-grid.
    let mut recut = square_community();
    recut.truncate(6);
    recut[2]["properties"]["name"] = json!("东网格（调整）");
    let report = import(&app, &collection(recut), date(2026, 7, 1)).await.expect("recut");
    assert_eq!(report.opened, 1, "only the renamed grid opens a version");
    assert_eq!(report.closed, 2, "the renamed grid and the dropped micro-grid end");
    assert_eq!(report.gaps.len(), 1, "half the east grid has no micro-grid now: {:?}", report.gaps);
    assert_eq!(report.gaps[0].parent.as_str(), "510104022006002");
    assert!((report.gaps[0].uncovered_share - 0.5).abs() < 0.01);

    let code = GridCode::parse("510104022006002").expect("code");
    assert_eq!(app.grid(&code, date(2026, 7, 1)).await.expect("now").info.name, "东网格（调整）");
    assert_eq!(app.grid(&code, date(2026, 6, 30)).await.expect("before").info.name, "网格510104022006002");
    assert_eq!(app.grid_history(&code).await.expect("history").len(), 2);
    let dropped = GridCode::parse("510104022006006").expect("code");
    assert!(app.grid(&dropped, date(2026, 7, 1)).await.is_err(), "retired");
    assert!(app.grid(&dropped, date(2026, 6, 30)).await.is_ok(), "but still in history");
    assert_eq!(app.grid(&code, date(2024, 1, 1)).await.expect_err("not yet").code(), "grid_not_valid_on_date");
}

#[tokio::test]
async fn a_generated_district_imports_and_survives_a_round_trip_through_geojson() {
    let app = app().await;
    let request = GenerateRequest {
        seed: 7,
        scale: 1.0,
        districts: vec![DivisionCode::parse("510104").expect("code")],
        micro: MicroChoice::All,
    };
    let features = generate_grid_features(&request).expect("generate");
    let text = grid_collection_json(&features);
    let report = import(&app, &text, date(2025, 1, 1)).await.expect("generated grid passes the import checks");
    assert_eq!(report.features, features.len());
    assert!(report.gaps.iter().all(|g| g.uncovered_share < 0.001), "{:?}", report.gaps.first());
    let hit = app.locate(104.0806, 30.6571, Crs::Wgs84).expect("春熙路").location.expect("found");
    assert_eq!(hit.district.code.as_str(), "510104000000");
    assert!(hit.micro_grid.is_some_and(|g| g.code.as_str().starts_with("510104")));
}
