//! The admin forms without typed codes (#15): places and departments picked
//! by name within the administrator's scope, people edited and assigned,
//! categories and duty rows edited field by field; a refused form keeps its
//! input and shows the error beside the field; every change is audited.

use axum::http::{Method, StatusCode};
use regex::Regex;
use shanzhi_domain::Role;
use shanzhi_testkit::TestApp;

use crate::admin_page::{post_form, sign_in};
use crate::support::TestApi;
use crate::ui::{Answer, call};

async fn world() -> TestApi {
    TestApi::start(
        TestApp::new()
            .with_grid()
            .with_categories()
            .with_departments()
            .with_department("510104-zhujian", "锦江区住建局")
            .with_accounts(&[
                ("f_admin", Role::Admin, Some("510104")),
                ("f_city", Role::Admin, Some("5101")),
                ("f_dispatcher", Role::Dispatcher, Some("510104022")),
                ("f_other", Role::Dispatcher, Some("510105005")),
            ]),
    )
    .await
}

async fn get(api: &TestApi, cookie: &str, uri: &str) -> Answer {
    call(api, Method::GET, uri, cookie, None).await
}

/// The part of `html` from `start` to the next `end`.
fn part<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    html.split(start).nth(1).unwrap_or_else(|| panic!("{start} in {html}")).split(end).next().expect("end")
}

/// The actions of the audit log, in order.
async fn audited(api: &TestApi) -> Vec<String> {
    api.app.store().audit_log(0, 100_000).await.expect("audit").into_iter().map(|r| r.action).collect()
}

#[tokio::test]
async fn the_picker_finds_by_name_or_part_only_within_the_admins_scope() {
    let api = world().await;
    let cookie = sign_in(&api, "f_admin").await;
    let found = get(&api, &cookie, "/admin/pick/division?q=%E6%98%A5%E7%86%99").await; // 春熙
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.body.contains("春熙路街道") && found.body.contains(r#"value="510104022000""#), "{}", found.body);
    assert!(found.body.contains("锦江区"), "where it lies, by name: {}", found.body);
    let part_of = get(&api, &cookie, "/admin/pick/division?q=%E6%80%BB%E5%BA%9C").await; // 总府
    assert!(part_of.body.contains("总府路社区居委会"), "a part of a name: {}", part_of.body);
    let outside = get(&api, &cookie, "/admin/pick/division?q=%E5%B0%91%E5%9F%8E").await; // 少城 (青羊区)
    assert_eq!(outside.status, StatusCode::OK);
    assert!(!outside.body.contains("少城") && !outside.body.contains("510105"), "outside: {}", outside.body);
    let departments = get(&api, &cookie, "/admin/pick/department?q=%E5%9F%8E%E7%AE%A1").await; // 城管
    assert!(departments.body.contains("锦江区城管局"), "{}", departments.body);
    assert!(!departments.body.contains("旌阳区城管局"), "another city's department: {}", departments.body);
    let grids = get(&api, &cookie, "/admin/pick/scope?role=grid_worker&scope_q=510104022006").await;
    assert!(grids.body.contains(r#"value="510104022006001""#), "a grid by its code's start: {}", grids.body);
    assert!(!grids.body.contains(r#"value="510104022000""#), "a grid worker's scope is a grid: {}", grids.body);
    let all = get(&api, &cookie, "/admin/pick/division?q=%E7%A4%BE%E5%8C%BA").await; // 社区
    assert!(all.body.matches("type=\"radio\"").count() <= 20, "at most 20 suggestions");
    assert!(all.body.matches("type=\"radio\"").count() > 1, "{}", all.body);
    let long = format!("/admin/pick/division?q={}", "a".repeat(41));
    let refused = get(&api, &cookie, &long).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("40"), "{}", refused.body);
    let dispatcher = sign_in(&api, "f_dispatcher").await;
    let not_admin = get(&api, &dispatcher, "/admin/pick/division?q=%E6%98%A5%E7%86%99").await;
    assert_eq!(not_admin.status, StatusCode::FORBIDDEN, "only administrators pick");
    assert!(!not_admin.body.contains("春熙路街道"), "{}", not_admin.body);
}

#[tokio::test]
async fn a_person_is_created_with_a_scope_typed_by_name_and_a_refusal_keeps_the_input() {
    let api = world().await;
    let cookie = sign_in(&api, "f_admin").await;
    let page = get(&api, &cookie, "/admin").await;
    let new = |username: &'static str, scope: &'static str| {
        [("username", username), ("display_name", "王五"), ("role", "dispatcher"), ("scope_q", scope)]
    };
    let (status, location, body) = post_form(&api, &cookie, &page, "/admin/user", &new("f_new", "春熙路街道")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(location.starts_with("/admin?done="), "{location}");
    let listed = get(&api, &cookie, "/admin?q=f_new").await;
    let staff = part(&listed.body, "id=\"staff\"", "</table>");
    assert!(staff.contains("王五") && staff.contains("春熙路街道"), "the scope by name: {staff}");

    let before = audited(&api).await.len();
    for (scope, says) in [("少城街道", "没有找到"), ("街道", "多个")] {
        let (status, _, body) = post_form(&api, &cookie, &page, "/admin/user", &new("f_two", scope)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{scope}: {body}");
        let form = part(&body, "id=\"new-user\"", "</form>");
        assert!(form.contains(r#"name="username" required value="f_two""#), "the input kept: {form}");
        assert!(form.contains(&format!(r#"value="{scope}""#)), "the typed name kept: {form}");
        assert!(form.contains(r#"<option value="dispatcher" selected>"#), "the role kept: {form}");
        let beside = part(form, "name=\"scope_q\"", "name=\"password\"");
        assert!(beside.contains("field-error") && beside.contains(says), "the error beside the field: {beside}");
    }
    assert_eq!(audited(&api).await.len(), before, "a refused form changes nothing");
    let none = get(&api, &cookie, "/admin?q=f_two").await;
    assert!(!part(&none.body, "id=\"staff\"", "</table>").contains("f_two"));
}

#[tokio::test]
async fn a_person_is_edited_and_assigned_by_names_and_each_change_is_audited() {
    let api = world().await;
    let cookie = sign_in(&api, "f_admin").await;
    assert_eq!(get(&api, &cookie, "/admin/users/f_other").await.status, StatusCode::NOT_FOUND, "outside the scope");
    let page = get(&api, &cookie, "/admin/users/f_dispatcher").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("春熙路街道"), "{}", page.body);

    let (status, _, body) = post_form(
        &api,
        &cookie,
        &page,
        "/admin/users/f_dispatcher/edit",
        &[("display_name", "赵六"), ("phone", "123")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let beside = part(&body, "name=\"phone\"", "</label>");
    assert!(beside.contains("field-error") && beside.contains(r#"value="123""#), "kept, error beside: {beside}");
    assert!(body.contains(r#"value="赵六""#), "the name kept: {body}");
    let edit = [("display_name", "赵六"), ("phone", "13912345678")];
    let (status, location, _) = post_form(&api, &cookie, &page, "/admin/users/f_dispatcher/edit", &edit).await;
    assert_eq!((status, location.starts_with("/admin/users/f_dispatcher?done=")), (StatusCode::SEE_OTHER, true));
    let phone = || async {
        let name = shanzhi_domain::Username::parse("f_dispatcher").expect("name");
        let user = api.app.store().user_by_name(&name).await.expect("read").expect("found");
        user.phone.map(|p| p.reveal().to_owned())
    };
    assert_eq!(phone().await.as_deref(), Some("13912345678"));
    // A number the page showed masked and left empty stays.
    let kept = [("display_name", "赵六"), ("phone", ""), ("phone_masked", "1")];
    let (status, _, _) = post_form(&api, &cookie, &page, "/admin/users/f_dispatcher/edit", &kept).await;
    assert_eq!((status, phone().await.as_deref()), (StatusCode::SEE_OTHER, Some("13912345678")));

    let assign = [("role", "community_worker"), ("scope_q", "总府路"), ("from", "2026-01-01")];
    let (status, _, body) = post_form(&api, &cookie, &page, "/admin/users/f_dispatcher/assign", &assign).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let after = get(&api, &cookie, "/admin/users/f_dispatcher").await;
    assert!(after.body.contains("赵六") && after.body.contains("总府路社区居委会"), "{}", after.body);
    let outside = [("role", "community_worker"), ("scope_q", "510105005001")];
    let (status, _, _) = post_form(&api, &cookie, &after, "/admin/users/f_dispatcher/assign", &outside).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a code outside the scope is not found either");

    let id = Regex::new(r#"name="id" value="([^"]+)""#).expect("regex").captures(&after.body).expect("an end button")
        [1]
    .to_owned();
    let (status, _, body) =
        post_form(&api, &cookie, &after, "/admin/users/f_dispatcher/unassign", &[("id", &id)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let log = audited(&api).await;
    for action in ["user.edit", "assignment.add", "assignment.end"] {
        assert!(log.iter().any(|a| a == action), "{action} audited: {log:?}");
    }
}

#[tokio::test]
async fn categories_and_duty_rows_are_edited_by_form_with_departments_by_name() {
    let api = world().await;
    let cookie = sign_in(&api, "f_city").await;
    let admin = get(&api, &cookie, "/admin").await;
    assert!(part(&admin.body, "id=\"categories\"", "</table>").contains("暴露垃圾"));
    let form = get(&api, &cookie, "/admin/categories/0102").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(r#"name="name" required maxlength="50" value="暴露垃圾""#), "{}", form.body);

    let mut fields = vec![("name", "暴露垃圾（含垃圾桶满溢）"), ("kind", "event"), ("line", "development")];
    fields.extend([("severity", "normal"), ("handle_amount", "abc"), ("handle_unit", "working_days")]);
    let (status, _, body) = post_form(&api, &cookie, &form, "/admin/categories/0102", &fields).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let beside = part(&body, "name=\"handle_amount\"", "</div>");
    assert!(beside.contains(r#"value="abc""#) && beside.contains("field-error"), "kept, error beside: {beside}");
    fields[4] = ("handle_amount", "2");
    fields.push(("self_handle", "yes"));
    let (status, _, body) = post_form(&api, &cookie, &form, "/admin/categories/0102", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let saved = get(&api, &cookie, "/admin/categories/0102").await;
    assert!(
        saved.body.contains("暴露垃圾（含垃圾桶满溢）")
            && saved.body.contains(r#"name="handle_amount" inputmode="numeric" size="5" value="2""#)
            && saved.body.contains(r#"name="self_handle" value="yes" checked"#)
    );

    let duty = [("category", "0102"), ("level", "town"), ("list", "basic"), ("lead_q", "不存在的部门")];
    let (status, _, body) = post_form(&api, &cookie, &admin, "/admin/duty", &duty).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let beside = part(&body, "name=\"lead_q\"", "name=\"co_q\"");
    assert!(beside.contains(r#"value="不存在的部门""#) && beside.contains("field-error"), "{beside}");
    let duty =
        [("category", "0102"), ("level", "town"), ("list", "basic"), ("lead_q", "住建"), ("co_q", "锦江区城管局")];
    let (status, _, body) = post_form(&api, &cookie, &admin, "/admin/duty", &duty).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let stored = api.app.store().duty(&"0102".parse().expect("code"), shanzhi_domain::DutyLevel::Town).await;
    let stored = stored.expect("read").expect("the row");
    assert_eq!((stored.lead.as_deref(), stored.co.clone()), (Some("zhujian"), vec!["chengguan".to_owned()]));
    let page = get(&api, &cookie, "/admin").await;
    let rows = part(&page.body, "id=\"duties\"", "</table>");
    let row =
        rows.split("<tr>").find(|r| r.contains("暴露垃圾（含垃圾桶满溢）") && r.contains("街道")).expect("the row");
    assert!(row.contains("锦江区住建局") && row.contains("锦江区城管局") && !row.contains(">zhujian<"), "{row}");

    let remove = [("category", "0102"), ("level", "town")];
    let (status, _, body) = post_form(&api, &cookie, &page, "/admin/duty_remove", &remove).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let stored = api.app.store().duty(&"0102".parse().expect("code"), shanzhi_domain::DutyLevel::Town).await;
    assert_eq!(stored.expect("read"), None, "removed");
    let log = audited(&api).await;
    for action in ["category.put", "duty.put", "duty.remove"] {
        assert!(log.iter().any(|a| a == action), "{action} audited");
    }
}

#[tokio::test]
async fn the_tree_opens_level_by_level_within_the_admins_scope() {
    let api = world().await;
    let cookie = sign_in(&api, "f_admin").await;
    let roots = get(&api, &cookie, "/admin/pick/tree").await;
    assert_eq!(roots.status, StatusCode::OK);
    assert!(roots.body.contains("锦江区") && roots.body.contains("under=510104000000"), "{}", roots.body);
    let towns = get(&api, &cookie, "/admin/pick/tree?under=510104000000").await;
    assert!(towns.body.contains("春熙路街道") && !towns.body.contains("少城街道"), "{}", towns.body);
    let community = get(&api, &cookie, "/admin/pick/tree?under=510104022006").await;
    assert!(community.body.contains(r#"value="510104022006001""#), "its grids: {}", community.body);
    assert!(!community.body.contains("<details"), "grids are the last level: {}", community.body);
    let outside = get(&api, &cookie, "/admin/pick/tree?under=510105000000").await;
    assert_eq!(outside.status, StatusCode::NOT_FOUND, "another district is not shown");
    assert!(!outside.body.contains("少城街道"));
}
