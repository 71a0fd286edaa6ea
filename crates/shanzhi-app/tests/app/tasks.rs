//! Tasks (任务): given within the giver's community or street, with sites
//! from the register or named; marked site by site by the grid workers it
//! is given to; completed only when every site is marked; warned by the
//! sweep like a matter, each colour told once in the same write.

use std::sync::Arc;

use jiff::civil::date;
use shanzhi_app::AppError;
use shanzhi_app::tasks::{GridTaskCompletion, GridTaskInput, GridTaskMark, GridTaskSiteInput};
use shanzhi_app::timing::ManualClock;
use shanzhi_domain::notify::NoticeKind;
use shanzhi_domain::register::RegisterKind;
use shanzhi_domain::task::{GridTaskDue, GridTaskProgress, GridTaskSiteState};
use shanzhi_domain::{DivisionCode, Role, Warning};
use shanzhi_testkit::TestApp;

use super::at;

const GRID_A: &str = "510104022006001";
const GRID_B: &str = "510104022006002";
const OUTSIDE: &str = "510603001001001";

async fn world(clock: Arc<ManualClock>) -> TestApp {
    let t = TestApp::new()
        .with_clock(clock)
        .with_grid()
        .with_departments()
        .with_accounts(&[
            ("g_a", Role::GridWorker, Some(GRID_A)),
            ("g_b", Role::GridWorker, Some(GRID_B)),
            ("g_out", Role::GridWorker, Some(OUTSIDE)),
            ("c_in", Role::CommunityWorker, Some("510104022006")),
            ("c_out", Role::CommunityWorker, Some("510603001001")),
            ("d_street", Role::Dispatcher, Some("510104022")),
            ("s_in", Role::Supervisor, Some("5101")),
            ("h_dept", Role::DeptHandler, Some("510104-chengguan")),
        ])
        .start()
        .await;
    let rows = [
        "商户,总府路2号1栋,住宅,510104022006002,,,,总府路便利店,,,,,",
        "设施,总府路1号1栋,住宅,510104022006001,,,,总府路公厕,,,,,",
        "居民,总府路1号1栋,住宅,510104022006001,1,101,是,张三,,男,1950,,户籍",
    ];
    let mut csv = shanzhi_app::register::generate::HEADER.to_owned();
    for r in rows {
        csv.push('\n');
        csv.push_str(r);
    }
    let d = t.app().scoped(t.actor("d_street").await);
    let street = DivisionCode::parse("510104022").expect("street");
    d.import_register(csv.as_bytes(), "register.csv", &street).await.expect("import");
    t
}

/// Monday 2 March 2026, 09:00.
fn monday() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(at(3, 2, 9, 0)))
}

fn fire_check() -> GridTaskInput {
    GridTaskInput {
        title: "全部商铺消防安全检查".into(),
        details: "检查灭火器是否在有效期内、疏散通道是否畅通".into(),
        division: None,
        due_on: date(2026, 3, 6),
        workers: vec!["g_b".into()],
        grids: vec![GRID_A.into()],
        register_kinds: vec![RegisterKind::Organisation, RegisterKind::Facility],
        sites: vec![GridTaskSiteInput {
            register_id: None,
            name: Some("总府路夜市摊位".into()),
            grid: Some(GRID_A.into()),
        }],
    }
}

fn mark(state: GridTaskSiteState, note: Option<&str>) -> GridTaskMark {
    GridTaskMark { state, note: note.map(str::to_owned), photo: None, matter: None }
}

async fn kinds(t: &TestApp, who: &str) -> Vec<NoticeKind> {
    let me = t.app().scoped(t.actor(who).await);
    me.inbox(None, 50).await.expect("inbox").notices.into_iter().rev().map(|n| n.kind).collect()
}

#[tokio::test]
async fn a_task_is_given_in_scope_marked_site_by_site_and_completed_when_all_are() {
    let t = world(monday()).await;
    let c = t.app().scoped(t.actor("c_in").await);
    let given = c.assign_task(&fire_check()).await.expect("assign");
    let id = given.task.id.clone();
    // The shop of grid B (g_b's grid), the toilet of grid A, the named stall.
    let names: Vec<(&str, Option<&str>)> = given.sites.iter().map(|s| (s.name.as_str(), s.grid.as_deref())).collect();
    assert_eq!(names, [("总府路便利店", Some(GRID_B)), ("总府路公厕", Some(GRID_A)), ("总府路夜市摊位", Some(GRID_A))]);
    assert_eq!(given.task.progress, GridTaskProgress { sites: 3, done: 0, problems: 0 });
    assert_eq!((given.task.warning, given.task.division.as_str()), (Warning::None, "510104022006"));
    assert!(!given.can_mark, "the giver follows, the grid workers mark");
    // Both grid workers are told; the giver is not.
    assert_eq!(kinds(&t, "g_a").await, [NoticeKind::TaskAssigned]);
    assert_eq!(kinds(&t, "g_b").await, [NoticeKind::TaskAssigned]);
    assert!(kinds(&t, "c_in").await.is_empty());

    // Who sees it: the giver, the street above, the workers; nobody else.
    for who in ["d_street", "g_a", "g_b"] {
        t.app().scoped(t.actor(who).await).task(&id).await.unwrap_or_else(|e| panic!("{who}: {e}"));
    }
    for who in ["c_out", "g_out", "s_in", "h_dept"] {
        let r = t.app().scoped(t.actor(who).await).task(&id).await;
        assert!(matches!(r, Err(AppError::NotFound { .. })), "{who}: {r:?}");
    }
    let g_a = t.app().scoped(t.actor("g_a").await);
    let g_b = t.app().scoped(t.actor("g_b").await);
    assert_eq!(g_a.my_tasks().await.expect("mine").len(), 1);
    assert!(t.app().scoped(t.actor("g_out").await).my_tasks().await.expect("none").is_empty());

    // Marks: a problem needs its note; the giver does not mark.
    let r = g_a.mark_task_site(&id, 2, &mark(GridTaskSiteState::Problem, None)).await;
    assert!(matches!(r, Err(AppError::BadRequest { .. })), "{r:?}");
    let r = c.mark_task_site(&id, 2, &mark(GridTaskSiteState::Done, None)).await;
    assert!(matches!(r, Err(AppError::Forbidden(_))), "{r:?}");
    let r = g_a.mark_task_site(&id, 9, &mark(GridTaskSiteState::Done, None)).await;
    assert!(matches!(r, Err(AppError::NotFound { .. })), "{r:?}");
    g_a.mark_task_site(&id, 2, &mark(GridTaskSiteState::Problem, Some("灭火器已过期"))).await.expect("problem");
    let after = g_b.mark_task_site(&id, 1, &mark(GridTaskSiteState::Done, None)).await.expect("done");
    assert_eq!(after.task.progress, GridTaskProgress { sites: 3, done: 1, problems: 1 });
    let a_grid = after.by_grid.iter().find(|g| g.grid.as_deref() == Some(GRID_A)).expect("grid A");
    assert_eq!(a_grid.progress, GridTaskProgress { sites: 2, done: 0, problems: 1 });
    assert_eq!(after.sites[1].note.as_deref(), Some("灭火器已过期"));
    assert_eq!(after.sites[1].state_label, "发现问题");

    // Not complete with a site left; complete once all are; then frozen.
    let r = g_b.complete_task(&id, &GridTaskCompletion::default()).await;
    assert!(matches!(r, Err(AppError::Invalid { .. })), "{r:?}");
    g_a.mark_task_site(&id, 3, &mark(GridTaskSiteState::Done, Some("已整改"))).await.expect("done");
    let done = g_b
        .complete_task(&id, &GridTaskCompletion { result: Some("3 处检查完毕，1 处灭火器过期已告知店主".into()) })
        .await
        .expect("complete");
    assert_eq!((done.task.on_time, done.task.percent), (Some(true), 100));
    assert_eq!(kinds(&t, "c_in").await, [NoticeKind::TaskCompleted]);
    let r = g_a.mark_task_site(&id, 3, &mark(GridTaskSiteState::Pending, None)).await;
    assert!(matches!(r, Err(AppError::Conflict { .. })), "{r:?}");
    let r = g_b.complete_task(&id, &GridTaskCompletion::default()).await;
    assert!(matches!(r, Err(AppError::Conflict { .. })), "{r:?}");
}

#[tokio::test]
async fn out_of_scope_and_malformed_tasks_are_refused_with_nothing_written() {
    let t = world(monday()).await;
    let c = t.app().scoped(t.actor("c_in").await);
    let refused = |r: Result<_, AppError>| match r {
        Err(AppError::BadRequest { code, .. }) => code,
        Err(AppError::Forbidden(_)) => "forbidden",
        other => panic!("{other:?}"),
    };
    let with = |f: &dyn Fn(&mut GridTaskInput)| {
        let mut i = fire_check();
        f(&mut i);
        i
    };
    assert_eq!(refused(c.assign_task(&with(&|i| i.grids = vec![OUTSIDE.into()])).await), "outside_task_division");
    assert_eq!(refused(c.assign_task(&with(&|i| i.workers = vec!["g_out".into()])).await), "not_a_grid_worker_here");
    assert_eq!(refused(c.assign_task(&with(&|i| i.due_on = date(2026, 3, 7))).await), "invalid_due_date");
    assert_eq!(refused(c.assign_task(&with(&|i| i.due_on = date(2026, 2, 27))).await), "invalid_due_date");
    assert_eq!(refused(c.assign_task(&with(&|i| i.title = " ".into())).await), "invalid_title");
    assert_eq!(
        refused(c.assign_task(&with(&|i| i.register_kinds = vec![RegisterKind::Resident])).await),
        "not_a_site_kind"
    );
    let many = with(&|i| {
        i.sites = (0..2001)
            .map(|n| GridTaskSiteInput { register_id: None, name: Some(format!("摊位 {n}")), grid: None })
            .collect()
    });
    assert_eq!(refused(c.assign_task(&many).await), "too_many_sites");
    let other = with(&|i| i.division = Some("510603001001".into()));
    assert_eq!(refused(c.assign_task(&other).await), "forbidden");
    let g = t.app().scoped(t.actor("g_a").await);
    assert_eq!(refused(g.assign_task(&fire_check()).await), "forbidden");
    let c_out = t.app().scoped(t.actor("c_out").await);
    assert_eq!(refused(c_out.assign_task(&fire_check()).await), "outside_task_division");
    assert!(c.tasks_given(None, false).await.expect("list").is_empty(), "nothing was written");
    assert!(kinds(&t, "g_a").await.is_empty(), "nobody was told");
    // The street gives tasks across its communities.
    let d = t.app().scoped(t.actor("d_street").await);
    let street_task = d.assign_task(&fire_check()).await.expect("street");
    assert_eq!(street_task.task.division, "510104022000");
    assert_eq!(c.tasks_given(None, false).await.expect("list").len(), 0, "the community does not follow the street's");
    assert_eq!(d.tasks_given(None, false).await.expect("list").len(), 1);
}

#[tokio::test]
async fn the_sweep_warns_an_open_task_once_per_colour_and_overdue_ones_come_first() {
    let clock = monday();
    let t = world(clock.clone()).await;
    let c = t.app().scoped(t.actor("c_in").await);
    let friday = c.assign_task(&fire_check()).await.expect("friday");
    let wednesday = GridTaskInput { due_on: date(2026, 3, 4), workers: vec![], ..fire_check() };
    let soon = c.assign_task(&wednesday).await.expect("wednesday").task.id;
    let plan = GridTaskDue::plan(&t.app().timing(), at(3, 2, 9, 0), date(2026, 3, 4)).expect("plan");
    let before = |x: jiff::Timestamp| x - jiff::Span::new().seconds(1);

    clock.set(before(plan.yellow_at));
    assert_eq!(t.app().sweep().await.expect("sweep").tasks.yellow, 0);
    clock.set(plan.yellow_at);
    let report = t.app().sweep().await.expect("sweep").tasks;
    assert_eq!((report.yellow, report.orange, report.red), (1, 0, 0));
    assert_eq!(t.app().sweep().await.expect("again").tasks.yellow, 0, "told once");
    // Past the deadline: red, straight from yellow; the giver hears too.
    // The Friday task, given at the same time, is past half its time by
    // then: yellow in the same sweep.
    let friday_plan = GridTaskDue::plan(&t.app().timing(), at(3, 2, 9, 0), date(2026, 3, 6)).expect("plan");
    assert!(friday_plan.yellow_at <= plan.deadline && plan.deadline < friday_plan.orange_at);
    clock.set(plan.deadline);
    let report = t.app().sweep().await.expect("sweep").tasks;
    assert_eq!((report.yellow, report.orange, report.red), (1, 0, 1));
    assert_eq!(t.app().sweep().await.expect("again").tasks.red, 0);
    let mut told = kinds(&t, "g_a").await;
    told.sort();
    let mut expected =
        [NoticeKind::TaskAssigned, NoticeKind::TaskAssigned, NoticeKind::Yellow, NoticeKind::Yellow, NoticeKind::Red];
    expected.sort();
    assert_eq!(told, expected);
    assert_eq!(kinds(&t, "c_in").await, [NoticeKind::Red]);
    let g_a = t.app().scoped(t.actor("g_a").await);
    let mine = g_a.my_tasks().await.expect("mine");
    assert_eq!(mine.iter().map(|x| x.id.as_str()).collect::<Vec<_>>(), [soon.as_str(), friday.task.id.as_str()]);
    assert_eq!((mine[0].warning, mine[0].warning_label.as_str()), (Warning::Red, "红色（已超时）"));
    assert_eq!(mine[1].warning, Warning::Yellow);
}
