//! The register's map over HTTP: GeoJSON of the places with a point, a grid
//! worker's own grid only (another grid is 404), care keys only for those
//! who may see care; the page links from the register, lists the places in
//! a table under the map and offers the grids by name.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use shanzhi_domain::Role;
use shanzhi_testkit::TestApp;

use crate::desk::{get, href, sign_in_as};
use crate::register_api::register_world;
use crate::support::{TestApi, assert_error};

async fn call(app: &TestApi, who: &str, method: Method, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
    let auth = app.bearer(who).await;
    let (status, _, body) = app.send(method, uri, &[("authorization", auth.as_str())], body).await;
    (status, body)
}

async fn add(app: &TestApi, body: Value) -> String {
    let (status, e) = call(app, "c_in", Method::POST, "/api/v1/register", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    e["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn the_register_map_over_the_api_and_its_page() {
    let app = register_world(TestApp::new().with_grid()).await;
    app.app.add_account("d_street", Role::Dispatcher, Some("510104022")).await;
    let building = add(&app, json!({"kind": "building", "name": "地图路1号", "lng": 104.072, "lat": 30.655})).await;
    let household = add(&app, json!({"kind": "household", "name": "1单元101", "parent_id": building})).await;
    let resident = add(&app, json!({"kind": "resident", "name": "地图甲", "parent_id": household})).await;
    add(&app, json!({"kind": "resident", "name": "地图乙", "parent_id": household})).await;
    add(&app, json!({"kind": "building", "name": "无坐标楼", "grid": "510104022006001"})).await;
    let mark = json!({"reason": "独居老人", "every_days": 3});
    let (status, _) = call(&app, "g_a", Method::POST, &format!("/api/v1/register/{resident}/care"), Some(mark)).await;
    assert_eq!(status, StatusCode::CREATED);

    let auth = app.bearer("g_a").await;
    let (status, headers, fc) =
        app.send(Method::GET, "/api/v1/register/map", &[("authorization", auth.as_str())], None).await;
    assert_eq!(status, StatusCode::OK, "{fc}");
    assert_eq!(headers.get("content-type").and_then(|v| v.to_str().ok()), Some("application/geo+json"));
    let features = fc["features"].as_array().expect("features");
    assert_eq!(features.len(), 1, "only the place with a point: {fc}");
    let p = &features[0]["properties"];
    assert_eq!(
        (&p["name"], &p["kind"], &p["households"], &p["residents"]),
        (&json!("地图路1号"), &json!("楼栋"), &json!(1), &json!(2))
    );
    assert_eq!((&p["care"], &p["care_overdue"]), (&json!(1), &json!(0)));
    assert_ne!(p["grid"], json!("510104022006001"), "the grid by its name");
    assert_eq!(features[0]["geometry"]["coordinates"], json!([104.072, 30.655]));
    assert_eq!(fc["properties"]["truncated"], false);

    let (status, body) = call(&app, "g_b", Method::GET, "/api/v1/register/map?grid=510104022006001", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_error(&body, "not_found");
    let (status, masked) =
        call(&app, "d_street", Method::GET, "/api/v1/register/map?community=510104022006", None).await;
    assert_eq!(status, StatusCode::OK, "{masked}");
    assert_eq!(masked["features"][0]["properties"]["residents"], 2);
    assert!(!masked.to_string().contains("care"), "no care keys for a dispatcher: {masked}");

    let cookie = sign_in_as(&app, "g_a").await;
    let register = get(&app, "/grid/register", &cookie).await;
    assert_eq!(href(&register.body, "register-map-link"), "/grid/register/map");
    let page = get(&app, "/grid/register/map", &cookie).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let table = page.body.split("id=\"register-places\"").nth(1).expect("the table");
    assert!(table.contains("地图路1号") && !table.contains("无坐标楼"), "{table}");
    assert!(page.body.contains("/assets/register_map.js") && page.body.contains("data-src=\"/api/v1/register/map\""));
    assert!(page.body.contains("<option value=\"510104022006001\""), "the grid offered");
    let filtered = get(&app, "/grid/register/map?grid=510104022006001", &cookie).await;
    assert!(filtered.body.contains(" selected>"), "the chosen grid stays selected");
    let other = sign_in_as(&app, "g_b").await;
    assert_eq!(get(&app, "/grid/register/map?grid=510104022006001", &other).await.status, StatusCode::NOT_FOUND);
    let js = get(&app, "/assets/register_map.js", &cookie).await;
    assert_eq!(js.status, StatusCode::OK);
}
