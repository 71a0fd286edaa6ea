//! Tasks over HTTP and as pages: a community worker gives a task, the grid
//! worker lists theirs and marks sites through the API and the page, a
//! refusal is a 4xx with Chinese then English, another community's worker
//! gets 404; the giver's page shows the progress per grid.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use shanzhi_app::timing::ManualClock;
use shanzhi_domain::Role;
use shanzhi_testkit::TestApp;

use crate::desk::{csrf_of, get, sign_in_as};
use crate::support::{TestApi, assert_error};

async fn call(app: &TestApi, who: &str, method: Method, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
    let auth = app.bearer(who).await;
    let (status, _, body) = app.send(method, uri, &[("authorization", auth.as_str())], body).await;
    (status, body)
}

#[tokio::test]
async fn a_task_over_the_api_and_the_pages() {
    // Monday 2 March 2026, 09:00 in Chengdu.
    let clock = Arc::new(ManualClock::new("2026-03-02T01:00:00Z".parse().expect("time")));
    let app = TestApi::start(TestApp::new().with_clock(clock).with_grid()).await;
    app.app.add_account("c_in", Role::CommunityWorker, Some("510104022006")).await;
    app.app.add_account("c_out", Role::CommunityWorker, Some("510603001001")).await;
    app.app.add_account("g_a", Role::GridWorker, Some("510104022006001")).await;

    let task = json!({"title": "全部商铺消防安全检查", "due_on": "2026-03-06", "grids": ["510104022006001"],
        "sites": [{"name": "好再来餐馆"}, {"name": "总府路便利店", "grid": "510104022006001"}]});
    let saturday = json!({"title": "周末检查", "due_on": "2026-03-07", "grids": ["510104022006001"],
        "sites": [{"name": "好再来餐馆"}]});
    let (status, body) = call(&app, "c_in", Method::POST, "/api/v1/tasks", Some(saturday)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_error(&body, "invalid_due_date");
    let (status, given) = call(&app, "c_in", Method::POST, "/api/v1/tasks", Some(task)).await;
    assert_eq!(status, StatusCode::CREATED, "{given}");
    let id = given["task"]["id"].as_str().expect("id").to_owned();
    assert_eq!(given["task"]["progress"], json!({"sites": 2, "done": 0, "problems": 0}));

    let (status, mine) = call(&app, "g_a", Method::GET, "/api/v1/tasks/mine", None).await;
    assert_eq!((status, mine.as_array().map(Vec::len)), (StatusCode::OK, Some(1)), "{mine}");
    let site = format!("/api/v1/tasks/{id}/sites/1");
    let (status, body) = call(&app, "g_a", Method::PUT, &site, Some(json!({"state": "problem"}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_error(&body, "invalid_mark");
    let mark = json!({"state": "problem", "note": "灭火器已过期"});
    let (status, marked) = call(&app, "g_a", Method::PUT, &site, Some(mark)).await;
    assert_eq!(status, StatusCode::OK, "{marked}");
    assert_eq!(marked["sites"][0]["state_label"], "发现问题");
    let (status, body) = call(&app, "c_out", Method::GET, &format!("/api/v1/tasks/{id}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) =
        call(&app, "g_a", Method::POST, &format!("/api/v1/tasks/{id}/complete"), Some(json!({}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error(&body, "task_not_done");

    // The worker's phone page: the task, then a site marked by a tap.
    let cookie = sign_in_as(&app, "g_a").await;
    let list = get(&app, "/grid/tasks", &cookie).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("全部商铺消防安全检查") && list.body.contains("1/2"), "{}", list.body);
    let page = get(&app, &format!("/tasks/{id}"), &cookie).await;
    assert!(page.body.contains(&format!("/tasks/{id}/sites/2")), "{}", page.body);
    let form = format!("csrf={}&state=done&note=&matter=", csrf_of(&page.body));
    let done = crate::ui::call(&app, Method::POST, &format!("/tasks/{id}/sites/2"), &cookie, Some(&form)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = get(&app, &format!("/tasks/{id}"), &cookie).await;
    assert!(page.body.contains("id=\"task-complete\""), "every site checked: the completion form");

    // The giver's pages: the task given, its progress per grid.
    let cookie = sign_in_as(&app, "c_in").await;
    let new = get(&app, "/tasks/new", &cookie).await;
    assert_eq!(new.status, StatusCode::OK);
    assert!(new.body.contains(&format!("/tasks/{id}")), "{}", new.body);
    let shown = get(&app, &format!("/tasks/{id}"), &cookie).await;
    assert!(shown.body.contains("网格510104022006001") && !shown.body.contains("/sites/1\""), "{}", shown.body);
    let form = format!("csrf={}&title=&due_on=2026-03-06&grid=510104022006001&sites=x", csrf_of(&new.body));
    let refused = crate::ui::call(&app, Method::POST, "/tasks/new", &cookie, Some(&form)).await;
    assert!(refused.body.contains("role=\"alert\""), "{}", refused.body);
    let form = format!(
        "csrf={}&title=%E6%A5%BC%E9%81%93%E6%A3%80%E6%9F%A5&due_on=2026-03-06&grid=510104022006001&sites=1%E5%8F%B7%E6%A5%BC",
        csrf_of(&new.body)
    );
    let created = crate::ui::call(&app, Method::POST, "/tasks/new", &cookie, Some(&form)).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);

    // The grid-work figures: published with the others, read by grid.
    let (status, defs) = app.get("/api/v1/indicators/definitions").await;
    assert_eq!(status, StatusCode::OK);
    for key in ["task_on_time_rate", "patrol_coverage", "proactive_discovery"] {
        assert!(defs.as_array().is_some_and(|d| d.iter().any(|x| x["key"] == key)), "{key}");
    }
    let uri = "/api/v1/indicators/grid-work?period=2026-03&by=grid";
    let (status, figures) = call(&app, "c_in", Method::GET, uri, None).await;
    assert_eq!(status, StatusCode::OK, "{figures}");
    let a = figures["units"].as_array().and_then(|u| u.iter().find(|u| u["code"] == "510104022006001")).expect("A");
    // Nothing is due yet on 2 March: no task counts.
    assert_eq!(a["figures"]["task_on_time_rate"]["denominator"], 0.0, "{figures}");
    let (status, body) =
        call(&app, "c_in", Method::GET, "/api/v1/indicators/grid-work?period=2026-03&by=town", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_error(&body, "invalid_unit_kind");
}
