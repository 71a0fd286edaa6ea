//! The volunteer pages on the phone: a community worker publishes on the
//! form (a refused form comes back as typed), a resident signs up, checks in
//! with the code the organiser's page shows (a wrong one is refused and
//! kept), checks out and sees the points, redeems at /shop and the worker
//! confirms the code there; the leaderboard is public.

use std::sync::Arc;

use axum::http::StatusCode;
use shanzhi_app::timing::ManualClock;
use shanzhi_domain::Role;
use shanzhi_testkit::{INSIDE, TestApp};

use crate::desk::{csrf_of, get, post_form, sign_in_as};
use crate::support::TestApi;

fn code_on(body: &str) -> String {
    body.split("class=\"big-code\"")
        .nth(1)
        .and_then(|s| s.split('>').nth(1))
        .and_then(|s| s.split('<').next())
        .expect("a code on the page")
        .trim()
        .to_owned()
}

#[tokio::test]
async fn a_resident_volunteers_and_redeems_on_the_pages() {
    let clock = Arc::new(ManualClock::new("2026-11-02T02:00:00Z".parse().expect("time")));
    let app =
        TestApi::start(TestApp::new().with_clock(clock.clone()).with_divisions().with_accounts(&[
            ("vol_worker", Role::CommunityWorker, Some(INSIDE)),
            ("vol_resident", Role::Resident, None),
        ]))
        .await;
    let worker = sign_in_as(&app, "vol_worker").await;
    let resident = sign_in_as(&app, "vol_resident").await;

    let form = get(&app, "/activities/new", &worker).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains(&format!("value=\"{INSIDE}\"")), "the worker's community to start from");
    let csrf = csrf_of(&form.body);
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("community", INSIDE),
        ("org_id", ""),
        ("title", " "),
        ("description", "捡拾垃圾"),
        ("place", "府河步道<东门>"),
        ("lng", ""),
        ("lat", ""),
        ("starts_at", "2026-11-02T09:30"),
        ("ends_at", "2026-11-02T12:00"),
        ("capacity", "10"),
        ("points", "20"),
    ];
    let refused = post_form(&app, "/activities/new", &worker, &fields).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(refused.body.contains("活动名称应为"), "the reason, in Chinese");
    assert!(refused.body.contains("府河步道&#60;东门&#62;"), "the form as typed, escaped");
    fields[3] = ("title", "府河清洁");
    let made = post_form(&app, "/activities/new", &worker, &fields).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let page_uri = made.location.clone();

    let public = get(&app, &page_uri, "").await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.body.contains("府河清洁") && !public.body.contains("big-code"), "no code for the public");
    let seen = get(&app, &page_uri, &resident).await;
    let csrf = csrf_of(&seen.body);
    let signed = post_form(&app, &format!("{page_uri}/do/signup"), &resident, &[("csrf", csrf.as_str())]).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let organiser = get(&app, &page_uri, &worker).await;
    let code = code_on(&organiser.body);
    assert!(organiser.body.contains("报名名单"), "the roster for the organiser");

    let wrong = if code == "000000" { "000001" } else { "000000" };
    let bad =
        post_form(&app, &format!("{page_uri}/do/checkin"), &resident, &[("csrf", csrf.as_str()), ("code", wrong)])
            .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("签到码不正确或已过期") && bad.body.contains(&format!("value=\"{wrong}\"")));
    let fields = [("csrf", csrf.as_str()), ("code", code.as_str()), ("lng", "104.08"), ("lat", "30.66")];
    let inn = post_form(&app, &format!("{page_uri}/do/checkin"), &resident, &fields).await;
    assert_eq!(inn.status, StatusCode::SEE_OTHER, "{}", inn.body);
    clock.set("2026-11-02T03:00:00Z".parse().expect("time"));
    let code = code_on(&get(&app, &page_uri, &worker).await.body);
    let fields = [("csrf", csrf.as_str()), ("code", code.as_str())];
    let out = post_form(&app, &format!("{page_uri}/do/checkout"), &resident, &fields).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.body);

    let roster = get(&app, &page_uri, &worker).await.body;
    let roster = roster.split("id=\"roster\"").nth(1).expect("the roster");
    assert!(roster.contains("<td>60</td>") && roster.contains("📍"), "minutes and the position: {roster}");
    let mine = get(&app, "/volunteer", &resident).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains("<p class=\"big-number\">20</p>"), "the balance: {}", mine.body);
    assert!(mine.body.contains("府河清洁"));
    let board = get(&app, &format!("/c/{INSIDE}/leaderboard"), "").await;
    assert_eq!(board.status, StatusCode::OK);
    assert!(board.body.contains("<td>20</td>"));

    // Redeem at the shop; the worker confirms the code there.
    let token = app.bearer("vol_worker").await;
    let item = serde_json::json!({"name": "理发一次", "price": 15, "stock": 3});
    let (status, _, item) = app
        .send(
            axum::http::Method::POST,
            &format!("/api/v1/communities/{INSIDE}/rewards"),
            &[("authorization", &token)],
            Some(item),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{item}");
    let shop = get(&app, "/shop", &resident).await;
    assert!(shop.body.contains("理发一次"));
    let id = item["id"].as_str().expect("id");
    let got = post_form(&app, &format!("/shop/redeem/{id}"), &resident, &[("csrf", csrf.as_str())]).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    let code = code_on(&got.body);
    let worker_csrf = csrf_of(&get(&app, "/shop", &worker).await.body);
    let fields = [("csrf", worker_csrf.as_str()), ("code", code.as_str())];
    let ok = post_form(&app, "/shop/confirm", &worker, &fields).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert!(ok.body.contains("已核销：理发一次"), "{}", ok.body);
    let again = post_form(&app, "/shop/confirm", &worker, &fields).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("此兑换码已核销过"));
    assert!(get(&app, "/volunteer", &resident).await.body.contains("已核销"));
}

#[tokio::test]
async fn the_activity_form_offers_communities_by_name_and_keeps_a_wrong_one() {
    let app = TestApi::start(TestApp::new().with_divisions().with_accounts(&[
        ("own_worker", Role::CommunityWorker, Some(INSIDE)),
        ("street_admin", Role::Admin, Some("510104022")),
        ("district_admin", Role::Admin, Some("510104")),
    ]))
    .await;
    let own = sign_in_as(&app, "own_worker").await;
    let form = get(&app, "/activities/new", &own).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("<select name=\"community\""), "a list to pick from");
    assert!(form.body.contains(&format!("<option value=\"{INSIDE}\" selected>总府路社区")), "by name, preselected");
    assert!(!form.body.contains("社区代码"), "no code to type");

    let street = sign_in_as(&app, "street_admin").await;
    let form = get(&app, "/activities/new", &street).await;
    assert!(form.body.contains("盐市口社区") && form.body.contains("督院街社区"), "the street's communities");
    let csrf = csrf_of(&form.body);
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("community", "不存在社区"),
        ("org_id", ""),
        ("title", "敬老探访"),
        ("description", "陪老人聊天"),
        ("place", "社区活动室"),
        ("lng", ""),
        ("lat", ""),
        ("starts_at", "2026-12-02T09:30"),
        ("ends_at", "2026-12-02T12:00"),
        ("capacity", "10"),
        ("points", "20"),
    ];
    let refused = post_form(&app, "/activities/new", &street, &fields).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(refused.body.contains("请从列表中选择"), "the reason, in Chinese");
    assert!(refused.body.contains("敬老探访") && refused.body.contains("陪老人聊天"), "the form as typed");
    fields[1] = ("community", INSIDE);
    let made = post_form(&app, "/activities/new", &street, &fields).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);

    // A district's many communities: a field that suggests them by street and name.
    let district = sign_in_as(&app, "district_admin").await;
    let form = get(&app, "/activities/new", &district).await;
    let suggested = form.body.split("<datalist id=\"activity-communities\">").nth(1).expect("suggestions");
    let first: String = suggested.split("value=\"").nth(1).and_then(|v| v.split('"').next()).expect("one").to_owned();
    assert!(first.contains(' ') && !first.chars().any(|c| c.is_ascii_digit()), "street and name, no code: {first}");
    let csrf = csrf_of(&form.body);
    fields[0] = ("csrf", csrf.as_str());
    fields[1] = ("community", first.as_str());
    let made = post_form(&app, "/activities/new", &district, &fields).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "the words name the community: {}", made.body);
}
