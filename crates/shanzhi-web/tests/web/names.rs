//! Names, not codes (#15): every page each role opens, in Chinese and in
//! English, is read as a person reads it (tags, attributes, scripts left
//! out) and refused if it shows a code word of the domain (`dispatcher`,
//! `in_progress`, `community` …) or a grid, division or department code
//! where the page could have said the name. Matter numbers
//! (`510104-20261128-000001`) are identifiers people use and stay.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use regex::Regex;
use serde_json::{Value, json};
use shanzhi_app::timing::ManualClock;
use shanzhi_domain::{
    Channel, CommandKind, DivisionLevel, GridKind, Level, Line, MatterState, Rating, Role, Stage, Warning,
};
use shanzhi_testkit::{PASSWORD, TestApp, grid_feature, rect};

use crate::support::TestApi;
use crate::ui::call;

const COMMUNITY: &str = "510104022006";
const GRID: &str = "510104022006001";

fn at(s: &str) -> jiff::Timestamp {
    s.parse().expect("time")
}

/// 总府路社区 with named grids (the testkit's grids are named after their
/// codes, which would hide a code behind a "name").
fn named_grids() -> Vec<Value> {
    let (x, y) = (104.07, 30.65);
    let f = |suffix: &str, kind: &str, name: &str, g: Value| {
        let mut f = grid_feature(&format!("{COMMUNITY}{suffix}"), kind, None, g);
        f["properties"]["name"] = json!(name);
        f
    };
    vec![
        f("000", "master", "总府路社区总网格", rect(x, y, x + 0.01, y + 0.01)),
        f("001", "general", "总府路第一网格", rect(x, y, x + 0.005, y + 0.01)),
        f("002", "general", "总府路第二网格", rect(x + 0.005, y, x + 0.01, y + 0.01)),
    ]
}

struct World {
    api: TestApi,
    /// Dispatched to 锦江区城管局, signed for, overdue: supervised by the
    /// sweep and by hand.
    overdue: String,
    /// Reported, not accepted: nobody handles it yet.
    fresh: String,
    /// Handled by the community, verified and rated.
    rated: String,
    /// Answered by the community: waits for the grid worker's verification.
    responded: String,
    /// Verified: waits for the resident's rating.
    closed: String,
}

async fn world() -> World {
    // Monday 2 November 2026, 10:00 in Chengdu.
    let clock = Arc::new(ManualClock::new(at("2026-11-02T02:00:00Z")));
    let api = TestApi::start(
        TestApp::new()
            .with_clock(clock.clone())
            .with_features(named_grids())
            .with_categories()
            .with_department("510104-chengguan", "锦江区城管局")
            .with_accounts(&[
                ("n_dispatcher", Role::Dispatcher, Some("510104022")),
                ("n_dept", Role::DeptHandler, Some("510104-chengguan")),
                ("n_grid", Role::GridWorker, Some(GRID)),
                ("n_community", Role::CommunityWorker, Some(COMMUNITY)),
                ("n_supervisor", Role::Supervisor, Some("5101")),
                ("n_admin", Role::Admin, Some("5101")),
                ("n_resident", Role::Resident, None),
            ]),
    )
    .await;
    let resident = api.bearer("n_resident").await;
    let mut numbers = Vec::new();
    for text in ["井盖破损，请尽快处理", "路灯不亮", "人行道积水", "垃圾桶满溢", "树枝折断"]
    {
        let body =
            json!({"category": "0110", "lng": 104.072, "lat": 30.652, "description": text, "channel": "resident"});
        let (status, _, created) =
            api.send(Method::POST, "/api/v1/matters", &[("authorization", &resident)], Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        numbers.push(created["matter"]["number"].as_str().expect("number").to_owned());
    }
    let run = |who: &'static str, n: String, cmd: &'static str, args: Value| {
        let api = &api;
        async move { api.app.command_as(who, &n, cmd, args).await.unwrap_or_else(|e| panic!("{cmd}: {e}")) }
    };
    let [overdue, fresh, rated, responded, closed] = <[String; 5]>::try_from(numbers).expect("five");
    run("n_dispatcher", overdue.clone(), "accept", Value::Null).await;
    let to = json!({"to": {"kind": "department", "code": "510104-chengguan"}});
    run("n_dispatcher", overdue.clone(), "dispatch", to).await;
    run("n_dept", overdue.clone(), "sign", Value::Null).await;
    let steps = [
        ("n_dispatcher", "accept", Value::Null),
        ("n_dispatcher", "dispatch", json!({"to": {"kind": "community"}})),
        ("n_community", "sign", Value::Null),
        ("n_community", "respond", json!({"text": "已疏通", "attachments": []})),
        ("n_grid", "verify", json!({"passed": true, "note": "现场已无积水"})),
        ("n_resident", "rate", json!({"rating": "satisfied", "reason": null})),
    ];
    for (number, upto) in [(&rated, 6), (&responded, 4), (&closed, 5)] {
        for (who, cmd, args) in steps.iter().take(upto).cloned() {
            run(who, number.clone(), cmd, args).await;
        }
    }
    // A month later the signed matter is long overdue: the sweep supervises it.
    clock.set(at("2026-12-02T02:00:00Z"));
    api.app.sweep().await.expect("sweep");
    run("n_supervisor", overdue.clone(), "supervise", json!({"note": "请加快办理"})).await;
    World { api, overdue, fresh, rated, responded, closed }
}

async fn sign_in(api: &TestApi, username: &str) -> String {
    let form = format!("username={username}&password={PASSWORD}&next=%2F");
    let a = call(api, Method::POST, "/login", "", Some(&form)).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{username}: {}", a.body);
    a.cookie.split(';').next().expect("cookie").to_owned()
}

/// What a person reads on the page: the text between tags. Scripts and
/// styles are not read; `<code>` and `<pre>` mark identifiers shown on
/// purpose (a department's code beside its name on the admin page, a
/// signed checkpoint), so they are left out too.
fn visible(html: &str) -> String {
    let hidden = Regex::new(r"(?s)<(script|style|code|pre)\b.*?</(script|style|code|pre)>").expect("regex");
    let tags = Regex::new(r"(?s)<[^>]*>").expect("regex");
    let text = hidden.replace_all(html, " ");
    let text = tags.replace_all(&text, " ");
    text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
}

/// The domain's code words. In English, single words such as `closed` or
/// `community` are ordinary English, so only the compound codes
/// (`in_progress`, `dept_handler`) give a raw code away there.
fn code_words(en: bool) -> Vec<&'static str> {
    let mut words: Vec<&'static str> = Vec::new();
    words.extend(MatterState::ALL.iter().map(|x| x.as_str()));
    words.extend(Channel::ALL.iter().map(|x| x.as_str()));
    words.extend(Role::ALL.iter().map(|x| x.as_str()));
    words.extend(Level::ALL.iter().map(|x| x.as_str()));
    words.extend(DivisionLevel::ALL.iter().map(|x| x.as_str()));
    words.extend(Warning::ALL.iter().map(|x| x.as_str()));
    words.extend(Stage::ALL.iter().map(|x| x.as_str()));
    words.extend(GridKind::ALL.iter().map(|x| x.as_str()));
    words.extend(Line::ALL.iter().map(|x| x.as_str()));
    words.extend(Rating::ALL.iter().map(|x| x.as_str()));
    words.extend(CommandKind::ALL.iter().map(|k| k.name()));
    words.extend(["system", "anonymous", "verifier"]);
    if en {
        words.retain(|w| w.contains('_'));
    }
    words
}

/// The raw codes on a page's visible text, with some context each.
fn raw_codes(html: &str, en: bool) -> Vec<String> {
    let text = visible(html);
    let words = code_words(en);
    let token = Regex::new(r"[A-Za-z0-9_]+").expect("regex");
    // A grid (15 digits), community (12) or town (9) code standing alone,
    // a department code (`510104-chengguan`), a holding unit as the sweep
    // records it (`department:…`, `level:…`).
    let code =
        Regex::new(r"(^|[^0-9A-Za-z-])(\d{15}|\d{12}|\d{9})($|[^0-9A-Za-z-])|\d{6,9}-[a-z]+|\b(department|level):")
            .expect("regex");
    let context = |start: usize, end: usize| {
        let before: String = text[..start].chars().rev().take(20).collect::<Vec<_>>().into_iter().rev().collect();
        let after: String = text[end..].chars().take(20).collect();
        format!("{before}[{}]{after}", &text[start..end]).split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let mut found: Vec<String> =
        token.find_iter(&text).filter(|m| words.contains(&m.as_str())).map(|m| context(m.start(), m.end())).collect();
    found.extend(code.find_iter(&text).map(|m| context(m.start(), m.end())));
    found
}

#[tokio::test]
async fn every_page_names_what_it_shows_in_both_languages() {
    let w = world().await;
    let numbers = [&w.overdue, &w.fresh, &w.rated, &w.responded, &w.closed];
    let matters = numbers.map(|n| format!("/m/{n}"));
    let tracks = numbers.map(|n| format!("/track?number={n}"));
    let common = ["/map", "/report", "/track"].map(str::to_owned);
    let mut visits: Vec<(&str, Vec<String>)> = vec![
        (
            "n_dispatcher",
            ["intake", "filed", "escalated", "waiting", "overdue"].map(|t| format!("/desk?tab={t}")).into(),
        ),
        ("n_dept", ["sign", "handle", "overdue"].map(|t| format!("/tasks?tab={t}")).into()),
        (
            "n_grid",
            ["verify", "intake", "overdue"]
                .map(|t| format!("/tasks?tab={t}"))
                .into_iter()
                .chain(["/grid".to_owned(), "/grid/report".to_owned(), "/grid/self-handle".to_owned()])
                .collect(),
        ),
        ("n_community", vec!["/desk".to_owned(), "/tasks".to_owned()]),
        (
            "n_supervisor",
            vec![
                "/supervise".to_owned(),
                "/supervise?period=2026-11&by=department".to_owned(),
                "/supervise/matters?key=reported&period=2026-11&by=district&unit=510104".to_owned(),
                "/supervise/report?period=2026-11".to_owned(),
                "/rankings".to_owned(),
            ],
        ),
        (
            "n_admin",
            [
                "/admin",
                "/admin/users/n_dispatcher",
                "/admin/users/n_dept",
                "/admin/categories/0102",
                "/admin/categories/new",
                "/admin/pick/scope?scope_q=%E6%80%BB%E5%BA%9C", // 总府: communities and grids
                "/admin/pick/department?q=%E5%9F%8E%E7%AE%A1",  // 城管
                "/admin/pick/tree?under=510104022006",
            ]
            .map(str::to_owned)
            .into(),
        ),
        ("n_resident", vec![]),
    ];
    for (who, pages) in &mut visits {
        pages.extend(common.iter().cloned());
        pages.extend(tracks.iter().cloned());
        if *who != "n_admin" {
            pages.extend(matters.iter().cloned());
        }
        pages.push(format!("/map/cell/{GRID}"));
    }
    let mut problems = Vec::new();
    for (who, pages) in &visits {
        let cookie = sign_in(&w.api, who).await;
        for en in [false, true] {
            let cookie = if en { format!("{cookie}; lang=en") } else { cookie.clone() };
            for page in pages {
                let a = call(&w.api, Method::GET, page, &cookie, None).await;
                // A matter outside the viewer's scope is refused: that page names nothing.
                if a.status == StatusCode::NOT_FOUND && page.starts_with("/m/") {
                    continue;
                }
                assert_eq!(a.status, StatusCode::OK, "{who} {page}: {}", a.body);
                for raw in raw_codes(&a.body, en) {
                    problems.push(format!("{who} {page} ({}): …{raw}…", if en { "en" } else { "zh" }));
                }
            }
        }
    }
    assert!(problems.is_empty(), "raw codes where names belong:\n{}", problems.join("\n"));
}

#[tokio::test]
async fn the_timeline_says_who_and_to_whom_and_holders_appear_once_they_exist() {
    let w = world().await;
    let cookie = sign_in(&w.api, "n_dispatcher").await;
    let page = call(&w.api, Method::GET, &format!("/m/{}", w.overdue), &cookie, None).await;
    let text = visible(&page.body);
    assert!(text.contains("派遣 → 锦江区城管局"), "a dispatch names its department: {text}");
    assert!(text.contains("调度员") && text.contains("系统"), "roles by name: {text}");
    assert!(text.contains("责任单位 锦江区城管局"), "the automatic supervision names the unit: {text}");
    assert!(text.contains("总府路第一网格") && text.contains("居民上报"), "grid and channel by name: {text}");
    assert!(page.body.contains("id=\"holder\""), "a dispatched matter has a holder");
    let en = call(&w.api, Method::GET, &format!("/m/{}", w.overdue), &format!("{cookie}; lang=en"), None).await;
    let text = visible(&en.body);
    assert!(text.contains("Dispatch → 锦江区城管局") && text.contains("Dispatcher"), "in English: {text}");
    let fresh = call(&w.api, Method::GET, &format!("/m/{}", w.fresh), &cookie, None).await;
    assert!(!fresh.body.contains("id=\"holder\""), "nobody handles an unaccepted report yet");
    let track = call(&w.api, Method::GET, &format!("/track?number={}", w.fresh), &cookie, None).await;
    assert!(!visible(&track.body).contains("承办"), "the tracking page claims no holder either");
    let rated = call(&w.api, Method::GET, &format!("/m/{}", w.rated), &cookie, None).await;
    let text = visible(&rated.body);
    assert!(text.contains("派遣 → 总府路社区") && text.contains("合格") && text.contains("满意"), "{text}");
    let text = visible(&fresh.body);
    assert!(text.contains("工作小时") && !text.contains("个工作时"), "working hours read 工作小时: {text}");
}

#[tokio::test]
async fn forms_lean_no_way_the_viewer_must_choose() {
    let w = world().await;
    let grid = sign_in(&w.api, "n_grid").await;
    let verify = call(&w.api, Method::GET, &format!("/m/{}", w.responded), &grid, None).await;
    assert!(verify.body.contains("data-command=\"verify\""), "the verification is offered");
    assert!(!verify.body.contains("checked"), "neither 合格 nor 不合格 is preselected");
    assert!(verify.body.contains("name=\"passed\" value=\"yes\" required"), "a result is required");
    // Sent without a result (not from the page), it is refused, not read as 不合格.
    let csrf = Regex::new(r#"name="csrf" value="([^"]+)""#).expect("regex").captures(&verify.body).expect("csrf")[1]
        .to_owned();
    let body = format!(
        "--X\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --X\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n看过\r\n--X--\r\n"
    );
    let uri = format!("/m/{}/do/verify", w.responded);
    let headers = [("cookie", grid.as_str()), ("content-type", "multipart/form-data; boundary=X")];
    let (status, _, _) = w.api.send_raw(None, Method::POST, &uri, &headers, body.into_bytes()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a verification needs its result");
    let m = w.api.app.command_as("n_grid", &w.responded, "note", json!({"text": "稍后核查"})).await.expect("note");
    assert_eq!(m.state, MatterState::Responded, "still waiting for the verification");
    let resident = sign_in(&w.api, "n_resident").await;
    let rate = call(&w.api, Method::GET, &format!("/m/{}", w.closed), &resident, None).await;
    assert!(rate.body.contains("data-command=\"rate\""), "the rating is offered");
    assert!(rate.body.contains("<select name=\"rating\" required>"), "a rating is required");
    assert!(rate.body.contains("<option value=\"\" selected disabled>"), "no rating is preselected");
}

/// The matter page opens the step that moves the matter on (处置反馈, not
/// 退回, after 签收), and after an action says what was done.
#[tokio::test]
async fn the_main_step_opens_first_and_an_action_says_it_was_done() {
    let w = world().await;
    let dept = sign_in(&w.api, "n_dept").await;
    let page = call(&w.api, Method::GET, &format!("/m/{}", w.overdue), &dept, None).await;
    let forms: Vec<String> = Regex::new(r#"data-command="([a-z_]+)""#)
        .expect("regex")
        .captures_iter(&page.body)
        .map(|c| c[1].to_owned())
        .collect();
    assert_eq!(forms.first().map(String::as_str), Some("respond"), "the main step first: {forms:?}");
    assert!(forms.contains(&"return".to_owned()), "the others follow: {forms:?}");
    let csrf =
        Regex::new(r#"name="csrf" value="([^"]+)""#).expect("regex").captures(&page.body).expect("csrf")[1].to_owned();
    let body = format!(
        "--X\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --X\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n已修复井盖\r\n--X--\r\n"
    );
    let uri = format!("/m/{}/do/respond", w.overdue);
    let headers = [("cookie", dept.as_str()), ("content-type", "multipart/form-data; boundary=X")];
    let (status, answer, _) = w.api.send_raw(None, Method::POST, &uri, &headers, body.into_bytes()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = answer["location"].to_str().expect("location").to_owned();
    assert_eq!(location, format!("/m/{}?done=respond", w.overdue));
    let after = call(&w.api, Method::GET, &location, &dept, None).await;
    assert!(after.body.contains(r#"<p class="notice" role="status">已处置反馈。</p>"#), "{}", visible(&after.body));
    // The notice is ours: a made-up word in the URL says nothing.
    let made_up = call(&w.api, Method::GET, &format!("/m/{}?done=%3Cb%3Ehi%3C%2Fb%3E", w.overdue), &dept, None).await;
    assert!(!made_up.body.contains("class=\"notice\""));
}

#[test]
fn the_check_sees_codes_but_not_matter_numbers() {
    let page = "<p title=\"in_progress\">510104-20261128-000001 处置中</p><script>let s = 'dispatcher';</script>";
    assert!(raw_codes(page, false).is_empty(), "{:?}", raw_codes(page, false));
    assert_eq!(raw_codes("<dd>dispatcher</dd>", false).len(), 1);
    assert_eq!(raw_codes("<dd>dept_handler</dd>", true).len(), 1);
    assert!(raw_codes("<dd>Closed</dd>", true).is_empty(), "ordinary English words pass in English");
    assert_eq!(raw_codes("<h2>我的网格 510104022006001</h2>", true).len(), 1);
    assert_eq!(raw_codes("<div>责任单位 department:510104-yingji</div>", false).len(), 2);
}
