//! The grid-work figures on a hand-worked fixture: March 2026 in 总府路社区
//! (grids 001 = A and 002 = B), seen on 10 March at noon.
//!
//! Tasks (given Monday 2 March 09:00):
//!   T1 grid A, due Wed 4th, completed Tue 3rd        → on time
//!   T2 worker g_b (grid B), due Thu 5th, done Fri 6th → late
//!   T3 grids A and B, due Fri 6th, never completed    → not on time
//!   T4 grid A, due Tue 31st                           → not yet due: not counted
//! task_on_time_rate: A 1/2 (T1, T3), B 0/2 (T2, T3), community 1/3,
//!   g_a 1/2 (grid A), g_b 0/2 (named on T2, grid B on T3).
//!
//! Check-ins: g_a in A on the 3rd, g_b in A on the 4th, g_b in B on 27 Feb.
//! patrol_coverage: A 1/1, B 0/1, community 1/2, g_a 1/1 (own check-in in
//!   own grid), g_b 0/1 (checked in only in A, not in B, within March).
//!
//! Reports: 27 Feb g_a in A (grid worker: outside the period); 3rd g_a in A
//!   (grid worker); 4th c_in in A; 5th g_b in B (grid worker); 5th c_in in B
//!   twice. proactive_discovery: A 1/2, B 1/3, community 2/5, g_a 1/2, g_b 1/3.

use std::sync::Arc;

use jiff::civil::date;
use shanzhi_app::figures::FigureQuery;
use shanzhi_app::matters::IntakeRequest;
use shanzhi_app::tasks::{GridTaskCompletion, GridTaskInput, GridTaskMark, GridTaskSiteInput, GridWorkAnswer};
use shanzhi_app::timing::ManualClock;
use shanzhi_domain::indicators::{Period, UnitKind};
use shanzhi_domain::task::GridTaskSiteState;
use shanzhi_domain::{GridCode, Micros, Role};
use shanzhi_store::{PatrolPoint, PatrolRecord};
use shanzhi_testkit::TestApp;

use super::at;

const A: &str = "510104022006001";
const B: &str = "510104022006002";

fn task(due: (i8, i8), grids: &[&str], workers: &[&str]) -> GridTaskInput {
    GridTaskInput {
        title: format!("检查 {}-{}", due.0, due.1),
        details: String::new(),
        division: None,
        due_on: date(2026, due.0, due.1),
        workers: workers.iter().map(|w| (*w).to_owned()).collect(),
        grids: grids.iter().map(|g| (*g).to_owned()).collect(),
        register_kinds: Vec::new(),
        sites: vec![GridTaskSiteInput { register_id: None, name: Some("点位".into()), grid: None }],
    }
}

fn report(grid: &str, channel: Option<&str>) -> IntakeRequest {
    IntakeRequest {
        category: "0110".to_owned(),
        grid: Some(grid.to_owned()),
        channel: channel.map(str::to_owned),
        description: "路面塌陷".to_owned(),
        ..IntakeRequest::default()
    }
}

async fn check_in(t: &TestApp, who: &str, grid: &str, when: jiff::Timestamp) {
    let user = t.actor(who).await.user_id().expect("user").to_owned();
    let id = uuid::Uuid::now_v7().to_string();
    let g = GridCode::parse(grid).expect("grid");
    let patrol = PatrolRecord {
        id: id.clone(),
        user_id: user,
        grid: g.clone(),
        started_at: Micros::from(when),
        ended_at: None,
        points: vec![],
    };
    t.store().start_patrol(&patrol).await.expect("patrol");
    let point = PatrolPoint {
        seq: 1,
        at: Micros::from(when),
        lng: 104.072,
        lat: 30.652,
        grid: Some(g),
        households_visited: 0,
        note: None,
    };
    t.store().add_patrol_point(&id, &point).await.expect("check-in");
}

fn figure(answer: &GridWorkAnswer, unit: &str, key: &str) -> (f64, f64) {
    let u = answer.units.iter().find(|u| u.code == unit).unwrap_or_else(|| panic!("{unit}: {answer:?}"));
    let f = &u.figures[key];
    (f.numerator, f.denominator)
}

#[tokio::test]
async fn the_grid_work_figures_of_a_hand_worked_month() {
    let clock = Arc::new(ManualClock::new(at(2, 27, 10, 0)));
    let t = TestApp::new()
        .with_clock(clock.clone())
        .with_grid()
        .with_categories()
        .with_accounts(&[
            ("g_a", Role::GridWorker, Some(A)),
            ("g_b", Role::GridWorker, Some(B)),
            ("c_in", Role::CommunityWorker, Some("510104022006")),
        ])
        .start()
        .await;
    let g_a = t.app().scoped(t.actor("g_a").await);
    let g_b = t.app().scoped(t.actor("g_b").await);
    let c = t.app().scoped(t.actor("c_in").await);
    g_a.intake(report(A, Some("grid_worker"))).await.expect("27 Feb");
    check_in(&t, "g_b", B, at(2, 27, 11, 0)).await;

    clock.set(at(3, 2, 9, 0));
    let t1 = c.assign_task(&task((3, 4), &[A], &[])).await.expect("T1").task.id;
    let t2 = c.assign_task(&task((3, 5), &[], &["g_b"])).await.expect("T2").task.id;
    c.assign_task(&task((3, 6), &[A, B], &[])).await.expect("T3");
    c.assign_task(&task((3, 31), &[A], &[])).await.expect("T4");

    clock.set(at(3, 3, 10, 0));
    let done = GridTaskMark { state: GridTaskSiteState::Done, note: None, photo: None, matter: None };
    g_a.mark_task_site(&t1, 1, &done).await.expect("mark T1");
    g_a.complete_task(&t1, &GridTaskCompletion::default()).await.expect("T1 on time");
    g_a.intake(report(A, Some("grid_worker"))).await.expect("3rd");
    check_in(&t, "g_a", A, at(3, 3, 10, 30)).await;
    clock.set(at(3, 4, 10, 0));
    c.intake(report(A, None)).await.expect("4th");
    check_in(&t, "g_b", A, at(3, 4, 10, 30)).await;
    clock.set(at(3, 5, 10, 0));
    g_b.intake(report(B, Some("grid_worker"))).await.expect("5th");
    c.intake(report(B, None)).await.expect("5th");
    c.intake(report(B, None)).await.expect("5th again");
    clock.set(at(3, 6, 10, 0));
    g_b.mark_task_site(&t2, 1, &done).await.expect("mark T2");
    g_b.complete_task(&t2, &GridTaskCompletion::default()).await.expect("T2 late");

    clock.set(at(3, 10, 12, 0));
    let march = Period::parse("2026-03").expect("period");
    let q = |by| FigureQuery { period: march, by, within: None, line: None };
    let by_grid = c.grid_work_figures(&q(UnitKind::Grid)).await.expect("by grid");
    let community = c.grid_work_figures(&q(UnitKind::Community)).await.expect("by community");
    let workers = c.grid_work_figures(&q(UnitKind::Worker)).await.expect("by worker");
    let k = ("task_on_time_rate", "patrol_coverage", "proactive_discovery");
    for (answer, unit, expected) in [
        (&by_grid, A, [(1.0, 2.0), (1.0, 1.0), (1.0, 2.0)]),
        (&by_grid, B, [(0.0, 2.0), (0.0, 1.0), (1.0, 3.0)]),
        (&community, "510104022006", [(1.0, 3.0), (1.0, 2.0), (2.0, 5.0)]),
        (&workers, "g_a", [(1.0, 2.0), (1.0, 1.0), (1.0, 2.0)]),
        (&workers, "g_b", [(0.0, 2.0), (0.0, 1.0), (1.0, 3.0)]),
    ] {
        let got = [figure(answer, unit, k.0), figure(answer, unit, k.1), figure(answer, unit, k.2)];
        assert_eq!(got, expected, "{unit}");
    }
    assert_eq!(by_grid.units.len(), 2, "the general grids of the community");
    let names: Vec<&str> = workers.units.iter().map(|u| u.name.as_str()).collect();
    assert!(!names.is_empty() && names.iter().all(|n| !n.is_empty()));

    // A grid worker reads no figures of the community; a district is too wide.
    assert!(g_a.grid_work_figures(&q(UnitKind::Grid)).await.is_err());
    let wide = FigureQuery { within: Some("510104".parse().expect("district")), ..q(UnitKind::Grid) };
    assert!(c.grid_work_figures(&wide).await.is_err());
    assert!(c.grid_work_figures(&q(UnitKind::Department)).await.is_err());
}
