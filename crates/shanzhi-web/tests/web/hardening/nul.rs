//! Found by schemathesis on PostgreSQL: a token name with a NUL character
//! (`\u0000`) answered 500, because PostgreSQL cannot store a NUL in text
//! (SQLite can). Every way text comes in now refuses a NUL with a 400 on
//! both backends alike, and stores nothing.

use axum::http::{Method, StatusCode};
use serde_json::json;

use super::{matter_count, report, world};
use crate::support::assert_error;

#[tokio::test]
async fn nul_characters_are_refused_wherever_text_comes_in() {
    let app = world().await;
    let admin = app.bearer("admin").await;
    let auth = [("authorization", admin.as_str())];
    let (status, _, body) =
        app.send(Method::POST, "/api/v1/me/tokens", &auth, Some(json!({"name": "对接\u{0}令牌"}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_error(&body, "invalid_text");
    let (_, _, tokens) = app.send(Method::GET, "/api/v1/me/tokens", &auth, None).await;
    assert_eq!(tokens.as_array().map(Vec::len), Some(0), "no token made: {tokens}");

    let resident = app.bearer("resident").await;
    let (status, answer) = report(&app, Some(&resident), "0110", json!({"description": "井盖\u{0}松动"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(matter_count(&app).await, 0, "nothing reported");
    // An escaped backslash before "u0000" is text, not a NUL.
    let (status, answer) = report(&app, Some(&resident), "0110", json!({"description": "路径 C:\\u0000 写错了"})).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");

    let dispatcher = app.bearer("dispatcher").await;
    let (status, _, body) =
        app.send(Method::GET, "/api/v1/matters?q=%00", &[("authorization", dispatcher.as_str())], None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a query string: {body}");
    assert_error(&body, "invalid_text");

    let (status, _, bytes) = app
        .send_raw(
            None,
            Method::POST,
            "/open311/v2/requests.json",
            &[("content-type", "application/x-www-form-urlencoded")],
            b"service_code=0110&lat=30.652&long=104.072&description=a%00b".to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an Open311 form: {}", String::from_utf8_lossy(&bytes));
    assert_eq!(matter_count(&app).await, 1, "only the report above");
}
