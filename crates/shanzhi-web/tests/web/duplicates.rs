//! Likely repeats on the pages: the desk row says 可能重复 with the original's
//! number and merges it in one click; the matter page says so with a link
//! and the same button; the report's answer names the original.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::desk::{csrf_of, get, report, sign_in_as, world};
use crate::grid_page::post_multipart;

#[tokio::test]
async fn a_repeat_is_shown_on_the_desk_and_the_matter_page_and_merged_in_one_click() {
    let app = world().await;
    let original = report(&app, "0110", "总府路2号门口井盖破损，晚上看不清").await;
    // A second caller, a few minutes later, at the same door, in other words.
    let resident = app.bearer("desk_resident").await;
    let body = json!({"category": "0110", "lng": 104.0721, "lat": 30.6521, "description": "总府路2号井盖破损很危险"});
    let (status, _, answer) =
        app.send(Method::POST, "/api/v1/matters", &[("authorization", &resident)], Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["possible_duplicates"], json!([original]), "the report's answer names the original");
    let repeat = answer["matter"]["number"].as_str().expect("number").to_owned();
    let other = report(&app, "0110", "小区里的健身器材坏了").await;

    let cookie = sign_in_as(&app, "desk_dispatcher").await;
    let desk = get(&app, "/desk", &cookie).await;
    assert_eq!(desk.status, StatusCode::OK, "{}", desk.body);
    let button = format!("formaction=\"/m/{repeat}/do/merge\" name=\"into\" value=\"{original}\"");
    assert!(desk.body.contains(&button), "the repeat's row merges into the original in one click");
    assert_eq!(desk.body.matches("可能重复").count(), 1, "only the repeat is marked, not {other} nor the original");
    assert!(desk.body.contains(&format!("可能重复 {original}")), "the original by number");

    let page = get(&app, &format!("/m/{repeat}"), &cookie).await;
    assert!(page.body.contains("id=\"duplicate\"") && page.body.contains(&format!("<a href=\"/m/{original}\">")));
    assert!(page.body.contains("data-command=\"merge-duplicate\""), "the button on the matter page too");
    let first = get(&app, &format!("/m/{original}"), &cookie).await;
    assert!(!first.body.contains("id=\"duplicate\""), "the original is no repeat");
    let link = |n: &str| format!("<a href=\"/m/{n}\">{n}</a>");
    assert!(
        first.body.contains("id=\"repeats\"") && first.body.contains("重复件（1）"),
        "the original lists its repeat"
    );
    assert!(first.body.contains(&link(&repeat)) && !first.body.contains(&link(&other)), "by number, with a link");
    let second = get(&app, &format!("/m/{repeat}"), &cookie).await;
    assert!(!second.body.contains("id=\"repeats\""), "a repeat has no repeats of its own");

    // The click: the desk's form, submitted by the row's button.
    let csrf = csrf_of(&desk.body);
    let done =
        post_multipart(&app, &format!("/m/{repeat}/do/merge"), &cookie, &[("csrf", &csrf), ("into", &original)], &[])
            .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let dispatcher = app.bearer("desk_dispatcher").await;
    let (_, _, merged) =
        app.send(Method::GET, &format!("/api/v1/matters/{repeat}"), &[("authorization", &dispatcher)], None).await;
    assert_eq!(merged["state"], "merged", "{merged}");
    let after = get(&app, "/desk", &cookie).await;
    assert!(!after.body.contains(&button), "merged: off the queue");
    let forged = post_multipart(&app, &format!("/m/{other}/do/merge"), &cookie, &[("into", &original)], &[]).await;
    assert_ne!(forged.status, StatusCode::SEE_OTHER, "no merge without the form's token");

    // Merged, and a matter never flagged merged by hand: both listed.
    let by_hand =
        post_multipart(&app, &format!("/m/{other}/do/merge"), &cookie, &[("csrf", &csrf), ("into", &original)], &[])
            .await;
    assert_eq!(by_hand.status, StatusCode::SEE_OTHER, "{}", by_hand.body);
    let first = get(&app, &format!("/m/{original}"), &cookie).await;
    assert!(first.body.contains("重复件（2）"), "{}", first.body);
    assert!(first.body.contains(&link(&repeat)) && first.body.contains(&link(&other)));
    let section = first.body.split("id=\"repeats\"").nth(1).and_then(|s| s.split("</section>").next());
    assert_eq!(section.map(|s| s.matches("已合并").count()), Some(2), "each with its state by name");
}
