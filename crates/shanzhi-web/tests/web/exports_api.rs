//! `GET /api/v1/exports/matters`: the matter list for Excel — the list's
//! filters within the caller's scope, Chinese headers, names instead of
//! codes, CSV that Excel opens and that runs no formula, XLSX of one sheet.

use std::io::Cursor;

use axum::http::{Method, StatusCode};
use calamine::{Data, Reader, Xlsx};
use serde_json::json;
use shanzhi_app::figures::MATTER_HEADERS;
use shanzhi_domain::Role;
use shanzhi_testkit::{INSIDE_POINT, TestApp};

use crate::support::{TestApi, assert_error};

/// Two matters: one in 锦江区 (the dispatcher's town), one in Deyang.
async fn world() -> TestApi {
    let app = TestApi::start(TestApp::new().with_grid().with_categories().with_accounts(&[
        ("dispatcher", Role::Dispatcher, Some("510104022")),
        ("supervisor", Role::Supervisor, Some("51")),
        ("resident", Role::Resident, None),
    ]))
    .await;
    let resident = app.bearer("resident").await;
    for (lng, lat, text) in [
        (INSIDE_POINT.0, INSIDE_POINT.1, "=HYPERLINK(\"http://evil.example\",\"点我\") 井盖破损, 请尽快处理"),
        (104.392, 31.125, "路灯不亮"),
    ] {
        let body = json!({"category": "0110", "lng": lng, "lat": lat, "description": text, "channel": "resident"});
        let (status, _, created) =
            app.send(Method::POST, "/api/v1/matters", &[("authorization", &resident)], Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
    }
    app
}

fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark, so that Excel reads UTF-8");
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    reader.records().map(|r| r.expect("a CSV record").iter().map(str::to_owned).collect()).collect()
}

#[tokio::test]
async fn the_matter_list_exports_in_scope_with_names_and_no_formulas() {
    let app = world().await;
    let dispatcher = app.bearer("dispatcher").await;
    let (status, headers, bytes) = app
        .send_raw(
            None,
            Method::GET,
            "/api/v1/exports/matters?state=reported",
            &[("authorization", &dispatcher)],
            vec![],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    let disposition = headers["content-disposition"].to_str().expect("ASCII");
    assert!(disposition.contains("filename*=UTF-8''%E4%BA%8B%E4%BB%B6%E6%B8%85%E5%8D%95-"), "{disposition}");
    let rows = csv_rows(&bytes);
    assert_eq!(rows[0], MATTER_HEADERS, "the fixed Chinese header");
    assert_eq!(rows.len(), 2, "only the matter in the dispatcher's town: {rows:?}");
    let row = &rows[1];
    let cell = |h: &str| row[MATTER_HEADERS.iter().position(|x| *x == h).expect(h)].as_str();
    assert_eq!((cell("状态"), cell("来源渠道"), cell("区（市）县")), ("已上报", "居民上报", "锦江区"));
    for h in ["街道（镇）", "社区", "网格", "事项分类"] {
        assert!(
            !cell(h).is_empty() && !cell(h).chars().all(|c| c.is_ascii_digit()),
            "{h}: a name, not a code: {row:?}"
        );
    }
    assert!(cell("问题描述").starts_with("'=HYPERLINK"), "a formula is kept as text: {row:?}");
    assert!(cell("问题描述").ends_with("井盖破损, 请尽快处理"), "commas survive quoting");

    // The supervisor sees the whole city; the filters narrow it.
    let supervisor = app.bearer("supervisor").await;
    let s = [("authorization", supervisor.as_str())];
    let (_, _, all) = app.send_raw(None, Method::GET, "/api/v1/exports/matters", &s, vec![]).await;
    assert_eq!(csv_rows(&all).len(), 3);
    let (_, _, none) = app.send_raw(None, Method::GET, "/api/v1/exports/matters?state=closed", &s, vec![]).await;
    assert_eq!(csv_rows(&none), [MATTER_HEADERS.map(str::to_owned).to_vec()], "the header alone");

    let (status, headers, bytes) =
        app.send_raw(None, Method::GET, "/api/v1/exports/matters?format=xlsx&within=5101", &s, vec![]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert_eq!(headers["content-length"].to_str().ok(), Some(bytes.len().to_string().as_str()));
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("an XLSX file");
    assert_eq!(book.sheet_names(), ["事件清单"]);
    let range = book.worksheet_range("事件清单").expect("the sheet");
    let sheet: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| if let Data::String(s) = c { s.clone() } else { String::new() }).collect())
        .collect();
    assert_eq!(sheet[0], MATTER_HEADERS);
    assert_eq!(sheet.len(), 2, "within 成都: the Deyang matter is left out");
    assert!(sheet[1][12].starts_with("=HYPERLINK"), "in a sheet the text is a string cell, never a formula");
}

#[tokio::test]
async fn bad_export_requests_are_refused() {
    let app = world().await;
    let dispatcher = app.bearer("dispatcher").await;
    let d = [("authorization", dispatcher.as_str())];
    for (uri, code) in [
        ("/api/v1/exports/matters?format=pdf", "invalid_format"),
        ("/api/v1/exports/matters?format=csv&format=xlsx", "invalid_format"),
        ("/api/v1/exports/matters?state=bogus", "invalid_state"),
        ("/api/v1/exports/matters?frobnicate=1", "invalid_query"),
    ] {
        app.refused(Method::GET, uri, &d, None, StatusCode::BAD_REQUEST, code).await;
    }
    let resident = app.bearer("resident").await;
    let (status, _, body) =
        app.send(Method::GET, "/api/v1/exports/matters", &[("authorization", &resident)], None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "residents export nothing (refused as figures are): {body}");
    assert_error(&body, "not_found");
    let (status, _, _) = app.send(Method::GET, "/api/v1/exports/matters", &[], None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
