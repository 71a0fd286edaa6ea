//! The supervision dashboard (`/supervise`), its drill-down
//! (`/supervise/matters`), the printable monthly report
//! (`/supervise/report`) and the report as XLSX (`/api/v1/exports/report`):
//! for a supervisor within scope, refused to a resident. Two matters go to
//! one department in November 2026: one handled on time, one not.

use std::io::Cursor;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use calamine::{Data, Reader, Xlsx};
use serde_json::json;
use shanzhi_app::figures::REPORT_SHEETS;
use shanzhi_app::timing::ManualClock;
use shanzhi_app::tlog::LogSetup;
use shanzhi_domain::Role;
use shanzhi_domain::tlog::SecretKey;
use shanzhi_testkit::{PASSWORD, TestApp, one_grid_community};
use shanzhi_web::{HttpOptions, router};
use tower::ServiceExt;

use crate::support::TestApi;

struct World {
    api: TestApi,
    /// The same application, with a transparency log that has signed a checkpoint.
    logged: Router,
    on_time: String,
    late: String,
    checkpoint: String,
}

fn at(s: &str) -> jiff::Timestamp {
    s.parse().expect("time")
}

async fn world() -> World {
    // Monday 2 November 2026, 10:00 in Chengdu.
    let clock = Arc::new(ManualClock::new(at("2026-11-02T02:00:00Z")));
    let api = TestApi::start(
        TestApp::new()
            .with_clock(clock.clone())
            .with_features(one_grid_community("510104022006", 104.07, 30.65))
            .with_categories()
            .with_staff(Role::DeptHandler)
            .with_accounts(&[
                ("dispatcher", Role::Dispatcher, Some("510104022")),
                ("supervisor", Role::Supervisor, Some("5101")),
                ("elsewhere", Role::Supervisor, Some("510106")),
                ("resident", Role::Resident, None),
            ]),
    )
    .await;
    let handler = shanzhi_testkit::username_of(Role::DeptHandler);
    let (resident, dispatcher, handler) =
        (api.bearer("resident").await, api.bearer("dispatcher").await, api.bearer(&handler).await);
    let command = |token: &str, id: &str, cmd: &str, body: serde_json::Value| {
        let (token, uri) = (token.to_owned(), format!("/api/v1/matters/{id}/commands/{cmd}"));
        let api = &api;
        async move {
            let (status, _, got) = api.send(Method::POST, &uri, &[("authorization", &token)], Some(body)).await;
            assert_eq!(status, StatusCode::OK, "{uri}: {got}");
        }
    };
    let mut numbers = Vec::new();
    for text in ["井盖破损，请尽快处理", "路灯不亮"] {
        let body =
            json!({"category": "0110", "lng": 104.072, "lat": 30.652, "description": text, "channel": "resident"});
        let (status, _, created) =
            api.send(Method::POST, "/api/v1/matters", &[("authorization", &resident)], Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let id = created["matter"]["id"].as_str().expect("id").to_owned();
        command(&dispatcher, &id, "accept", json!({})).await;
        let to = json!({"to": {"kind": "department", "code": "510104-chengguan"}});
        command(&dispatcher, &id, "dispatch", to).await;
        command(&handler, &id, "sign", json!({})).await;
        numbers.push((id, created["matter"]["number"].as_str().expect("number").to_owned()));
    }
    // The first is handled at once; the second is still in hand weeks later.
    command(&handler, &numbers[0].0, "respond", json!({"text": "已修复", "attachments": []})).await;
    clock.set(at("2026-11-25T02:00:00Z"));

    let key = SecretKey::from_seed("shanzhi-test-log", [7; 32]).expect("key");
    let setup =
        LogSetup { signer: Some(Arc::new(key)), checkpoint_dir: None, witnesses: Vec::new(), witness_for: Vec::new() };
    let app = api.app.app().clone().with_log(setup);
    let (signed, _) = app.sign_checkpoint().await.expect("a checkpoint");
    let logged = router(app, HttpOptions::default());
    let checkpoint = format!("{}\n{}\n", signed.checkpoint.origin, signed.checkpoint.size);
    let (on_time, late) = (numbers[0].1.clone(), numbers[1].1.clone());
    World { api, logged, on_time, late, checkpoint }
}

async fn call(router: &Router, uri: &str, cookie: &str) -> (StatusCode, String) {
    let mut r = Request::builder().uri(uri);
    if !cookie.is_empty() {
        r = r.header(header::COOKIE, cookie);
    }
    let response = router.clone().oneshot(r.body(Body::empty()).expect("request")).await.expect("response");
    let status = response.status();
    let bytes = to_bytes(response.into_body(), usize::MAX).await.expect("body");
    // Attribute values as a browser reads them (askama writes `&` as `&#38;`).
    (status, String::from_utf8_lossy(&bytes).replace("&#38;", "&"))
}

async fn sign_in(router: &Router, username: &str) -> String {
    let body = format!("username={username}&password={PASSWORD}&next=%2F");
    let r = Request::builder()
        .method(Method::POST)
        .uri("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .expect("request");
    let response = router.clone().oneshot(r).await.expect("response");
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{username} signs in");
    let cookie = response.headers().get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).expect("cookie");
    cookie.split(';').next().expect("cookie").to_owned()
}

#[tokio::test]
async fn the_dashboard_drills_down_to_the_matters_behind_a_figure() {
    let w = world().await;
    let router = &w.api.router;
    let supervisor = sign_in(router, "supervisor").await;
    let (status, page) = call(router, "/supervise?period=2026-11&by=department", &supervisor).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    for text in ["指标看板", "2026年11月", "锦江区城管局", "按期处置率", "各单位指标", "echarts.min.js", "data-chart="]
    {
        assert!(page.contains(text), "{text} on the dashboard");
    }
    assert!(!page.contains("510104-chengguan</th>"), "the department by name, not code");
    let cell = "/supervise/matters?key=on_time_handling_rate&period=2026-11&by=department&unit=510104-chengguan";
    let at = page.find(cell).expect("the 按期处置率 cell links to its drill-down");
    let shown = &page[at..at + 200];
    assert!(shown.contains("50.0%") && shown.contains("分子 1 / 分母 2"), "{shown}");
    // The chart figures: one line each of 社治 and 综治, runs by stage, the grid.
    assert!(page.contains("双线对比") && page.contains("超期漏斗") && page.contains("网格热力图"), "chart titles");

    let (_, english) = call(router, "/supervise?period=2026-11&by=department", &format!("{supervisor}; lang=en")).await;
    assert!(english.contains("Dashboard") && english.contains("On-time handling rate"), "the English switch");

    // The default: this month (November, by the clock), by district.
    let (status, default) = call(router, "/supervise", &supervisor).await;
    assert_eq!(status, StatusCode::OK);
    assert!(default.contains("<option value=\"2026-11\" selected>") && default.contains("锦江区"), "this month");
    for period in ["2026-W48", "2026-Q4", "2026"] {
        let (status, _) = call(router, &format!("/supervise?period={period}&by=grid"), &supervisor).await;
        assert_eq!(status, StatusCode::OK, "{period}");
    }
    let (status, bad) = call(router, "/supervise?period=2026-13", &supervisor).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(bad.contains("时段"), "said in Chinese: {bad}");

    // The drill-down: both matters, the late one marked and first.
    let (status, drill) = call(router, cell, &supervisor).await;
    assert_eq!(status, StatusCode::OK, "{drill}");
    assert!(drill.contains("锦江区城管局 · 按期处置率 · 2026年11月"), "{drill}");
    let (late, on_time) = (
        drill.find(&format!("href=\"/m/{}\"", w.late)).expect("the late matter"),
        drill.find(&format!("href=\"/m/{}\"", w.on_time)).expect("the matter handled on time"),
    );
    assert!(late < on_time, "the missed run first");
    assert!(drill.contains("超期") && drill.contains("按期") && drill.contains("路灯不亮"), "{drill}");
    assert!(!drill.contains(">0110<"), "the category by name");
    let (status, reported) =
        call(router, "/supervise/matters?key=reported&period=2026-11&by=district&unit=510104", &supervisor).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(reported.matches("href=\"/m/").count(), 2, "two reports in 锦江区");
    let (status, _) =
        call(router, "/supervise/matters?key=nope&period=2026-11&by=district&unit=510104", &supervisor).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The dashboard's figures add up: the trend's steps to the totals, the
    // stages' missed runs to `overdue`, the two lines to the whole.
    let token = w.api.bearer("supervisor").await;
    let (status, _, d) = w
        .api
        .send(Method::GET, "/api/v1/indicators/dashboard?period=2026-11", &[("authorization", &token)], None)
        .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    let total = |k: &str| d["totals"][k]["numerator"].as_f64().expect(k);
    let steps = d["trend"].as_array().expect("trend");
    assert_eq!((d["step"].as_str(), steps.len()), (Some("day"), 25), "1–25 November, as of the 25th");
    for k in ["reported", "filed", "closed"] {
        assert_eq!(steps.iter().map(|p| p[k].as_f64().expect(k)).sum::<f64>(), total(k), "{k}");
    }
    assert_eq!((total("reported"), total("filed")), (2.0, 2.0));
    assert_eq!(steps[1]["reported"], 2.0, "both on 2 November");
    let missed: f64 = d["stages"].as_array().expect("stages").iter().map(|s| s["missed"].as_f64().expect("n")).sum();
    assert_eq!(missed, total("overdue"));
    let handle =
        d["stages"].as_array().expect("stages").iter().find(|s| s["stage"] == "handle").expect("handle").clone();
    assert_eq!((handle["met"].as_f64(), handle["missed"].as_f64()), (Some(1.0), Some(1.0)));
    assert_eq!(d["categories"][0]["reported"], 2.0);
    assert_eq!(d["grids"].as_array().map(Vec::len), Some(1));
    let lines = d["development"]["reported"]["numerator"].as_f64().unwrap_or(0.0)
        + d["safety"]["reported"]["numerator"].as_f64().unwrap_or(0.0);
    assert!(lines >= total("reported"), "each matter in its line (both lines count in each)");
    let (status, _) =
        call(router, "/supervise/matters?key=nope&period=2026-11&by=district&unit=510104", &supervisor).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // A supervisor of another district sees none of it.
    let elsewhere = sign_in(router, "elsewhere").await;
    let (status, page) = call(router, "/supervise?period=2026-11&by=department", &elsewhere).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("锦江区城管局") && page.contains("本时段暂无可统计的单位"), "out of scope: {page}");
    let (_, drill) = call(router, cell, &elsewhere).await;
    assert!(!drill.contains(&w.late) && drill.contains("没有事件计入这个数字"), "{drill}");

    // A resident reads no figures; a visitor is sent to sign in.
    let resident = sign_in(router, "resident").await;
    for uri in ["/supervise", "/supervise/report?period=2026-11", cell] {
        let (status, page) = call(router, uri, &resident).await;
        assert!(matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{uri}: {status} {page}");
        assert!(!page.contains(&w.late), "{uri} shows nothing");
        let (status, _) = call(router, uri, "").await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{uri}");
    }
}

#[tokio::test]
async fn the_monthly_report_prints_the_figures_and_the_checkpoint_and_exports_xlsx() {
    let w = world().await;
    let supervisor = sign_in(&w.logged, "supervisor").await;
    let (status, page) = call(&w.logged, "/supervise/report?period=2026-11", &supervisor).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    for text in [
        "基层治理指标月度报告 · 2026年11月",
        "统计截至 2026-11-25 10:00",
        "k = 0.8",
        "区（市）县排名",
        "锦江区",
        "锦江区城管局",
        "50.0%",
        "双线对比",
        "各环节超期",
        "指标口径",
        "P 内判定的处置环节计时中按期的个数",
        "透明日志检查点",
        &w.checkpoint,
        "/api/v1/exports/report?period=2026-11&format=xlsx",
    ] {
        assert!(page.contains(text), "{text} in the report");
    }

    let api = &w.api;
    let token = api.bearer("supervisor").await;
    let auth = [("authorization", token.as_str())];
    let (status, headers, bytes) =
        api.send_raw(None, Method::GET, "/api/v1/exports/report?period=2026-11&format=xlsx", &auth, vec![]).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("an XLSX file");
    assert_eq!(book.sheet_names(), REPORT_SHEETS);
    let text = |c: &Data| match c {
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        _ => String::new(),
    };
    let sheet = |book: &mut Xlsx<_>, name: &str| -> Vec<Vec<String>> {
        book.worksheet_range(name).expect(name).rows().map(|r| r.iter().map(text).collect()).collect()
    };
    let overview = sheet(&mut book, "概览");
    assert_eq!(overview[0], ["指标", "全部", "分子", "分母", "社治（高线）", "综治（底线）"]);
    let handling = overview.iter().find(|r| r[0] == "按期处置率").expect("按期处置率");
    assert_eq!(handling[1..4], ["50.0%", "1", "2"]);
    let units = sheet(&mut book, "各单位指标");
    assert_eq!(units[0][..4], ["单位类型", "单位", "代码", "上报数"]);
    let column = units[0].iter().position(|h| h == "按期处置率").expect("按期处置率 column");
    let department = units.iter().find(|r| r[1] == "锦江区城管局").expect("the department's row");
    assert_eq!((department[0].as_str(), department[column].as_str()), ("部门", "0.5"));
    assert_eq!(sheet(&mut book, "超期")[0], ["环节", "按期", "超期", "合计"]);
    let handle = sheet(&mut book, "超期").into_iter().find(|r| r[0] == "处置").expect("处置");
    assert_eq!(handle[1..], ["1", "1", "2"]);
    let categories = sheet(&mut book, "分类");
    assert_eq!(categories[0], ["事项分类", "上报数", "超期数"]);
    assert_eq!(categories[1][1], "2");

    let (status, _, _) =
        api.send_raw(None, Method::GET, "/api/v1/exports/report?period=2026-11&format=csv", &auth, vec![]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let resident = api.bearer("resident").await;
    let (status, _, _) = api
        .send_raw(None, Method::GET, "/api/v1/exports/report?period=2026-11", &[("authorization", &resident)], vec![])
        .await;
    assert!(matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "a resident has no figures: {status}");
}
