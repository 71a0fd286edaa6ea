//! The supervisors' daily digest: one notice per person and working day,
//! however many sweeps (or servers) write it; its figures are the scope's
//! as counted directly; none on a day off; dispatchers and community workers
//! only when they asked for it.

use std::sync::Arc;

use shanzhi_app::matters::IntakeRequest;
use shanzhi_app::notify::NotificationPreferences;
use shanzhi_app::timing::ManualClock;
use shanzhi_domain::notify::{NoticeGroup, NoticeKind, NotificationChannel};
use shanzhi_domain::{MatterState, Micros, Role, Warning};
use shanzhi_store::{MatterQuery, MatterScope};
use shanzhi_testkit::TestApp;

use crate::at;

const AT_0830: u16 = 8 * 60 + 30;

fn report(text: &str) -> IntakeRequest {
    IntakeRequest {
        category: "0110".to_owned(),
        lng: Some(104.072),
        lat: Some(30.652),
        description: text.to_owned(),
        ..IntakeRequest::default()
    }
}

/// What the digest of Monday 2026-11-23 must say, counted from the store
/// directly: reported and closed from Friday 00:00 to Monday 00:00, open
/// matters by colour and under 督办 now.
async fn direct_count(app: &TestApp) -> (usize, usize, usize, usize) {
    let everything = MatterScope { everything: true, ..MatterScope::default() };
    let all = app.store().matters(&MatterQuery { scope: everything, limit: 1000, ..MatterQuery::default() }).await;
    let all = all.expect("matters");
    let (from, to) = (Micros::from(at(11, 20, 0, 0)), Micros::from(at(11, 23, 0, 0)));
    let new = all.iter().filter(|m| m.reported_at >= from && m.reported_at < to).count();
    let mut closed = 0;
    for m in &all {
        let events = app.store().matter_events(&m.id).await.expect("events");
        closed += events.iter().filter(|e| e.to_state == MatterState::Closed && e.at >= from && e.at < to).count();
    }
    let open: Vec<_> = all.iter().filter(|m| m.status.state.is_open()).collect();
    let red = open.iter().filter(|m| m.warning() == Warning::Red).count();
    let supervised = open.iter().filter(|m| m.status.supervisions > 0).count();
    (new, closed, red, supervised)
}

#[tokio::test]
async fn one_digest_a_working_day_with_the_figures_of_the_scope() {
    // Thursday 2026-11-19: a report before the period.
    let clock = Arc::new(ManualClock::new(at(11, 19, 10, 0)));
    let app = crate::notify::world(clock.clone()).with_staff(Role::Dispatcher).start().await;
    let resident = app.scoped(app.actor_for(Role::Resident).await);
    resident.intake(report("春熙路路灯不亮")).await.expect("thursday");
    // Friday: three reports, one closed the same day.
    clock.set(at(11, 20, 10, 0));
    let mut friday = Vec::new();
    for text in ["总府路 2 号门口路面塌陷", "总府路 8 号井盖缺失", "红星路垃圾堆放"] {
        friday.push(resident.intake(report(text)).await.expect("friday").matter);
    }
    app.close_matter(&friday[0].id.to_string()).await;
    // The community worker asks for the digest (in the inbox); the
    // dispatcher does not.
    let worker = app.scoped(app.actor("t_community_worker").await);
    let mut p = NotificationPreferences::default();
    p.channels.insert(NoticeGroup::Digest, vec![NotificationChannel::Inbox]);
    worker.set_notification_preferences(p).await.expect("opt in");

    // Monday: the sweep turns what waited red and supervises it.
    clock.set(at(11, 23, 8, 0));
    app.sweep().await.expect("sweep");
    assert_eq!(app.write_digests(AT_0830).await.expect("early"), 0, "not before 08:30");
    clock.set(at(11, 23, 8, 31));
    assert_eq!(app.write_digests(AT_0830).await.expect("digest"), 2, "the supervisor and the worker who opted in");
    clock.set(at(11, 23, 9, 0));
    assert_eq!(app.write_digests(AT_0830).await.expect("again"), 0, "a second sweep writes none");

    let rows = app.store().notifications_of_event("digest:2026-11-23").await.expect("rows");
    let supervisor = app.actor("t_supervisor").await.user_id().expect("id").to_owned();
    let community = app.actor("t_community_worker").await.user_id().expect("id").to_owned();
    let dispatcher = app.actor("t_dispatcher").await.user_id().expect("id").to_owned();
    let mut recipients: Vec<&str> = rows.iter().map(|r| r.notice.recipient.as_str()).collect();
    recipients.sort_unstable();
    let mut expected = vec![supervisor.as_str(), community.as_str()];
    expected.sort_unstable();
    assert_eq!(recipients, expected, "one inbox notice each; not the dispatcher ({dispatcher})");
    assert!(rows.iter().all(|r| r.notice.kind == NoticeKind::Digest && !r.notice.urgent));

    let (new, closed, red, supervised) = direct_count(&app).await;
    assert_eq!((new, closed), (3, 1), "the test's own premise");
    assert!(red >= 2, "what waited since Friday is overdue: {red}");
    let body = &rows.iter().find(|r| r.notice.recipient == supervisor).expect("supervisor's").notice.body_zh;
    for part in [
        format!("新增 {new} 件"),
        format!("办结 {closed} 件"),
        format!("超时（红色）{red} 件"),
        format!("督办中 {supervised} 件"),
    ] {
        assert!(body.contains(&part), "{part} in {body}");
    }
    let oldest_open = &friday[1].number;
    assert!(body.contains(oldest_open.as_str()), "the most overdue named: {body}");
    let inbox = app.scoped(app.actor("t_supervisor").await).inbox(None, 10).await.expect("inbox");
    assert_eq!(inbox.notices.iter().filter(|n| n.kind == NoticeKind::Digest).count(), 1);

    // Tuesday: the next one; Saturday is no working day: none, however late.
    clock.set(at(11, 24, 8, 30));
    assert_eq!(app.write_digests(AT_0830).await.expect("tuesday"), 2);
    clock.set(at(11, 28, 10, 0));
    assert_eq!(app.write_digests(AT_0830).await.expect("saturday"), 0);
    assert!(app.store().notifications_of_event("digest:2026-11-28").await.expect("rows").is_empty());
}
