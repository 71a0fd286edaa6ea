//! The inbox and the notification settings over HTTP, and their refusals.

use axum::http::{Method, StatusCode};
use serde_json::json;
use shanzhi_app::matters::{IntakeRequest, MatterView};
use shanzhi_domain::Role;
use shanzhi_testkit::{PASSWORD, TestApp, one_grid_community};

use crate::desk::{csrf_of, post_form};
use crate::support::TestApi;
use crate::ui::call;

/// A resident's report, accepted by the community: two notices for them.
async fn reported_and_accepted() -> (TestApi, MatterView) {
    let api = TestApi::start(
        TestApp::new()
            .with_features(one_grid_community("510104022006", 104.07, 30.65))
            .with_categories()
            .with_staff(Role::Resident)
            .with_staff(Role::CommunityWorker),
    )
    .await;
    let resident = api.app.scoped(api.app.actor_for(Role::Resident).await);
    let report = IntakeRequest {
        category: "0110".to_owned(),
        lng: Some(104.072),
        lat: Some(30.652),
        description: "总府路 2 号门口路面塌陷".to_owned(),
        ..IntakeRequest::default()
    };
    let m = resident.intake(report).await.expect("report").matter;
    api.app.command_as("t_community_worker", &m.id, "accept", json!({})).await.expect("accept");
    (api, m)
}

#[tokio::test]
async fn a_resident_reads_their_inbox_and_sets_quiet_hours() {
    let (api, m) = reported_and_accepted().await;

    let me = api.bearer("t_resident").await;
    let auth = [("authorization", me.as_str())];
    let (status, _, page) = api.send(Method::GET, "/api/v1/inbox", &auth, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["unread"], 2, "the receipt and the acceptance");
    assert_eq!(page["notices"][1]["title"], format!("您反映的问题已收到，编号 {}", m.number));
    let notice = &page["notices"][0];
    assert_eq!(notice["title"], format!("您反映的问题（{}）已受理", m.number));
    assert_eq!((notice["kind_name"].as_str(), notice["read"].as_bool()), (Some("已受理"), Some(false)));
    let id = notice["id"].as_str().expect("id").to_owned();

    // Someone else's notice, or none, is not found; nothing changes.
    let other = api.bearer("t_community_worker").await;
    api.refused(
        Method::POST,
        &format!("/api/v1/inbox/{id}/read"),
        &[("authorization", other.as_str())],
        None,
        StatusCode::NOT_FOUND,
        "notice_not_found",
    )
    .await;
    api.refused(
        Method::POST,
        "/api/v1/inbox/019ad1f2-7c3e-7a10-9b2f-3c4d5e6f7a8b/read",
        &auth,
        None,
        StatusCode::NOT_FOUND,
        "notice_not_found",
    )
    .await;
    api.refused(Method::GET, "/api/v1/inbox?before=yesterday", &auth, None, StatusCode::BAD_REQUEST, "invalid_cursor")
        .await;
    let (status, _, _) = api.send(Method::GET, "/api/v1/inbox", &[], None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, _, page) = api.send(Method::GET, "/api/v1/inbox", &auth, None).await;
    assert_eq!(page["unread"], 2, "nothing changed");

    let (status, _, _) = api.send(Method::POST, &format!("/api/v1/inbox/{id}/read"), &auth, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, _, page) = api.send(Method::GET, "/api/v1/inbox", &auth, None).await;
    assert_eq!((page["unread"].as_u64(), page["notices"][0]["read"].as_bool()), (Some(1), Some(true)));

    // Settings: refused whole when any part is wrong.
    for (body, code) in [
        (json!({"quiet_start": "25:00", "quiet_end": "07:00"}), "invalid_preferences"),
        (json!({"quiet_start": "22:00"}), "invalid_preferences"),
        (json!({"channels": {"my_reports": ["email"]}}), "invalid_preferences"),
        (json!({"channels": {"my_reports": ["email"]}, "email": "not an address"}), "invalid_preferences"),
    ] {
        api.refused(Method::PUT, "/api/v1/me/notifications", &auth, Some(body), StatusCode::UNPROCESSABLE_ENTITY, code)
            .await;
    }
    let (status, _, before) = api.send(Method::GET, "/api/v1/me/notifications", &auth, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((before["quiet_start"].clone(), before["channels"].clone()), (json!(null), json!({})));
    let wanted = json!({"channels": {"my_reports": ["sms", "sms"]}, "quiet_start": "22:00", "quiet_end": "07:00"});
    let (status, _, after) = api.send(Method::PUT, "/api/v1/me/notifications", &auth, Some(wanted)).await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!((after["quiet_start"].as_str(), after["quiet_end"].as_str()), (Some("22:00"), Some("07:00")));
    assert_eq!(after["channels"]["my_reports"], json!(["sms"]));

    // Failed notifications are the administrator's.
    api.refused(Method::GET, "/api/v1/notifications/failed", &auth, None, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn the_bell_counts_unread_notices_and_a_notice_leads_to_its_matter() {
    let (api, m) = reported_and_accepted().await;

    let login =
        call(&api, Method::POST, "/login", "", Some(&format!("username=t_resident&password={PASSWORD}&next=%2Finbox")))
            .await;
    let cookie = login.cookie.split(';').next().expect("cookie").to_owned();
    let inbox = call(&api, Method::GET, "/inbox", &cookie, None).await;
    assert_eq!(inbox.status, StatusCode::OK, "{}", inbox.body);
    assert!(
        inbox.body.contains("id=\"bell\"") && inbox.body.contains("<span class=\"badge\">2</span>"),
        "the bell shows 2"
    );
    assert!(inbox.body.contains(&format!("您反映的问题（{}）已受理", m.number)));
    let id = api.app.scoped(api.app.actor_for(Role::Resident).await).inbox(None, 10).await.expect("inbox").notices[0]
        .id
        .clone();
    let csrf = csrf_of(&inbox.body);

    let forged = call(&api, Method::POST, &format!("/inbox/{id}/open"), &cookie, Some("csrf=forged")).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let opened = call(&api, Method::POST, &format!("/inbox/{id}/open"), &cookie, Some(&format!("csrf={csrf}"))).await;
    assert_eq!((opened.status, opened.location.as_str()), (StatusCode::SEE_OTHER, format!("/m/{}", m.number).as_str()));
    let after = call(&api, Method::GET, "/inbox", &cookie, None).await;
    assert!(after.body.contains("<span class=\"badge\">1</span>"), "one left unread");

    // Settings: a wrong time is refused with the form kept, nothing saved.
    let bad = post_form(&api, "/settings/notifications", &cookie, &[("csrf", &csrf), ("quiet_start", "22:00")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("免打扰时段须同时填写开始和结束时刻"));
    let form =
        [("csrf", csrf.as_str()), ("channels_warnings", "sms"), ("quiet_start", "22:00"), ("quiet_end", "07:00")];
    let saved = post_form(&api, "/settings/notifications", &cookie, &form).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert!(saved.body.contains("id=\"settings-saved\"") && saved.body.contains("value=\"22:00\""));
    let shown = call(&api, Method::GET, "/settings/notifications", &cookie, None).await;
    assert!(shown.body.contains("name=\"channels_warnings\" value=\"sms\" checked"), "{}", shown.body);
}
