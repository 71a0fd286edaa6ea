//! The hardening issue's findings, one test each, named after the finding:
//! each failed on the main branch it was filed against and passes now.
//! Everything goes through HTTP, as the attacker or the new user went.

#[path = "../support/mod.rs"]
mod support;

mod access;
mod intake;
mod surface;
mod uploads;

use std::time::Duration;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use shanzhi_app::NoProgress;
use shanzhi_app::access::{AdminDesk, NewStaff};
use shanzhi_app::grids::GridImportOptions;
use shanzhi_domain::Role;
use shanzhi_web::HttpOptions;
use support::TestApp;

pub(crate) const PASSWORD: &str = "Hardening-Test-2026";

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Value {
    json!({"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]})
}

/// Two communities in two districts (锦江 总府路, 青羊 八宝街), their
/// departments, and one account per role.
pub(crate) async fn world() -> TestApp {
    world_with(HttpOptions { timeout: Duration::from_secs(30), ..HttpOptions::default() }).await
}

pub(crate) async fn world_with(options: HttpOptions) -> TestApp {
    let app = support::spawn_app_with(options).await;
    let feature = |code: &str, kind: &str, name: &str, g: Value| json!({"type": "Feature", "properties": {"code": code, "kind": kind, "name": name}, "geometry": g});
    let text = json!({"type": "FeatureCollection", "features": [
        feature("510104022006000", "master", "总府路社区", rect(104.07, 30.65, 104.08, 30.66)),
        feature("510104022006001", "general", "总府路一网格", rect(104.07, 30.65, 104.08, 30.66)),
        feature("510105002002000", "master", "八宝街社区", rect(104.05, 30.66, 104.06, 30.67)),
        feature("510105002002001", "general", "八宝街一网格", rect(104.05, 30.66, 104.06, 30.67)),
    ]})
    .to_string();
    app.app
        .operator()
        .import_grids(&text, GridImportOptions::from(jiff::civil::date(2025, 1, 1)), &NoProgress)
        .await
        .expect("grid");
    app.app.operator().ensure_categories("test").await.expect("categories");
    let operator = app.app.operator().scoped("test");
    let op = operator.desk::<AdminDesk>().expect("the operator administers");
    op.create_department("510104-chengguan", "锦江区城管局").await.expect("department");
    op.create_department("510105-chengguan", "青羊区城管局").await.expect("department");
    for (username, role, scope) in [
        ("dispatcher", Role::Dispatcher, Some("510104022")),
        ("other_dispatcher", Role::Dispatcher, Some("510105002")),
        ("handler", Role::DeptHandler, Some("510104-chengguan")),
        ("resident", Role::Resident, None),
        ("admin", Role::Admin, Some("5101")),
        ("grid", Role::GridWorker, Some("510104022006001")),
        ("verifier", Role::CommunityWorker, Some("510104022006")),
    ] {
        op.create_user(NewStaff {
            username: username.to_owned(),
            display_name: format!("{username} 同志"),
            phone: Some("13912345678".to_owned()),
            password: Some(PASSWORD.to_owned()),
            role,
            scope: scope.map(str::to_owned),
            from: None,
            to: None,
        })
        .await
        .expect("user");
    }
    app
}

/// `Authorization` header value of a fresh session.
pub(crate) async fn bearer(app: &TestApp, username: &str) -> String {
    let (status, _, body) = app
        .send(Method::POST, "/api/v1/auth/login", &[], Some(json!({"username": username, "password": PASSWORD})))
        .await;
    assert_eq!(status, StatusCode::OK, "{username}: {body}");
    format!("Bearer {}", body["token"].as_str().expect("token"))
}

/// A report at 总府路 (or anywhere), by whoever `auth` names (none: anonymous).
pub(crate) async fn report(app: &TestApp, auth: Option<&str>, category: &str, extra: Value) -> (StatusCode, Value) {
    let mut body = json!({"category": category, "lng": 104.072, "lat": 30.652, "description": "井盖松动，有安全隐患"});
    if let (Some(b), Value::Object(more)) = (body.as_object_mut(), extra) {
        b.extend(more);
    }
    let headers: Vec<(&str, &str)> = auth.map(|a| vec![("authorization", a)]).unwrap_or_default();
    let (status, _, answer) = app.send(Method::POST, "/api/v1/matters", &headers, Some(body)).await;
    (status, answer)
}

/// Run commands as the operator until the matter is closed (verified).
pub(crate) async fn close(app: &TestApp, id: &str) {
    let operator = app.app.operator().scoped("test");
    let op = operator.desk::<AdminDesk>().expect("the operator administers");
    for (command, args) in [
        ("accept", Value::Null),
        ("dispatch", json!({"to": {"kind": "department", "code": "510104-chengguan"}})),
        ("sign", Value::Null),
        ("respond", json!({"text": "已修复"})),
        ("verify", json!({"passed": true, "note": "合格"})),
    ] {
        op.command(id, command, args).await.expect(command);
    }
}

/// How many matters the store holds.
pub(crate) async fn matter_count(app: &TestApp) -> u64 {
    let q = shanzhi_store::MatterQuery {
        scope: shanzhi_store::MatterScope { everything: true, ..Default::default() },
        ..Default::default()
    };
    app.app.store().count_matters(&q).await.expect("count").values().sum()
}
