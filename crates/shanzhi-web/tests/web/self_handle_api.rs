//! 自行处置 over the API: a grid worker reports and closes a matter of a
//! category that allows it, inside their own grid, with a photo of the
//! result; every other case is refused and writes nothing.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use shanzhi_domain::Role;
use shanzhi_testkit::{INSIDE_POINT, TestApp, username_of};

use crate::support::{TestApi, assert_error};

/// A 1×1 PNG header: enough for the photo check.
pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";

async fn world() -> (TestApi, String, String) {
    let app = TestApi::start(
        TestApp::new().with_grid().with_categories().with_staff(Role::GridWorker).with_staff(Role::Dispatcher),
    )
    .await;
    let worker = app.bearer(&username_of(Role::GridWorker)).await;
    let dispatcher = app.bearer(&username_of(Role::Dispatcher)).await;
    (app, worker, dispatcher)
}

async fn upload(app: &TestApi, auth: &str) -> String {
    let headers = [("authorization", auth), ("content-type", "image/png")];
    let (status, _, bytes) = app.send_raw(None, Method::POST, "/api/v1/attachments", &headers, PNG.to_vec()).await;
    assert_eq!(status, StatusCode::CREATED);
    let body: Value = serde_json::from_slice(&bytes).expect("JSON");
    body["id"].as_str().expect("id").to_owned()
}

fn body(category: &str, (lng, lat): (f64, f64), after: &[String]) -> Value {
    json!({"category": category, "lng": lng, "lat": lat, "description": "楼道口堆放纸箱杂物",
           "text": "已联系商户清理完毕", "after": after})
}

async fn counts(app: &TestApi, auth: &str) -> Value {
    app.send(Method::GET, "/api/v1/matters/counts", &[("authorization", auth)], None).await.2
}

#[tokio::test]
async fn a_grid_worker_reports_and_closes_in_one_step() {
    let (app, worker, dispatcher) = world().await;
    let before = upload(&app, &worker).await;
    let after = upload(&app, &worker).await;
    let mut b = body("0507", INSIDE_POINT, std::slice::from_ref(&after));
    b["before"] = json!([before]);
    let auth = [("authorization", worker.as_str())];
    let (status, _, m) = app.send(Method::POST, "/api/v1/matters/self-handle", &auth, Some(b)).await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
    assert_eq!((m["state"].as_str(), m["channel"].as_str()), (Some("closed"), Some("grid_worker")));
    let id = m["id"].as_str().expect("id");
    let (_, _, timeline) = app.send(Method::GET, &format!("/api/v1/matters/{id}/timeline"), &auth, None).await;
    let steps: Vec<(&str, &str)> = timeline
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| (e["command"].as_str().unwrap_or(""), e["role"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(steps, [("report", "grid_worker"), ("self_handle", "grid_worker")]);
    assert_eq!(timeline[0]["attachments"], json!([before]), "the photo before, with the report");
    assert_eq!(timeline[1]["attachments"], json!([after]), "the photo after, with the handling");
    // The dispatcher sees it closed: nothing waits in the intake queue.
    assert_eq!(counts(&app, &dispatcher).await, json!({"closed": 1}));
    // The photo after is the matter's, readable by whoever sees it.
    let (status, _, _) = app
        .send_raw(
            None,
            Method::GET,
            &format!("/api/v1/attachments/{after}"),
            &[("authorization", &dispatcher)],
            Vec::new(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn refusals_write_nothing() {
    let (app, worker, dispatcher) = world().await;
    let photo = upload(&app, &worker).await;
    let photos = std::slice::from_ref(&photo);
    let auth = [("authorization", worker.as_str())];
    let cases = [
        // 0110 (井盖) is not a category a grid worker handles on the spot.
        (body("0110", INSIDE_POINT, photos), StatusCode::UNPROCESSABLE_ENTITY, "self_handle_not_allowed"),
        // The other general grid of the same community.
        (body("0507", (104.078, 30.655), photos), StatusCode::UNPROCESSABLE_ENTITY, "outside_own_grid"),
        (body("0507", INSIDE_POINT, &[]), StatusCode::BAD_REQUEST, "after_photo_required"),
        (
            body("0507", INSIDE_POINT, &["no-such-photo".to_owned()]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_attachment",
        ),
    ];
    for (b, status, code) in cases {
        let (got, _, answer) = app.send(Method::POST, "/api/v1/matters/self-handle", &auth, Some(b.clone())).await;
        assert_eq!(got, status, "{b}: {answer}");
        assert_error(&answer, code);
    }
    // Only a grid worker may.
    let d = [("authorization", dispatcher.as_str())];
    let (got, _, answer) =
        app.send(Method::POST, "/api/v1/matters/self-handle", &d, Some(body("0507", INSIDE_POINT, photos))).await;
    assert_eq!(got, StatusCode::FORBIDDEN, "{answer}");
    // A body without the photos after is malformed.
    let mut missing = body("0507", INSIDE_POINT, photos);
    missing.as_object_mut().expect("object").remove("after");
    let (got, _, _) = app.send(Method::POST, "/api/v1/matters/self-handle", &auth, Some(missing)).await;
    assert!(got.is_client_error());
    assert_eq!(counts(&app, &dispatcher).await, json!({}), "nothing was written");
    // And never as a command on an existing matter.
    let report = json!({"category": "0507", "lng": INSIDE_POINT.0, "lat": INSIDE_POINT.1, "description": "堆物", "channel": "grid_worker"});
    let (status, _, answer) = app.send(Method::POST, "/api/v1/matters", &auth, Some(report)).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let id = answer["matter"]["id"].as_str().expect("id");
    let uri = format!("/api/v1/matters/{id}/commands/self_handle");
    let (status, _, answer) = app.send(Method::POST, &uri, &auth, Some(json!({"text": "已清理"}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_error(&answer, "self_handle_with_report");
}
