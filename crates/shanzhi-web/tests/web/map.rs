//! The map's pieces: the served PMTiles base map (byte ranges), the place
//! search and the reverse lookup.

use axum::http::{Method, StatusCode, header};
use shanzhi_testkit::TestApp;
use shanzhi_web::HttpOptions;

use crate::support::{TestApi, spawn_app};

/// A file of 100,000 known bytes standing in for a PMTiles archive (the
/// server only slices it).
fn tiles_file() -> (std::path::PathBuf, Vec<u8>) {
    let bytes: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let path =
        std::env::temp_dir().join(format!("shanzhi-tiles-{}-{}.pmtiles", std::process::id(), uuid::Uuid::now_v7()));
    std::fs::write(&path, &bytes).expect("write the tiles file");
    (path, bytes)
}

#[tokio::test]
async fn the_tiles_file_is_served_in_ranges() {
    let (path, bytes) = tiles_file();
    let options = HttpOptions { map_tiles_file: Some(path.clone()), ..HttpOptions::default() };
    let app = TestApi::start_with(TestApp::new(), options).await;
    let (status, headers, body) =
        app.send_raw(None, Method::GET, "/map/tiles.pmtiles", &[("range", "bytes=16384-81919")], vec![]).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(body, bytes[16384..81920], "the asked bytes, across several read chunks");
    assert_eq!(headers[header::CONTENT_RANGE], "bytes 16384-81919/100000");
    assert_eq!(headers[header::ACCEPT_RANGES], "bytes");
    let (status, _, tail) =
        app.send_raw(None, Method::GET, "/map/tiles.pmtiles", &[("range", "bytes=-10")], vec![]).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(tail, bytes[99_990..]);
    let (status, _, whole) = app.send_raw(None, Method::GET, "/map/tiles.pmtiles", &[], vec![]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(whole, bytes);
    let (status, headers, _) =
        app.send_raw(None, Method::GET, "/map/tiles.pmtiles", &[("range", "bytes=100000-")], vec![]).await;
    assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(headers[header::CONTENT_RANGE], "bytes */100000");
    // The pages name the file and load the renderer.
    let (_, _, page) = app.send_raw(None, Method::GET, "/map", &[], vec![]).await;
    let page = String::from_utf8(page).expect("UTF-8");
    assert!(page.contains(r#"data-pmtiles="/map/tiles.pmtiles""#), "{page}");
    assert!(page.contains("/assets/vendor/protomaps-leaflet/protomaps-leaflet.js"));
    let (status, headers, _) =
        app.send_raw(None, Method::GET, "/assets/vendor/protomaps-leaflet/protomaps-leaflet.js", &[], vec![]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/javascript; charset=utf-8");
    std::fs::remove_file(path).ok();
}

#[tokio::test]
async fn without_a_tiles_file_there_is_none() {
    let app = spawn_app().await;
    let (status, _, body) =
        app.send_raw(None, Method::GET, "/map/tiles.pmtiles", &[("range", "bytes=0-99")], vec![]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let body: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    crate::support::assert_error(&body, "no_base_map");
    let (_, headers, page) = app.send_raw(None, Method::GET, "/map", &[], vec![]).await;
    let page = String::from_utf8(page).expect("UTF-8");
    assert!(!page.contains("data-pmtiles") && !page.contains("protomaps-leaflet.js"));
    let policy = headers[header::CONTENT_SECURITY_POLICY].to_str().expect("policy");
    assert!(policy.contains("img-src 'self' data: blob:;"), "no other host without a tile URL: {policy}");
}

/// 总府路社区 (锦江区 春熙路街道): a master grid and two general grids.
async fn with_grid() -> TestApi {
    TestApi::start(TestApp::new().with_features(shanzhi_testkit::community_grid(
        shanzhi_testkit::INSIDE,
        104.07,
        30.65,
    )))
    .await
}

#[tokio::test]
async fn places_are_found_by_name_and_address() {
    let app = with_grid().await;
    let (status, body) = app.get("/api/v1/places?q=总府路").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let first = &body[0];
    assert_eq!(first["name"], "总府路社区", "the community first, by its everyday name: {body}");
    assert_eq!(first["kind"], "community");
    assert_eq!(first["kind_name"], "社区(村)");
    assert_eq!(first["code"], "510104022006");
    assert_eq!(first["context"], "锦江区 春熙路街道");
    assert_eq!(first["bbox"], serde_json::json!([104.07, 30.65, 104.08, 30.66]));
    assert_eq!(first["point"], serde_json::json!([104.075, 30.655]));
    // The community's grids follow it (their context names it).
    let grids: Vec<&serde_json::Value> =
        body.as_array().expect("list").iter().filter(|p| p["kind"] == "grid").collect();
    assert_eq!(grids.len(), 3, "{body}");
    // The district, found by part of its name.
    let (_, body) = app.get("/api/v1/places?q=锦江&limit=1").await;
    assert_eq!(body.as_array().map(Vec::len), Some(1));
    assert_eq!(body[0]["kind_name"], "区(市)县");
    assert_eq!(body[0]["name"], "锦江区");
    // A shipped landmark, by name and by a word of its address, placed at
    // its district (it has no coordinates of its own).
    for q in ["塔子山", "迎晖路"] {
        let (_, body) = app.get(&format!("/api/v1/places?q={q}")).await;
        assert_eq!(body[0]["name"], "塔子山公园", "{q}: {body}");
        assert_eq!(body[0]["kind_name"], "地标");
        assert_eq!(body[0]["approximate"], true);
        assert_eq!(body[0]["address"], "成都市锦江区迎晖路222号");
    }
    // A landmark of a district without grids is not on this grid's map.
    let (_, body) = app.get("/api/v1/places?q=青城山").await;
    assert_eq!(body, serde_json::json!([]));
}

#[tokio::test]
async fn bad_place_searches_are_refused() {
    let app = with_grid().await;
    let long = "路".repeat(51);
    for uri in [
        "/api/v1/places".to_owned(),
        "/api/v1/places?q=".to_owned(),
        "/api/v1/places?q=%20%20".to_owned(),
        format!("/api/v1/places?q={long}"),
        "/api/v1/places?q=总府路&limit=0".to_owned(),
        "/api/v1/places?q=总府路&limit=51".to_owned(),
        "/api/v1/places?q=总%00府".to_owned(),
        "/api/v1/places?q=a&extra=1".to_owned(),
    ] {
        let (status, body) = app.get(&uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        crate::support::assert_error(&body, body["error"]["code"].as_str().expect("code"));
    }
    let (status, body) = app.get(&format!("/api/v1/places?q={}", "路".repeat(50))).await;
    assert_eq!((status, body), (StatusCode::OK, serde_json::json!([])), "50 characters are allowed");
}

#[tokio::test]
async fn a_point_is_named_by_its_community_and_grid() {
    let app = with_grid().await;
    let (status, body) = app.get("/api/v1/places/at?lng=104.072&lat=30.655").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["found"], true);
    let grid = body["grid"].as_str().expect("grid name");
    assert_eq!(body["text"], format!("总府路社区 · {grid}"));
    assert_eq!(body["full_text"], format!("锦江区 春熙路街道 总府路社区 · {grid}"));
    assert_eq!(body["grid_code"], "510104022006001");
    let (_, outside) = app.get("/api/v1/places/at?lng=104.5&lat=30.2").await;
    assert_eq!(outside["found"], false);
    assert_eq!(outside["text"], "");
    for (uri, code) in [
        ("/api/v1/places/at?lng=190&lat=30.6", "invalid_coordinates"),
        ("/api/v1/places/at?lng=104&lat=-91", "invalid_coordinates"),
        ("/api/v1/places/at?lng=104.07", "invalid_query"),
        ("/api/v1/places/at?lng=x&lat=30", "invalid_query"),
    ] {
        app.get_refused(uri, StatusCode::BAD_REQUEST, code).await;
    }
}

#[tokio::test]
async fn the_report_page_takes_the_pin_not_typed_coordinates() {
    let app = with_grid().await;
    let (status, _, page) = app.send_raw(None, Method::GET, "/report", &[], vec![]).await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(page).expect("UTF-8");
    let lng = page.split("<input name=\"lng\"").nth(1).and_then(|r| r.split('>').next()).expect("the lng field");
    assert!(!lng.contains("required"), "coordinates are optional, the pin fills them: {lng}");
    assert!(page.contains(r#"id="pin-centre""#), "a button puts the pin at the map centre");
    assert!(
        page.contains(r#"id="pin-place" class="pin-place" role="status" aria-live="polite""#),
        "the place is announced"
    );
    assert!(page.contains(r#"id="place-q""#), "a place search");
}

/// Generated grids repeat their community in their name; the text says it once.
#[tokio::test]
async fn the_community_is_named_once() {
    let mut features = shanzhi_testkit::community_grid(shanzhi_testkit::INSIDE, 104.07, 30.65);
    features[1]["properties"]["name"] = "总府路社区第1网格".into();
    let app = TestApi::start(TestApp::new().with_features(features)).await;
    let (_, body) = app.get("/api/v1/places/at?lng=104.072&lat=30.655").await;
    assert_eq!(body["text"], "总府路社区 · 第1网格", "{body}");
    // The search ranks the name that starts with the words first.
    let (_, found) = app.get("/api/v1/places?q=总府路社区第1").await;
    assert_eq!(found[0]["name"], "总府路社区第1网格", "{found}");
    assert_eq!(found[0]["kind_name"], "一般网格");
}
