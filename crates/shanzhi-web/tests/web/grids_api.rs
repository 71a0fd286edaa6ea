//! The grid and locate endpoints.

use axum::http::StatusCode;
use serde_json::{Value, json};
use shanzhi_geo::Crs;
use shanzhi_testkit::{INSIDE, TestApp, community_grid, grid_feature, rect};

use crate::support::{TestApi, assert_error, spawn_app};

/// 总府路社区: a master grid, two general grids, one micro-grid in the west one.
async fn with_grid() -> TestApi {
    let mut features = community_grid(INSIDE, 104.07, 30.65);
    features.push(grid_feature(
        "510104022006003",
        "micro",
        Some("510104022006001"),
        rect(104.07, 30.65, 104.075, 30.66),
    ));
    TestApi::start(TestApp::new().with_features(features)).await
}

#[tokio::test]
async fn locate_answers_in_every_coordinate_system() {
    let app = with_grid().await;
    let (status, body) = app.get("/api/v1/locate?lng=104.072&lat=30.652").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["found"], true);
    assert_eq!(body["micro_grid"]["code"], "510104022006003");
    assert_eq!(body["general_grid"]["code"], "510104022006001");
    assert_eq!(body["community"]["name"], "总府路社区居委会");
    assert_eq!(body["town"]["code"], "510104022000");
    assert_eq!(body["district"]["name"], "锦江区");
    for crs in [Crs::Gcj02, Crs::Bd09] {
        let (x, y) = crs.from_wgs84(104.072, 30.652);
        let (_, converted) = app.get(&format!("/api/v1/locate?lng={x}&lat={y}&crs={crs}")).await;
        assert_eq!(converted["micro_grid"], body["micro_grid"], "{crs}");
        assert_eq!(converted["crs"], crs.as_str());
    }
    let (_, east) = app.get("/api/v1/locate?lng=104.078&lat=30.652").await;
    assert_eq!(east["general_grid"]["code"], "510104022006002");
    assert_eq!(east["micro_grid"], Value::Null, "no micro-grid there");
    let (status, outside) = app.get("/api/v1/locate?lng=104.5&lat=30.2").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(outside["found"], false);
}

#[tokio::test]
async fn bad_locate_requests_are_refused() {
    let app = spawn_app().await;
    for (uri, code) in [
        ("/api/v1/locate?lng=104.07", "invalid_query"),
        ("/api/v1/locate?lng=abc&lat=30.6", "invalid_query"),
        ("/api/v1/locate?lng=104.07&lat=30.6&crs=utm", "invalid_crs"),
        ("/api/v1/locate?lng=190&lat=30.6", "invalid_coordinates"),
        ("/api/v1/locate?lng=104&lat=NaN", "invalid_coordinates"),
    ] {
        app.get_refused(uri, StatusCode::BAD_REQUEST, code).await;
    }
}

#[tokio::test]
async fn a_grid_is_a_geojson_feature_and_lists_are_collections() {
    let app = with_grid().await;
    let (status, feature) = app.get("/api/v1/grids/510104022006001").await;
    assert_eq!(status, StatusCode::OK, "{feature}");
    assert_eq!(feature["type"], "Feature");
    assert_eq!(feature["geometry"]["type"], "MultiPolygon");
    let p = &feature["properties"];
    assert_eq!((p["kind"].as_str(), p["parent_code"].as_str()), (Some("general"), Some("510104022006000")));
    assert_eq!(p["community_code"], "510104022006");
    assert_eq!(p["valid_from"], "2025-01-01");
    assert_eq!(p["valid_to"], Value::Null);

    let (_, listed) = app.get("/api/v1/grids?community=510104022006").await;
    assert_eq!(listed["type"], "FeatureCollection");
    assert_eq!(listed["features"].as_array().map(Vec::len), Some(4));
    let (_, micro) = app.get("/api/v1/grids?within=510104&kind=micro").await;
    assert_eq!(micro["features"].as_array().map(Vec::len), Some(1));
    let (_, boxed) = app.get("/api/v1/grids?bbox=104.076,30.651,104.077,30.652&kind=general&zoom=12").await;
    let codes: Vec<_> =
        boxed["features"].as_array().expect("features").iter().map(|f| f["properties"]["code"].clone()).collect();
    assert_eq!(codes, [json!("510104022006002")]);
    let (_, history) = app.get("/api/v1/grids/510104022006001/history").await;
    assert_eq!(history["features"].as_array().map(Vec::len), Some(1));
    let (status, before) = app.get("/api/v1/grids/510104022006001?as_of=2024-12-31").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&before, "grid_not_valid_on_date");
}

#[tokio::test]
async fn bad_grid_requests_are_refused() {
    let app = with_grid().await;
    for (uri, status, code) in [
        ("/api/v1/grids/51010402200600", StatusCode::BAD_REQUEST, "invalid_grid_code"),
        ("/api/v1/grids/510104022006099", StatusCode::NOT_FOUND, "grid_not_found"),
        ("/api/v1/grids/510104022006001?as_of=yesterday", StatusCode::BAD_REQUEST, "invalid_date"),
        ("/api/v1/grids?bbox=1,2,3", StatusCode::BAD_REQUEST, "invalid_bbox"),
        ("/api/v1/grids?bbox=104.1,30,104.0,31", StatusCode::BAD_REQUEST, "invalid_bbox"),
        ("/api/v1/grids?kind=cell", StatusCode::BAD_REQUEST, "invalid_grid_kind"),
        ("/api/v1/grids?community=abc", StatusCode::BAD_REQUEST, "invalid_division_code"),
        ("/api/v1/grids?zoom=40", StatusCode::BAD_REQUEST, "invalid_zoom"),
        ("/api/v1/grids?colour=red", StatusCode::BAD_REQUEST, "invalid_query"),
    ] {
        app.get_refused(uri, status, code).await;
    }
}
