//! The community's public page (issue 19) over HTTP: anyone reads its grid
//! workers' public work phones, set through the API by the administrator
//! only; a malformed number is refused in both languages and changes
//! nothing; the private mobile never reaches the page.

use axum::http::{Method, StatusCode};
use serde_json::json;
use shanzhi_domain::Role;
use shanzhi_testkit::{INSIDE, TestApp, username_of};

use crate::desk::get;
use crate::support::TestApi;

#[tokio::test]
async fn a_work_phone_set_by_the_administrator_is_on_the_public_page() {
    let app = TestApi::start(
        TestApp::new().with_staff(Role::GridWorker).with_staff(Role::Admin).with_staff(Role::Dispatcher),
    )
    .await;
    let worker = username_of(Role::GridWorker);
    let uri = format!("/api/v1/users/{worker}/work-phone");
    let admin = app.bearer(&username_of(Role::Admin)).await;
    let dispatcher = app.bearer(&username_of(Role::Dispatcher)).await;
    let page = get(&app, &format!("/c/{INSIDE}"), "").await;
    assert_eq!(page.status, StatusCode::OK, "public: {}", page.body);
    assert!(page.body.contains(&format!("{worker} 同志")), "the worker by name");

    let refused = json!({"work_phone": "028-86612345"});
    app.refused(
        Method::PUT,
        &uri,
        &[("authorization", &dispatcher)],
        Some(refused),
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let bad = json!({"work_phone": "8661"});
    let body = app
        .refused(
            Method::PUT,
            &uri,
            &[("authorization", &admin)],
            Some(bad),
            StatusCode::BAD_REQUEST,
            "invalid_work_phone",
        )
        .await;
    assert!(body["error"]["message_en"].as_str().unwrap_or_default().contains("work phone"), "{body}");
    assert!(!get(&app, &format!("/c/{INSIDE}"), "").await.body.contains("tel:"), "nothing changed");

    let (status, _, view) =
        app.send(Method::PUT, &uri, &[("authorization", &admin)], Some(json!({"work_phone": "028 8661 2345"}))).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["work_phone"], "028-86612345");
    let page = get(&app, &format!("/c/{INSIDE}"), "").await;
    assert!(page.body.contains("href=\"tel:028-86612345\""), "{}", page.body);
    assert!(view["phone"].as_str().is_some_and(|p| p.starts_with("139")), "the worker has a private mobile: {view}");
    assert!(!page.body.contains("1390000"), "the private mobile is not on the page");

    let (status, _, view) =
        app.send(Method::PUT, &uri, &[("authorization", &admin)], Some(json!({"work_phone": null}))).await;
    assert_eq!((status, view["work_phone"].is_null()), (StatusCode::OK, true), "{view}");
    assert!(!get(&app, &format!("/c/{INSIDE}"), "").await.body.contains("tel:"), "cleared");
}
