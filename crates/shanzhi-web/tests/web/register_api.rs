//! The register over HTTP: a community worker imports a CSV body, the grid's
//! worker lists and marks for care; the care list is masked, the opened mark
//! shows the reason, another grid's worker gets 404; a bad file is 422 with
//! line numbers; the pages list the grid's records and the due visits.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use shanzhi_app::register::{CareKey, CareKeys, RegisterSettings};
use shanzhi_domain::Role;
use shanzhi_testkit::TestApp;

use crate::desk::{get, sign_in_as};
use crate::support::{TestApi, assert_error};

const CSV: &str = "类别,楼栋地址,楼栋类型,网格编码,单元,房号,户主,姓名,身份证号,性别,出生年份,联系电话,人口类型\n\
居民,总府路1号1栋,住宅,510104022006001,1,101,是,张三,,男,1940,13800001111,户籍\n\
居民,总府路2号1栋,住宅,510104022006002,1,101,是,王五,,男,1980,,流动\n";

async fn call(app: &TestApi, who: &str, method: Method, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
    let auth = app.bearer(who).await;
    let (status, _, body) = app.send(method, uri, &[("authorization", auth.as_str())], body).await;
    (status, body)
}

async fn import(app: &TestApi, who: &str, csv: &str) -> (StatusCode, Value) {
    let auth = app.bearer(who).await;
    let headers = [("authorization", auth.as_str()), ("content-type", "text/csv")];
    let (status, _, bytes) = app
        .send_raw(None, Method::POST, "/api/v1/register/import?street=510104022", &headers, csv.as_bytes().to_vec())
        .await;
    (status, serde_json::from_slice(&bytes).expect("JSON"))
}

#[tokio::test]
async fn the_register_and_care_marks_over_the_api_and_pages() {
    let app = TestApi::start(TestApp::new().with_grid()).await;
    app.app.add_account("c_in", Role::CommunityWorker, Some("510104022006")).await;
    app.app.add_account("g_a", Role::GridWorker, Some("510104022006001")).await;
    app.app.add_account("g_b", Role::GridWorker, Some("510104022006002")).await;
    let key = CareKey::generate("k1").expect("key");
    app.app
        .app()
        .set_register_settings(RegisterSettings { keys: CareKeys::new(key, vec![]), ..RegisterSettings::default() });

    let bad = format!("{CSV}居民,总府路1号1栋,住宅,510104022006001,1,,是,钱七,12345,,,,户籍\n");
    let (status, body) = import(&app, "c_in", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error(&body, "import_rejected");
    assert!(body.to_string().contains("\"line\":4"), "{body}");
    let (status, list) = call(&app, "c_in", Method::GET, "/api/v1/register", None).await;
    assert_eq!((status, list.as_array().map(Vec::len)), (StatusCode::OK, Some(0)), "nothing of a refused file");

    let (status, report) = import(&app, "c_in", CSV).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["residents"], 2);
    let (_, mine) = call(&app, "g_a", Method::GET, "/api/v1/register?q=%E5%BC%A0%E4%B8%89", None).await;
    let zhang = mine.as_array().and_then(|l| l.iter().find(|e| e["name"] == "张三")).expect("张三").clone();
    assert_eq!(zhang["details"]["联系电话"], "138****1111");

    let body = json!({"reason": "独居老人", "notes": "女儿每周来", "every_days": 3});
    let uri = format!("/api/v1/register/{}/care", zhang["id"].as_str().expect("id"));
    let (status, mark) = call(&app, "g_a", Method::POST, &uri, Some(body.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{mark}");
    assert!(mark.get("reason").is_none() && mark["label"] == "关爱对象");
    let bad_reason = json!({"reason": "好奇", "every_days": 3});
    assert_error(&call(&app, "g_a", Method::POST, &uri, Some(bad_reason)).await.1, "unknown_care_reason");
    let (_, list) = call(&app, "c_in", Method::GET, "/api/v1/care", None).await;
    assert!(!list.to_string().contains("独居老人"), "lists are masked: {list}");
    let one = format!("/api/v1/care/{}", mark["id"].as_str().expect("id"));
    let (status, opened) = call(&app, "g_a", Method::GET, &one, None).await;
    assert_eq!((status, opened["reason"].as_str()), (StatusCode::OK, Some("独居老人")));
    let (status, other) = call(&app, "g_b", Method::GET, &one, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{other}");

    let cookie = sign_in_as(&app, "g_a").await;
    let page = get(&app, "/grid/register", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("张三") && !page.body.contains("王五") && page.body.contains("138****1111"));
    // The add form keeps what was typed when refused, and adds when right.
    let csrf = crate::desk::csrf_of(&page.body);
    let form = format!("csrf={csrf}&kind=building&name=%E6%96%B0%E6%A5%BC&grid=510104022006002&phone=12");
    let refused = crate::ui::call(&app, Method::POST, "/grid/register", &cookie, Some(&form)).await;
    assert!(refused.body.contains("value=\"新楼\"") && refused.body.contains("role=\"alert\""), "{}", refused.body);
    let form = format!("csrf={csrf}&kind=building&name=%E6%96%B0%E6%A5%BC&grid=510104022006001");
    let added = crate::ui::call(&app, Method::POST, "/grid/register", &cookie, Some(&form)).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let care = get(&app, "/grid/care", &cookie).await;
    assert_eq!(care.status, StatusCode::OK);
    assert!(!care.body.contains("独居老人"), "the due list names no reason");
}
