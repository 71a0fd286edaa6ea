//! 善治成都 end to end: an editor writes for their town, the city's
//! reviewer returns and publishes, every version is kept; the public sees
//! only what is published; editors outside the place and reviewers below
//! the city are refused, and a refused request changes nothing.

use shanzhi_app::AppError;
use shanzhi_app::access::Actor;
use shanzhi_app::cases::{CaseFilter, CaseForm};
use shanzhi_domain::Role;
use shanzhi_domain::case::{ArticleKind, ArticleState, Step};
use shanzhi_testkit::{INSIDE, TestApp};

fn form(title: &str, body: &str) -> CaseForm {
    CaseForm {
        kind: ArticleKind::Case,
        title: title.to_owned(),
        summary: "居民自己议定院落的事".to_owned(),
        body: body.to_owned(),
        tags: vec!["院落治理".to_owned()],
        places: vec![INSIDE.to_owned()],
        links: vec![],
        source: "春熙路街道供稿".to_owned(),
        images: vec![],
    }
}

fn search(q: &str) -> CaseFilter {
    CaseFilter { q: Some(q.to_owned()), ..Default::default() }
}

#[tokio::test]
async fn an_article_is_returned_revised_and_published_under_the_rules() {
    let t = TestApp::new().with_divisions().with_staff(Role::Dispatcher).with_staff(Role::Supervisor).start().await;
    t.add_account("town_boss", Role::Supervisor, Some("510104022")).await;
    t.add_account("other_town", Role::Dispatcher, Some("510104023")).await;
    let app = t.app();
    let editor = app.scoped(t.actor_for(Role::Dispatcher).await);
    let reviewer = app.scoped(t.actor_for(Role::Supervisor).await);
    let public = app.scoped(Actor::anonymous());
    let outsider = app.scoped(t.actor("other_town").await);
    let town_supervisor = app.scoped(t.actor("town_boss").await);

    let refused = outsider.create_case("510104022000", &form("院落自治", "第一稿")).await.expect_err("not theirs");
    assert!(matches!(refused, AppError::Forbidden(_)), "{refused:?}");
    let draft = editor.create_case("510104022000", &form("院落自治", "第一稿")).await.expect("draft");
    assert_eq!((draft.state, draft.version), (ArticleState::Draft, 1));
    assert!(public.case(&draft.id).await.is_err(), "a draft is not public");
    assert!(outsider.case(&draft.id).await.is_err(), "nor another town's");
    let early = reviewer.case_step(&draft.id, Step::Publish, 1, "").await.expect_err("not submitted");
    assert_eq!(early.code(), "case_state");

    let submitted = editor.case_step(&draft.id, Step::Submit, 1, "").await.expect("submit");
    let low = town_supervisor.case_step(&draft.id, Step::Publish, 1, "").await.expect_err("not the city");
    assert!(matches!(low, AppError::NotFound { .. }), "unseen below the city: {low:?}");
    let silent = reviewer.case_step(&draft.id, Step::Return, 1, " ").await.expect_err("a return says why");
    assert!(matches!(silent, AppError::BadRequest { .. }), "{silent:?}");
    assert_eq!(editor.case(&draft.id).await.expect("read").state, ArticleState::Submitted, "nothing changed");
    let returned = reviewer.case_step(&submitted.id, Step::Return, 1, "请补充居民议事的经过").await.expect("return");
    assert_eq!(returned.state, ArticleState::Returned);

    let stale = editor.edit_case(&draft.id, 0, &form("院落自治", "旧稿")).await.expect_err("stale version");
    assert_eq!(stale.code(), "case_changed");
    let revised = editor.edit_case(&draft.id, 1, &form("院落自治", "第二稿：议事会三次讨论")).await.expect("edit");
    assert_eq!(revised.version, 2);
    assert_eq!(
        revised.versions.iter().map(|v| v.body.as_str()).collect::<Vec<_>>(),
        ["第一稿", "第二稿：议事会三次讨论"]
    );
    assert!(revised.reviews.iter().any(|r| r.step == Step::Return && r.comment == "请补充居民议事的经过"));
    assert!(public.published_cases(&search("议事")).await.expect("search").is_empty(), "not yet");

    editor.case_step(&draft.id, Step::Submit, 2, "").await.expect("resubmit");
    let published = reviewer.case_step(&draft.id, Step::Publish, 2, "").await.expect("publish");
    assert_eq!(published.state, ArticleState::Published);
    let seen = public.case(&draft.id).await.expect("public");
    assert!(seen.versions.is_empty() && seen.reviews.is_empty(), "the review stays inside");
    assert!(!seen.may_edit && !seen.may_review);
    assert_eq!(seen.places[0].name, "总府路社区居委会", "places by name");
    let found = public.published_cases(&search("议事")).await.expect("search");
    assert_eq!(found.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), [draft.id.as_str()]);
    assert!(public.published_cases(&search("电梯")).await.expect("search").is_empty());
    let no_edit = editor.edit_case(&draft.id, 2, &form("院落自治", "改")).await.expect_err("published");
    assert_eq!(no_edit.code(), "case_state");
    reviewer.case_step(&draft.id, Step::Withdraw, 2, "").await.expect("withdraw");
    assert!(public.case(&draft.id).await.is_err(), "withdrawn is not public");
}

#[tokio::test]
async fn malformed_articles_are_refused_before_anything_is_written() {
    let t = TestApp::new().with_divisions().with_staff(Role::Dispatcher).start().await;
    let editor = t.app().scoped(t.actor_for(Role::Dispatcher).await);
    let mut bad = form("", "正文");
    assert!(matches!(editor.create_case("510104022000", &bad).await, Err(AppError::BadRequest { .. })));
    bad = form("标题", "正文");
    bad.places = vec!["999999999999".to_owned()];
    assert_eq!(editor.create_case("510104022000", &bad).await.expect_err("place").code(), "unknown_place");
    bad = form("标题", "正文");
    bad.links = vec!["proposal:nope".to_owned()];
    assert_eq!(editor.create_case("510104022000", &bad).await.expect_err("link").code(), "unknown_link");
    bad = form("标题", "正文");
    bad.tags = (0..9).map(|i| format!("标签{i}")).collect();
    assert_eq!(editor.create_case("510104022000", &bad).await.expect_err("tags").code(), "too_many");
    assert!(editor.create_case("abc", &form("标题", "正文")).await.is_err());
    assert!(editor.case_desk().await.expect("desk").is_empty(), "nothing was written");
    let long = CaseFilter { q: Some("字".repeat(51)), ..Default::default() };
    let public = t.app().scoped(Actor::anonymous());
    assert_eq!(public.published_cases(&long).await.expect_err("long").code(), "invalid_query");
}
