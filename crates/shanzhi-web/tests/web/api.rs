//! Divisions and health over HTTP.

use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use serde_json::Value;
use tower::ServiceExt;

use crate::support::{assert_error, spawn_app};

#[tokio::test]
async fn healthz_reports_backend_and_schema() {
    let app = spawn_app().await;
    let (status, body) = app.get("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    let expected = match shanzhi_testkit::backend() {
        shanzhi_testkit::TestBackend::Sqlite => "sqlite",
        shanzhi_testkit::TestBackend::Postgres => "postgres",
    };
    assert_eq!(body["backend"], expected);
    assert_eq!(body["schema_version"], body["latest_schema_version"]);
    assert!(body["schema_version"].as_i64().is_some_and(|v| v >= 1));
}

#[tokio::test]
async fn chengdu_lists_its_twenty_districts_and_real_totals() {
    let app = spawn_app().await;
    let (status, body) = app.get("/api/v1/divisions/510100000000").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["division"]["name"], "成都市");
    assert_eq!(body["division"]["level"], "city");
    let districts = body["children"].as_array().expect("children");
    assert_eq!(districts.len(), 20);
    assert!(districts.iter().any(|d| d["name"] == "锦江区" && d["code"] == "510104000000"));
    assert_eq!(body["descendant_counts"]["district"], 20);
    assert_eq!(body["descendant_counts"]["town"], 261);
    assert_eq!(body["descendant_counts"]["community"], 3047);
    assert_eq!(body["ancestors"][0]["name"], "四川省");
}

#[tokio::test]
async fn short_codes_are_padded_and_a_district_lists_its_towns() {
    let app = spawn_app().await;
    let (status, body) = app.get("/api/v1/divisions/510104").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["division"]["code"], "510104000000");
    assert_eq!(body["division"]["name"], "锦江区");
    let towns = body["children"].as_array().expect("towns");
    assert!(!towns.is_empty());
    assert!(towns.iter().all(|t| t["level"] == "town" && t["parent_code"] == "510104000000"));
    assert!(towns.iter().any(|t| t["name"] == "春熙路街道"));
    let chain: Vec<_> = body["ancestors"].as_array().expect("chain").iter().map(|a| a["name"].clone()).collect();
    assert_eq!(chain, ["四川省", "成都市"]);
    assert_eq!(body["descendant_counts"]["town"], towns.len());
}

#[tokio::test]
async fn listing_by_parent_matches_the_node_view() {
    let app = spawn_app().await;
    let (status, list) = app.get("/api/v1/divisions?parent=510104022").await;
    assert_eq!(status, StatusCode::OK);
    let (_, node) = app.get("/api/v1/divisions/510104022000").await;
    assert_eq!(list["items"], node["children"]);
    assert_eq!(list["count"], node["children"].as_array().map_or(0, Vec::len));
    assert!(list["count"].as_u64().is_some_and(|n| n > 0));
    let (_, roots) = app.get("/api/v1/divisions").await;
    assert_eq!(roots["count"], 1);
    assert_eq!(roots["items"][0]["name"], "四川省");
}

#[tokio::test]
async fn bad_codes_unknown_codes_and_bad_queries_get_json_errors() {
    let app = spawn_app().await;
    for (uri, status, code) in [
        ("/api/v1/divisions/5101x4", StatusCode::BAD_REQUEST, "invalid_division_code"),
        ("/api/v1/divisions/51010", StatusCode::BAD_REQUEST, "invalid_division_code"),
        ("/api/v1/divisions/%E6%88%90%E9%83%BD", StatusCode::BAD_REQUEST, "invalid_division_code"),
        ("/api/v1/divisions/510199000000", StatusCode::NOT_FOUND, "division_not_found"),
        ("/api/v1/divisions?parent=510199", StatusCode::NOT_FOUND, "division_not_found"),
        ("/api/v1/divisions?parent=abc", StatusCode::BAD_REQUEST, "invalid_division_code"),
        ("/api/v1/divisions?parnet=510104", StatusCode::BAD_REQUEST, "invalid_query"),
        ("/api/v1/divisions/510104?code_system=GB2260", StatusCode::BAD_REQUEST, "invalid_code_system"),
        ("/api/v1/divisions/510104/extra", StatusCode::NOT_FOUND, "not_found"),
        ("/api/v2/anything", StatusCode::NOT_FOUND, "not_found"),
    ] {
        app.get_refused(uri, status, code).await;
    }
    let body = app.get_refused("/api/v1/divisions?parnet=510104", StatusCode::BAD_REQUEST, "invalid_query").await;
    insta::assert_json_snapshot!(body, @r#"
    {
      "error": {
        "code": "invalid_query",
        "message": "查询参数无效，请检查参数名和取值",
        "message_en": "invalid query: Failed to deserialize query string: parnet: unknown field `parnet`, expected `parent` or `code_system`"
      }
    }
    "#);
    let body = app.get_refused("/api/v2/anything", StatusCode::NOT_FOUND, "not_found").await;
    insta::assert_json_snapshot!(body, @r#"
    {
      "error": {
        "code": "not_found",
        "message": "请求的地址不存在",
        "message_en": "no such resource"
      }
    }
    "#);
}

#[tokio::test]
async fn wrong_methods_and_oversized_bodies_are_refused_in_json() {
    let app = spawn_app().await;
    let (status, _, _, body) = app.request(Method::DELETE, "/api/v1/divisions/510104", Body::empty()).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_error(&body, "method_not_allowed");
    let big = Body::from(vec![b'x'; 65 * 1024]);
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/divisions")
        .header(header::CONTENT_LENGTH, 65 * 1024)
        .body(big)
        .expect("request");
    let response = app.router.clone().oneshot(request).await.expect("response");
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value =
        serde_json::from_slice(&to_bytes(response.into_body(), usize::MAX).await.expect("body")).expect("json");
    assert_error(&body, "payload_too_large");
    insta::assert_json_snapshot!(body, @r#"
    {
      "error": {
        "code": "payload_too_large",
        "message": "请求体过大",
        "message_en": "request body too large"
      }
    }
    "#);
    // Nothing changed.
    let (_, city) = app.get("/api/v1/divisions/5101").await;
    assert_eq!(city["descendant_counts"]["community"], 3047);
}

#[tokio::test]
async fn the_mca_system_is_separate_and_empty_until_imported() {
    let app = spawn_app().await;
    let (status, body) = app.get("/api/v1/divisions/510104?code_system=MCA").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_error(&body, "division_not_found");
}
