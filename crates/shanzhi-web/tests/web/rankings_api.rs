//! 口碑榜 over HTTP: `GET /rankings` (computed, then frozen), publishing once
//! and only a finished month, the schemes, the exports, the refusals, and the
//! printable page with its 发布 button.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use jiff::civil::date;
use serde_json::{Value, json};
use shanzhi_app::timing::ManualClock;
use shanzhi_domain::Role;
use shanzhi_testkit::{INSIDE_POINT, PASSWORD, TestApp};

use crate::support::{TestApi, assert_error};
use crate::ui::call;

fn at(m: i8, d: i8) -> jiff::Timestamp {
    date(2026, m, d)
        .at(9, 0, 0, 0)
        .to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .expect("time")
        .timestamp()
}

/// One matter closed and one open in 锦江区 in November; now it is December.
async fn world() -> TestApi {
    let clock = Arc::new(ManualClock::new(at(11, 2)));
    let app = TestApi::start(
        TestApp::new().with_clock(clock.clone()).with_grid().with_categories().with_departments().with_accounts(&[
            ("resident", Role::Resident, None),
            ("supervisor", Role::Supervisor, Some("5101")),
            ("dispatcher", Role::Dispatcher, Some("510104022")),
        ]),
    )
    .await;
    let resident = app.bearer("resident").await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let body = json!({"category": "0110", "lng": INSIDE_POINT.0, "lat": INSIDE_POINT.1,
            "description": "井盖破损", "channel": "resident"});
        let (status, _, created) =
            app.send(Method::POST, "/api/v1/matters", &[("authorization", &resident)], Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        ids.push(created["matter"]["id"].as_str().expect("id").to_owned());
    }
    app.app.close_matter(&ids[0]).await;
    clock.set(at(12, 2));
    app
}

#[tokio::test]
async fn a_month_is_computed_published_once_and_frozen() {
    let app = world().await;
    let supervisor = app.bearer("supervisor").await;
    let s = [("authorization", supervisor.as_str())];
    let uri = "/api/v1/rankings?period=2026-11&by=district";
    let (status, _, computed) = app.send(Method::GET, uri, &s, None).await;
    assert_eq!(status, StatusCode::OK, "{computed}");
    assert_eq!((computed["period"].as_str(), computed["by"].as_str()), (Some("2026-11"), Some("district")));
    assert_eq!(computed["scope_name"], "成都市");
    assert_eq!(computed["published"], false);
    assert!(computed["hash"].is_null() && computed["log_index"].is_null());
    let first = &computed["rows"][0];
    assert_eq!((first["name"].as_str(), first["rank"].as_i64()), (Some("锦江区"), Some(1)), "{computed}");
    assert!(first["score"].is_number() && first["grade"].is_string() && first["change"] == "new");
    assert_eq!(first["figures"]["closure_rate"], json!({"numerator": 1.0, "denominator": 2.0, "value": 0.5}));
    assert!(computed["rows"][1]["rank"].is_null(), "a district without figures is unranked: {computed}");

    let publish = |period: &str| json!({"period": period, "by": "district"});
    let (status, _, published) = app.send(Method::POST, "/api/v1/rankings/publish", &s, Some(publish("2026-11"))).await;
    assert_eq!(status, StatusCode::CREATED, "{published}");
    assert_eq!(published["published"], true);
    assert_eq!(published["rows"], computed["rows"]);
    assert_eq!(published["hash"].as_str().map(str::len), Some(64));
    assert!(published["log_index"].is_u64() && published["published_at"].is_string());
    let again = Some(publish("2026-11"));
    app.refused(Method::POST, "/api/v1/rankings/publish", &s, again, StatusCode::CONFLICT, "already_published").await;
    let early = Some(publish("2026-12"));
    app.refused(Method::POST, "/api/v1/rankings/publish", &s, early, StatusCode::CONFLICT, "period_not_over").await;
    let (_, _, again) = app.send(Method::GET, uri, &s, None).await;
    assert_eq!((again["published"].clone(), again["hash"].clone()), (json!(true), published["hash"].clone()));

    // A new scheme does not rewrite the published month.
    let scheme = json!({"from": "2026-11", "weights": {"closure_rate": 100},
        "bands": [{"grade": "A", "min": 90}, {"grade": "B", "min": 80}, {"grade": "C", "min": 70}, {"grade": "D", "min": 60}]});
    let (status, _, saved) = app.send(Method::PUT, "/api/v1/rankings/schemes/district", &s, Some(scheme)).await;
    assert_eq!((status, saved["version"].as_i64()), (StatusCode::OK, Some(1)), "{saved}");
    let (_, _, after) = app.send(Method::GET, uri, &s, None).await;
    assert_eq!(after["rows"], published["rows"]);
    let (status, _, schemes) = app.send(Method::GET, "/api/v1/rankings/schemes", &s, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(schemes["in_force"].as_array().map(Vec::len), Some(6));
    assert_eq!(schemes["versions"][0]["scheme"]["weights"], json!({"closure_rate": 100}));

    // The exports.
    let (status, headers, bytes) =
        app.send_raw(None, Method::GET, "/api/v1/exports/rankings?period=2026-11&by=district", &s, vec![]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    let text = String::from_utf8(bytes).expect("UTF-8");
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    assert!(lines.next().expect("header").starts_with("名次,单位,得分,等级,上期名次,变化,"), "{text}");
    assert!(lines.next().expect("row").starts_with("1,锦江区,"), "{text}");
    let (status, headers, _) = app
        .send_raw(None, Method::GET, "/api/v1/exports/rankings?period=2026-11&by=district&format=xlsx", &s, vec![])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
}

#[tokio::test]
async fn bad_ranking_requests_are_refused() {
    let app = world().await;
    let supervisor = app.bearer("supervisor").await;
    let s = [("authorization", supervisor.as_str())];
    for (uri, code) in [
        ("/api/v1/rankings?period=2026-13&by=district", "invalid_period"),
        ("/api/v1/rankings?period=2026-W48&by=district", "invalid_period"),
        ("/api/v1/rankings?period=2026-11&by=street", "invalid_unit_kind"),
        ("/api/v1/rankings?by=district", "invalid_query"),
        ("/api/v1/exports/rankings?period=2026-11&by=district&format=pdf", "invalid_format"),
    ] {
        app.refused(Method::GET, uri, &s, None, StatusCode::BAD_REQUEST, code).await;
    }
    let (status, _, body) = app
        .send(Method::POST, "/api/v1/rankings/publish", &s, Some(json!({"period": "2026-11-01", "by": "district"})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_error(&body, "invalid_period");
    let bad = json!({"from": "2026-11", "weights": {"closure_rate": 60, "overdue": 40},
        "bands": [{"grade": "A", "min": 90}, {"grade": "B", "min": 80}, {"grade": "C", "min": 70}, {"grade": "D", "min": 60}]});
    let (status, _, body) = app.send(Method::PUT, "/api/v1/rankings/schemes/district", &s, Some(bad.clone())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error(&body, "invalid_scheme");
    assert!(body["error"]["message"].as_str().is_some_and(|m| m.contains("超期数")), "Chinese first: {body}");

    let resident = app.bearer("resident").await;
    let r = [("authorization", resident.as_str())];
    for (method, uri, body) in [
        (Method::GET, "/api/v1/rankings?period=2026-11&by=district", None),
        (Method::GET, "/api/v1/rankings/schemes", None),
        (Method::GET, "/api/v1/exports/rankings?period=2026-11&by=district", None),
        (Method::POST, "/api/v1/rankings/publish", Some(json!({"period": "2026-11", "by": "district"}))),
    ] {
        let (status, _, answer) = app.send(method, uri, &r, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "residents read no figures (as the indicators): {uri} {answer}");
        assert_error(&answer, "not_found");
    }
    let dispatcher = app.bearer("dispatcher").await;
    let d = [("authorization", dispatcher.as_str())];
    let (status, _, body) = app
        .send(Method::POST, "/api/v1/rankings/publish", &d, Some(json!({"period": "2026-11", "by": "district"})))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "staff read rankings, a supervisor publishes: {body}");
    let (status, _, _) = app.send(Method::PUT, "/api/v1/rankings/schemes/district", &d, Some(bad)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = app.send(Method::GET, "/api/v1/rankings?period=2026-11&by=district", &[], None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_printable_page_publishes_and_links_the_exports() {
    let app = world().await;
    let login = call(&app, Method::POST, "/login", "", Some(&format!("username=supervisor&password={PASSWORD}"))).await;
    let cookie = login.cookie.split(';').next().expect("cookie").to_owned();
    let supervise = call(&app, Method::GET, "/supervise", &cookie, None).await;
    assert!(supervise.body.contains("href=\"/rankings\""), "the 督办 page links the rankings");
    let page = call(&app, Method::GET, "/rankings?period=2026-11&by=district", &cookie, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for needle in
        ["id=\"ranking-table\"", "id=\"ranking-publish\"", "id=\"ranking-export-xlsx\"", "锦江区", "data-print"]
    {
        assert!(page.body.contains(needle), "{needle}");
    }
    let link = page.body.split("id=\"ranking-export-xlsx\" href=\"").nth(1).and_then(|r| r.split('"').next());
    let link = link.map(|l| l.replace("&#38;", "&").replace("&amp;", "&"));
    assert_eq!(link.as_deref(), Some("/api/v1/exports/rankings?period=2026-11&by=district&format=xlsx"));
    let csrf = page.body.split("name=\"csrf\" value=\"").nth(1).and_then(|r| r.split('"').next()).expect("token");
    let forged =
        call(&app, Method::POST, "/rankings/publish", &cookie, Some("csrf=x&period=2026-11&by=district")).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let form = format!("csrf={csrf}&period=2026-11&by=district&within=");
    let done = call(&app, Method::POST, "/rankings/publish", &cookie, Some(&form)).await;
    assert_eq!((done.status, done.location.as_str()), (StatusCode::SEE_OTHER, "/rankings?period=2026-11&by=district"));
    let page = call(&app, Method::GET, "/rankings?period=2026-11&by=district", &cookie, None).await;
    assert!(!page.body.contains("id=\"ranking-publish\""), "published: no button");
    assert!(page.body.contains("已发布"));
    let supervisor = app.bearer("supervisor").await;
    let (_, _, answer): (_, _, Value) = app
        .send(Method::GET, "/api/v1/rankings?period=2026-11&by=district", &[("authorization", &supervisor)], None)
        .await;
    assert!(page.body.contains(answer["hash"].as_str().expect("hash")), "the hash is printed");
}
