//! The Chengdu demo: divisions and a generated grid, loaded once.

use shanzhi_app::App;
use shanzhi_domain::CodeSystem;
use shanzhi_testkit::TestApp;

async fn total(app: &App) -> u64 {
    app.division_totals(CodeSystem::Nbs2023).await.expect("totals").values().sum()
}

#[tokio::test]
async fn the_demo_loads_once() {
    let app = TestApp::new().start().await;
    let key = shanzhi_app::register::CareKey::generate("demo").expect("key");
    let keys = shanzhi_app::register::CareKeys::new(key, vec![]);
    app.app().set_register_settings(shanzhi_app::register::RegisterSettings { keys, ..Default::default() });
    let started = std::time::Instant::now();
    let first = app.operator().load_demo().await.expect("first");
    eprintln!("demo loaded in {:?}", started.elapsed());
    let grids = first.grids.expect("grids");
    assert_eq!(grids.by_kind.get(&shanzhi_domain::GridKind::Master), Some(&3047), "every community has its grid");
    assert!(grids.by_kind.get(&shanzhi_domain::GridKind::General).is_some_and(|n| (13_000..15_000).contains(n)));
    let hit = app.locate(104.0806, 30.6571, shanzhi_geo::Crs::Wgs84).expect("locate").location.expect("春熙路");
    assert_eq!(hit.district.name.as_deref(), Some("锦江区"));
    assert!(hit.micro_grid.is_some(), "micro-grids in the central districts");
    let rural = app.locate(103.5, 30.6, shanzhi_geo::Crs::Wgs84).expect("locate").location.expect("崇州 area");
    assert!(rural.micro_grid.is_none() && rural.general_grid.is_some(), "general grids elsewhere");
    assert!(first.divisions.is_some());
    assert!(first.deliberation, "the demo community's deliberation");
    let public = app.scoped(shanzhi_app::access::Actor::anonymous());
    let page = public.community_screen(shanzhi_app::demo::DEMO_COMMUNITY).await.expect("community page");
    assert!(page.name.starts_with("总府路社区"), "by name: {}", page.name);
    assert_eq!(page.proposals.len(), 1, "a noticed proposal is public");
    assert_eq!(page.fund.available, "200,000.00", "{:?}", page.fund);
    assert_eq!(first.cases, 1, "the case library's first article");
    assert_eq!(page.cases.len(), 1, "the demo article is about the demo community");
    let contacts: Vec<_> = page.grids.iter().flat_map(|g| g.workers.iter()).collect();
    assert_eq!(contacts.len(), 1, "the demo grid worker");
    assert_eq!(contacts[0].work_phone.as_deref(), Some(shanzhi_app::demo::DEMO_GRID_WORK_PHONE));
    let filter = shanzhi_app::cases::CaseFilter { q: Some("双线融合".to_owned()), ..Default::default() };
    let found = public.published_cases(&filter).await.expect("cases");
    assert_eq!(found.len(), 1, "published and found by a Chinese word");
    assert_eq!(found[0].source, shanzhi_app::cases::DEMO_CASE_SOURCE, "its source named");
    assert_eq!(found[0].links.len(), 1, "linked to the demo proposal");
    let label = found[0].links[0].label.strip_prefix("议题：").expect("a proposal, by its title");
    assert_eq!(label, page.proposals[0].title, "named, not coded");
    assert!(first.volunteers, "the demo's volunteer team, shop and activity");
    let acts = public.community_activities(shanzhi_app::demo::DEMO_COMMUNITY, 10).await.expect("activities");
    assert_eq!(acts.iter().map(|a| a.organiser.as_str()).collect::<Vec<_>>(), ["总府路社区志愿服务队"]);
    assert_eq!(public.rewards(Some(shanzhi_app::demo::DEMO_COMMUNITY)).await.expect("catalogue").len(), 2);
    // The register: a building of 48 households in each general grid of
    // the demo community, placed inside it; two care persons for demo_grid.
    let register = first.register.as_ref().expect("the demo register");
    let grids = register.import.buildings;
    assert!(grids >= 2, "a building per general grid: {}", register.import);
    assert_eq!(register.import.households, grids * shanzhi_app::register::demo::DEMO_HOUSEHOLDS_PER_GRID);
    assert_eq!(register.care_marks, 2);
    let client = shanzhi_app::access::Client::default();
    let login = app.app().login("demo_grid", shanzhi_app::demo::DEMO_PASSWORD, &client).await.expect("sign in");
    let worker = app.app().scoped(app.app().authenticate(&login.token).await.expect("session"));
    let due = worker.care_due(None, None).await.expect("due");
    assert_eq!(due.iter().map(|d| d.overdue).collect::<Vec<_>>(), [true, false], "one overdue, one due today: {due:?}");
    let query = shanzhi_app::register::RegisterListQuery { q: Some("1栋".to_owned()), ..Default::default() };
    let mine = worker.register_list(&query).await.expect("register");
    let building = mine.iter().find(|e| e.kind.as_str() == "building").expect("the demo grid's building");
    assert_eq!(building.grid.as_deref(), Some(shanzhi_app::register::demo::DEMO_GRID), "placed in its grid");
    let second = app.operator().load_demo().await.expect("second");
    assert!(second.register.is_none(), "the register is imported once");
    assert!(second.divisions.is_none() && second.grids.is_none(), "a later start leaves the data alone");
    assert!(!second.deliberation);
    assert_eq!(second.cases, 0);
    assert!(!second.volunteers);
    assert_eq!(total(&app).await, 3330);
    let health = app.health().await.expect("health");
    assert_eq!(health.status, "ok");
    assert_eq!(health.schema_version, health.latest_schema_version);
}
