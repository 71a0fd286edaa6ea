//! The deliberation pages: the public community page shows the noticed
//! proposals and hides the others, a proposal's page offers each viewer
//! only what they may do and keeps a refused form's input, a resident of
//! another community is refused in both languages, the A4 notice renders.

use axum::http::{Method, StatusCode};
use serde_json::json;
use shanzhi_testkit::INSIDE;

use crate::deliberation_api::{PEOPLE, World, at, world};
use crate::desk::{csrf_of, get, post_form, sign_in_as};

/// The community with its own quick method (two supports, a one-day notice).
async fn community(w: &World) {
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
