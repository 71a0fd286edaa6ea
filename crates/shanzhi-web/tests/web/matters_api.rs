//! The matter API's fixed interfaces over HTTP.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use shanzhi_domain::Role;
use shanzhi_testkit::{TestApp, one_grid_community};

use crate::support::{TestApi, assert_error};

async fn world() -> TestApi {
    TestApi::start(
        TestApp::new()
            .with_features(one_grid_community("510104022006", 104.07, 30.65))
            .with_categories()
            .with_department("510104-chengguan", "锦江区城管局")
            .with_accounts(&[("dispatcher", Role::Dispatcher, Some("510104022")), ("resident", Role::Resident, None)]),
    )
    .await
}

#[tokio::test]
async fn report_read_command_and_timeline_through_the_fixed_interfaces() {
    let app = world().await;
    let resident = app.bearer("resident").await;
    let body = json!({"category": "0110", "lng": 104.072, "lat": 30.652, "crs": "wgs84", "description": "井盖破损", "channel": "resident"});
    let (status, _, created) =
        app.send(Method::POST, "/api/v1/matters", &[("authorization", &resident)], Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let m = &created["matter"];
    for field in ["id", "number", "state", "grid"] {
        assert!(!m[field].is_null(), "{field} in {created}");
    }
    assert_eq!((m["state"].as_str(), m["grid"].as_str()), (Some("reported"), Some("510104022006001")));
    let id = m["id"].as_str().expect("id").to_owned();

    let dispatcher = app.bearer("dispatcher").await;
    let d = [("authorization", dispatcher.as_str())];
    let (status, _, got) = app.send(Method::GET, &format!("/api/v1/matters/{id}"), &d, None).await;
    assert_eq!((status, got["number"].clone()), (StatusCode::OK, m["number"].clone()));
    let (status, _, listed) = app.send(Method::GET, "/api/v1/matters?state=reported", &d, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));

    let (status, _, wrong) = app
        .send(
            Method::POST,
            &format!("/api/v1/matters/{id}/commands/dispatch"),
            &d,
            Some(json!({"to": {"kind": "department", "code": "510104-chengguan"}})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{wrong}");
    assert_error(&wrong, "wrong_state");
    assert_eq!(wrong["error"]["details"]["allowed_commands"][0], "accept");
    insta::assert_json_snapshot!(wrong, @r#"
    {
      "error": {
        "code": "wrong_state",
        "details": {
          "allowed_commands": [
            "accept",
            "reject",
            "supervise",
            "merge",
            "void"
          ]
        },
        "message": "事件当前为“已上报”，不能执行 dispatch",
        "message_en": "a matter in state reported does not accept dispatch"
      }
    }
    "#);
    let (status, _, accepted) =
        app.send(Method::POST, &format!("/api/v1/matters/{id}/commands/accept"), &d, None).await;
    assert_eq!((status, accepted["state"].as_str()), (StatusCode::OK, Some("filed")));
    let (status, _, timeline) = app.send(Method::GET, &format!("/api/v1/matters/{id}/timeline"), &d, None).await;
    assert_eq!(status, StatusCode::OK);
    let commands: Vec<_> = timeline.as_array().expect("events").iter().map(|e| e["command"].clone()).collect();
    assert_eq!(commands, [json!("report"), json!("accept")]);
    let (_, _, counts) = app.send(Method::GET, "/api/v1/matters/counts", &d, None).await;
    assert_eq!(counts["filed"], 1);
    let (status, _, categories) = app.send(Method::GET, "/api/v1/categories", &d, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(categories.as_array().is_some_and(|c| c.iter().any(|c| c["code"] == "0110" && c["version"] == 1)));
    let (status, _, duties) = app.send(Method::GET, "/api/v1/duties?category=0110", &d, None).await;
    assert_eq!((status, duties.as_array().map(Vec::len)), (StatusCode::OK, Some(3)));
}

#[tokio::test]
async fn bad_requests_are_refused_and_nothing_is_written() {
    let app = world().await;
    let resident = app.bearer("resident").await;
    let r = [("authorization", resident.as_str())];
    let post = |body: Value| app.send(Method::POST, "/api/v1/matters", &r, Some(body));
    for (body, status, code) in [
        (json!({"category": "0110", "lng": 104.072, "lat": 30.652}), StatusCode::BAD_REQUEST, "invalid_json"),
        (
            json!({"category": "9999", "lng": 104.072, "lat": 30.652, "description": "x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_category",
        ),
        (
            json!({"category": "0110", "lng": 999, "lat": 30.652, "description": "x"}),
            StatusCode::BAD_REQUEST,
            "invalid_coordinates",
        ),
        (
            json!({"category": "0110", "grid": "510104022006099", "description": "x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_grid",
        ),
        (
            json!({"category": "0110", "lng": 104.072, "lat": 30.652, "description": "x", "crs": "utm"}),
            StatusCode::BAD_REQUEST,
            "invalid_crs",
        ),
        (
            json!({"category": "0110", "lng": 104.072, "lat": 30.652, "description": "x", "colour": 1}),
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
    ] {
        let (got, _, body) = post(body.clone()).await;
        assert_eq!(got, status, "{body}");
        assert_error(&body, code);
    }
    let (_, _, missing) = post(json!({"category": "0110", "lng": 104.072, "lat": 30.652})).await;
    insta::assert_json_snapshot!(missing, @r#"
    {
      "error": {
        "code": "invalid_json",
        "message": "请求体不是有效的 JSON 或字段不符",
        "message_en": "invalid JSON body: Failed to deserialize the JSON body into the target type: missing field `description` at line 1 column 46"
      }
    }
    "#);
    let plain = [("authorization", resident.as_str()), ("content-type", "text/plain")];
    let (status, _, bytes) = app.send_raw(None, Method::POST, "/api/v1/matters", &plain, b"{}".to_vec()).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let body: Value = serde_json::from_slice(&bytes).expect("JSON");
    assert_error(&body, "unsupported_media_type");
    insta::assert_json_snapshot!(body, @r#"
    {
      "error": {
        "code": "unsupported_media_type",
        "message": "不支持的内容类型，请使用 application/json",
        "message_en": "unsupported content type; send application/json"
      }
    }
    "#);
    let (status, _, body) = app.send(Method::POST, "/api/v1/attachments", &r, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "empty upload: {body}");
    let pdf = axum::body::Body::from(b"%PDF-1.7".to_vec());
    let req = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/api/v1/attachments")
        .header("authorization", &resident)
        .body(pdf)
        .expect("request");
    let response = tower::ServiceExt::oneshot(app.router.clone(), req).await.expect("response");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let (_, _, counts) = app.send(Method::GET, "/api/v1/matters/counts", &r, None).await;
    assert_eq!(counts, json!({}), "nothing was written");

    // Retries with the same Idempotency-Key come back as the same matter.
    let body = json!({"category": "0110", "lng": 104.072, "lat": 30.652, "description": "重试"});
    let keyed = [("authorization", resident.as_str()), ("idempotency-key", "abc-123")];
    let (first, _, a) = app.send(Method::POST, "/api/v1/matters", &keyed, Some(body.clone())).await;
    let (again, _, b) = app.send(Method::POST, "/api/v1/matters", &keyed, Some(body)).await;
    assert_eq!((first, again), (StatusCode::CREATED, StatusCode::OK));
    assert_eq!(a["matter"]["id"], b["matter"]["id"]);
    // Anonymous residents may report; they may not read lists.
    let (status, _, anon) = app
        .send(
            Method::POST,
            "/api/v1/matters",
            &[],
            Some(json!({"category": "0110", "lng": 104.073, "lat": 30.653, "description": "匿名"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{anon}");
    let (status, _, _) = app.send(Method::GET, "/api/v1/matters", &[], None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
