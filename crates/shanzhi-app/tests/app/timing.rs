//! Time limits with a hand-moved clock, on the backend chosen by
//! SHANZHI_TEST_BACKEND: warnings arrive at the right moments, overdue
//! matters are supervised once, extensions and parks behave as the README
//! says, and the calendar is read and edited with the right permissions.

use std::sync::Arc;

use crate::at;
use jiff::Timestamp;
use jiff::civil::date;
use serde_json::json;
use shanzhi_app::AppError;
use shanzhi_app::access::{Actor, CityDesk};
use shanzhi_app::matters::MatterFilter;
use shanzhi_app::matters::{IntakeRequest, MatterView};
use shanzhi_app::timing::{CalendarDayInput, ManualClock};
use shanzhi_domain::calendar::DayKind;
use shanzhi_domain::{Role, Warning};
use shanzhi_testkit::{TestApp, one_grid_community};

async fn world(start: Timestamp) -> (TestApp, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(start));
    let t = TestApp::new()
        .with_clock(clock.clone())
        .with_features(one_grid_community("510104022006", 104.07, 30.65))
        .with_categories()
        .with_department("510104-chengguan", "锦江区城管局")
        .with_staff(Role::Resident)
        .with_staff(Role::Dispatcher)
        .with_staff(Role::DeptHandler)
        .with_staff(Role::Supervisor)
        .with_staff(Role::Admin)
        .with_account("district_admin", Role::Admin, Some("510104"));
    (t.start().await, clock)
}

fn report(urgent: bool) -> IntakeRequest {
    IntakeRequest {
        category: "0110".to_owned(),
        lng: Some(104.072),
        lat: Some(30.652),
        description: "总府路 2 号门口路面塌陷".to_owned(),
        urgent,
        ..IntakeRequest::default()
    }
}

fn deadline(m: &MatterView) -> Option<Timestamp> {
    m.time_limit.as_ref().and_then(|t| t.deadline_at.as_deref()).map(|d| d.parse().expect("deadline"))
}

async fn warned(app: &TestApp, colour: Warning) -> Vec<String> {
    let q = MatterFilter { warnings: vec![colour], limit: Some(50), ..MatterFilter::default() };
    let page = app.scoped(app.actor_for(Role::Supervisor).await).matters(&q, None).await.expect("list");
    page.items.into_iter().map(|m| m.id).collect()
}

#[tokio::test]
async fn a_matter_turns_yellow_orange_red_and_is_supervised_once() {
    // Monday 2026-11-23 09:00: 0110 道路破损 is accepted within 1 working hour.
    let (app, clock) = world(at(11, 23, 9, 0)).await;
    let resident = app.scoped(app.actor_for(Role::Resident).await);
    let m = resident.intake(report(false)).await.expect("report").matter;
    let t = m.time_limit.clone().expect("the accept stage is timed");
    assert_eq!((t.stage_name, t.limit_label.as_str()), ("受理", "1 个工作小时"));
    assert_eq!(deadline(&m), Some(at(11, 23, 10, 0)));

    clock.set(at(11, 23, 9, 29));
    assert_eq!(app.sweep().await.expect("sweep").examined, 0, "nothing is due before half the time is gone");
    clock.set(at(11, 23, 9, 30));
    let r = app.sweep().await.expect("sweep");
    assert_eq!((r.examined, r.yellow, r.supervised), (1, 1, 0));
    assert_eq!(warned(&app, Warning::Yellow).await, std::slice::from_ref(&m.id));
    clock.set(at(11, 23, 9, 48));
    assert_eq!(app.sweep().await.expect("sweep").orange, 1, "20% left");
    assert_eq!(warned(&app, Warning::Orange).await, std::slice::from_ref(&m.id));
    assert!(warned(&app, Warning::Yellow).await.is_empty());
    clock.set(at(11, 23, 9, 59));
    assert_eq!(app.sweep().await.expect("sweep").examined, 0);
    clock.set(at(11, 23, 10, 0));
    let r = app.sweep().await.expect("sweep");
    assert_eq!((r.red, r.supervised), (1, 1));

    // The supervision is on the timeline, counted against the unit that held it.
    let supervisor = app.scoped(app.actor_for(Role::Supervisor).await);
    let timeline = supervisor.timeline(&m.id).await.expect("timeline");
    let last = timeline.last().expect("events");
    assert_eq!((last.command.as_str(), last.actor.as_str()), ("supervise", "system:sweep"));
    assert_eq!(last.details["overdue"]["unit"], "level:community");
    assert_eq!(last.details["overdue"]["stage"], "accept");
    // The note people read names the desk; the record keeps the code.
    let note = last.details["note"].as_str().unwrap_or_default();
    assert!(note.starts_with("逾期自动督办") && note.ends_with("责任单位 社区"), "{note}");
    let counts = supervisor.warning_counts(&MatterFilter::default()).await.expect("counts");
    assert_eq!((counts.total.red, counts.units[0].unit.as_str()), (1, "level:community"));

    // Sweeping again, now or later, changes nothing.
    let events = timeline.len();
    for later in [at(11, 23, 10, 0), at(11, 23, 16, 0), at(12, 1, 9, 0)] {
        clock.set(later);
        let r = app.sweep().await.expect("again");
        assert_eq!((r.examined, r.supervised), (0, 0));
    }
    assert_eq!(supervisor.timeline(&m.id).await.expect("timeline").len(), events);
    assert_eq!(supervisor.matter(&m.id).await.expect("matter").supervisions, 1);
    assert_eq!(warned(&app, Warning::Red).await, std::slice::from_ref(&m.id));

    // Accepting starts the dispatch clock afresh: no colour.
    clock.set(at(11, 23, 10, 5));
    let m = app.command_as("t_dispatcher", &m.id, "accept", json!({})).await.expect("accept");
    let t = m.time_limit.clone().expect("dispatch clock");
    assert_eq!((t.stage_name, t.warning, t.supervised), ("派遣", Warning::None, false));
    assert_eq!(deadline(&m), Some(at(11, 23, 11, 5)));
    assert!(warned(&app, Warning::Red).await.is_empty());
    let v = shanzhi_app::matters::verify_matter_chains(&app).await.expect("verify");
    assert!(v.broken.is_empty(), "the automatic supervision replays: {:?}", v.broken);
}

#[tokio::test]
async fn extensions_move_the_deadline_and_a_park_stops_the_clock() {
    let (app, clock) = world(at(11, 23, 10, 0)).await;
    let resident = app.scoped(app.actor_for(Role::Resident).await);
    let m = resident.intake(report(false)).await.expect("report").matter;
    app.command_as("t_dispatcher", &m.id, "accept", json!({})).await.expect("accept");
    app.command_as(
        "t_dispatcher",
        &m.id,
        "dispatch",
        json!({"to": {"kind": "department", "code": "510104-chengguan"}}),
    )
    .await
    .expect("dispatch");
    clock.set(at(11, 23, 10, 20));
    let m = app.command_as("t_dept_handler", &m.id, "sign", json!({})).await.expect("sign");
    // Handle within 3 working days: Thursday 10:20.
    assert_eq!(deadline(&m), Some(at(11, 26, 10, 20)));

    // An approved extension of 8 hours adds 8 working hours: Friday 11:20.
    app.command_as("t_dept_handler", &m.id, "extend", json!({"hours": 8, "reason": "需采购配件"}))
        .await
        .expect("extend");
    let asked = app
        .command_as("t_dispatcher", &m.id, "deny_extension", json!({"reason": "先处置"}))
        .await
        .expect("deny_extension");
    assert_eq!(deadline(&asked), Some(at(11, 26, 10, 20)), "a refused extension moves nothing");
    app.command_as("t_dept_handler", &m.id, "extend", json!({"hours": 8, "reason": "需采购配件"}))
        .await
        .expect("extend");
    let m = app.command_as("t_dispatcher", &m.id, "approve_extension", json!({})).await.expect("approve_extension");
    assert_eq!(deadline(&m), Some(at(11, 27, 11, 20)));

    // Parked on Tuesday 09:00 with 23 h 20 min of working time left …
    clock.set(at(11, 24, 9, 0));
    app.command_as("t_dept_handler", &m.id, "park", json!({"reason": "需纳入改造计划"})).await.expect("park");
    let m = app.command_as("t_dispatcher", &m.id, "approve_park", json!({})).await.expect("approve_park");
    let t = m.time_limit.clone().expect("clock kept");
    assert!(t.paused && deadline(&m).is_none());
    assert_eq!(t.paused_left_seconds, Some(23 * 3600 + 20 * 60));
    // … the sweep leaves it alone however long it waits …
    clock.set(at(12, 7, 9, 0));
    assert_eq!(app.sweep().await.expect("sweep").examined, 0);
    // … and resuming on Monday 12-07 09:00 ends on Thursday 12-10 11:20.
    let m = app.command_as("t_dispatcher", &m.id, "resume", json!({})).await.expect("resume");
    assert_eq!(deadline(&m), Some(at(12, 10, 11, 20)));
    assert_eq!(m.time_limit.expect("clock").warning, Warning::None);

    // Rework restarts the handle clock with the full limit.
    clock.set(at(12, 8, 9, 0));
    app.command_as("t_dept_handler", &m.id, "respond", json!({"text": "已修复"})).await.expect("respond");
    clock.set(at(12, 8, 10, 0));
    let m = app
        .operator()
        .scoped("test")
        .command(&m.id, "verify", json!({"passed": false, "note": "未修到位"}))
        .await
        .expect("verify");
    assert_eq!(deadline(&m), Some(at(12, 11, 10, 0)), "3 working days from the failed verification");

    // Overdue at the department: the 督办 note names it; the record keeps its code.
    clock.set(at(12, 11, 10, 1));
    assert_eq!(app.sweep().await.expect("sweep").supervised, 1);
    let supervisor = app.scoped(app.actor_for(Role::Supervisor).await);
    let last = supervisor.timeline(&m.id).await.expect("timeline").pop().expect("events");
    assert_eq!(last.details["overdue"]["unit"], "department:510104-chengguan");
    let name = app.department_name("510104-chengguan").await.expect("read").expect("named");
    let note = last.details["note"].as_str().unwrap_or_default();
    assert!(note.ends_with(&format!("责任单位 {name}")) && !note.contains("department:"), "{note}");
}

#[tokio::test]
async fn urgent_matters_run_on_clock_hours() {
    // Friday 17:00: one working hour would end Monday 09:30; urgent ends 19:00.
    let (app, _clock) = world(at(11, 27, 17, 0)).await;
    let dispatcher = app.scoped(app.actor_for(Role::Dispatcher).await);
    let m = dispatcher.intake(report(true)).await.expect("report").matter;
    assert_eq!((m.severity.as_str(), deadline(&m)), ("urgent", Some(at(11, 27, 19, 0))));
    let normal = dispatcher.intake(IntakeRequest { lng: Some(104.079), ..report(false) }).await.expect("report");
    assert_eq!(deadline(&normal.matter), Some(at(11, 30, 9, 30)));
    let resident = app.scoped(app.actor_for(Role::Resident).await);
    assert!(matches!(resident.intake(report(true)).await, Err(AppError::Forbidden(_))));
}

#[tokio::test]
async fn the_calendar_is_read_by_all_and_edited_by_a_city_admin() {
    let (app, _clock) = world(at(11, 23, 17, 0)).await;
    let anyone = app.scoped(Actor::anonymous());
    let year = anyone.calendar(Some(2026)).expect("calendar");
    assert!(year.official_data);
    assert!(year.days.iter().any(|d| d.date == date(2026, 2, 14) && d.kind == DayKind::Work && d.name == "春节"));
    assert_eq!(year.missing_years, [2027], "next year's dates are not published yet");
    assert!(year.notice.is_some());
    assert!(anyone.calendar(Some(1900)).is_err());

    let admin = app.scoped(app.actor_for(Role::Admin).await);
    let admin = admin.desk::<CityDesk>().expect("a city-wide administrator");
    let day = CalendarDayInput { kind: DayKind::Off, name: "防汛停工".into() };
    for who in ["district_admin", "t_supervisor"] {
        let them = app.scoped(app.actor(who).await);
        let refused = async { them.desk::<CityDesk>()?.put_calendar_day("2026-11-24", day.clone()).await }.await;
        assert!(matches!(refused, Err(AppError::Forbidden(_))), "{who}");
    }
    assert!(matches!(admin.put_calendar_day("2026-13-01", day.clone()).await, Err(AppError::BadRequest { .. })));
    admin.put_calendar_day("2026-11-24", day).await.expect("adjust");
    // Monday 17:00 + 1 working hour: Tuesday is now off → Wednesday 09:30.
    let m = admin.intake(report(false)).await.expect("report").matter;
    assert_eq!(deadline(&m), Some(at(11, 25, 9, 30)));
    let local = anyone.calendar(Some(2026)).expect("calendar");
    assert!(local.days.iter().any(|d| d.date == date(2026, 11, 24) && d.source == "local"));
    admin.delete_calendar_day("2026-11-24").await.expect("remove");
    assert!(matches!(admin.delete_calendar_day("2026-11-24").await, Err(AppError::NotFound { .. })));

    // Working hours and thresholds.
    let s = admin.put_timing_settings(Some("08:30-12:00,14:00-18:00"), Some((60, 30))).await.expect("settings");
    assert_eq!(s.working_hours.to_string(), "08:30-12:00,14:00-18:00");
    assert!(admin.put_timing_settings(Some("18:00-08:00"), None).await.is_err());
    assert!(admin.put_timing_settings(None, Some((20, 60))).await.is_err());
    let m = admin.intake(IntakeRequest { lng: Some(104.079), ..report(false) }).await.expect("report").matter;
    assert_eq!(deadline(&m), Some(at(11, 23, 18, 0)), "17:00–18:00 is now working time");

    // Next year's official dates, once published, are a data import.
    let csv = "date,kind,holiday,holiday_zh\n2027-01-01,holiday,New Year's Day,元旦\n2027-02-06,holiday,Spring Festival,春节\n";
    assert_eq!(admin.import_official_days(csv).await.expect("import"), [2027]);
    assert!(anyone.calendar(Some(2027)).expect("calendar").official_data);
    assert!(anyone.calendar(None).expect("calendar").missing_years.is_empty());
    assert!(admin.import_official_days("date,kind\nnot-a-date,holiday\n").await.is_err());
}
