//! Reports and the lifecycle: keys, idempotency, throttles, scope.

use axum::http::{Method, StatusCode};
use serde_json::json;

use super::{matter_count, report, world};
use crate::support::assert_error;

#[tokio::test]
async fn finding_02_staff_cannot_rate_an_anonymous_report_with_its_id() {
    let app = world().await;
    let (status, answer) = report(&app, None, "0110", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let (id, number) = (answer["matter"]["id"].as_str().expect("id"), answer["matter"]["number"].as_str().expect("n"));
    let key = answer["private_key"].as_str().expect("the reporter's private key").to_owned();
    assert_ne!(key, id);
    app.app.close_matter(id).await;
    // The handling department sees the id in every view and list: it is no key.
    let form = |key: &str| format!("number={number}&key={key}&rating=satisfied");
    let app = &app;
    let post = |body: String| async move {
        let headers = [("content-type", "application/x-www-form-urlencoded")];
        app.send_raw(None, Method::POST, "/track/rate", &headers, body.into_bytes()).await.0
    };
    post(form(id)).await;
    let operator = app.app.operator().scoped("test");
    let op = operator.desk::<shanzhi_app::access::AdminDesk>().expect("the operator administers");
    assert_eq!(op.matter(id).await.expect("matter").state.as_str(), "closed", "no rating with the id");
    // The key, shown once to the reporter, rates.
    post(form(&key)).await;
    assert_eq!(op.matter(id).await.expect("matter").state.as_str(), "rated");
    // The tracking page tells the reporter which entry of the transparency log their rating is.
    let rating_leaf = app.app.store().log_leaves_of(shanzhi_domain::tlog::LeafKind::MatterEvent, id).await;
    let entry = rating_leaf.expect("leaves").last().expect("the rating's leaf").index + 1;
    let page = app.send_raw(None, Method::GET, &format!("/track?number={number}&key={key}"), &[], Vec::new()).await.2;
    let page = String::from_utf8_lossy(&page);
    assert!(page.contains(&format!("您的评价是透明日志第 {entry} 条")), "{page}");
    // Reads by staff never carry it.
    let dispatcher = app.bearer("dispatcher").await;
    let (_, _, seen) =
        app.send(Method::GET, &format!("/api/v1/matters/{id}"), &[("authorization", &dispatcher)], None).await;
    assert!(!seen.to_string().contains(&key));
}

#[tokio::test]
async fn finding_04_an_idempotency_key_is_its_callers_own_and_its_requests() {
    let app = world().await;
    let resident = app.bearer("resident").await;
    let private =
        json!({"category": "0110", "lng": 104.072, "lat": 30.652, "description": "家暴纠纷，住址 3 栋 2 单元"});
    let headers = [("authorization", resident.as_str()), ("idempotency-key", "k-2026-1")];
    let (status, _, first) = app.send(Method::POST, "/api/v1/matters", &headers, Some(private.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, _, again) = app.send(Method::POST, "/api/v1/matters", &headers, Some(private)).await;
    assert_eq!((status, &again["matter"]["id"]), (StatusCode::OK, &first["matter"]["id"]), "a true retry");
    // Someone else reusing the key gets their own matter, never the first one.
    let other = json!({"category": "0110", "lng": 104.072, "lat": 30.652, "description": "随便看看"});
    let (status, _, theirs) =
        app.send(Method::POST, "/api/v1/matters", &[("idempotency-key", "k-2026-1")], Some(other.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{theirs}");
    assert!(!theirs.to_string().contains("家暴"), "{theirs}");
    // The same caller with the same key and another request is refused.
    let (status, _, refused) = app.send(Method::POST, "/api/v1/matters", &headers, Some(other)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_error(&refused, "idempotency_key_reused");
}

#[tokio::test]
async fn finding_06_anonymous_reports_are_limited_per_address() {
    let app = world().await;
    let body = json!({"category": "0110", "lng": 104.072, "lat": 30.652, "description": "同一地址连续上报"});
    let post = |peer: &'static str| {
        let body = body.clone();
        let app = &app;
        async move { app.send_from(Some(peer), Method::POST, "/api/v1/matters", &[], Some(body)).await }
    };
    let mut created = 0;
    let mut refusal = None;
    for _ in 0..40 {
        let (status, headers, answer) = post("198.51.100.7").await;
        match status {
            StatusCode::CREATED => created += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                refusal = Some((headers, answer));
                break;
            }
            other => panic!("{other}: {answer}"),
        }
    }
    let (headers, answer) = refusal.expect("the address is throttled");
    assert_eq!(created, 30, "the default: 30 an hour per address");
    assert!(headers.get("retry-after").is_some());
    assert_error(&answer, "rate_limited");
    let retry_after = headers.get("retry-after").and_then(|v| v.to_str().ok()).expect("Retry-After").to_owned();
    assert!(answer.to_string().contains(&format!("in {retry_after} s")), "the message names the wait: {answer}");
    // The seconds left of the window move with the clock.
    insta::with_settings!({filters => vec![(r"请 \d+ 秒后", "请 [secs] 秒后"), (r"in \d+ s\b", "in [secs] s")]}, {
        insta::assert_json_snapshot!(answer, @r#"
        {
          "error": {
            "code": "rate_limited",
            "message": "请求过于频繁，请 [secs] 秒后再试",
            "message_en": "too many requests; try again in [secs] s"
          }
        }
        "#);
    });
    assert_eq!(matter_count(&app).await, 30, "the refused report was not stored");
    let (status, _, _) = post("198.51.100.8").await;
    assert_eq!(status, StatusCode::CREATED, "another address is not held back");
}

#[tokio::test]
async fn finding_07_a_service_code_list_is_bounded() {
    let app = world().await;
    let repeated = vec!["0110"; 5000].join(",");
    let (status, _, _) = app
        .send_raw(None, Method::GET, &format!("/open311/v2/requests.json?service_code={repeated}"), &[], vec![])
        .await;
    assert_eq!(status, StatusCode::OK, "repeats are one code");
    let many: Vec<String> = (0..60).map(|i| format!("C{i:03}")).collect();
    let uri = format!("/open311/v2/requests.json?service_code={}", many.join(","));
    let (status, _, body) = app.send_raw(None, Method::GET, &uri, &[], vec![]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{}", String::from_utf8_lossy(&body));
}

#[tokio::test]
async fn finding_09_a_dispatcher_rates_only_hotline_call_backs() {
    let app = world().await;
    let resident = app.bearer("resident").await;
    let (_, answer) = report(&app, Some(&resident), "0110", json!({})).await;
    let id = answer["matter"]["id"].as_str().expect("id").to_owned();
    app.app.close_matter(&id).await;
    let dispatcher = app.bearer("dispatcher").await;
    let d = [("authorization", dispatcher.as_str())];
    let rate = json!({"rating": "satisfied"});
    let uri = format!("/api/v1/matters/{id}/commands/rate");
    let (status, _, body) = app.send(Method::POST, &uri, &d, Some(rate.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a resident's matter is the resident's to rate: {body}");
    let (_, phoned) = report(&app, Some(&dispatcher), "12345.fanying", json!({"channel": "hotline"})).await;
    let call = phoned["matter"]["id"].as_str().expect("id").to_owned();
    app.app.close_matter(&call).await;
    let (status, _, body) =
        app.send(Method::POST, &format!("/api/v1/matters/{call}/commands/rate"), &d, Some(rate)).await;
    assert_eq!(status, StatusCode::OK, "the hotline's call-back: {body}");
}

#[tokio::test]
async fn finding_11_duplicate_hints_stay_within_the_callers_scope() {
    let app = world().await;
    let dispatcher = app.bearer("dispatcher").await;
    let (status, hidden) =
        report(&app, Some(&dispatcher), "0110", json!({"description": "井盖松动，邻里反映，暂不公开"})).await;
    assert_eq!(status, StatusCode::CREATED, "{hidden}");
    let (_, anonymous) = report(&app, None, "0110", json!({})).await;
    assert_eq!(anonymous["possible_duplicates"], json!([]), "nothing about others' matters to an anonymous caller");
    let (_, staff) = report(&app, Some(&dispatcher), "0110", json!({})).await;
    let seen = staff["possible_duplicates"].as_array().cloned().unwrap_or_default();
    assert!(seen.contains(&hidden["matter"]["number"]), "the dispatcher sees their own area's: {staff}");
}

#[tokio::test]
async fn finding_12_dispatch_stays_within_the_matters_area() {
    let app = world().await;
    let dispatcher = app.bearer("dispatcher").await;
    let d = [("authorization", dispatcher.as_str())];
    let (_, answer) = report(&app, Some(&dispatcher), "0110", json!({})).await;
    let id = answer["matter"]["id"].as_str().expect("id").to_owned();
    app.send(Method::POST, &format!("/api/v1/matters/{id}/commands/accept"), &d, None).await;
    let to = |code: &str| json!({"to": {"kind": "department", "code": code}});
    let uri = format!("/api/v1/matters/{id}/commands/dispatch");
    let (status, _, body) = app.send(Method::POST, &uri, &d, Some(to("510105-chengguan"))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "another district's department: {body}");
    assert_error(&body, "department_out_of_area");
    let (status, _, body) = app.send(Method::POST, &uri, &d, Some(to("510104-chengguan"))).await;
    assert_eq!(status, StatusCode::OK, "its own district's: {body}");
}

#[tokio::test]
async fn finding_13_a_deadline_at_the_end_of_time_is_refused_not_a_panic() {
    let app = world().await;
    let (status, body) =
        app.get("/api/v1/calendar/deadline?from=9999-06-01T00:00:00Z&amount=366&unit=working_days").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_error(&body, "invalid_time");
    let (status, _) = app.get("/api/v1/calendar/deadline?from=2026-12-01T00:00:00Z&amount=3&unit=working_days").await;
    assert_eq!(status, StatusCode::OK);
}
