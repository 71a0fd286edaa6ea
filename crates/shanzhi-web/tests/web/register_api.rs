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

/// The grid with a community worker and the two grids' workers, and a care key.
pub(crate) async fn register_world(builder: shanzhi_testkit::TestAppBuilder) -> TestApi {
    let app = TestApi::start(builder).await;
    app.app.add_account("c_in", Role::CommunityWorker, Some("510104022006")).await;
    app.app.add_account("g_a", Role::GridWorker, Some("510104022006001")).await;
    app.app.add_account("g_b", Role::GridWorker, Some("510104022006002")).await;
    let key = CareKey::generate("k1").expect("key");
    app.app
        .app()
        .set_register_settings(RegisterSettings { keys: CareKeys::new(key, vec![]), ..RegisterSettings::default() });
    app
}

pub(crate) async fn import(app: &TestApi, who: &str, csv: &str) -> (StatusCode, Value) {
    let auth = app.bearer(who).await;
    let headers = [("authorization", auth.as_str()), ("content-type", "text/csv")];
    let (status, _, bytes) = app
        .send_raw(None, Method::POST, "/api/v1/register/import?street=510104022", &headers, csv.as_bytes().to_vec())
        .await;
    (status, serde_json::from_slice(&bytes).expect("JSON"))
}

#[tokio::test]
async fn the_register_and_care_marks_over_the_api_and_pages() {
    let app = register_world(TestApp::new().with_grid()).await;

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

    // The rows of care visit coverage, as CSV: the mark, no person.
    let csv_of = |who: &'static str, query: &'static str| {
        let app = &app;
        async move {
            let auth = app.bearer(who).await;
            let uri = format!("/api/v1/exports/care-visits?{query}");
            app.send_raw(None, Method::GET, &uri, &[("authorization", auth.as_str())], Vec::new()).await
        }
    };
    let (status, headers, bytes) = csv_of("c_in", "from=2026-11-01&to=2026-12-31").await;
    let text = String::from_utf8(bytes).expect("UTF-8");
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(headers["content-type"].to_str().is_ok_and(|t| t.starts_with("text/csv")));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "mark,community,grid,every_days,started_on,ended_on,visit_days");
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[1].starts_with(mark["id"].as_str().expect("id")) && lines[1].contains(",510104022006001,3,"));
    assert!(!text.contains("张三") && !text.contains("独居老人"), "no person, no reason");
    let (status, _, _) = csv_of("g_b", "from=2026-11-01&to=2026-12-31&grid=510104022006001").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another grid's worker: as if it did not exist");
    let (status, _, _) = csv_of("c_in", "from=2026-12-31&to=2026-11-01").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a period backwards");

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

    // The community worker's form offers grids and the parent by name,
    // never a code to type.
    let c_cookie = sign_in_as(&app, "c_in").await;
    let page = get(&app, "/grid/register", &c_cookie).await;
    assert!(page.body.contains("<select name=\"grid\">") && !page.body.contains("<input name=\"grid\""));
    let option = page.body.split("<option value=\"510104022006001\"").nth(1).expect("the grid is offered");
    let label = option.split('>').nth(1).and_then(|s| s.split('<').next()).unwrap_or_default();
    let (_, cell) = call(&app, "c_in", Method::GET, "/api/v1/grids/510104022006001", None).await;
    assert_eq!(Some(label), cell["properties"]["name"].as_str(), "offered by its name: {cell}");
    assert!(!page.body.contains("name=\"parent\""), "no parent without one chosen");
    let (_, found) =
        call(&app, "c_in", Method::GET, &format!("/api/v1/register?q={}", enc("总府路1号1栋")), None).await;
    let building = found.as_array().and_then(|l| l.iter().find(|e| e["kind"] == "building")).expect("building");
    let id = building["id"].as_str().expect("id");
    let page = get(&app, &format!("/grid/register?parent={id}"), &c_cookie).await;
    assert!(page.body.contains(&format!("<input type=\"hidden\" name=\"parent\" value=\"{id}\">")), "{}", page.body);
    let shown = page.body.split("id=\"register-parent\"").nth(1).expect("the parent is shown");
    assert!(shown.split("</p>").next().unwrap_or_default().contains("总府路1号1栋"), "by its name");
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn a_record_is_edited_on_its_page_with_its_versions_and_the_phone_kept() {
    let app = TestApi::start(TestApp::new().with_grid()).await;
    app.app.add_account("c_in", Role::CommunityWorker, Some("510104022006")).await;
    app.app.add_account("g_a", Role::GridWorker, Some("510104022006001")).await;
    app.app.add_account("g_b", Role::GridWorker, Some("510104022006002")).await;
    let (status, report) = import(&app, "c_in", CSV).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let (_, mine) = call(&app, "g_a", Method::GET, "/api/v1/register", None).await;
    let id_of = |name: &str| {
        mine.as_array()
            .and_then(|l| l.iter().find(|e| e["name"] == name))
            .and_then(|e| e["id"].as_str())
            .expect("on the list")
            .to_owned()
    };
    let (zhang, building) = (id_of("张三"), id_of("总府路1号1栋"));
    let on_list = mine.as_array().and_then(|l| l.iter().find(|e| e["name"] == "张三")).expect("张三").clone();
    let (household, grid) =
        (on_list["parent_id"].as_str().expect("a household"), on_list["grid"].as_str().unwrap_or(""));
    let uri = format!("/grid/register/{zhang}/edit");

    let cookie = sign_in_as(&app, "g_a").await;
    let list = get(&app, "/grid/register", &cookie).await;
    assert!(list.body.contains(&format!("href=\"{uri}\"")), "the register links each record's form");
    let form = get(&app, &uri, &cookie).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("value=\"张三\"") && form.body.contains("value=\"1940\""), "as on record");
    assert!(form.body.contains(&format!("name=\"parent\" value=\"{household}\"")), "its household carried");
    assert!(form.body.contains("138****1111") && !form.body.contains("13800001111"), "the phone masked");
    let csrf = crate::desk::csrf_of(&form.body);
    let post = |fields: String| {
        let (app, cookie, uri) = (&app, &cookie, &uri);
        async move { crate::ui::call(app, Method::POST, uri, cookie, Some(&fields)).await }
    };
    let fields = |version: &str, birth: &str| {
        format!(
            "csrf={csrf}&version={version}&parent={household}&grid={grid}&name={}&gender={}&birth_year={birth}\
             &status={}&head=on&phone=",
            enc("张三"),
            enc("男"),
            enc("常住")
        )
    };

    let refused = post(fields("1", "19x1")).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(refused.body.contains("出生年份应为") && refused.body.contains("value=\"19x1\""), "kept, with the reason");
    let saved = post(fields("1", "1941")).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let (_, entry) = call(&app, "g_a", Method::GET, &format!("/api/v1/register/{zhang}"), None).await;
    assert_eq!(entry["details"]["出生年份"], 1941);
    assert_eq!(entry["details"]["人口类型"], "常住");
    assert_eq!(entry["details"]["联系电话"], "138****1111", "an empty phone field keeps the phone");
    assert_eq!(entry["version"], 2);

    let stale = post(fields("1", "1942")).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "a version read before the change: {}", stale.body);
    assert!(stale.body.contains("value=\"1942\""), "kept");
    let again = get(&app, &uri, &cookie).await;
    let versions = again.body.split("id=\"register-versions\"").nth(1).expect("the history");
    assert!(versions.contains("版本 1") && versions.contains("版本 2"), "{versions}");
    assert!(versions.matches("g_a").count() >= 1, "who saved: {versions}");

    // A building: its grid and use.
    let b_uri = format!("/grid/register/{building}/edit");
    let b_form = get(&app, &b_uri, &cookie).await;
    assert!(b_form.body.contains("name=\"grid\""), "a building's grid is on its form");
    let b = format!("csrf={csrf}&version=1&name={}&grid=510104022006001&category={}", enc("总府路1号1栋"), enc("商住"));
    let b_saved = crate::ui::call(&app, Method::POST, &b_uri, &cookie, Some(&b)).await;
    assert_eq!(b_saved.status, StatusCode::SEE_OTHER, "{}", b_saved.body);

    // Another grid's worker does not see it.
    let other = sign_in_as(&app, "g_b").await;
    assert_eq!(get(&app, &uri, &other).await.status, StatusCode::NOT_FOUND);
}
