//! The hardening issue's findings, one test each, named after the finding:
//! each failed on the main branch it was filed against and passes now.
//! Everything goes through HTTP, as the attacker or the new user went.

mod access;
mod intake;
mod nul;
mod surface;
mod uploads;

use std::time::Duration;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use shanzhi_domain::Role;
use shanzhi_testkit::{TestApp, one_grid_community};
use shanzhi_web::HttpOptions;

use crate::support::TestApi;

/// Two communities in two districts (锦江 总府路, 青羊 八宝街), their
/// departments, and one account per role.
async fn world() -> TestApi {
    let mut features = one_grid_community("510104022006", 104.07, 30.65);
    features.extend(one_grid_community("510105002002", 104.05, 30.66));
    let app = TestApp::new()
        .with_features(features)
        .with_categories()
        .with_department("510104-chengguan", "锦江区城管局")
        .with_department("510105-chengguan", "青羊区城管局")
        .with_accounts(&[
            ("dispatcher", Role::Dispatcher, Some("510104022")),
            ("other_dispatcher", Role::Dispatcher, Some("510105002")),
            ("handler", Role::DeptHandler, Some("510104-chengguan")),
            ("resident", Role::Resident, None),
            ("admin", Role::Admin, Some("5101")),
            ("grid", Role::GridWorker, Some("510104022006001")),
            ("verifier", Role::CommunityWorker, Some("510104022006")),
        ]);
    TestApi::start_with(app, HttpOptions { timeout: Duration::from_secs(30), ..HttpOptions::default() }).await
}

/// A report at 总府路 (or anywhere), by whoever `auth` names (none: anonymous).
async fn report(app: &TestApi, auth: Option<&str>, category: &str, extra: Value) -> (StatusCode, Value) {
    let mut body = json!({"category": category, "lng": 104.072, "lat": 30.652, "description": "井盖松动，有安全隐患"});
    if let (Some(b), Value::Object(more)) = (body.as_object_mut(), extra) {
        b.extend(more);
    }
    let headers: Vec<(&str, &str)> = auth.map(|a| vec![("authorization", a)]).unwrap_or_default();
    let (status, _, answer) = app.send(Method::POST, "/api/v1/matters", &headers, Some(body)).await;
    (status, answer)
}

/// How many matters the store holds.
async fn matter_count(app: &TestApi) -> u64 {
    let q = shanzhi_store::MatterQuery {
        scope: shanzhi_store::MatterScope { everything: true, ..Default::default() },
        ..Default::default()
    };
    app.app.store().count_matters(&q).await.expect("count").values().sum()
}
