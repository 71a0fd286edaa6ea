//! Notifications end to end on the backend chosen by SHANZHI_TEST_BACKEND:
//! who hears of each step (by name, never by code), the sweep's warnings,
//! quiet hours, retries with one success, and a signed webhook received by a
//! real local HTTP server.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use hmac::{Hmac, KeyInit, Mac};
use jiff::Timestamp;
use proptest::prelude::*;
use serde_json::json;
use sha2::Sha256;
use shanzhi_app::matters::IntakeRequest;
use shanzhi_app::notify::{
    Delivery, NoticeChannel, NotificationPreferences, Notifier, NotifierConfig, WebhookChannel, WebhookConfig,
};
use shanzhi_app::timing::{Clock, ManualClock};
use shanzhi_domain::calendar::china;
use shanzhi_domain::notify::{NoticeGroup, NoticeKind, NotificationChannel, QuietHours, first_attempt};
use shanzhi_domain::{Micros, Role};
use shanzhi_store::DeliveryState;
use shanzhi_testkit::{HttpSink, TestApp, TestAppBuilder, one_grid_community};

use crate::at;

pub(crate) fn world(clock: Arc<ManualClock>) -> TestAppBuilder {
    TestApp::new()
        .with_clock(clock)
        .with_features(one_grid_community("510104022006", 104.07, 30.65))
        .with_categories()
        .with_department("510104-chengguan", "锦江区城管局")
        .with_staff(Role::Resident)
        .with_staff(Role::CommunityWorker)
        .with_staff(Role::GridWorker)
        .with_staff(Role::DeptHandler)
        .with_staff(Role::Supervisor)
}

fn report() -> IntakeRequest {
    IntakeRequest {
        category: "0110".to_owned(),
        lng: Some(104.072),
        lat: Some(30.652),
        description: "总府路 2 号门口路面塌陷".to_owned(),
        ..IntakeRequest::default()
    }
}

/// The titles in `username`'s inbox, oldest first.
async fn titles(app: &TestApp, username: &str) -> Vec<String> {
    let me = app.scoped(app.actor(username).await);
    let page = me.inbox(None, 100).await.expect("inbox");
    page.notices.into_iter().rev().map(|n| n.title).collect()
}

async fn choose(app: &TestApp, username: &str, group: NoticeGroup, channel: NotificationChannel) {
    let me = app.scoped(app.actor(username).await);
    let mut p = NotificationPreferences::default();
    p.channels.insert(group, vec![channel]);
    me.set_notification_preferences(p).await.expect("preferences");
}

#[tokio::test]
async fn the_reporter_and_the_holders_hear_of_each_step_by_name() {
    let clock = Arc::new(ManualClock::new(at(11, 23, 9, 0)));
    let app = world(clock.clone()).start().await;
    let resident = app.scoped(app.actor_for(Role::Resident).await);
    let m = resident.intake(report()).await.expect("report").matter;
    let n = m.number.clone();

    app.command_as("t_community_worker", &m.id, "accept", json!({})).await.expect("accept");
    app.command_as(
        "t_community_worker",
        &m.id,
        "dispatch",
        json!({"to": {"kind": "department", "code": "510104-chengguan"}}),
    )
    .await
    .expect("dispatch");
    app.command_as("t_dept_handler", &m.id, "sign", json!({})).await.expect("sign");
    app.command_as("t_dept_handler", &m.id, "respond", json!({"text": "已回填修复"})).await.expect("respond");
    app.command_as("t_grid_worker", &m.id, "verify", json!({"passed": true, "note": "合格"})).await.expect("verify");

    assert_eq!(
        titles(&app, "t_resident").await,
        [
            format!("您反映的问题已收到，编号 {n}"),
            format!("您反映的问题（{n}）已受理"),
            format!("您反映的问题（{n}）已派给锦江区城管局办理"),
            format!("您反映的问题（{n}）已处置：已回填修复"),
            format!("您反映的问题（{n}）已办结，请对办理结果进行评价"),
        ]
    );
    let dept = titles(&app, "t_dept_handler").await;
    assert_eq!(dept.len(), 1, "{dept:?}");
    assert!(dept[0].starts_with(&format!("新待办：{n}")), "{dept:?}");
    let grid = titles(&app, "t_grid_worker").await;
    assert_eq!(grid.len(), 1, "{grid:?}");
    assert!(grid[0].starts_with(&format!("待核查：{n}")), "{grid:?}");
    // The community's desk heard of the new report, then nothing of its own commands.
    let desk = titles(&app, "t_community_worker").await;
    assert_eq!(desk, [format!("新上报：{n} 总府路 2 号门口路面塌陷")], "nobody hears of their own commands");
    assert!(titles(&app, "t_supervisor").await.is_empty());

    // Names, never codes; the closing notice leads to the page to rate on.
    let page = resident.inbox(None, 100).await.expect("inbox");
    for notice in &page.notices {
        for text in [&notice.title, &notice.body, &notice.title_en, &notice.body_en] {
            assert!(!text.contains("510104-chengguan") && !text.contains("department"), "{text}");
        }
    }
    let closed = &page.notices[0];
    assert_eq!(
        (closed.kind, closed.link.as_deref()),
        (NoticeKind::Closed, Some(format!("/m/{n}#rate").as_str())),
        "straight to the rating form"
    );
    assert_eq!(page.unread, 5);
    resident.mark_notice_read(&closed.id).await.expect("read");
    assert_eq!(resident.unread_notices().await.expect("count"), 4);
    let dept_handler = app.scoped(app.actor("t_dept_handler").await);
    assert!(dept_handler.mark_notice_read(&closed.id).await.is_err(), "not theirs");
}

#[tokio::test]
async fn the_sweep_warns_the_desk_and_a_red_light_ignores_quiet_hours() {
    // Monday 09:00: 道路破损 is to be accepted within 1 working hour.
    let clock = Arc::new(ManualClock::new(at(11, 23, 9, 0)));
    let app = world(clock.clone()).start().await;
    // The community worker's quiet hours cover the whole working day here,
    // so every warning but the red one waits for them to end.
    let worker = app.scoped(app.actor("t_community_worker").await);
    let mut p = NotificationPreferences::default();
    p.channels.insert(NoticeGroup::Warnings, vec![NotificationChannel::Sms]);
    p.quiet_start = Some("08:00".to_owned());
    p.quiet_end = Some("18:00".to_owned());
    worker.set_notification_preferences(p).await.expect("preferences");
    let resident = app.scoped(app.actor_for(Role::Resident).await);
    let m = resident.intake(report()).await.expect("report").matter;

    for (h, min) in [(9, 30), (9, 48), (10, 0)] {
        clock.set(at(11, 23, h, min));
        app.sweep().await.expect("sweep");
    }
    let inbox = worker.inbox(None, 100).await.expect("inbox");
    let kinds: Vec<NoticeKind> = inbox.notices.iter().rev().map(|n| n.kind).collect();
    assert_eq!(
        kinds,
        [NoticeKind::NewOnDesk, NoticeKind::Yellow, NoticeKind::Orange, NoticeKind::Red, NoticeKind::Supervised]
    );
    assert!(inbox.notices.iter().all(|n| n.title.contains(&m.number)));
    // Sweeping again tells nobody anything new.
    clock.set(at(11, 23, 10, 1));
    app.sweep().await.expect("again");
    assert_eq!(worker.inbox(None, 100).await.expect("inbox").notices.len(), 5);

    // On SMS: the yellow and orange wait till 18:00, the red and 督办 went at once.
    let config = NotifierConfig::new("test");
    let report = app.deliver_due(&config).await.expect("deliver");
    assert_eq!((report.leased, report.sent), (2, 2), "red and supervised only");
    clock.set(at(11, 23, 17, 59));
    assert_eq!(app.deliver_due(&config).await.expect("deliver").leased, 0);
    clock.set(at(11, 23, 18, 0));
    assert_eq!(app.deliver_due(&config).await.expect("deliver").sent, 2, "after the quiet hours");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    /// Whenever it is written, a non-urgent external notice goes out at the
    /// first instant outside the quiet hours (never inside them, never
    /// later than needed); an urgent one and the inbox go at once.
    #[test]
    fn quiet_hours_defer_only_what_may_wait(secs in 0i64..(366 * 86_400), start in 0u16..1440, len in 1u16..1439) {
        let q = QuietHours::new(start, (start + len) % 1440).expect("hours");
        let now = Micros::from(Timestamp::from_second(1_795_000_000 + secs).expect("time"));
        let quiet_at = |t: Micros| {
            let z = t.timestamp().to_zoned_datetime(china());
            let minute = (i32::from(z.hour()) * 60 + i32::from(z.minute())) as u16;
            let rel = (minute + 1440 - start) % 1440;
            rel < len
        };
        let due = first_attempt(NoticeKind::Dispatched, NotificationChannel::Email, Some(q), now);
        prop_assert!(due >= now);
        prop_assert!(!quiet_at(due), "due inside quiet hours");
        prop_assert!(due.seconds_since(now) <= i64::from(len) * 60);
        if due > now {
            prop_assert!(quiet_at(now));
            // A minute before it was still quiet.
            prop_assert!(quiet_at(due.plus_seconds(-60)) || due.plus_seconds(-60) < now);
        }
        prop_assert_eq!(first_attempt(NoticeKind::Red, NotificationChannel::Sms, Some(q), now), now);
        prop_assert_eq!(first_attempt(NoticeKind::Dispatched, NotificationChannel::Inbox, Some(q), now), now);
    }
}

/// A gateway that fails its first `failures` calls, then accepts; it keeps
/// the idempotency keys it accepted.
#[derive(Debug, Default)]
struct Flaky {
    failures: usize,
    calls: AtomicUsize,
    accepted: Mutex<Vec<String>>,
}

#[async_trait]
impl NoticeChannel for Flaky {
    async fn deliver(&self, d: &Delivery<'_>) -> Result<(), String> {
        if self.calls.fetch_add(1, Ordering::SeqCst) < self.failures {
            return Err("502 bad gateway".to_owned());
        }
        self.accepted.lock().expect("lock").push(d.idempotency_key.to_owned());
        Ok(())
    }
}

#[tokio::test]
async fn a_gateway_that_fails_three_times_then_succeeds_delivers_once() {
    let clock = Arc::new(ManualClock::new(at(11, 23, 9, 0)));
    let flaky = Arc::new(Flaky { failures: 3, ..Flaky::default() });
    let notifier = Notifier::default().with(NotificationChannel::Webhook, flaky.clone());
    let app = world(clock.clone()).with_notifier(notifier).start().await;
    let resident = app.scoped(app.actor_for(Role::Resident).await);
    let m = resident.intake(report()).await.expect("report").matter;
    // Chosen after the report: the receipt stays in the inbox, the acceptance goes out.
    choose(&app, "t_resident", NoticeGroup::MyReports, NotificationChannel::Webhook).await;
    app.command_as("t_community_worker", &m.id, "accept", json!({})).await.expect("accept");

    let config = NotifierConfig::new("worker-a");
    let start = clock.now();
    let mut attempts_at = Vec::new();
    for _ in 0..60 {
        let r = app.deliver_due(&config).await.expect("deliver");
        if r.leased > 0 {
            attempts_at.push(clock.now().duration_since(start).as_secs());
        }
        if r.sent == 1 {
            break;
        }
        clock.set(clock.now().checked_add(jiff::SignedDuration::from_secs(10)).expect("time"));
    }
    assert_eq!(attempts_at, [0, 30, 90, 210], "retries after 30 s, 60 s and 120 s");
    let accepted = flaky.accepted.lock().expect("lock").clone();
    assert_eq!(accepted.len(), 1, "one successful delivery");
    assert_eq!(flaky.calls.load(Ordering::SeqCst), 4, "three failures and the success");
    let row = app.store().notification(&accepted[0]).await.expect("read").expect("row");
    assert_eq!((row.state, row.attempts, row.last_error), (DeliveryState::Sent, 4, None));
    for _ in 0..3 {
        clock.set(clock.now().checked_add(jiff::SignedDuration::from_secs(7200)).expect("time"));
        assert_eq!(app.deliver_due(&config).await.expect("deliver").leased, 0, "sent is sent");
    }
}

/// The receiver's check: HMAC-SHA256 over "<t>.<body>" with the shared
/// secret, and a time within five minutes.
pub(crate) fn signature_holds(header: &str, body: &[u8], secret: &[u8]) -> bool {
    let Some((t, v1)) = header.split_once(',') else { return false };
    let (Some(t), Some(v1)) = (t.strip_prefix("t="), v1.strip_prefix("v1=")) else { return false };
    let Ok(t) = t.parse::<i64>() else { return false };
    if (Timestamp::now().as_second() - t).abs() > 300 {
        return false;
    }
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret).expect("key");
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    hex == v1
}

#[tokio::test]
async fn a_webhook_receiver_checks_the_signature() {
    let sink = HttpSink::start().await;
    let secret = "s3cret-之钥";
    let url = sink.url.clone();
    let hook = WebhookChannel::new(WebhookConfig { url, secret: secret.to_owned(), timeout: Duration::from_secs(5) })
        .expect("client");
    let notifier = Notifier::default().with(NotificationChannel::Webhook, Arc::new(hook));
    let clock = Arc::new(ManualClock::new(at(11, 23, 9, 0)));
    let app = world(clock.clone()).with_notifier(notifier).start().await;
    let resident = app.scoped(app.actor_for(Role::Resident).await);
    let m = resident.intake(report()).await.expect("report").matter;
    // Chosen after the report: the receipt stays in the inbox, the acceptance goes out.
    choose(&app, "t_resident", NoticeGroup::MyReports, NotificationChannel::Webhook).await;
    app.command_as("t_community_worker", &m.id, "accept", json!({})).await.expect("accept");

    let r = app.deliver_due(&NotifierConfig::new("a")).await.expect("deliver");
    assert_eq!((r.leased, r.sent), (1, 1));
    let got = sink.received();
    assert_eq!(got.len(), 1);
    let body = &got[0].body;
    let header = |name: &str| got[0].header(name);
    assert!(signature_holds(&header("x-shanzhi-signature"), body, secret.as_bytes()), "the signature holds");
    assert!(!signature_holds(&header("x-shanzhi-signature"), b"{}", secret.as_bytes()), "not over another body");
    assert!(!signature_holds(&header("x-shanzhi-signature"), body, b"wrong"), "not with another secret");
    let json: serde_json::Value = serde_json::from_slice(body).expect("json");
    assert_eq!(json["id"].as_str(), Some(header("idempotency-key").as_str()), "the idempotency key is the id");
    assert_eq!(json["kind"], "accepted");
    assert!(json["title_zh"].as_str().unwrap_or_default().contains(&m.number));
}
