//! The dispatcher's desk as a workbench: the search, the filters kept in the
//! address, counts on the tabs, paging with the total, the export link with
//! the filters, bad filters answered on the page, overdue matters first,
//! a batch accept with each row's outcome.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use serde_json::json;
use shanzhi_app::timing::ManualClock;
use shanzhi_domain::Role;
use shanzhi_testkit::{PASSWORD, TestApp, one_grid_community};

use crate::support::TestApi;
use crate::ui::{Answer, call};

/// One community on a manual clock set to Monday 2 November 2026, 10:00 in
/// Chengdu, with a resident (`desk_resident`) and these accounts.
pub(crate) async fn clocked(accounts: &[(&str, Role, Option<&str>)]) -> (TestApi, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new("2026-11-02T02:00:00Z".parse().expect("time")));
    let mut all = vec![("desk_resident", Role::Resident, None)];
    all.extend_from_slice(accounts);
    let app = TestApi::start(
        TestApp::new()
            .with_clock(clock.clone())
            .with_features(one_grid_community("510104022006", 104.07, 30.65))
            .with_categories()
            .with_accounts(&all),
    )
    .await;
    (app, clock)
}

pub(crate) async fn world() -> TestApi {
    TestApi::start(
        TestApp::new()
            .with_features(one_grid_community("510104022006", 104.07, 30.65))
            .with_categories()
            .with_department("510104-chengguan", "锦江区城管局")
            .with_accounts(&[
                ("desk_dispatcher", Role::Dispatcher, Some("510104022")),
                ("desk_dept", Role::DeptHandler, Some("510104-chengguan")),
                ("desk_resident", Role::Resident, None),
            ]),
    )
    .await
}

/// A resident's report; its number.
pub(crate) async fn report(app: &TestApi, category: &str, description: &str) -> String {
    let resident = app.bearer("desk_resident").await;
    let body = json!({"category": category, "lng": 104.072, "lat": 30.652, "description": description});
    let (status, _, created) =
        app.send(Method::POST, "/api/v1/matters", &[("authorization", &resident)], Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["matter"]["number"].as_str().expect("number").to_owned()
}

pub async fn sign_in_as(app: &TestApi, username: &str) -> String {
    let form = format!("username={username}&password={PASSWORD}&next=%2Fdesk");
    let a = call(app, Method::POST, "/login", "", Some(&form)).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    a.cookie.split(';').next().expect("cookie").to_owned()
}

pub(crate) async fn get(app: &TestApi, uri: &str, cookie: &str) -> Answer {
    call(app, Method::GET, uri, cookie, None).await
}

/// The `href` of the element with this id, as a browser would follow it.
pub(crate) fn href(body: &str, id: &str) -> String {
    let at = body.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id}"));
    let tag_start = body[..at].rfind('<').expect("tag");
    let tag = &body[tag_start..at + body[at..].find('>').expect("tag end")];
    let h = tag.split("href=\"").nth(1).expect("href").split('"').next().expect("href end");
    h.replace("&#38;", "&").replace("&amp;", "&")
}

#[tokio::test]
async fn search_filters_counts_and_paging_on_the_desk() {
    let app = world().await;
    let cover = report(&app, "0110", "人行道井盖破损，夜间危险").await;
    let dirty = report(&app, "0104", "路灯下的道路不洁，油污一片").await;
    let pothole = report(&app, "0110", "路面坑洼，车辆绕行").await;
    let cookie = sign_in_as(&app, "desk_dispatcher").await;

    let desk = get(&app, "/desk", &cookie).await;
    assert_eq!(desk.status, StatusCode::OK, "{}", desk.body);
    for n in [&cover, &dirty, &pothole] {
        assert!(desk.body.contains(&format!("href=\"/m/{n}\"")), "{n} on the desk");
    }
    assert!(desk.body.contains("共 3 件，第 1 页"), "the total");
    assert!(desk.body.contains("待受理 <b class=\"n\">3</b>"), "the intake tab's count");
    assert!(desk.body.contains("待派遣 <b class=\"n\">0</b>"), "every tab has its count");
    assert!(desk.body.contains(">总府路社区</option>"), "communities by name");
    assert!(desk.body.contains(">道路破损</option>") && desk.body.contains(">居民上报</option>"), "names, not codes");
    assert!(desk.body.contains("href=\"/desk?tab=intake&#38;warning=yellow\""), "the chips filter");
    let en = get(&app, "/desk", &format!("{cookie}; lang=en")).await;
    assert!(en.body.contains("3 in all, page 1") && en.body.contains(">Resident</option>"), "English");

    // The search: words, or the number.
    let found = get(&app, "/desk?tab=intake&q=%E8%B7%AF%E7%81%AF", &cookie).await;
    assert!(found.body.contains(&dirty) && !found.body.contains(&cover), "路灯 finds one");
    assert!(found.body.contains("value=\"路灯\""), "the search box shows the words");
    assert!(found.body.contains("共 1 件"));
    assert!(found.body.contains("href=\"/desk?tab=filed&#38;q=%E8%B7%AF%E7%81%AF\""), "tabs keep the search");
    assert!(found.body.contains("<mark>路灯</mark>下的道路不洁"), "the match marked in the row");
    // Traditional and full-width forms find and mark the same words.
    let folded = get(&app, "/desk?tab=intake&q=%E8%B7%AF%E7%87%88", &cookie).await;
    assert!(folded.body.contains(&dirty) && folded.body.contains("<mark>路灯</mark>"), "路燈 finds 路灯");
    let by_number = get(&app, &format!("/desk?q={cover}"), &cookie).await;
    // The row's link, not the search box echoing the number.
    let link = |n: &str| format!("href=\"/m/{n}\"");
    assert!(by_number.body.contains(&link(&cover)) && !by_number.body.contains(&link(&pothole)), "by 工单号");

    // A filter by category, shown as chosen; the export carries it.
    let roads = get(&app, "/desk?tab=intake&category=0110", &cookie).await;
    assert!(roads.body.contains(&cover) && roads.body.contains(&pothole) && !roads.body.contains(&dirty));
    assert!(roads.body.contains("<option value=\"0110\" selected>"), "the form shows the choice");
    assert!(roads.body.contains("共 2 件"));
    let csv = href(&roads.body, "export-csv");
    assert_eq!(csv, "/api/v1/exports/matters?category=0110&state=reported&format=csv");
    let export = get(&app, &csv, &cookie).await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.body);
    assert!(export.body.contains(&cover) && !export.body.contains(&dirty), "the export is filtered");
    let since = get(&app, "/desk?from=2000-01-01", &cookie).await;
    assert!(since.body.contains("共 3 件") && since.body.contains("value=\"2000-01-01\""), "a day, shown as picked");
    assert_eq!(
        href(&since.body, "export-csv"),
        "/api/v1/exports/matters?from=1999-12-31T16%3A00%3A00Z&state=reported&format=csv"
    );
    let before = get(&app, "/desk?to=2000-01-01", &cookie).await;
    assert!(before.body.contains("共 0 件"), "nothing reported by then");
    let none = get(&app, "/desk?channel=hotline", &cookie).await;
    assert!(none.body.contains("没有事件") && none.body.contains("共 0 件"));

    // Paging: the total stays, the filters ride along.
    let first = get(&app, "/desk?limit=2", &cookie).await;
    assert!(first.body.contains("共 3 件，第 1 页"));
    let next = href(&first.body, "page-next");
    assert!(next.contains("limit=2") && next.contains("page=2") && next.contains("cursor="), "{next}");
    let second = get(&app, &next, &cookie).await;
    assert!(second.body.contains("共 3 件，第 2 页"), "{}", second.body);
    assert_eq!(second.body.matches("href=\"/m/").count(), 1, "the third matter");
    assert_eq!(href(&second.body, "page-first"), "/desk?tab=intake&limit=2");

    // Place, holder and channel by name.
    let token = app.bearer("desk_dispatcher").await;
    for (command, body) in
        [("accept", json!({})), ("dispatch", json!({"to": {"kind": "department", "code": "510104-chengguan"}}))]
    {
        let uri = format!("/api/v1/matters/{cover}/commands/{command}");
        let (status, _, got) = app.send(Method::POST, &uri, &[("authorization", &token)], Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{command}: {got}");
    }
    let waiting = get(&app, "/desk?tab=waiting", &cookie).await;
    assert!(waiting.body.contains(&cover), "{}", waiting.body);
    for name in [">总府路社区 · ", ">锦江区城管局</td>", ">系统接口</td>"] {
        assert!(waiting.body.contains(name), "{name} in {}", waiting.body);
    }
    assert!(!waiting.body.contains(">510104-chengguan</td>"), "no code where a name exists");
}

#[tokio::test]
async fn bad_filters_answer_with_the_page_and_keep_the_input() {
    let app = world().await;
    let cookie = sign_in_as(&app, "desk_dispatcher").await;
    let bad = get(&app, "/desk?within=51x&q=keep&channel=resident", &cookie).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("role=\"alert\"") && bad.body.contains("51x"), "a clear message");
    assert!(bad.body.contains("value=\"keep\""), "the search is kept");
    assert!(bad.body.contains("<option value=\"51x\" selected>"), "the bad value is shown");
    assert!(bad.body.contains("<option value=\"resident\" selected>"), "the other choices are kept");
    let channel = get(&app, "/desk?channel=nope", &cookie).await;
    assert_eq!(channel.status, StatusCode::BAD_REQUEST);
    assert!(channel.body.contains("未知的渠道"), "Chinese first");
    let long = get(&app, &format!("/desk?q={}", "a".repeat(101)), &cookie).await;
    assert_eq!(long.status, StatusCode::BAD_REQUEST, "the app's own refusal, as a page");
    assert!(long.body.contains("100"), "{}", long.body);
    let tasks = get(&app, "/tasks?warning=purple", &sign_in_as(&app, "desk_dept").await).await;
    assert_eq!(tasks.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn overdue_matters_come_first() {
    // The old report waits weeks.
    let (app, clock) = clocked(&[("desk_dispatcher", Role::Dispatcher, Some("510104022"))]).await;
    let old = report(&app, "0110", "井盖破损，已经很久").await;
    clock.set("2026-11-25T02:00:00Z".parse().expect("time"));
    app.app.sweep().await.expect("sweep");
    let fresh = report(&app, "0110", "井盖破损，刚发现").await;
    let cookie = sign_in_as(&app, "desk_dispatcher").await;
    let desk = get(&app, "/desk", &cookie).await;
    let (o, f) = (desk.body.find(&old).expect("old"), desk.body.find(&fresh).expect("fresh"));
    assert!(o < f, "the overdue matter is listed before the newer one");
    assert!(desk.body.contains("超期 <b class=\"n\">1</b>"), "the overdue tab counts it");
}

/// A multipart form of text fields as a browser posts it.
pub(crate) async fn post_form(app: &TestApi, uri: &str, cookie: &str, fields: &[(&str, &str)]) -> Answer {
    crate::grid_page::post_multipart(app, uri, cookie, fields, &[]).await
}

pub(crate) fn csrf_of(body: &str) -> String {
    body.split("name=\"csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("a CSRF token").to_owned()
}

#[tokio::test]
async fn a_batch_accept_reports_each_row() {
    let app = world().await;
    let first = report(&app, "0110", "井盖破损").await;
    let second = report(&app, "0110", "路面坑洼").await;
    let cookie = sign_in_as(&app, "desk_dispatcher").await;
    // The second is accepted already: its row is refused, the first done.
    let token = app.bearer("desk_dispatcher").await;
    let uri = format!("/api/v1/matters/{second}/commands/accept");
    assert_eq!(app.send(Method::POST, &uri, &[("authorization", &token)], Some(json!({}))).await.0, StatusCode::OK);

    let desk = get(&app, "/desk?tab=intake&category=0110", &cookie).await;
    assert!(desk.body.contains(&format!("name=\"n\" value=\"{first}\" form=\"batch\"")), "rows have checkboxes");
    assert!(desk.body.contains("id=\"batch-run\""));
    let csrf = csrf_of(&desk.body);
    let back = "/desk?tab=intake&category=0110";
    let fields =
        [("csrf", csrf.as_str()), ("command", "accept"), ("back", back), ("n", &first), ("n", &second), ("n", "nope")];
    let done = post_form(&app, "/desk/batch", &cookie, &fields).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let results =
        done.body.split("id=\"batch-results\"").nth(1).expect("results").split("</section>").next().expect("end");
    assert!(results.contains(&format!("{first}</a>：已受理")), "{results}");
    assert!(!results.contains(&format!("{second}</a>：已受理")), "{results}");
    assert_eq!(results.matches("class=\"refused\"").count(), 2, "the accepted one and the unknown one: {results}");
    assert!(results.contains("未找到"), "the refusal's own message: {results}");
    assert!(done.body.contains("共 0 件"), "the list comes back with its filters: nothing left to accept");
    let filed = get(&app, "/desk?tab=filed", &cookie).await;
    assert!(filed.body.contains(&first) && filed.body.contains(&second));

    // A department signs from its tasks the same way.
    let to = json!({"to": {"kind": "department", "code": "510104-chengguan"}});
    let uri = format!("/api/v1/matters/{first}/commands/dispatch");
    assert_eq!(app.send(Method::POST, &uri, &[("authorization", &token)], Some(to)).await.0, StatusCode::OK);
    let dept = sign_in_as(&app, "desk_dept").await;
    let tasks = get(&app, "/tasks?tab=sign", &dept).await;
    assert!(tasks.body.contains(&format!("name=\"n\" value=\"{first}\"")), "{}", tasks.body);
    let fields = [
        ("csrf", csrf_of(&tasks.body)),
        ("command", "sign".to_owned()),
        ("back", "/tasks?tab=sign".to_owned()),
        ("n", first.clone()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let signed = post_form(&app, "/desk/batch", &dept, &fields).await;
    assert!(signed.body.contains(&format!("{first}</a>：已签收")), "{}", signed.body);
    assert!(signed.body.contains("待签收 <b class=\"n\">0</b>"), "the tab's count follows");

    let forged = post_form(
        &app,
        "/desk/batch",
        &cookie,
        &[("csrf", "forged"), ("command", "accept"), ("back", back), ("n", &first)],
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let other =
        post_form(&app, "/desk/batch", &cookie, &[("csrf", &csrf), ("command", "void"), ("back", back), ("n", &first)])
            .await;
    assert_eq!(other.status, StatusCode::BAD_REQUEST, "only accept and sign");
}
