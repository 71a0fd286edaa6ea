//! Smart dispatch on the web: after retraining, the intake answer carries the
//! model's category with its confidence and reasons, and the matter page a
//! dispatcher opens shows them above the actions, with the unit that handled
//! the category's closed matters preselected and why.

use axum::http::{Method, StatusCode};
use serde_json::json;
use shanzhi_domain::Role;
use shanzhi_testkit::{TestApp, one_grid_community};

use crate::desk::{get, report, sign_in_as};
use crate::support::TestApi;

#[tokio::test]
async fn the_matter_page_shows_what_the_history_suggests() {
    let dir = tempfile::tempdir().expect("dir");
    let app = TestApi::start(
        TestApp::new()
            .with_features(one_grid_community("510104022006", 104.07, 30.65))
            .with_categories()
            .with_department("510104-chengguan", "锦江区城管局")
            .with_department("510104-shuiwu", "锦江区水务局")
            .with_accounts(&[
                ("desk_dispatcher", Role::Dispatcher, Some("510104022")),
                ("desk_resident", Role::Resident, None),
            ])
            .with_dispatch_model(dir.path().join("dispatch-model.json")),
    )
    .await;
    let history = [
        ("0110", "井盖破损松动", "510104-shuiwu"),
        ("0110", "路面坑洼积水", "510104-shuiwu"),
        ("0110", "人行道地砖破损", "510104-shuiwu"),
        ("0116", "饭馆排烟管道冒黑烟", "510104-chengguan"),
        ("0116", "烧烤店油烟直排", "510104-chengguan"),
        ("0116", "串串店黑烟熏人", "510104-chengguan"),
    ];
    for (category, text, unit) in history {
        let number = report(&app, category, text).await;
        app.app.close_matter_by(&number, unit).await;
    }
    app.app.operator().retrain_dispatch().await.expect("retrain");

    let resident = app.bearer("desk_resident").await;
    let body = json!({"category": "12345.fanying", "lng": 104.072, "lat": 30.652, "description": "楼下排烟管道冒黑烟"});
    let (status, _, answer) =
        app.send(Method::POST, "/api/v1/matters", &[("authorization", &resident)], Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let hint = &answer["suggested_categories"][0];
    assert_eq!(hint["code"], "0116", "{answer}");
    assert!(hint["confidence"].as_f64().is_some_and(|c| (0.4..=1.0).contains(&c)), "{hint}");
    assert!(hint["words"].as_array().is_some_and(|w| !w.is_empty()), "{hint}");

    let road = report(&app, "0110", "小区门口路面塌陷").await;
    let cookie = sign_in_as(&app, "desk_dispatcher").await;
    app.app.operator().scoped("test").command(&road, "accept", json!({})).await.expect("accept");
    let page = get(&app, &format!("/m/{road}"), &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("data-testid=\"category-hints\""), "{}", page.body);
    assert!(page.body.contains("道路破损（置信度"), "the model's category with its confidence: {}", page.body);
    assert!(
        page.body
            .contains("<option value=\"510104-shuiwu\" selected>锦江区水务局（智能分拨建议，同类已结事项中占 100%）"),
        "the unit history suggests, preselected: {}",
        page.body
    );
}
