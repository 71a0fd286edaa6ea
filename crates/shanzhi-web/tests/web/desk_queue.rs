//! The desk's queue: the most urgent first and, within a colour, the oldest
//! deadline first across pages; filters by grid and line; the search by
//! phone and who may make it; batch 派遣; cards on a phone; the supervision
//! page's overdue list paged under its count.

use axum::http::{Method, StatusCode};
use serde_json::json;
use shanzhi_domain::Role;

use crate::desk::{clocked, get, href, report, sign_in_as};
use crate::support::TestApi;

#[tokio::test]
async fn within_a_colour_the_oldest_deadline_comes_first_across_pages() {
    let (app, clock) = clocked(&[("desk_dispatcher", Role::Dispatcher, Some("510104022"))]).await;
    let oldest = report(&app, "0110", "井盖破损，最早").await;
    clock.set("2026-11-04T02:00:00Z".parse().expect("time"));
    let older = report(&app, "0110", "井盖破损，其次").await;
    clock.set("2026-11-25T02:00:00Z".parse().expect("time"));
    app.app.sweep().await.expect("sweep");
    let fresh = report(&app, "0110", "井盖破损，刚发现").await;
    let cookie = sign_in_as(&app, "desk_dispatcher").await;

    let desk = get(&app, "/desk", &cookie).await;
    let at = |n: &str| desk.body.find(&format!("href=\"/m/{n}\"")).unwrap_or_else(|| panic!("{n} listed"));
    assert!(at(&oldest) < at(&older), "both overdue: the one due first is listed first");
    assert!(at(&older) < at(&fresh), "red before the rest");

    // One row a page: page 2 continues page 1, page 3 the last, no repeat.
    let mut uri = "/desk?limit=1".to_owned();
    let mut seen = Vec::new();
    for page in 1..=3 {
        let p = get(&app, &uri, &cookie).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        assert!(p.body.contains(&format!("共 3 件，第 {page} 页")), "{}", p.body);
        let n = [&oldest, &older, &fresh]
            .into_iter()
            .find(|n| p.body.contains(&format!("href=\"/m/{n}\"")))
            .expect("a row");
        seen.push(n.clone());
        if page < 3 {
            uri = href(&p.body, "page-next");
        } else {
            assert!(!p.body.contains("id=\"page-next\""), "no page after the last");
        }
    }
    assert_eq!(seen, [oldest, older, fresh]);
}

#[tokio::test]
async fn grid_and_line_filters_by_name_kept_in_the_address() {
    let app = crate::desk::world().await;
    let cover = report(&app, "0110", "人行道井盖破损").await;
    let fire = hazard(&app).await;
    let cookie = sign_in_as(&app, "desk_dispatcher").await;
    let row = |n: &str| format!("href=\"/m/{n}\"");

    // The line: by its name; the other line's matter is left out.
    let desk = get(&app, "/desk", &cookie).await;
    assert!(desk.body.contains(">综治（安全底线）</option>") && desk.body.contains(">社治（幸福高线）</option>"));
    assert!(!desk.body.contains(">safety</option>"), "names, not code words");
    let safety = get(&app, "/desk?line=safety", &cookie).await;
    assert_eq!(safety.status, StatusCode::OK, "{}", safety.body);
    assert!(safety.body.contains(&row(&fire)) && !safety.body.contains(&row(&cover)));
    assert!(safety.body.contains("<option value=\"safety\" selected>"), "the choice is shown");
    assert!(safety.body.contains("共 1 件"));
    assert!(safety.body.contains("href=\"/desk?tab=filed&#38;line=safety\""), "tabs keep the line");
    let development = get(&app, "/desk?line=development", &cookie).await;
    assert!(development.body.contains(&row(&cover)) && !development.body.contains(&row(&fire)));
    assert_eq!(get(&app, "/desk?line=red", &cookie).await.status, StatusCode::BAD_REQUEST);

    // The grid: offered by name once a community is chosen.
    assert!(!desk.body.contains("id=\"filter-grid\""), "a street's grids are too many for a select");
    let community = get(&app, "/desk?within=510104022006", &cookie).await;
    assert!(community.body.contains(">网格510104022006001</option>"), "{}", community.body);
    let general = get(&app, "/desk?within=510104022006&grid=510104022006001", &cookie).await;
    assert!(general.body.contains(&row(&cover)) && general.body.contains(&row(&fire)));
    assert!(general.body.contains("<option value=\"510104022006001\" selected>"));
    assert!(href(&general.body, "export-csv").contains("grid=510104022006001"), "the export keeps the grid");
    let master = get(&app, "/desk?grid=510104022006000", &cookie).await;
    assert!(master.body.contains("共 0 件"), "the other grid has none");
    assert!(master.body.contains("name=\"grid\" value=\"510104022006000\""), "kept for the next search");
}

/// A resident's report of a fire hazard (the safety line); its number.
async fn hazard(app: &TestApi) -> String {
    let resident = app.bearer("desk_resident").await;
    let body = json!({"category": "ZZ.0201", "lng": 104.072, "lat": 30.652, "description": "楼道电动车飞线充电",
        "attributes": {"hazard_level": ["general"]}});
    let (status, _, created) =
        app.send(Method::POST, "/api/v1/matters", &[("authorization", &resident)], Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["matter"]["number"].as_str().expect("number").to_owned()
}

#[tokio::test]
async fn a_dispatcher_finds_a_reporters_matters_by_phone_and_others_may_not_probe() {
    let app = crate::desk::world().await;
    let resident = app.bearer("desk_resident").await;
    let mut numbers = Vec::new();
    for (phone, text) in [("13900001111", "井盖破损"), ("13900002222", "路面坑洼"), ("13900001111", "路灯不亮")]
    {
        let body = json!({"category": "0110", "lng": 104.072, "lat": 30.652, "description": text,
            "reporter_name": "王五", "reporter_phone": phone});
        let (status, _, created) =
            app.send(Method::POST, "/api/v1/matters", &[("authorization", &resident)], Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        numbers.push(created["matter"]["number"].as_str().expect("number").to_owned());
    }
    let row = |n: &str| format!("href=\"/m/{n}\"");
    let cookie = sign_in_as(&app, "desk_dispatcher").await;
    for typed in ["13900001111", "139%200000%201111", "%2B8613900001111"] {
        let found = get(&app, &format!("/desk?q={typed}"), &cookie).await;
        assert_eq!(found.status, StatusCode::OK, "{}", found.body);
        assert!(found.body.contains(&row(&numbers[0])) && found.body.contains(&row(&numbers[2])), "{typed}");
        assert!(!found.body.contains(&row(&numbers[1])), "another reporter's matter: {typed}");
        assert!(found.body.contains("共 2 件"), "the count agrees");
        assert!(!found.body.contains("id=\"export-csv\""), "no export that would drop the number");
        assert!(!found.body.contains("13900001111</td>"), "the list still masks numbers");
    }
    // Three searches for one number (each page also counting its tabs)
    // within a minute are one use of that person's data: one log entry.
    let subject = format!("phone:{}", shanzhi_domain::Phone::parse("13900001111").expect("phone").masked());
    let logged = app.app.store().pii_accesses(&subject).await.expect("log");
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert_eq!((logged[0].field.as_str(), logged[0].purpose.as_str()), ("reporter_phone", "search"));
    let part = get(&app, "/desk?q=1390000", &cookie).await;
    assert!(part.body.contains("共 0 件"), "part of a number is words, found in no description");

    // A department sees numbers masked: it may not search by one.
    let dept = sign_in_as(&app, "desk_dept").await;
    let probe = get(&app, "/tasks?q=13900001111", &dept).await;
    assert_eq!(probe.status, StatusCode::FORBIDDEN, "{}", probe.body);
    assert!(probe.body.contains("按电话号码查找仅限") && probe.body.contains("role=\"alert\""), "{}", probe.body);
    assert!(!probe.body.contains("共 "), "nothing counted for the number");
    let en = get(&app, "/tasks?q=13900001111", &format!("{dept}; lang=en")).await;
    assert!(en.body.contains("may search by one"), "English too");
}

#[tokio::test]
async fn a_batch_dispatch_names_one_department_by_name_and_reports_each_row() {
    let app = crate::desk::world().await;
    let first = report(&app, "0110", "井盖破损").await;
    let second = report(&app, "0110", "路面坑洼").await;
    let token = app.bearer("desk_dispatcher").await;
    let send = |number: String, command: &'static str, body: serde_json::Value| {
        let (app, token) = (&app, &token);
        async move {
            let uri = format!("/api/v1/matters/{number}/commands/{command}");
            app.send(Method::POST, &uri, &[("authorization", token)], Some(body)).await.0
        }
    };
    for n in [&first, &second] {
        assert_eq!(send(n.clone(), "accept", json!({})).await, StatusCode::OK);
    }
    // The second goes out before the batch: its row is refused, with why.
    let to = json!({"to": {"kind": "department", "code": "510104-chengguan"}});
    assert_eq!(send(second.clone(), "dispatch", to).await, StatusCode::OK);

    let cookie = sign_in_as(&app, "desk_dispatcher").await;
    let filed = get(&app, "/desk?tab=filed", &cookie).await;
    assert!(filed.body.contains("id=\"batch-to\""), "{}", filed.body);
    assert!(filed.body.contains("<option value=\"510104-chengguan\""), "the department offered");
    assert!(filed.body.contains(">锦江区城管局（职责清单建议）</option>"), "by its name, suggested: {}", filed.body);
    assert!(filed.body.contains("<option value=\"510104-chengguan\" selected>"), "the duty list's, chosen");
    assert!(filed.body.contains("批量派遣所选"));
    let csrf = crate::desk::csrf_of(&filed.body);
    let back = "/desk?tab=filed";
    let fields = [
        ("csrf", csrf.as_str()),
        ("command", "dispatch"),
        ("to", "510104-chengguan"),
        ("back", back),
        ("n", first.as_str()),
        ("n", second.as_str()),
    ];
    let done = crate::desk::post_form(&app, "/desk/batch", &cookie, &fields).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let results =
        done.body.split("id=\"batch-results\"").nth(1).expect("results").split("</section>").next().expect("end");
    assert!(results.contains(&format!("{first}</a>：已派遣至锦江区城管局")), "{results}");
    assert!(!results.contains(&format!("{second}</a>：已派遣")), "{results}");
    assert_eq!(results.matches("class=\"refused\"").count(), 1, "{results}");
    let dept = sign_in_as(&app, "desk_dept").await;
    let tasks = get(&app, "/tasks?tab=sign", &dept).await;
    assert!(tasks.body.contains(&format!("href=\"/m/{first}\"")), "the department has it to sign");

    // A department not offered (or none chosen) is refused; nothing changes.
    for to in ["510104-nowhere", ""] {
        let fields = [("csrf", csrf.as_str()), ("command", "dispatch"), ("to", to), ("back", back), ("n", &first)];
        let refused = crate::desk::post_form(&app, "/desk/batch", &cookie, &fields).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{to}: {}", refused.body);
        assert!(refused.body.contains("请选择派往的部门"), "{}", refused.body);
    }
}

#[tokio::test]
async fn on_a_phone_the_rows_are_cards_with_labelled_facts() {
    let app = crate::desk::world().await;
    report(&app, "0110", "井盖破损").await;
    let cookie = sign_in_as(&app, "desk_dispatcher").await;
    let desk = get(&app, "/desk", &cookie).await;
    assert!(desk.body.contains("class=\"list desk-list cards\""), "the style sheet turns these rows into cards");
    for label in ["分类", "地点", "状态", "承办", "时限"] {
        assert!(desk.body.contains(&format!("<td data-label=\"{label}\">")), "{label} labelled on the card");
    }
    let css = get(&app, "/assets/app.css", "").await;
    assert!(css.body.contains("@media (max-width: 600px)") && css.body.contains("table.cards td[data-label]::before"));
}

#[tokio::test]
async fn the_supervision_overdue_list_pages_under_its_count() {
    let (app, clock) = clocked(&[("desk_super", Role::Supervisor, Some("510104022"))]).await;
    // 52 overdue: a page of 50 and one of 2.
    let mut numbers = Vec::new();
    for i in 0..52 {
        numbers.push(report(&app, "0110", &format!("井盖破损 第{i}处")).await);
    }
    clock.set("2026-11-25T02:00:00Z".parse().expect("time"));
    app.app.sweep().await.expect("sweep");
    let cookie = sign_in_as(&app, "desk_super").await;
    let first = get(&app, "/supervise", &cookie).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert!(first.body.contains("超期 <b>52</b>"), "the chip");
    assert!(first.body.contains("共 52 件，第 1 页"), "the list's count agrees with the chip");
    // The overdue list only (the page's hot-spot alerts link matters too).
    let listed = |body: &str| {
        let list = body.split("id=\"overdue\"").nth(1).unwrap_or_default();
        numbers.iter().filter(|n| list.contains(&format!("href=\"/m/{n}\""))).cloned().collect()
    };
    let one: Vec<String> = listed(&first.body);
    assert_eq!(one.len(), 50);
    let next = href(&first.body, "overdue-next");
    assert!(next.starts_with("/supervise?period=") && next.contains("page=2"), "{next}");
    let second = get(&app, &next, &cookie).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert!(second.body.contains("共 52 件，第 2 页"));
    let two: Vec<String> = listed(&second.body);
    assert_eq!(two.len(), 2, "the rest");
    assert!(two.iter().all(|n| !one.contains(n)), "no row twice");
    assert!(!second.body.contains("id=\"overdue-next\""), "the last page");
    assert!(second.body.contains("id=\"overdue-first\""));
    let bad = get(&app, "/supervise?cursor=nonsense", &cookie).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "a broken cursor is refused");
}
