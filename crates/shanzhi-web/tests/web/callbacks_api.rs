//! 满意度回访 over HTTP: the clerk's list and a call-back recorded through
//! the API and the page, the 三率 moving, and the results export to 12345
//! read once across cursor calls, with bad input refused in both languages.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use shanzhi_app::access::DispatchDesk;
use shanzhi_domain::Role;
use shanzhi_testkit::{PASSWORD, TestApp};

use crate::support::TestApi;
use crate::ui::call;

async fn world() -> TestApi {
    TestApi::start(
        TestApp::new().with_grid().with_categories().with_department("510104-chengguan", "锦江区城管局").with_accounts(
            &[
                ("clerk", Role::Dispatcher, Some("510104022")),
                ("resident", Role::Resident, None),
                ("admin", Role::Admin, Some("5101")),
            ],
        ),
    )
    .await
}

/// Import hotline orders and close them all (the operator).
async fn closed_orders(api: &TestApi, orders: &[&str]) -> Vec<String> {
    let mut csv = String::from("工单编号,受理时间,诉求类型,诉求内容,经度,纬度,坐标系,联系人,联系电话\n");
    for (i, order) in orders.iter().enumerate() {
        csv.push_str(&format!(
            "{order},2026-11-20 09:1{i},反映,路灯不亮 {i},104.072,30.652,wgs84,王先生,1390000222{i}\n"
        ));
    }
    let clerk = api.app.scoped(api.app.actor("clerk").await);
    let numbers = clerk
        .desk::<DispatchDesk>()
        .expect("desk")
        .import_hotline(csv.as_bytes(), "o.csv")
        .await
        .expect("import")
        .numbers;
    for n in &numbers {
        api.app.close_matter(n).await;
    }
    numbers
}

fn this_month() -> String {
    jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .strftime("%Y-%m")
        .to_string()
}

async fn export(api: &TestApi, auth: &str, query: &str) -> (StatusCode, String, Vec<Vec<String>>) {
    let uri = format!("/api/v1/exports/hotline-results{query}");
    let (status, headers, bytes) = api.send_raw(None, Method::GET, &uri, &[("authorization", auth)], vec![]).await;
    let cursor = headers.get("x-next-cursor").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let csv = headers.get("content-type").is_some_and(|t| t.as_bytes().starts_with(b"text/csv"));
    let rows = if status == StatusCode::OK && csv {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
        reader.records().map(|r| r.expect("record").iter().map(str::to_owned).collect()).collect()
    } else {
        vec![vec![text]]
    };
    (status, cursor, rows)
}

#[tokio::test]
async fn a_clerk_calls_back_over_the_api_and_the_three_rates_move() {
    let api = world().await;
    let numbers = closed_orders(&api, &["GD100"]).await;
    let clerk = api.bearer("clerk").await;
    let auth = [("authorization", clerk.as_str())];
    let (status, _, page) = api.send(Method::GET, "/api/v1/callbacks", &auth, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1), "{page}");
    assert!(page["script"].as_str().is_some_and(|s| s.contains("12345")));
    let id = page["items"][0]["id"].as_str().expect("id").to_owned();
    let attempts = format!("/api/v1/callbacks/{id}/attempts");

    api.refused(
        Method::POST,
        &attempts,
        &auth,
        Some(json!({"reached": true})),
        StatusCode::BAD_REQUEST,
        "callback_answers_missing",
    )
    .await;
    let (status, _, body) = api.send(Method::POST, &attempts, &auth, Some(json!({"reached": false, "extra": 1}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "unknown fields are refused: {body}");
    let resident = api.bearer("resident").await;
    let (status, _, _) =
        api.send(Method::POST, &attempts, &[("authorization", &resident)], Some(json!({"reached": false}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a resident reaches no task");
    api.refused(
        Method::GET,
        "/api/v1/callbacks",
        &[("authorization", &resident)],
        None,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    let rates = format!("/api/v1/indicators/callback-rates?period={}", this_month());
    let (_, _, before) = api.send(Method::GET, &rates, &auth, None).await;
    assert_eq!(before["rates"]["valid"], 0, "{before}");
    let answer = json!({"reached": true, "contacted": true, "solved": true, "satisfaction": "satisfied"});
    let (status, _, done) = api.send(Method::POST, &attempts, &auth, Some(answer)).await;
    assert_eq!((status, done["state"].as_str()), (StatusCode::OK, Some("done")), "{done}");
    let (_, _, timeline) =
        api.send(Method::GET, &format!("/api/v1/matters/{}/timeline", numbers[0]), &auth, None).await;
    let last: &Value = timeline.as_array().and_then(|t| t.last()).expect("entries");
    assert_eq!(last["command"], "callback", "{last}");
    let (_, _, after) = api.send(Method::GET, &rates, &auth, None).await;
    assert_eq!(
        (after["rates"]["valid"].as_u64(), after["rates"]["satisfaction_rate"]["value"].as_f64()),
        (Some(1), Some(1.0)),
        "{after}"
    );
    api.refused(
        Method::POST,
        &attempts,
        &auth,
        Some(json!({"reached": false})),
        StatusCode::CONFLICT,
        "callback_closed",
    )
    .await;
}

#[tokio::test]
async fn the_results_export_is_read_once_across_cursor_calls_and_bad_cursors_are_refused() {
    let api = world().await;
    closed_orders(&api, &["GD200"]).await;
    let clerk = api.bearer("clerk").await;
    let (status, cursor, rows) = export(&api, &clerk, "").await;
    assert_eq!(status, StatusCode::OK, "{rows:?}");
    assert_eq!(rows[0], ["工单编号", "办理结果", "回复内容", "办结时间", "承办单位", "满意度"]);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!((rows[1][0].as_str(), rows[1][1].as_str(), rows[1][4].as_str()), ("GD200", "已办结", "锦江区城管局"));
    assert!(cursor.parse::<i64>().is_ok_and(|c| c > 0), "X-Next-Cursor: {cursor}");
    let (_, again, rows) = export(&api, &clerk, &format!("?after={cursor}")).await;
    assert_eq!((rows.len(), again.as_str()), (1, cursor.as_str()), "only the header, the same cursor");
    closed_orders(&api, &["GD201"]).await;
    let (_, next, rows) = export(&api, &clerk, &format!("?after={cursor}&format=csv")).await;
    assert_eq!(rows.iter().skip(1).map(|r| r[0].as_str()).collect::<Vec<_>>(), ["GD201"]);
    assert!(next.parse::<i64>().expect("cursor") > cursor.parse::<i64>().expect("cursor"));
    let (status, _, _) = export(&api, &clerk, "?format=xlsx").await;
    assert_eq!(status, StatusCode::OK);

    let auth = [("authorization", clerk.as_str())];
    for (query, code) in [
        ("?after=abc", "invalid_cursor"),
        ("?after=-4", "invalid_cursor"),
        ("?format=pdf", "invalid_format"),
        ("?limit=0", "invalid_limit"),
    ] {
        api.refused(
            Method::GET,
            &format!("/api/v1/exports/hotline-results{query}"),
            &auth,
            None,
            StatusCode::BAD_REQUEST,
            code,
        )
        .await;
    }
    let resident = api.bearer("resident").await;
    let (status, _, _) = export(&api, &resident, "").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "out of scope");
}

#[tokio::test]
async fn the_page_shows_the_script_and_records_a_call() {
    let api = world().await;
    let numbers = closed_orders(&api, &["GD300"]).await;
    let signed =
        call(&api, Method::POST, "/login", "", Some(&format!("username=clerk&password={PASSWORD}&next=%2Fcallbacks")))
            .await;
    let cookie = signed.cookie.split(';').next().expect("cookie").to_owned();
    let page = call(&api, Method::GET, "/callbacks", &cookie, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("话术") && page.body.contains(&numbers[0]), "the script and the task");
    assert!(page.body.contains("是否与您联系") && page.body.contains("基本满意"), "the three questions");
    let csrf =
        page.body.split("name=\"csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("csrf").to_owned();
    let action =
        page.body.split("action=\"/callbacks/").nth(1).and_then(|s| s.split('"').next()).expect("form").to_owned();
    let sent = call(
        &api,
        Method::POST,
        &format!("/callbacks/{action}"),
        &cookie,
        Some(&format!("csrf={csrf}&outcome=unreachable")),
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let bad =
        call(&api, Method::POST, &format!("/callbacks/{action}"), &cookie, Some(&format!("csrf={csrf}&outcome=maybe")))
            .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("请选择“已接通”或“未接通”"), "said in words: {}", bad.body);
    let clerk = api.bearer("clerk").await;
    let (_, _, list) = api.send(Method::GET, "/api/v1/callbacks", &[("authorization", &clerk)], None).await;
    assert_eq!(list["items"][0]["attempts"], 1, "{list}");
}
