//! Volunteers and 公益积分 over the API: a community worker publishes, a
//! resident signs up, checks in and out with the rotating code and earns
//! points, redeems a reward whose code the shop's worker confirms once;
//! out-of-scope, malformed and wrong-state requests are refused in both
//! languages and change nothing.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use shanzhi_app::timing::ManualClock;
use shanzhi_domain::Role;
use shanzhi_testkit::{INSIDE, TestApp};

use crate::support::{TestApi, assert_error};

fn at(h: i8, min: i8) -> jiff::Timestamp {
    jiff::civil::date(2026, 11, 2)
        .at(h, min, 0, 0)
        .to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .expect("time")
        .timestamp()
}

async fn call(app: &TestApi, who: &str, method: Method, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
    let auth = app.bearer(who).await;
    let (status, _, body) = app.send(method, uri, &[("authorization", auth.as_str())], body).await;
    (status, body)
}

fn activity(capacity: i64) -> Value {
    json!({"title": "府河步道清洁", "description": "捡拾垃圾", "place": "党群服务中心门口",
        "starts_at": "2026-11-02T09:30:00+08:00", "ends_at": "2026-11-02T12:00", "capacity": capacity, "points": 20})
}

#[tokio::test]
async fn a_resident_earns_points_on_site_and_redeems_them_at_the_shop() {
    let clock = Arc::new(ManualClock::new(at(10, 0)));
    let app =
        TestApi::start(TestApp::new().with_clock(clock.clone()).with_divisions().with_staff(Role::CommunityWorker))
            .await;
    for name in ["resident_a", "resident_b"] {
        app.app.add_account(name, Role::Resident, None).await;
    }
    let worker = "t_community_worker";
    let list = format!("/api/v1/communities/{INSIDE}/activities");

    // Refusals first: nothing is written.
    let (status, body) = call(&app, "resident_a", Method::POST, &list, Some(activity(5))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_error(&body, "forbidden");
    let (status, body) = call(&app, worker, Method::POST, &list, Some(activity(0))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_error(&body, "invalid_activity");
    let mut late = activity(5);
    late["ends_at"] = json!("下午三点");
    let (status, body) = call(&app, worker, Method::POST, &list, Some(late)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_error(&body, "invalid_time");
    app.get_refused("/api/v1/communities/510104022/activities", StatusCode::BAD_REQUEST, "invalid_community").await;
    assert_eq!(app.get(&list).await.1, json!([]), "nothing was published");

    let (status, made) = call(&app, worker, Method::POST, &list, Some(activity(1))).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let id = made["id"].as_str().expect("id").to_owned();
    assert_eq!(made["organiser"], "社区居民委员会");
    let (status, public) = app.get(&format!("/api/v1/activities/{id}")).await;
    assert_eq!((status, public["may_organise"].clone()), (StatusCode::OK, json!(false)));
    assert!(public.get("code_secret").is_none());

    // Sign-up and the waiting list.
    let signup = format!("/api/v1/activities/{id}/signup");
    let (status, a) = call(&app, "resident_a", Method::POST, &signup, None).await;
    assert_eq!(
        (status, a["my_state"].clone(), a["my_state_name"].clone()),
        (StatusCode::OK, json!("confirmed"), json!("已报名"))
    );
    let (_, b) = call(&app, "resident_b", Method::POST, &signup, None).await;
    assert_eq!((b["my_state_name"].clone(), b["waiting"].clone()), (json!("候补"), json!(1)));
    let (status, body) = call(&app, "resident_a", Method::POST, &signup, None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_error(&body, "already_signed_up");

    // The code is the organiser's; a wrong one is refused; no double check-in.
    let code_uri = format!("/api/v1/activities/{id}/code");
    let (status, body) = call(&app, "resident_a", Method::GET, &code_uri, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (_, shown) = call(&app, worker, Method::GET, &code_uri, None).await;
    let code = shown["code"].as_str().expect("code").to_owned();
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()), "{shown}");
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let checkin = format!("/api/v1/activities/{id}/checkin");
    for typed in [wrong, "12ab56"] {
        let (status, body) = call(&app, "resident_a", Method::POST, &checkin, Some(json!({"code": typed}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_error(&body, "invalid_checkin_code");
    }
    let (status, body) = call(&app, "resident_b", Method::POST, &checkin, Some(json!({"code": code}))).await;
    assert_eq!(status, StatusCode::CONFLICT, "one who waits: {body}");
    assert_error(&body, "attendance");
    let here = json!({"code": code, "lng": 104.0801, "lat": 30.6601});
    let (status, body) = call(&app, "resident_a", Method::POST, &checkin, Some(here.clone())).await;
    assert_eq!((status, body["checked_in"].clone()), (StatusCode::OK, json!(true)), "{body}");
    let (status, body) = call(&app, "resident_a", Method::POST, &checkin, Some(here)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_error(&body, "attendance");

    clock.set(at(11, 0));
    let (_, shown) = call(&app, worker, Method::GET, &code_uri, None).await;
    let checkout = format!("/api/v1/activities/{id}/checkout");
    let (status, body) = call(&app, "resident_a", Method::POST, &checkout, Some(json!({"code": shown["code"]}))).await;
    assert_eq!((status, body["checked_out"].clone()), (StatusCode::OK, json!(true)), "{body}");
    let (_, roster) = call(&app, worker, Method::GET, &format!("/api/v1/activities/{id}/roster"), None).await;
    assert_eq!(roster[0]["minutes"], 60, "{roster}");
    let (_, points) = call(&app, "resident_a", Method::GET, "/api/v1/me/points", None).await;
    assert_eq!((points["balance"].clone(), points["entries"][0]["kind_name"].clone()), (json!(20), json!("获得")));
    let (_, board) = app.get(&format!("/api/v1/communities/{INSIDE}/leaderboard")).await;
    assert_eq!(board[0]["points"], 20, "{board}");

    // The shop, its reward, a code confirmed once.
    let orgs = format!("/api/v1/communities/{INSIDE}/organisations");
    let (status, shop) =
        call(&app, worker, Method::POST, &orgs, Some(json!({"name": "便民超市", "kind": "shop", "members": []}))).await;
    assert_eq!(status, StatusCode::CREATED, "{shop}");
    let rewards = format!("/api/v1/communities/{INSIDE}/rewards");
    let item = json!({"name": "大米", "price": 15, "stock": 1, "org_id": shop["id"]});
    let (status, body) = call(&app, "resident_a", Method::POST, &rewards, Some(item.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "not the shop's: {body}");
    let (status, item) = call(&app, worker, Method::POST, &rewards, Some(item)).await;
    assert_eq!(status, StatusCode::CREATED, "{item}");
    let redeem = format!("/api/v1/rewards/{}/redeem", item["id"].as_str().expect("id"));
    let (status, body) = call(&app, "resident_b", Method::POST, &redeem, None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_error(&body, "not_enough_points");
    let (status, got) = call(&app, "resident_a", Method::POST, &redeem, None).await;
    assert_eq!(status, StatusCode::CREATED, "{got}");
    let code = got["code"].as_str().expect("the code").to_owned();
    let (_, catalogue) = app.get(&format!("/api/v1/rewards?community={INSIDE}")).await;
    assert_eq!(catalogue[0]["stock"], 0);
    let confirm = "/api/v1/redemptions/confirm";
    let (status, body) = call(&app, "resident_a", Method::POST, confirm, Some(json!({"code": code}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "not a shop's person: {body}");
    assert_error(&body, "invalid_redemption_code");
    let (status, body) = call(&app, worker, Method::POST, confirm, Some(json!({"code": code}))).await;
    assert_eq!((status, body["item_name"].clone()), (StatusCode::OK, json!("大米")), "{body}");
    let (status, body) = call(&app, worker, Method::POST, confirm, Some(json!({"code": code}))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_error(&body, "already_confirmed");
    let (_, mine) = call(&app, "resident_a", Method::GET, "/api/v1/me/redemptions", None).await;
    assert_eq!((mine[0]["confirmed"].clone(), mine[0]["code"].clone()), (json!(true), Value::Null));
    let (_, points) = call(&app, "resident_a", Method::GET, "/api/v1/me/points", None).await;
    assert_eq!(points["balance"], 5);

    let (status, _, _) = app.send(Method::POST, &signup, &[], None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "signing up needs a sign-in");
}
