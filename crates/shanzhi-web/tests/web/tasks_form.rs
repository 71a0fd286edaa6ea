//! `/tasks/new` by name (issue 20: users see names, never codes): the grids
//! and grid workers of the giver's community offered as boxes to tick, by
//! name; a street narrowed by community; a refused form comes back as typed
//! (boxes still ticked); a grid or worker outside the scope, or unknown, is
//! refused in Chinese and English with nothing created; the task's pages
//! name its grids and workers, and a free site of a one-grid task is in it.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use shanzhi_app::timing::ManualClock;
use shanzhi_domain::Role;
use shanzhi_testkit::{TestApp, grid_feature, rect};

use crate::desk::{csrf_of, get, sign_in_as};
use crate::support::TestApi;
use crate::ui::{Answer, call};

const A: &str = "510104022006001";
const B: &str = "510104022006002";
const OTHER: &str = "510104022009001";
const OUTSIDE: &str = "510603001001001";

async fn world() -> TestApi {
    // Monday 2 March 2026, 09:00 in Chengdu.
    let clock = Arc::new(ManualClock::new("2026-03-02T01:00:00Z".parse().expect("time")));
    let named = |code: &str, kind: &str, name: &str, x: f64, wide: f64| {
        let mut f = grid_feature(code, kind, None, rect(x, 30.65, x + wide, 30.66));
        f["properties"]["name"] = name.into();
        f
    };
    let features = vec![
        named("510104022006000", "master", "总府路社区", 104.07, 0.01),
        named(A, "general", "总府路东网格", 104.07, 0.005),
        named(B, "general", "总府路西网格", 104.075, 0.005),
        named("510104022009000", "master", "督院街社区", 104.08, 0.005),
        named(OTHER, "general", "督院街一网格", 104.08, 0.005),
        named("510603001001000", "master", "文庙社区", 104.39, 0.005),
        named(OUTSIDE, "general", "文庙一网格", 104.39, 0.005),
    ];
    let app = TestApi::start(TestApp::new().with_clock(clock).with_features(features)).await;
    for (name, role, scope) in [
        ("c_in", Role::CommunityWorker, "510104022006"),
        ("d_street", Role::Dispatcher, "510104022"),
        ("g_a", Role::GridWorker, A),
        ("g_b", Role::GridWorker, B),
        ("g_out", Role::GridWorker, OUTSIDE),
    ] {
        app.app.add_account(name, role, Some(scope)).await;
    }
    app
}

/// A form body: each pair percent-encoded.
fn form(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| if b.is_ascii_alphanumeric() || b == b'_' { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect::<String>()
    };
    pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

async fn post(app: &TestApi, cookie: &str, pairs: &[(&str, &str)]) -> Answer {
    call(app, Method::POST, "/tasks/new", cookie, Some(&form(pairs))).await
}

fn ticked(body: &str, value: &str) -> bool {
    body.contains(&format!("value=\"{value}\" checked"))
}

async fn tasks_given(app: &TestApi) -> usize {
    let auth = app.bearer("c_in").await;
    let (status, _, body) = app.send(Method::GET, "/api/v1/tasks", &[("authorization", auth.as_str())], None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn the_task_form_offers_grids_and_workers_by_name_and_keeps_a_refused_form() {
    let app = world().await;
    let cookie = sign_in_as(&app, "c_in").await;
    let new = get(&app, "/tasks/new", &cookie).await;
    assert_eq!(new.status, StatusCode::OK, "{}", new.body);
    let body = &new.body;
    for name in ["总府路东网格", "总府路西网格", "g_a 同志", "g_b 同志"] {
        assert!(body.contains(name), "{name} offered by name: {body}");
    }
    assert!(body.contains(&format!("name=\"grid\" value=\"{A}\"")), "a box per grid");
    assert!(body.contains("name=\"worker\" value=\"g_a\""), "a box per grid worker");
    for not_here in ["督院街一网格", "文庙一网格", "g_out"] {
        assert!(!body.contains(not_here), "{not_here} is outside the community");
    }
    assert!(!body.contains("name=\"grids\"") && !body.contains("网格编码"), "no codes to type");
    assert!(!body.contains("id=\"task-community\""), "one community: nothing to narrow");
    let csrf = csrf_of(body);

    // A grid outside: refused by its name, the form as typed, nothing created.
    let typed = [
        ("csrf", csrf.as_str()),
        ("title", "全部商铺消防安全检查"),
        ("details", "查灭火器"),
        ("due_on", "2026-03-06"),
        ("grid", A),
        ("grid", OUTSIDE),
        ("worker", "g_b"),
        ("building", "on"),
        ("sites", "好再来餐馆\n总府路夜市"),
    ];
    let refused = post(&app, &cookie, &typed).await;
    assert_eq!(refused.status, StatusCode::OK, "{}", refused.body);
    let b = &refused.body;
    assert!(
        b.contains("role=\"alert\"") && b.contains("文庙一网格") && b.contains("不在任务所属的社区或街道内"),
        "{b}"
    );
    assert!(ticked(b, A) && ticked(b, "g_b") && !ticked(b, B) && !ticked(b, "g_a"), "the boxes ticked stay ticked");
    assert!(b.contains("name=\"building\" checked") && !b.contains("name=\"organisation\" checked"), "{b}");
    assert!(b.contains("value=\"全部商铺消防安全检查\"") && b.contains("好再来餐馆\n总府路夜市"), "the text stays");
    assert!(b.contains("查灭火器") && b.contains("value=\"2026-03-06\""));
    let en = call(&app, Method::POST, "/tasks/new", &format!("{cookie}; lang=en"), Some(&form(&typed))).await;
    assert!(en.body.contains("is not in the task"), "{}", en.body);

    // An unknown grid, a worker of another place: refused, nothing created.
    let unknown = post(&app, &cookie, &[typed[0], typed[1], typed[3], ("grid", "510104022006099"), typed[8]]).await;
    assert!(unknown.body.contains("role=\"alert\"") && unknown.body.contains("已撤销"), "{}", unknown.body);
    let stranger = post(&app, &cookie, &[typed[0], typed[1], typed[3], ("worker", "g_out"), typed[8]]).await;
    assert!(stranger.body.contains("不是本社区或街道的网格员"), "{}", stranger.body);
    assert_eq!(tasks_given(&app).await, 0, "nothing created");

    // One grid by name, free sites: created, and the sites are in that grid.
    let one = [typed[0], typed[1], typed[3], ("grid", A), typed[8]];
    let created = post(&app, &cookie, &one).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let shown = get(&app, &created.location, &cookie).await;
    let s = &shown.body;
    assert!(s.contains("总府路东网格") && !s.contains(A), "the grid by name, never its code: {s}");
    assert!(!s.contains("未定网格"), "a one-grid task's free sites are in its grid: {s}");
    let auth = app.bearer("c_in").await;
    let uri = format!("/api/v1{}", created.location);
    let (_, _, detail) = app.send(Method::GET, &uri, &[("authorization", auth.as_str())], None).await;
    assert_eq!(detail["task"]["grid_names"], serde_json::json!(["总府路东网格"]), "{detail}");
    assert!(detail["sites"].as_array().is_some_and(|s| s.iter().all(|x| x["grid"] == A)), "{detail}");

    // The grid worker's list names the grid too.
    let worker = sign_in_as(&app, "g_a").await;
    let mine = get(&app, "/grid/tasks", &worker).await;
    assert!(mine.body.contains("总府路东网格") && !mine.body.contains(A), "{}", mine.body);
    assert_eq!(tasks_given(&app).await, 1);
}

#[tokio::test]
async fn a_street_worker_narrows_the_grids_by_community() {
    let app = world().await;
    let cookie = sign_in_as(&app, "d_street").await;
    let all = get(&app, "/tasks/new", &cookie).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert!(all.body.contains("id=\"task-community\""), "a street: its communities to narrow by");
    assert!(all.body.contains("总府路东网格") && all.body.contains("督院街一网格"), "{}", all.body);
    assert!(!all.body.contains("文庙一网格"));
    let one = get(&app, "/tasks/new?community=510104022009", &cookie).await;
    assert!(one.body.contains("督院街一网格") && !one.body.contains("总府路东网格"), "{}", one.body);
    assert!(one.body.contains("value=\"510104022009\" selected"), "the community chosen stays chosen");
    let outside = get(&app, "/tasks/new?community=510603001001", &cookie).await;
    assert!(outside.body.contains("role=\"alert\"") && outside.body.contains("督院街一网格"), "{}", outside.body);
}
