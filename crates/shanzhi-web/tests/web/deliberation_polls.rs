//! A secret residents' poll over HTTP and on the page: the meeting's JSON
//! and the proposal's page say who took part and how many voted, never who
//! voted what; a second ballot is refused.

use axum::http::{Method, StatusCode};
use serde_json::json;
use shanzhi_testkit::INSIDE;

use crate::deliberation_api::{PEOPLE, world};
use crate::desk::{csrf_of, get, post_form, sign_in_as};
use crate::support::assert_error;

#[tokio::test]
async fn a_secret_poll_never_shows_who_voted_what() {
    let w = world().await;
    let method = json!({"code": "secret_poll", "name": "全体居民投票", "support": 2, "steps": [
        {"code": "poll", "name": "居民投票", "body": "residents", "vote": true, "secret": true,
         "artefacts": ["vote_record"]},
        {"code": "act", "name": "落实", "body": "committee"}
    ]});
    w.ok(Some("admin"), Method::POST, &format!("/api/v1/communities/{INSIDE}/methods"), Some(method)).await;
    for (name, body) in PEOPLE {
        let member = json!({"body": body, "username": name, "from": "2025-01-01"});
        w.ok(Some("admin"), Method::POST, &format!("/api/v1/communities/{INSIDE}/members"), Some(member)).await;
    }
    let new = json!({"community": INSIDE, "title": "停车收费调整", "body": "全体居民投票", "origin": "resident",
                     "method": "secret_poll"});
    let p = w.ok(Some("resident_a"), Method::POST, "/api/v1/proposals", Some(new)).await;
    let id = p["id"].as_str().expect("id").to_owned();
    for r in ["resident_a", "resident_b"] {
        w.ok(Some(r), Method::POST, &format!("/api/v1/proposals/{id}/supports"), None).await;
    }
    let poll = json!({"step": "poll", "agenda": "停车收费"});
    let m = w.ok(Some("committee_a"), Method::POST, &format!("/api/v1/proposals/{id}/meetings"), Some(poll)).await;
    assert_eq!(m["secret"], json!(true), "{m}");
    let mid = m["id"].as_str().expect("meeting").to_owned();

    // One ballot over the API, refused the second time; one on the page.
    let votes = format!("/api/v1/meetings/{mid}/votes");
    w.ok(Some("resident_a"), Method::POST, &votes, Some(json!({"choice": "against"}))).await;
    let (status, body) = w.call(Some("resident_a"), Method::POST, &votes, Some(json!({"choice": "for"}))).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_error(&body, "already_voted");
    let app = &w.api;
    let here = format!("/c/{INSIDE}/p/{id}");
    let resident = sign_in_as(app, "resident_b").await;
    let page = get(app, &here, &resident).await.body;
    assert!(page.contains("/do/vote"), "a resident who has not voted gets the form");
    let csrf = csrf_of(&page);
    let done = post_form(
        app,
        &format!("{here}/do/vote"),
        &resident,
        &[("csrf", csrf.as_str()), ("meeting", mid.as_str()), ("choice", "for")],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);

    // The JSON: who took part and how many, no choices.
    let seen = w.ok(Some("resident_a"), Method::GET, &format!("/api/v1/meetings/{mid}"), None).await;
    assert_eq!(seen["votes"], json!([]), "{seen}");
    let voters: Vec<String> =
        seen["voters"].as_array().expect("voters").iter().filter_map(|v| v.as_str().map(str::to_owned)).collect();
    assert_eq!(voters.len(), 2, "{seen}");
    for word in ["choice", "against", "反对"] {
        assert!(!seen.to_string().contains(word), "{word} in {seen}");
    }

    // The page: the names of who took part and the count, no one's choice.
    let committee = sign_in_as(app, "committee_a").await;
    let page = get(app, &here, &committee).await.body;
    assert!(page.contains("无记名投票") && page.contains("已投 2"), "{page}");
    for name in &voters {
        assert!(page.contains(name.as_str()), "{name} took part");
    }
    assert!(!page.contains("反对"), "no choice on the page while the poll runs");
    let page = get(app, &here, &resident).await.body;
    assert!(!page.contains("/do/vote"), "voted: no second form");

    // Closed: the counts, still nobody's choice.
    let closed = w.ok(Some("committee_a"), Method::POST, &format!("/api/v1/meetings/{mid}/close"), None).await;
    assert_eq!((closed["tally"]["for_"].as_u64(), closed["tally"]["against"].as_u64()), (Some(1), Some(1)));
    assert_eq!(closed["votes"], json!([]));
    let page = get(app, &here, &committee).await.body;
    assert!(page.contains("反对 1") && page.contains("未通过"), "the counts on the page");
}
