//! The community's public face (issue 19): anyone reads its grids with the
//! grid workers' public contacts — the work phone they opted into, never
//! their private mobile — and the published articles about the community,
//! its town or its district, newest first; drafts and articles about other
//! places are not there. Setting a work phone is the administrator's, and a
//! refused or malformed one changes nothing.

use shanzhi_app::access::{Actor, AdminDesk};
use shanzhi_app::cases::CaseForm;
use shanzhi_domain::Role;
use shanzhi_domain::case::{ArticleKind, Step};
use shanzhi_testkit::{INSIDE, TestApp};

fn about(title: &str, place: &str) -> CaseForm {
    CaseForm {
        kind: ArticleKind::Case,
        title: title.to_owned(),
        summary: "摘要".to_owned(),
        body: "正文".to_owned(),
        tags: vec![],
        places: vec![place.to_owned()],
        links: vec![],
        source: "春熙路街道供稿".to_owned(),
        images: vec![],
    }
}

#[tokio::test]
async fn the_public_page_lists_grid_contacts_and_cases_from_here() {
    let t = TestApp::new()
        .with_staff(Role::GridWorker)
        .with_staff(Role::Dispatcher)
        .with_staff(Role::Supervisor)
        .with_staff(Role::CommunityWorker)
        .start()
        .await;
    let app = t.app();
    let public = app.scoped(Actor::anonymous());
    let actor = t.actor_for(Role::GridWorker).await;
    let worker = t.store().user_by_id(actor.user_id().expect("signed in")).await.expect("read").expect("the worker");
    let private = worker.phone.as_ref().map(|p| p.reveal().to_owned()).expect("a private mobile");

    let page = public.community_screen(INSIDE).await.expect("public");
    let with_worker: Vec<_> = page.grids.iter().filter(|g| !g.workers.is_empty()).collect();
    assert_eq!(with_worker.len(), 1, "the worker's one grid: {:?}", page.grids);
    assert_eq!(with_worker[0].workers[0].name, worker.display_name);
    assert_eq!(with_worker[0].workers[0].work_phone, None, "no work phone until one is given");
    assert!(!page.grids.iter().any(|g| g.name.is_empty()), "grids by name");

    // Only who manages people sets it; a malformed number changes nothing.
    let community = app.scoped(t.actor_for(Role::CommunityWorker).await);
    assert!(community.desk::<AdminDesk>().is_err(), "not the community worker's");
    let admin = t.operator().scoped("test");
    let desk = admin.desk::<AdminDesk>().expect("admin");
    let bad = desk.set_work_phone(worker.username.as_str(), Some("028-123")).await.expect_err("malformed");
    assert_eq!(bad.code(), "invalid_work_phone");
    let set = desk.set_work_phone(worker.username.as_str(), Some("028 8661 2345")).await.expect("set");
    assert_eq!(set.as_deref(), Some("028-86612345"));
    let page = public.community_screen(INSIDE).await.expect("public");
    let shown: Vec<_> = page.grids.iter().flat_map(|g| g.workers.iter()).collect();
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].work_phone.as_deref(), Some("028-86612345"));
    let text = serde_json::to_string(&page).expect("json");
    assert!(!text.contains(&private), "the private mobile is never on the public page");
    desk.set_work_phone(worker.username.as_str(), None).await.expect("cleared");
    let page = public.community_screen(INSIDE).await.expect("public");
    assert!(page.grids.iter().flat_map(|g| g.workers.iter()).all(|w| w.work_phone.is_none()));

    // Published articles about the community or its town, newest first.
    let editor = app.scoped(t.actor_for(Role::Dispatcher).await);
    let reviewer = app.scoped(t.actor_for(Role::Supervisor).await);
    for (title, place) in [("社区的事", INSIDE), ("街道的事", "510104022000"), ("别处的事", "510104023000")]
    {
        let c = editor.create_case("510104022000", &about(title, place)).await.expect("written");
        editor.case_step(&c.id, Step::Submit, 1, "").await.expect("submit");
        reviewer.case_step(&c.id, Step::Publish, 1, "").await.expect("publish");
    }
    editor.create_case("510104022000", &about("草稿", INSIDE)).await.expect("a draft");
    let page = public.community_screen(INSIDE).await.expect("public");
    let titles: Vec<&str> = page.cases.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(titles, ["街道的事", "社区的事"], "about it or its town, published, newest first");
}
