//! 未诉先办 over HTTP: `GET /api/v1/hotspots` (scope-checked, bad input
//! refused), the 每月一题 page, and the alert blocks of the supervisor's and
//! the grid worker's pages.

use axum::http::{Method, StatusCode};
use serde_json::json;
use shanzhi_domain::Role;
use shanzhi_testkit::{TestApp, one_grid_community};

use crate::desk::{get, sign_in_as};
use crate::support::{TestApi, assert_error};

async fn world() -> TestApi {
    TestApi::start(
        TestApp::new()
            .with_features(one_grid_community("510104022006", 104.07, 30.65))
            .with_categories()
            .with_accounts(&[
                ("hot_resident", Role::Resident, None),
                ("hot_super", Role::Supervisor, Some("5101")),
                ("hot_grid", Role::GridWorker, Some("510104022006001")),
                ("hot_other", Role::Dispatcher, Some("510104017")),
            ]),
    )
    .await
}

#[tokio::test]
async fn hot_spots_are_listed_labelled_scope_checked_and_alerted() {
    let app = world().await;
    let resident = app.bearer("hot_resident").await;
    let texts =
        ["楼下烧烤噪音扰民到深夜", "烧烤摊噪音扰民睡不着", "夜市烧烤噪音扰民太吵", "烧烤噪音扰民，已经好几天了"];
    let mut numbers = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        let body = json!({"category": "12345.fanying", "lng": 104.072 + i as f64 * 0.0002, "lat": 30.652, "description": text});
        let (status, _, created) =
            app.send(Method::POST, "/api/v1/matters", &[("authorization", &resident)], Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        numbers.push(created["matter"]["number"].as_str().expect("number").to_owned());
    }
    let other = json!({"category": "0110", "lng": 104.073, "lat": 30.653, "description": "路面坑洼"});
    app.send(Method::POST, "/api/v1/matters", &[("authorization", &resident)], Some(other)).await;

    let sup = app.bearer("hot_super").await;
    let auth = [("authorization", sup.as_str())];
    let (status, _, answer) = app.send(Method::GET, "/api/v1/hotspots", &auth, None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let spots = answer["hotspots"].as_array().expect("hotspots");
    assert_eq!(spots.len(), 1, "one place with one problem reported four times: {answer}");
    let h = &spots[0];
    assert_eq!(h["size"], 4);
    let mut listed: Vec<String> = serde_json::from_value(h["numbers"].clone()).expect("numbers");
    listed.sort();
    numbers.sort();
    assert_eq!(listed, numbers, "the hot spot's matters");
    let label = h["label"].as_str().expect("label");
    assert!(
        label.starts_with("总府路社区 1 天 4 件 ") && (label.contains("噪音") || label.contains("烧烤")),
        "{label}"
    );
    assert_eq!(answer["read"], 5);

    let (status, _, within) = app.send(Method::GET, "/api/v1/hotspots?within=510104022006&limit=5", &auth, None).await;
    assert_eq!((status, within["hotspots"].as_array().map(Vec::len)), (StatusCode::OK, Some(1)), "{within}");
    let month =
        jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(8))).strftime("%Y-%m");
    let (status, _, by_month) = app.send(Method::GET, &format!("/api/v1/hotspots?period={month}"), &auth, None).await;
    assert_eq!((status, by_month["hotspots"].as_array().map(Vec::len)), (StatusCode::OK, Some(1)), "{by_month}");

    // Any days from–to, both included.
    let day = |days_ago: i64| {
        (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * days_ago))
            .to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
            .strftime("%Y-%m-%d")
            .to_string()
    };
    let (week_ago, today) = (day(6), day(0));
    let uri = format!("/api/v1/hotspots?from={week_ago}&to={today}");
    let (status, _, week) = app.send(Method::GET, &uri, &auth, None).await;
    assert_eq!(status, StatusCode::OK, "{week}");
    assert_eq!(week["hotspots"].as_array().map(Vec::len), Some(1), "{week}");
    assert_eq!(week["hotspots"][0]["numbers"].as_array().map(Vec::len), Some(4));
    assert!(week["from"].as_str().is_some_and(|f| f.starts_with(&day(7))), "from midnight in China: {week}");
    let (before, long_before) = (day(40), day(10));
    let uri = format!("/api/v1/hotspots?from={before}&to={long_before}");
    let (status, _, earlier) = app.send(Method::GET, &uri, &auth, None).await;
    assert_eq!((status, earlier["read"].as_u64()), (StatusCode::OK, Some(0)), "nothing reported then: {earlier}");
    let year_and_more = format!("/api/v1/hotspots?from={}&to={today}", day(400));
    let reversed = format!("/api/v1/hotspots?from={today}&to={week_ago}");
    let both = format!("/api/v1/hotspots?period={month}&from={week_ago}&to={today}");
    for (uri, code) in [
        (format!("/api/v1/hotspots?from={week_ago}"), "invalid_date_range"),
        (year_and_more, "invalid_date_range"),
        (reversed, "invalid_date_range"),
        (both, "invalid_date_range"),
        ("/api/v1/hotspots?from=2026-11&to=2026-11-30".to_owned(), "invalid_date"),
        ("/api/v1/hotspots?from=1999-01-01&to=1999-01-02".to_owned(), "invalid_date"),
    ] {
        let (status, _, body) = app.send(Method::GET, &uri, &auth, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert_error(&body, code);
    }

    // Bad input and other people's areas.
    for (uri, code) in [
        ("/api/v1/hotspots?period=2026-13", "invalid_period"),
        ("/api/v1/hotspots?within=abc", "invalid_division_code"),
        ("/api/v1/hotspots?limit=0", "invalid_limit"),
        ("/api/v1/hotspots?limit=101", "invalid_limit"),
        ("/api/v1/hotspots?bogus=1", "invalid_query"),
    ] {
        let (status, _, body) = app.send(Method::GET, uri, &auth, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert_eq!(body["error"]["code"], code, "{uri}: {body}");
    }
    let other = app.bearer("hot_other").await;
    let (status, _, refused) =
        app.send(Method::GET, "/api/v1/hotspots?within=510104022006", &[("authorization", other.as_str())], None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert_error(&refused, "forbidden");
    let (status, _, none) = app.send(Method::GET, "/api/v1/hotspots", &[("authorization", other.as_str())], None).await;
    assert_eq!((status, none["hotspots"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)), "nothing of others'");
    let (status, _, _) = app.send(Method::GET, "/api/v1/hotspots", &[("authorization", resident.as_str())], None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "residents read no figures (refused as the indicators are)");

    // The pages.
    let cookie = sign_in_as(&app, "hot_super").await;
    let dash = get(&app, "/supervise", &cookie).await;
    assert_eq!(dash.status, StatusCode::OK);
    assert!(dash.body.contains("id=\"hotspots\"") && dash.body.contains(label), "the supervisor's alert block");
    let topics = get(&app, &format!("/supervise/topics?period={month}"), &cookie).await;
    assert_eq!(topics.status, StatusCode::OK, "{}", topics.body);
    assert!(topics.body.contains("每月一题") && topics.body.contains("锦江区") && topics.body.contains(label));
    assert!(numbers.iter().all(|n| topics.body.contains(&format!("href=\"/m/{n}\""))), "with their matters");
    let bad = get(&app, "/supervise/topics?period=nope", &cookie).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let gridder = sign_in_as(&app, "hot_grid").await;
    let grid = get(&app, "/grid", &gridder).await;
    assert!(grid.body.contains("id=\"hotspots\"") && grid.body.contains(label), "the grid worker's alert block");
}
