//! The deliberation pages: the public community page shows the noticed
//! proposals and hides the others, a proposal's page offers each viewer
//! only what they may do and keeps a refused form's input, a resident of
//! another community is refused in both languages, the A4 notice renders.

use axum::http::{Method, StatusCode};
use serde_json::json;
use shanzhi_domain::Role;
use shanzhi_testkit::{INSIDE, TestApp};

use crate::deliberation_api::{PEOPLE, World, at, world};
use crate::desk::{csrf_of, get, post_form, sign_in_as};
use crate::support::TestApi;

/// The community with its own quick method (two supports, a one-day notice).
pub(crate) async fn community(w: &World) {
    let method = json!({"code": "quick", "name": "院落快议", "support": 2, "steps": [
        {"code": "collect", "name": "收集民意", "body": "committee", "artefacts": ["minutes"], "notice_days": 1},
        {"code": "discuss", "name": "院落议事", "body": "council", "vote": true, "artefacts": ["vote_record"]}
    ]});
    w.ok(Some("admin"), Method::POST, &format!("/api/v1/communities/{INSIDE}/methods"), Some(method)).await;
    for (name, body) in PEOPLE {
        let member = json!({"body": body, "username": name, "from": "2025-01-01"});
        w.ok(Some("admin"), Method::POST, &format!("/api/v1/communities/{INSIDE}/members"), Some(member)).await;
    }
    let money = json!({"amount": "50,000", "source": "city", "reference": "成社治发〔2026〕1号"});
    w.ok(Some("admin"), Method::POST, &format!("/api/v1/communities/{INSIDE}/fund/allocations"), Some(money)).await;
}

#[tokio::test]
async fn the_public_page_shows_noticed_proposals_and_a_stranger_is_refused() {
    let w = world().await;
    community(&w).await;
    let app = &w.api;

    // A resident raises one on the page; a second stays unnoticed.
    let resident = sign_in_as(app, "resident_a").await;
    let page = get(app, &format!("/c/{INSIDE}"), &resident).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("我要提议"), "a resident may propose");
    let csrf = csrf_of(&page.body);
    let fields = [("csrf", csrf.as_str()), ("title", "院落停车"), ("body", "规划停车位"), ("method", "quick")];
    let raised = post_form(app, &format!("/c/{INSIDE}/propose"), &resident, &fields).await;
    assert_eq!(raised.status, StatusCode::SEE_OTHER, "{}", raised.body);
    let here = raised.location.clone();
    let id = here.rsplit('/').next().expect("id").to_owned();
    let empty = [("csrf", csrf.as_str()), ("title", "   "), ("body", "照明"), ("method", "quick")];
    let refused = post_form(app, &format!("/c/{INSIDE}/propose"), &resident, &empty).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("标题应为") && refused.body.contains(">照明</textarea>"), "kept: {}", refused.body);
    let quiet =
        json!({"community": INSIDE, "title": "楼道照明", "body": "换灯", "origin": "resident", "method": "quick"});
    w.ok(Some("resident_a"), Method::POST, "/api/v1/proposals", Some(quiet)).await;

    // Supported with the button, then the committee finishes the step on the page.
    let shown = get(app, &here, &resident).await;
    assert!(shown.body.contains("我附议"), "{}", shown.body);
    let support = format!("{here}/do/support");
    assert_eq!(post_form(app, &support, &resident, &[("csrf", &csrf)]).await.status, StatusCode::SEE_OTHER);
    let other = sign_in_as(app, "resident_b").await;
    let csrf_b = csrf_of(&get(app, &here, &other).await.body);
    assert_eq!(post_form(app, &support, &other, &[("csrf", &csrf_b)]).await.status, StatusCode::SEE_OTHER);
    let committee = sign_in_as(app, "committee_a").await;
    let shown = get(app, &here, &committee).await;
    assert!(shown.body.contains("id=\"finish-form\""), "the committee finishes 收集民意");
    let csrf_c = csrf_of(&shown.body);
    let bare =
        post_form(app, &format!("{here}/do/finish"), &committee, &[("csrf", &csrf_c), ("step", "collect")]).await;
    assert_eq!(bare.status, StatusCode::UNPROCESSABLE_ENTITY, "a missing artefact is refused");
    assert!(bare.body.contains("会议记录"), "it says which: {}", bare.body);
    let fields = [("csrf", csrf_c.as_str()), ("step", "collect"), ("artefact", "minutes")];
    assert_eq!(post_form(app, &format!("{here}/do/finish"), &committee, &fields).await.status, StatusCode::SEE_OTHER);

    // Anyone sees the noticed one, not the other, with the fund.
    let public = get(app, &format!("/c/{INSIDE}"), "").await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.body.contains("院落停车") && !public.body.contains("楼道照明"), "{}", public.body);
    assert!(public.body.contains("正在公示") && public.body.contains("收集民意"), "the running notice");
    assert!(public.body.contains("50000.00") || public.body.contains("50,000"), "the fund: {}", public.body);
    let open = get(app, &here, "").await;
    assert_eq!(open.status, StatusCode::OK);
    assert!(open.body.contains("公示中") && !open.body.contains("id=\"actions\""), "read-only for a visitor");

    // A resident of another community: no support, no objection; input kept.
    let stranger = sign_in_as(app, "outsider").await;
    let csrf_o = csrf_of(&get(app, &format!("/c/{INSIDE}"), &stranger).await.body);
    let refused =
        post_form(app, &format!("{here}/do/object"), &stranger, &[("csrf", &csrf_o), ("text", "我反对")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(refused.body.contains("只有本社区居民可以提出异议"), "{}", refused.body);
    let refused = post_form(app, &support, &stranger, &[("csrf", &csrf_o)]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let en = get(app, &format!("/c/{INSIDE}"), "lang=en").await;
    assert!(en.body.contains("On public notice now"), "English too");

    // A resident of the community objects while the notice runs.
    let fields = [("csrf", csrf.as_str()), ("text", "车位太少")];
    assert_eq!(post_form(app, &format!("{here}/do/object"), &resident, &fields).await.status, StatusCode::SEE_OTHER);
    let counted = get(app, &here, "").await;
    assert!(counted.body.contains("id=\"objections\">1<"), "{}", counted.body);

    // The A4 sheet: the notice period, no navigation.
    let sheet = get(app, &format!("{here}/notice"), "").await;
    assert_eq!(sheet.status, StatusCode::OK);
    assert!(sheet.body.contains("公示期") && sheet.body.contains("院落停车") && !sheet.body.contains("<nav"));

    // Unnoticed, or of another community: not found.
    w.clock.set(at(11, 4));
    let wrong = get(app, &format!("/c/510603001001/p/{id}"), "").await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
}

/// Post a page's form as `cookie`'s browser would: the page's CSRF token
/// with `fields`; the action must succeed (a redirect back).
async fn act(app: &TestApi, here: &str, cookie: &str, action: &str, fields: &[(&str, &str)]) {
    let csrf = csrf_of(&get(app, here, cookie).await.body);
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    let done = post_form(app, &format!("{here}/do/{action}"), cookie, &all).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{action}: {}", done.body);
}

/// The value of the first hidden input named `name` after `after`.
fn hidden(body: &str, after: &str, name: &str) -> String {
    let from = body.find(after).unwrap_or_else(|| panic!("no {after}"));
    let tail = &body[from..];
    let key = format!("name=\"{name}\" value=\"");
    tail.split(&key).nth(1).and_then(|s| s.split('"').next()).expect("a hidden value").to_owned()
}

#[tokio::test]
async fn one_fund_proposal_through_the_five_steps_on_the_pages() {
    let clock = std::sync::Arc::new(shanzhi_app::timing::ManualClock::new(at(11, 2)));
    let residents: Vec<String> = (0..30).map(|i| format!("res_{i:02}")).collect();
    let bodies = [
        ("party_a", "party"),
        ("council_a", "council"),
        ("council_b", "council"),
        ("council_c", "council"),
        ("committee_a", "committee"),
        ("super_a", "supervisory"),
    ];
    let mut accounts: Vec<(&str, Role, Option<&str>)> =
        residents.iter().map(|n| (n.as_str(), Role::Resident, None)).collect();
    accounts.extend(bodies.iter().map(|(n, _)| (*n, Role::Resident, None)));
    accounts.push(("admin", Role::Admin, Some("5101")));
    let app = &TestApi::start(TestApp::new().with_clock(clock.clone()).with_grid().with_accounts(&accounts)).await;
    let admin = app.bearer("admin").await;
    let post = |uri: String, who: String, body: serde_json::Value| async move {
        let (status, _, answer) = app.send(Method::POST, &uri, &[("authorization", who.as_str())], Some(body)).await;
        assert!(status.is_success(), "{uri}: {status} {answer}");
        answer
    };
    let members = format!("/api/v1/communities/{INSIDE}/members");
    let all = residents.iter().map(|n| (n.as_str(), "residents")).chain(bodies.iter().copied());
    for (name, body) in all {
        post(members.clone(), admin.clone(), json!({"body": body, "username": name, "from": "2025-01-01"})).await;
    }
    let allocation = json!({"amount": "100,000", "source": "district", "reference": "锦社治〔2026〕3号"});
    post(format!("/api/v1/communities/{INSIDE}/fund/allocations"), admin.clone(), allocation).await;

    // 1. A resident proposes on the page; 30 residents support (29 by the API).
    let proposer = sign_in_as(app, "res_00").await;
    let csrf = csrf_of(&get(app, &format!("/c/{INSIDE}"), &proposer).await.body);
    let fields =
        [("csrf", csrf.as_str()), ("title", "小游园改造"), ("body", "改造小游园的步道和座椅"), ("method", "five_step")];
    let raised = post_form(app, &format!("/c/{INSIDE}/propose"), &proposer, &fields).await;
    assert_eq!(raised.status, StatusCode::SEE_OTHER, "{}", raised.body);
    let here = raised.location.clone();
    let id = here.rsplit('/').next().expect("id").to_owned();
    act(app, &here, &proposer, "support", &[]).await;
    for name in &residents[1..] {
        post(format!("/api/v1/proposals/{id}/supports"), app.bearer(name).await, json!(null)).await;
    }
    let party = sign_in_as(app, "party_a").await;
    act(app, &here, &party, "finish", &[("step", "propose"), ("artefact", "minutes")]).await;
    // While the notice runs: objections, but neither "finish" nor "notice over".
    let running = get(app, &here, &party).await.body;
    assert!(running.contains("/do/object") && !running.contains("/do/end_notice"), "{running}");
    assert!(!running.contains("id=\"finish-form\""), "no step to finish on notice");
    let nav = running.split("</nav>").next().unwrap_or_default();
    assert!(nav.contains(&format!("href=\"/c/{INSIDE}\"")), "the header links the member's community: {nav}");
    let listed = get(app, &format!("/c/{INSIDE}"), "").await.body;
    let row = listed.split("class=\"proposals\"").nth(1).unwrap_or_default();
    assert_eq!(row.matches("公示中").count(), 1, "the status once: {row}");
    clock.set(at(11, 16));
    let over = get(app, &here, &party).await.body;
    assert!(over.contains("/do/end_notice") && !over.contains("/do/object"), "over: ended, no objection");
    let en = get(app, &here, "lang=en").await.body;
    assert!(en.contains("党组织提议 (The Party organisation proposes)"), "Chinese first, then English: {en}");
    act(app, &here, &party, "end_notice", &[]).await;

    // 2. The council meets with quorum and votes on the page.
    let committee = sign_in_as(app, "committee_a").await;
    let attendance = ("attendance", "council_a council_b council_c");
    act(app, &here, &committee, "convene", &[("step", "decide"), ("agenda", "小游园改造方案"), attendance]).await;
    let council = sign_in_as(app, "council_a").await;
    let page = get(app, &here, &council).await;
    let meeting = hidden(&page.body, "/do/vote", "meeting");
    act(app, &here, &council, "vote", &[("meeting", &meeting), ("choice", "for")]).await;
    assert!(!get(app, &here, &council).await.body.contains("/do/vote"), "one vote each: not offered again");
    let other = sign_in_as(app, "council_b").await;
    act(app, &here, &other, "vote", &[("meeting", &meeting), ("choice", "for")]).await;
    let third = sign_in_as(app, "council_c").await;
    act(app, &here, &third, "vote", &[("meeting", &meeting), ("choice", "abstain")]).await;
    act(app, &here, &committee, "close", &[("meeting", &meeting)]).await;
    let decided = [
        ("step", "decide"),
        ("artefact", "minutes"),
        ("artefact", "attendance"),
        ("artefact", "vote_record"),
        ("meeting", meeting.as_str()),
    ];
    act(app, &here, &council, "finish", &decided).await;
    clock.set(at(11, 30));
    act(app, &here, &committee, "end_notice", &[]).await;

    // 3. The committee implements with a budget and a payment on one of its lines; the books refuse an overpayment.
    let page = get(app, &here, &committee).await;
    assert!(page.body.contains("id=\"budget-form\""), "the committee implementing sets the budget");
    assert!(!get(app, &here, &party).await.body.contains("id=\"budget-form\""), "not the Party organisation");
    let csrf = csrf_of(&page.body);
    let typo = [("csrf", csrf.as_str()), ("budget", "步道 18,500\n座椅 一千五")];
    let refused = post_form(app, &format!("{here}/do/budget"), &committee, &typo).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(
        refused.body.contains("预算第 2 行") && refused.body.contains("座椅 一千五</textarea>"),
        "{}",
        refused.body
    );
    act(app, &here, &committee, "budget", &[("budget", "步道 18,000\n座椅：2,000")]).await;
    assert!(get(app, &here, "").await.body.contains("<td>座椅</td><td>2,000.00</td>"), "the page's budget is public");
    let budget = json!({"lines": [{"item": "步道", "amount": "18,500"}, {"item": "座椅", "amount": "1,500"}]});
    let bearer = app.bearer("committee_a").await;
    let uri = format!("/api/v1/proposals/{id}/budget");
    let (status, _, set) = app.send(Method::PUT, &uri, &[("authorization", bearer.as_str())], Some(budget)).await;
    assert_eq!((status, set["budget"]["total"].as_str()), (StatusCode::OK, Some("20,000.00")), "{set}");
    act(app, &here, &committee, "commit", &[("meeting", &meeting), ("amount", "20,000")]).await;
    let page = get(app, &here, &committee).await;
    assert!(
        page.body.contains("id=\"proposal-budget\"") && page.body.contains("<option>步道</option>"),
        "{}",
        page.body
    );
    let csrf = csrf_of(&page.body);
    let over =
        [("csrf", csrf.as_str()), ("amount", "19,000"), ("voucher", "记-7"), ("payee", "园林公司"), ("line", "步道")];
    let refused = post_form(app, &format!("{here}/do/pay"), &committee, &over).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("value=\"园林公司\"") && refused.body.contains("步道"), "the input is kept");
    let paid = [("amount", "18,500"), ("voucher", "记-7"), ("payee", "园林公司"), ("line", "步道")];
    act(app, &here, &committee, "pay", &paid).await;
    let sheet = get(app, &format!("{here}/notice"), "").await;
    assert!(
        sheet.body.contains("预算明细") && sheet.body.contains("<td>步道</td><td>18,500.00</td><td>18,500.00</td>"),
        "{}",
        sheet.body
    );
    act(app, &here, &committee, "note", &[("kind", "milestone"), ("text", "步道完工"), ("percent", "100")]).await;
    let implemented =
        [("step", "implement"), ("artefact", "contract"), ("artefact", "invoice"), ("artefact", "photos")];
    act(app, &here, &committee, "finish", &implemented).await;

    // 4. Acceptance with the residents' survey, noticed; 5. the supervisory sign-off.
    act(app, &here, &party, "note", &[("kind", "survey"), ("text", "居民测评"), ("percent", "96")]).await;
    let accepted = [("step", "accept"), ("artefact", "minutes"), ("artefact", "survey"), ("artefact", "photos")];
    act(app, &here, &party, "finish", &accepted).await;
    clock.set(at(12, 14));
    act(app, &here, &party, "end_notice", &[]).await;
    let supervisor = sign_in_as(app, "super_a").await;
    act(app, &here, &supervisor, "note", &[("kind", "supervision"), ("text", "程序完整，账目清楚")]).await;
    act(app, &here, &supervisor, "finish", &[("step", "supervise"), ("artefact", "opinion")]).await;

    // The public pages show each step and the ledger.
    let shown = get(app, &here, "").await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains("已办结"), "{}", shown.body);
    assert_eq!(shown.body.matches("已完成").count(), 5, "every step done: {}", shown.body);
    for said in ["同意 2", "弃权 1", "通过", "进度 100%", "满意度测评 96%", "程序完整，账目清楚"]
    {
        assert!(shown.body.contains(said), "{said}: {}", shown.body);
    }
    let public = get(app, &format!("/c/{INSIDE}"), "").await;
    for said in ["小游园改造", "已办结", "18,500.00", "20,000.00", "园林公司"] {
        assert!(public.body.contains(said), "{said}: {}", public.body);
    }
    // The disclosure's 导出 link gives the same ledger as a sheet.
    let link = format!("/api/v1/communities/{INSIDE}/fund/ledger.xlsx");
    assert!(public.body.contains(&format!("href=\"{link}\"")), "the export link");
    let (status, _, bytes) = app.send_raw(None, Method::GET, &link, &[], vec![]).await;
    assert_eq!(status, StatusCode::OK);
    let sheet = xlsx_cells(bytes);
    for said in ["支付", "安排", "小游园改造"] {
        assert!(sheet.iter().any(|c| c == said), "{said}: {sheet:?}");
    }
    assert!(sheet.iter().any(|c| c.contains("园林公司")), "the payee: {sheet:?}");
    assert!(
        sheet.iter().any(|c| c.starts_with("决议：2026-") && c.ends_with("会议表决通过")),
        "the decision by its day"
    );
}

/// Every text cell of an XLSX file's first sheet.
fn xlsx_cells(bytes: Vec<u8>) -> Vec<String> {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("an XLSX file");
    let range = book.worksheet_range_at(0).expect("a sheet").expect("the sheet");
    range
        .rows()
        .flat_map(|r| r.iter().filter_map(|c| if let Data::String(s) = c { Some(s.clone()) } else { None }))
        .collect()
}

/// The fund's lists over HTTP and on the pages: the community's own items
/// by its administrator only, a banquet refused on the page naming the
/// item, a priority proposal marked 优先 in the list and on its page.
#[tokio::test]
async fn the_funds_lists_refuse_on_the_page_and_mark_priority() {
    let w = world().await;
    community(&w).await;
    let app = &w.api;
    let lists = format!("/api/v1/communities/{INSIDE}/fund/lists");
    let own = json!({"negative": [{"name": "商业广告", "keywords": ["广告"]}],
        "priority": [{"name": "适老化改造", "keywords": ["加装电梯"]}]});
    let (status, _) = w.call(Some("resident_a"), Method::PUT, &lists, Some(own.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = w.call(Some("admin"), Method::PUT, &lists, Some(json!({"negative": [], "extra": 1}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let saved = w.ok(Some("admin"), Method::PUT, &lists, Some(own)).await;
    assert_eq!(saved["version"], 1);
    let public = w.ok(None, Method::GET, &lists, None).await;
    assert!(public["city"]["negative"].as_array().expect("city").iter().any(|i| i["name"] == "吃喝招待"));
    assert_eq!(public["own"]["priority"][0]["name"], "适老化改造");

    // Refused on the page, naming the item, the input kept.
    let resident = sign_in_as(app, "resident_a").await;
    let csrf = csrf_of(&get(app, &format!("/c/{INSIDE}"), &resident).await.body);
    let fields = [("csrf", csrf.as_str()), ("title", "门口广告牌"), ("body", "出租给商家"), ("method", "quick")];
    let refused = post_form(app, &format!("/c/{INSIDE}/propose"), &resident, &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("商业广告") && refused.body.contains(">出租给商家</textarea>"), "{}", refused.body);

    // 优先 in the community's list and on the proposal's page; the lists shown.
    let lift = json!({"community": INSIDE, "title": "3 栋加装电梯", "body": "老人上下楼难", "origin": "resident",
        "method": "quick"});
    let made = w.ok(Some("resident_a"), Method::POST, "/api/v1/proposals", Some(lift)).await;
    assert_eq!(made["priority"], "适老化改造");
    let page = get(app, &format!("/c/{INSIDE}"), &resident).await;
    assert!(page.body.contains("title=\"适老化改造\">优先</span>"), "{}", page.body);
    assert!(page.body.contains("id=\"fund-lists\"") && page.body.contains("<li>吃喝招待</li>"), "the city's items");
    assert!(page.body.contains("<li>商业广告</li>"), "the community's own");
    let id = made["id"].as_str().expect("id");
    let shown = get(app, &format!("/c/{INSIDE}/p/{id}"), &resident).await;
    assert!(shown.body.contains("id=\"proposal-priority\"") && shown.body.contains("适老化改造"), "{}", shown.body);
}

/// 以事聚人 from the matter's side: community staff open the proposal form
/// from a matter's page, the proposal keeps the link, and the matter's page
/// lists it; a dispatcher is not offered the form, and a refused form keeps
/// the matter.
#[tokio::test]
async fn a_matter_becomes_a_proposal_from_its_page_and_links_back() {
    let (app, _clock) = crate::desk::clocked(&[
        ("raise_worker", Role::CommunityWorker, Some("510104022006")),
        ("raise_dispatcher", Role::Dispatcher, Some("510104022")),
    ])
    .await;
    let number = crate::desk::report(&app, "0110", "小区路灯反复损坏，业主多次上报").await;
    let worker = sign_in_as(&app, "raise_worker").await;
    let page = get(&app, &format!("/m/{number}"), &worker).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let start = page.body.find("/c/510104022006?matter=").expect("the link to raise a proposal");
    let link: String = page.body[start..].chars().take_while(|c| *c != '"').collect();
    let link = link.replace("&amp;", "&");
    let matter = link.split("matter=").nth(1).and_then(|r| r.split('#').next()).expect("the matter's id").to_owned();
    let dispatcher = sign_in_as(&app, "raise_dispatcher").await;
    assert!(!get(&app, &format!("/m/{number}"), &dispatcher).await.body.contains("?matter="), "not theirs to raise");

    let form = get(&app, &link, &worker).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("由事件转为议题"), "{}", form.body);
    assert!(form.body.contains(&format!("name=\"matter\" value=\"{matter}\"")), "{}", form.body);
    let csrf = csrf_of(&form.body);
    let blank =
        [("csrf", csrf.as_str()), ("title", " "), ("body", "路灯"), ("method", "five_step"), ("matter", &matter)];
    let refused = post_form(&app, "/c/510104022006/propose", &worker, &blank).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(refused.body.contains(&format!("value=\"{matter}\"")), "the matter kept: {}", refused.body);
    let fields = [
        ("csrf", csrf.as_str()),
        ("title", "院内路灯改造"),
        ("body", "路灯反复损坏"),
        ("method", "five_step"),
        ("matter", &matter),
    ];
    let raised = post_form(&app, "/c/510104022006/propose", &worker, &fields).await;
    assert_eq!(raised.status, StatusCode::SEE_OTHER, "{}", raised.body);
    let proposal = raised.location.rsplit('/').next().expect("id").to_owned();

    let back = get(&app, &format!("/m/{number}"), &worker).await;
    assert!(
        back.body.contains(&format!("/c/510104022006/p/{proposal}")) && back.body.contains("院内路灯改造"),
        "{}",
        back.body
    );
    let shown = get(&app, &raised.location, &worker).await;
    assert!(shown.body.contains("由事件转为议题"), "the origin named: {}", shown.body);
}
