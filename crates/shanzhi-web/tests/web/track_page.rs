//! `/track`: the resident sees when the stage in force is due, and which
//! stage that is.

use axum::http::{Method, StatusCode};

use crate::desk::{clocked, get, report};

#[tokio::test]
async fn the_track_page_says_when_the_current_stage_is_due() {
    let (app, clock) = clocked(&[]).await;
    let number = report(&app, "0110", "井盖破损").await;
    let (status, _, body) = app.send(Method::GET, &format!("/open311/v2/requests/{number}.json"), &[], None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let due: jiff::Timestamp = body[0]["expected_datetime"].as_str().expect("a deadline").parse().expect("time");
    let z = due.to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)));
    let when = format!("{}月{}日 {:02}:{:02}", z.month(), z.day(), z.hour(), z.minute());

    let page = get(&app, &format!("/track?number={number}"), "").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let said = page.body.split("id=\"track-expected\">").nth(1).expect("the expected time").split("</p>").next();
    let said = said.expect("end");
    assert!(said.starts_with(&format!("预计 {when} 前完成“受理”环节")), "{said}");
    assert!(said.contains("当前环节"), "honest: the current stage's deadline: {said}");
    let en = get(&app, &format!("/track?number={number}"), "lang=en").await;
    assert!(en.body.contains("the deadline of the current stage (Accept)"), "English too");

    clock.set("2026-11-25T02:00:00Z".parse().expect("time"));
    let late = get(&app, &format!("/track?number={number}"), "").await;
    assert!(late.body.contains(&format!("“受理”环节应于 {when} 前完成，已超期")), "{}", late.body);
}
