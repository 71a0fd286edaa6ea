//! A patrol's GPS track over the API: batches of sampled positions, bounded
//! per request and per patrol, checked point by point (a bad one refuses the
//! batch), only on one's own open patrol; and check-ins outside the grid.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use shanzhi_domain::Role;
use shanzhi_testkit::{INSIDE_POINT, TestApp, username_of};

use crate::support::{TestApi, assert_error};

fn point(seconds_ago: i64) -> Value {
    let at = jiff::Timestamp::now() - jiff::SignedDuration::from_secs(seconds_ago);
    json!({"lng": INSIDE_POINT.0, "lat": INSIDE_POINT.1, "at": at.to_string()})
}

async fn post(app: &TestApi, auth: &str, uri: &str, body: Value) -> (StatusCode, Value) {
    let (status, _, answer) = app.send(Method::POST, uri, &[("authorization", auth)], Some(body)).await;
    (status, answer)
}

#[tokio::test]
async fn tracks_are_bounded_checked_and_kept_in_order() {
    let app =
        TestApi::start(TestApp::new().with_grid().with_staff(Role::GridWorker).with_staff(Role::Dispatcher)).await;
    let worker = app.bearer(&username_of(Role::GridWorker)).await;
    let (status, patrol) = post(&app, &worker, "/api/v1/patrols", json!({"grid": "510104022006001"})).await;
    assert_eq!(status, StatusCode::CREATED, "{patrol}");
    let uri = format!("/api/v1/patrols/{}/track", patrol["id"].as_str().expect("id"));
    // Points from just after the start, oldest first.
    let first = [point(2), point(1), point(0)];
    let (status, answer) = post(&app, &worker, &uri, json!({"points": first})).await;
    assert_eq!((status, answer), (StatusCode::OK, json!({"total": 3})));

    let mut bad_lat = point(0);
    bad_lat["lat"] = json!(91.0);
    let mut bad_time = point(0);
    bad_time["at"] = json!("yesterday");
    let future = {
        let mut p = point(0);
        p["at"] = json!((jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1)).to_string());
        p
    };
    let refused = [
        json!({"points": []}),
        json!({"points": vec![point(0); 501]}),
        json!({"points": [point(0), bad_lat]}),
        json!({"points": [point(0), bad_time]}),
        json!({"points": [future]}),
        json!({"points": [point(3600)]}),
    ];
    for body in refused {
        let (status, answer) = post(&app, &worker, &uri, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert_error(&answer, "invalid_track");
    }
    let (status, extra) = post(&app, &worker, &uri, json!({"points": [point(0)], "speed": 3})).await;
    assert!(status.is_client_error(), "unknown fields are refused: {extra}");
    // Someone else's patrol is not found.
    let dispatcher = app.bearer(&username_of(Role::Dispatcher)).await;
    let (status, _) = post(&app, &dispatcher, &uri, json!({"points": [point(0)]})).await;
    assert!(status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN, "{status}");
    let (_, _, track) = app.send(Method::GET, &uri, &[("authorization", &worker)], None).await;
    assert_eq!(track.as_array().map(Vec::len), Some(3), "the refusals wrote nothing: {track}");
    // Times come back as RFC 3339, the instants that were sent (kept to the microsecond).
    let instant =
        |v: &Value| v["at"].as_str().and_then(|t| t.parse::<jiff::Timestamp>().ok()).map(|t| t.as_microsecond());
    let kept: Vec<_> = track.as_array().into_iter().flatten().map(instant).collect();
    let sent: Vec<_> = first.iter().map(instant).collect();
    assert_eq!(kept, sent, "{track}");

    // At most 20,000 points a patrol.
    let batch = json!({"points": vec![point(0); 500]});
    let mut total = 3;
    while total + 500 <= 20_000 {
        let (status, answer) = post(&app, &worker, &uri, batch.clone()).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        total += 500;
        assert_eq!(answer["total"], json!(total));
    }
    let (status, answer) = post(&app, &worker, &uri, batch).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_error(&answer, "track_full");

    // Ended: no more points.
    let end = format!("/api/v1/patrols/{}/end", patrol["id"].as_str().expect("id"));
    let (status, _) = post(&app, &worker, &end, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, answer) = post(&app, &worker, &uri, json!({"points": [point(0)]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_error(&answer, "patrol_ended");
}

#[tokio::test]
async fn a_check_in_outside_the_grid_is_refused_with_the_distance() {
    let app = TestApi::start(TestApp::new().with_grid().with_staff(Role::GridWorker)).await;
    let worker = app.bearer(&username_of(Role::GridWorker)).await;
    let (_, patrol) = post(&app, &worker, "/api/v1/patrols", json!({"grid": "510104022006001"})).await;
    let uri = format!("/api/v1/patrols/{}/check-ins", patrol["id"].as_str().expect("id"));
    let (status, answer) = post(&app, &worker, &uri, json!({"lng": INSIDE_POINT.0, "lat": INSIDE_POINT.1})).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    // The community's other general grid, about 600 m east.
    let (status, answer) = post(&app, &worker, &uri, json!({"lng": 104.0813, "lat": 30.655})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_error(&answer, "check_in_outside_grid");
    assert!(answer["error"]["message"].as_str().is_some_and(|m| m.contains("米")), "{answer}");
}
