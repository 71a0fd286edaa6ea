//! Visits and the 民情日志 over HTTP: a resend with the same Idempotency-Key
//! answers 200 with the same visit, a position outside the grid is 422, a
//! care visit is masked in the answer and the day's log; a matter reported
//! from a visit; the pages: today's due visits, the visit form, the worker's
//! day with notes, the community worker's list and comment.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use shanzhi_testkit::{INSIDE_POINT, TestApp};

use crate::desk::{csrf_of, get, sign_in_as};
use crate::register_api::{import, register_world};
use crate::support::{TestApi, assert_error};

const CSV: &str = "类别,楼栋地址,楼栋类型,网格编码,单元,房号,户主,姓名,身份证号,性别,出生年份,联系电话,人口类型\n\
居民,总府路1号1栋,住宅,510104022006001,1,101,是,张三,,男,1940,,户籍\n\
居民,总府路1号1栋,住宅,510104022006001,1,102,是,李四,,女,1962,,户籍\n";

async fn call(
    app: &TestApi,
    who: &str,
    method: Method,
    uri: &str,
    body: Option<Value>,
    key: Option<&str>,
) -> (StatusCode, Value) {
    let auth = app.bearer(who).await;
    let mut headers = vec![("authorization", auth.as_str())];
    if let Some(k) = key {
        headers.push(("idempotency-key", k));
    }
    let (status, _, body) = app.send(method, uri, &headers, body).await;
    (status, body)
}

#[tokio::test]
async fn visits_and_the_daily_log_over_the_api_and_pages() {
    let app = register_world(TestApp::new().with_grid().with_categories()).await;
    let (status, _) = import(&app, "c_in", CSV).await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = call(&app, "g_a", Method::GET, "/api/v1/register?kind=resident", None, None).await;
    let id_of = |name: &str| {
        list.as_array().and_then(|l| l.iter().find(|e| e["name"] == name)).expect("resident")["id"]
            .as_str()
            .expect("id")
            .to_owned()
    };
    let (zhang, li) = (id_of("张三"), id_of("李四"));
    let mark_uri = format!("/api/v1/register/{zhang}/care");
    let (status, mark) =
        call(&app, "g_a", Method::POST, &mark_uri, Some(json!({"reason": "独居老人", "every_days": 1})), None).await;
    assert_eq!(status, StatusCode::CREATED, "{mark}");

    let body = json!({"resident": li, "lng": INSIDE_POINT.0, "lat": INSIDE_POINT.1, "raised": "楼道灯坏了"});
    let (status, first) = call(&app, "g_a", Method::POST, "/api/v1/visits", Some(body.clone()), Some("draft-1")).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, again) = call(&app, "g_a", Method::POST, "/api/v1/visits", Some(body.clone()), Some("draft-1")).await;
    assert_eq!((status, &again["id"]), (StatusCode::OK, &first["id"]), "a resend is the same visit");
    let far = json!({"resident": li, "lng": 104.39, "lat": 31.125, "raised": "楼道灯坏了"});
    let (status, refused) = call(&app, "g_a", Method::POST, "/api/v1/visits", Some(far), None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_error(&refused, "visit_outside_grid");
    let (status, _) = call(&app, "g_b", Method::POST, "/api/v1/visits", Some(body), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another grid's resident");
    let care = json!({"care_mark": mark["id"], "raised": "腿疼加重，希望医生上门"});
    let (status, cared) = call(&app, "g_a", Method::POST, "/api/v1/visits", Some(care), None).await;
    assert_eq!(
        (status, cared["masked"].as_bool(), cared["position_missing"].as_bool()),
        (StatusCode::CREATED, Some(true), Some(true))
    );
    assert!(!cared.to_string().contains("腿疼"), "the answer is masked: {cared}");

    let matter_uri = format!("/api/v1/visits/{}/matter", first["id"].as_str().expect("id"));
    let report = json!({"category": "0110", "description": "楼道灯坏了两周"});
    let (status, answer) = call(&app, "g_a", Method::POST, &matter_uri, Some(report), None).await;
    assert_eq!((status, answer["matter"]["channel"].as_str()), (StatusCode::CREATED, Some("grid_worker")), "{answer}");

    let day = first["day"].as_str().expect("day").to_owned();
    let (status, log) = call(&app, "g_a", Method::GET, &format!("/api/v1/logs/{day}"), None, None).await;
    assert_eq!(status, StatusCode::OK, "{log}");
    assert_eq!((log["visits"].as_array().map(Vec::len), log["matters"].as_array().map(Vec::len)), (Some(2), Some(1)));
    assert!(!log.to_string().contains("腿疼"), "the log masks a care visit");
    let (status, _) = call(&app, "g_b", Method::GET, &format!("/api/v1/logs/{day}?worker=g_a"), None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another grid's worker does not read the day");
    let (status, bad) = call(&app, "g_a", Method::GET, "/api/v1/logs/2026-13-40", None, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");

    // Pages: today's due visits, the form, the day with notes.
    let cookie = sign_in_as(&app, "g_a").await;
    let today = get(&app, "/grid/today", &cookie).await;
    assert_eq!(today.status, StatusCode::OK);
    assert!(today.body.contains("/grid/register") && today.body.contains(&format!("/grid/log/{day}")));
    let form = get(&app, &format!("/grid/visit?care_mark={}", mark["id"].as_str().expect("id")), &cookie).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("张三") && form.body.contains("/assets/visit.js"));
    let page = get(&app, &format!("/grid/log/{day}"), &cookie).await;
    let csrf = csrf_of(&page.body);
    let notes = format!("csrf={csrf}&notes=%E4%B8%8A%E5%8D%88%E8%B5%B0%E8%AE%BF");
    let saved = crate::ui::call(&app, Method::POST, &format!("/grid/log/{day}"), &cookie, Some(&notes)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(get(&app, &format!("/grid/log/{day}"), &cookie).await.body.contains("上午走访"));

    // The community worker's list and comment.
    let c = sign_in_as(&app, "c_in").await;
    let logs = get(&app, &format!("/grid/logs?date={day}"), &c).await;
    assert_eq!(logs.status, StatusCode::OK);
    assert!(logs.body.contains("worker=g_a"), "{}", logs.body);
    let one = get(&app, &format!("/grid/log/{day}?worker=g_a"), &c).await;
    assert!(one.body.contains("log-comment-form") && !one.body.contains("腿疼"));
    let csrf = csrf_of(&one.body);
    let comment = format!("csrf={csrf}&worker=g_a&body=%E5%B7%B2%E9%98%85");
    let sent = crate::ui::call(&app, Method::POST, &format!("/grid/log/{day}/comment"), &c, Some(&comment)).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let (_, log) = call(&app, "g_a", Method::GET, &format!("/api/v1/logs/{day}"), None, None).await;
    assert_eq!(log["comments"][0]["body"], "已阅");
}
