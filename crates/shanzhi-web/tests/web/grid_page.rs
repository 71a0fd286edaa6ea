//! The grid worker's page (`/grid`) without a browser: where they land, their
//! grid by name with its open matters as cards, the actions first, the
//! patrol's timer, and 自行处置 from the page's form (photos from the camera).

use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;
use shanzhi_domain::Role;
use shanzhi_testkit::{INSIDE_POINT, PASSWORD, TestApp, username_of};
use tower::ServiceExt;

use crate::self_handle_api::PNG;
use crate::support::TestApi;
use crate::ui::{Answer, call};

async fn world() -> TestApi {
    TestApi::start(
        TestApp::new().with_grid().with_categories().with_staff(Role::GridWorker).with_staff(Role::Dispatcher),
    )
    .await
}

/// Signs the grid worker in from `/`; the cookie and where `/` sends them.
async fn sign_in(app: &TestApi) -> (String, String) {
    let form = format!("username={}&password={PASSWORD}&next=%2F", username_of(Role::GridWorker));
    let a = call(app, Method::POST, "/login", "", Some(&form)).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let cookie = a.cookie.split(';').next().expect("cookie").to_owned();
    let home = call(app, Method::GET, "/", &cookie, None).await;
    (cookie, home.location)
}

fn csrf_of(body: &str) -> String {
    body.split("name=\"csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("a CSRF token").to_owned()
}

/// A multipart form as a browser posts it, with text fields and files
/// (field name, bytes).
pub(crate) async fn post_multipart(
    app: &TestApi,
    uri: &str,
    cookie: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> Answer {
    let boundary = "shanzhi-test-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").bytes(),
        );
    }
    for (name, bytes) in files {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"p.png\"\r\nContent-Type: image/png\r\n\r\n")
                .bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").bytes());
    let r = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .expect("request");
    let response = app.router.clone().oneshot(r).await.expect("response");
    let status = response.status();
    let location = response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let bytes = to_bytes(response.into_body(), usize::MAX).await.expect("body");
    Answer { status, location, cookie: String::new(), body: String::from_utf8_lossy(&bytes).into_owned() }
}

#[tokio::test]
async fn the_grid_worker_lands_on_their_grid_with_actions_first_and_cards() {
    let app = world().await;
    let (cookie, landed) = sign_in(&app).await;
    assert_eq!(landed, "/grid");
    // A matter in the grid, reported by the worker over the API.
    let auth = app.bearer(&username_of(Role::GridWorker)).await;
    let report = json!({"category": "0110", "lng": INSIDE_POINT.0, "lat": INSIDE_POINT.1, "description": "井盖松动", "channel": "grid_worker"});
    let (status, _, created) =
        app.send(Method::POST, "/api/v1/matters", &[("authorization", &auth)], Some(report)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let number = created["matter"]["number"].as_str().expect("number");
    let page = call(&app, Method::GET, "/grid", &cookie, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("id=\"grid-name\">网格510104022006001</h1>"), "the grid by its name");
    let (actions, map, cards) = (
        page.body.find("id=\"gw-report\"").expect("上报"),
        page.body.find("id=\"gw-map\"").expect("the map"),
        page.body.find(&format!("href=\"/m/{number}\"")).expect("the matter's card"),
    );
    assert!(actions < map && map < cards, "actions first, then the map, then the cards");
    for id in ["gw-self-handle", "patrol-start"] {
        assert!(page.body.contains(&format!("id=\"{id}\"")), "#{id}");
    }
    let points = page.body.split("data-points=\"").nth(1).and_then(|s| s.split('"').next()).expect("points");
    assert!(points.contains(number) && points.contains("lng"), "the matter on the map: {points}");
    assert!(page.body.contains("/assets/grid.js"));
    // The report form: the camera, the position filled by the page.
    let form = call(&app, Method::GET, "/grid/report", &cookie, None).await;
    assert!(form.body.contains("accept=\"image/*\" capture=\"environment\""), "{}", form.body);
    // Only grid workers have the page.
    let dispatcher = crate::desk::sign_in_as(&app, &username_of(Role::Dispatcher)).await;
    assert_eq!(call(&app, Method::GET, "/grid", &dispatcher, None).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_patrol_shows_its_timer_from_the_stored_start() {
    let app = world().await;
    let (cookie, _) = sign_in(&app).await;
    let page = call(&app, Method::GET, "/grid", &cookie, None).await;
    let csrf = csrf_of(&page.body);
    let form = format!("csrf={csrf}&grid=510104022006001");
    let started = call(&app, Method::POST, "/patrol/start", &cookie, Some(&form)).await;
    assert_eq!((started.status, started.location.as_str()), (StatusCode::SEE_OTHER, "/grid"));
    let page = call(&app, Method::GET, "/grid", &cookie, None).await;
    assert!(page.body.contains("id=\"patrol-timer\""), "the timer");
    let at = page.body.split("data-started=\"").nth(1).and_then(|s| s.split('"').next()).expect("the start");
    let at: jiff::Timestamp = at.parse().expect("an instant the page's script can read");
    assert!(jiff::Timestamp::now().duration_since(at).as_secs() < 60, "just started: {at}");
    assert!(!page.body.contains("id=\"patrol-start\""), "one patrol at a time");
}

#[tokio::test]
async fn self_handling_from_the_page_needs_the_photo_after() {
    let app = world().await;
    let (cookie, _) = sign_in(&app).await;
    let form = call(&app, Method::GET, "/grid/self-handle", &cookie, None).await;
    assert!(form.body.contains("乱堆物堆料") && !form.body.contains(">道路破损<"), "only categories that allow it");
    let csrf = csrf_of(&form.body);
    let (lng, lat) = (INSIDE_POINT.0.to_string(), INSIDE_POINT.1.to_string());
    let fields = [
        ("csrf", csrf.as_str()),
        ("lng", lng.as_str()),
        ("lat", lat.as_str()),
        ("category", "0507"),
        ("description", "楼道口堆放纸箱"),
        ("text", "已清理"),
    ];
    let refused = post_multipart(&app, "/grid/self-handle", &cookie, &fields, &[("photos", PNG)]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("请拍摄处置后的现场照片"), "{}", refused.body);
    assert!(refused.body.contains("楼道口堆放纸箱"), "what was typed is kept");
    let auth = app.bearer(&username_of(Role::Dispatcher)).await;
    let counts = app.send(Method::GET, "/api/v1/matters/counts", &[("authorization", &auth)], None).await.2;
    assert_eq!(counts, json!({}), "nothing was written");
    let done = post_multipart(&app, "/grid/self-handle", &cookie, &fields, &[("photos", PNG), ("after", PNG)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert!(done.location.ends_with("?done=self_handle"), "{}", done.location);
    let matter = call(&app, Method::GET, done.location.as_str(), &cookie, None).await;
    assert!(matter.body.contains("已自行处置。") && matter.body.contains("已结案"), "{}", matter.body);
    let counts = app.send(Method::GET, "/api/v1/matters/counts", &[("authorization", &auth)], None).await.2;
    assert_eq!(counts, json!({"closed": 1}));
}

#[tokio::test]
async fn the_grid_worker_verifies_on_site_with_a_photo() {
    let app = TestApi::start(
        TestApp::new()
            .with_grid()
            .with_categories()
            .with_staff(Role::GridWorker)
            .with_staff(Role::Dispatcher)
            .with_staff(Role::CommunityWorker),
    )
    .await;
    let (cookie, _) = sign_in(&app).await;
    let auth = app.bearer(&username_of(Role::GridWorker)).await;
    let report = json!({"category": "0110", "lng": INSIDE_POINT.0, "lat": INSIDE_POINT.1, "description": "井盖缺失", "channel": "grid_worker"});
    let (_, _, created) = app.send(Method::POST, "/api/v1/matters", &[("authorization", &auth)], Some(report)).await;
    let id = created["matter"]["id"].as_str().expect("id");
    let number = created["matter"]["number"].as_str().expect("number");
    let (dispatcher, community) = (username_of(Role::Dispatcher), username_of(Role::CommunityWorker));
    let steps = [
        (&dispatcher, "accept", json!({})),
        (&dispatcher, "dispatch", json!({"to": {"kind": "community"}})),
        (&community, "sign", json!({})),
        (&community, "respond", json!({"text": "已补装井盖"})),
    ];
    for (who, command, args) in steps {
        app.app.command_as(who, id, command, args).await.unwrap_or_else(|e| panic!("{command}: {e:?}"));
    }
    let page = call(&app, Method::GET, &format!("/m/{number}"), &cookie, None).await;
    let (actions, facts) =
        (page.body.find("id=\"actions\"").expect("actions"), page.body.find("id=\"facts\"").expect("facts"));
    assert!(actions < facts, "actions above the facts");
    assert!(page.body.contains("name=\"photos\" accept=\"image/*\" capture=\"environment\""), "the camera on 核查");
    let csrf = csrf_of(&page.body);
    let fields = [("csrf", csrf.as_str()), ("passed", "yes"), ("note", "现场核查：已补装")];
    let done = post_multipart(&app, &format!("/m/{number}/do/verify"), &cookie, &fields, &[("photos", PNG)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let (_, _, timeline) =
        app.send(Method::GET, &format!("/api/v1/matters/{id}/timeline"), &[("authorization", &auth)], None).await;
    let verify = timeline.as_array().expect("entries").iter().find(|e| e["command"] == "verify").expect("verified");
    assert_eq!(verify["attachments"].as_array().map(Vec::len), Some(1), "the photo is the verification's");
    let page = call(&app, Method::GET, &format!("/m/{number}"), &cookie, None).await;
    assert!(page.body.contains("<figcaption class=\"photo-label\">核查</figcaption>"), "labelled 核查");
}
