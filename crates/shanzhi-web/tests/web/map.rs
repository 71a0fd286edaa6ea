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
