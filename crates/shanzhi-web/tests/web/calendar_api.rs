//! The calendar, deadline and warning endpoints over HTTP, and their refusals.

use axum::http::{Method, StatusCode};
use serde_json::json;
use shanzhi_domain::Role;
use shanzhi_testkit::TestApp;

use crate::support::{TestApi, assert_error};

async fn world() -> TestApi {
    TestApi::start(
        TestApp::new()
            .with_divisions()
            .with_categories()
            .with_accounts(&[("admin", Role::Admin, Some("5101")), ("dispatcher", Role::Dispatcher, Some("510104"))]),
    )
    .await
}

#[tokio::test]
async fn anyone_reads_the_calendar_and_works_out_deadlines() {
    let app = world().await;
    let (status, body) = app.get("/api/v1/calendar?year=2026").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (body["working_hours"].as_str(), body["official_data"].as_bool()),
        (Some("09:00-12:00,13:30-17:30"), Some(true))
    );
    let days = body["days"].as_array().expect("days");
    let oct10 = days.iter().find(|d| d["date"] == "2026-10-10").expect("a make-up working day");
    assert_eq!(
        (oct10["kind"].as_str(), oct10["name"].as_str(), oct10["weekday"].as_str()),
        (Some("work"), Some("国庆节"), Some("星期六"))
    );
    assert_eq!(days.iter().filter(|d| d["kind"] == "off").count(), 33, "2026 has 33 official days off");

    // The eve of National Day, 17:00 Beijing time, plus one working day.
    let (status, body) =
        app.get("/api/v1/calendar/deadline?from=2026-09-30T09:00:00Z&amount=1&unit=working_days").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["deadline"], "2026-10-08T09:00:00Z");
    assert_eq!(
        (body["deadline_local"].as_str(), body["limit_label"].as_str()),
        (Some("2026-10-08 17:00"), Some("1 个工作日"))
    );
    assert_eq!(body["provisional"], false);

    for (uri, code) in [
        ("/api/v1/calendar?year=abc", "invalid_query"),
        ("/api/v1/calendar?year=1800", "invalid_year"),
        ("/api/v1/calendar?yaer=2026", "invalid_query"),
        ("/api/v1/calendar/deadline?amount=1&unit=fortnights", "invalid_query"),
        ("/api/v1/calendar/deadline?amount=0&unit=hours", "invalid_limit"),
        ("/api/v1/calendar/deadline?amount=1&unit=hours&from=yesterday", "invalid_time"),
    ] {
        app.get_refused(uri, StatusCode::BAD_REQUEST, code).await;
    }
}

#[tokio::test]
async fn only_a_city_admin_edits_the_calendar_and_bad_edits_change_nothing() {
    let app = world().await;
    let admin = app.bearer("admin").await;
    let dispatcher = app.bearer("dispatcher").await;
    let day = json!({"kind": "off", "name": "防汛停工"});
    let put = |who: Option<&str>, uri: &str, body: serde_json::Value| {
        let headers: Vec<(&str, String)> = who.map(|t| ("authorization", t.to_owned())).into_iter().collect();
        let uri = uri.to_owned();
        let app = &app;
        async move {
            let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.send(Method::PUT, &uri, &h, Some(body)).await
        }
    };
    let (status, _, body) = put(None, "/api/v1/calendar/days/2026-11-24", day.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, _, body) = put(Some(&dispatcher), "/api/v1/calendar/days/2026-11-24", day.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    for (uri, body, code) in [
        ("/api/v1/calendar/days/2026-02-30", day.clone(), "invalid_date"),
        ("/api/v1/calendar/days/2026-11-24", json!({"kind": "holiday", "name": "x"}), "invalid_json"),
        ("/api/v1/calendar/days/2026-11-24", json!({"kind": "off", "name": ""}), "invalid_name"),
        ("/api/v1/calendar/settings", json!({"working_hours": "9-5"}), "invalid_working_hours"),
        ("/api/v1/calendar/settings", json!({"yellow_left": 50}), "invalid_thresholds"),
        ("/api/v1/calendar/settings", json!({"yellow_left": 10, "orange_left": 20}), "invalid_thresholds"),
    ] {
        let (status, _, answer) = put(Some(&admin), uri, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {answer}");
        assert_error(&answer, code);
    }
    let (_, cal) = app.get("/api/v1/calendar?year=2026").await;
    assert!(!cal["days"].as_array().expect("days").iter().any(|d| d["source"] == "local"), "nothing was written");
    assert_eq!(cal["thresholds"], json!({"yellow_left": 50, "orange_left": 20}));

    let (status, _, body) = put(Some(&admin), "/api/v1/calendar/days/2026-11-24", day).await;
    assert_eq!((status, body["source"].as_str()), (StatusCode::OK, Some("local")));
    let (status, _, body) =
        put(Some(&admin), "/api/v1/calendar/settings", json!({"yellow_left": 60, "orange_left": 25})).await;
    assert_eq!((status, body["yellow_left"].as_u64()), (StatusCode::OK, Some(60)), "{body}");
    let (_, cal) = app.get("/api/v1/calendar?year=2026").await;
    assert!(cal["days"].as_array().expect("days").iter().any(|d| d["date"] == "2026-11-24" && d["source"] == "local"));
    let uri = "/api/v1/calendar/days/2026-11-24";
    let auth = [("authorization", admin.as_str())];
    let (status, _, _) = app.send(Method::DELETE, uri, &auth, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    app.refused(Method::DELETE, uri, &auth, None, StatusCode::NOT_FOUND, "calendar_day_not_found").await;
}

#[tokio::test]
async fn warning_filters_and_counts_answer_in_scope() {
    let app = world().await;
    let dispatcher = app.bearer("dispatcher").await;
    let auth = [("authorization", dispatcher.as_str())];
    let (status, _, body) = app.send(Method::GET, "/api/v1/matters?overdue=true", &auth, None).await;
    assert_eq!((status, body["items"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)));
    let (status, _, body) = app.send(Method::GET, "/api/v1/matters/warnings", &auth, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((body["red"].as_u64(), body["units"].as_array().map(Vec::len)), (Some(0), Some(0)));
    for (uri, code) in [
        ("/api/v1/matters?warning=purple", "invalid_warning"),
        ("/api/v1/matters?warning=yellow&overdue=true", "contradictory_filters"),
        ("/api/v1/matters/warnings?overdue=maybe", "invalid_query"),
    ] {
        app.refused(Method::GET, uri, &auth, None, StatusCode::BAD_REQUEST, code).await;
    }
    let (status, _, _) = app.send(Method::GET, "/api/v1/sweep", &[], None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, body) = app.send(Method::GET, "/api/v1/sweep", &auth, None).await;
    assert_eq!((status, body["lease"].is_null()), (StatusCode::OK, true));
}
