//! Notices of a hotline bulk import, on the backend chosen by
//! SHANZHI_TEST_BACKEND: the holders (the town's dispatchers, where 12345
//! orders land) hear once per import (how many new orders, the first
//! numbers), not once per order; orders imported before
//! count for nothing; a refused import writes no notice. Callers with a
//! phone get the receipt with the number (and later the closure) by text,
//! when a gateway is configured.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use shanzhi_app::access::{Actor, DispatchDesk};
use shanzhi_app::matters::IntakeRequest;
use shanzhi_app::notify::{Delivery, NoticeChannel, Notifier, NotifierConfig, REPORTER_PHONE};
use shanzhi_domain::Role;
use shanzhi_domain::notify::{NoticeKind, NotificationChannel};
use shanzhi_testkit::{TestApp, TestAppBuilder, one_grid_community};

async fn world() -> TestApp {
    builder().start().await
}

fn builder() -> TestAppBuilder {
    TestApp::new()
        .with_features(one_grid_community("510104022006", 104.07, 30.65))
        .with_categories()
        .with_staff(Role::Dispatcher)
        .with_account("town_dispatcher_2", Role::Dispatcher, Some("510104022"))
        .with_staff(Role::CommunityWorker)
        .with_staff(Role::Supervisor)
        .with_department("510104-chengguan", "锦江区城管局")
}

/// A hotline export of `orders` (order numbers), the last row broken if
/// `broken`; the caller of order `i` has phone `phone(i)`, the fourth none.
fn file(orders: &[String], broken: bool) -> String {
    let mut csv = String::from("工单编号,受理时间,诉求类型,诉求内容,经度,纬度,坐标系,联系人,联系电话\n");
    for (i, order) in orders.iter().enumerate() {
        let lng = if broken && i + 1 == orders.len() { "not-a-number".to_owned() } else { "104.072".to_owned() };
        let phone = if i == 3 { String::new() } else { phone(i) };
        csv.push_str(&format!(
            "{order},2026-11-20 09:{:02},反映,总府路路灯不亮 {i} 号,{lng},30.652,wgs84,王先生,{phone}\n",
            i % 60
        ));
    }
    csv
}

fn phone(i: usize) -> String {
    format!("139{i:08}")
}

/// An SMS gateway that keeps (phone, text) of each message.
#[derive(Debug, Default)]
struct Phones(Mutex<Vec<(String, String)>>);

#[async_trait]
impl NoticeChannel for Phones {
    async fn deliver(&self, d: &Delivery<'_>) -> Result<(), String> {
        let phone = d.address.clone().ok_or("no phone")?;
        self.0.lock().expect("lock").push((phone, d.record.notice.title_zh.clone()));
        Ok(())
    }
}

#[tokio::test]
async fn callers_with_a_phone_get_their_number_and_the_closure_by_text() {
    let phones = Arc::new(Phones::default());
    let notifier = Notifier::default().with(NotificationChannel::Sms, phones.clone());
    let app = builder().with_notifier(notifier).start().await;
    let dispatcher = app.scoped(app.actor("t_dispatcher").await);
    let desk = dispatcher.desk::<DispatchDesk>().expect("a dispatcher");
    let orders: Vec<String> = (0..5).map(|i| format!("SMS-{i}")).collect();
    let report = desk.import_hotline(file(&orders, false).as_bytes(), "orders.csv").await.expect("import");
    let config = NotifierConfig::new("worker");
    assert_eq!(app.deliver_due(&config).await.expect("deliver").sent, 4, "four callers left a phone");
    let mut got = phones.0.lock().expect("lock").clone();
    got.sort();
    let expected: Vec<(String, String)> = [0, 1, 2, 4]
        .into_iter()
        .map(|i| (phone(i), format!("您反映的问题已收到，编号 {}", report.numbers[i])))
        .collect();
    assert_eq!(got, expected, "each caller their own number");
    let first = app.store().matter_by_number(&report.numbers[0]).await.expect("read").expect("the order");
    let rows = app.store().notifications_of_event(&format!("matter:{}:1:received", first.id)).await.expect("rows");
    assert_eq!(rows.len(), 1, "a text, no inbox row for a caller without an account");
    assert!(
        rows.iter().all(|r| r.notice.recipient.starts_with(REPORTER_PHONE) && !r.notice.recipient.contains("139")),
        "no number in the outbox"
    );

    // Closed: the caller hears that 12345 will call back.
    app.close_matter(&report.numbers[1]).await;
    app.deliver_due(&config).await.expect("deliver");
    let last = phones.0.lock().expect("lock").last().cloned().expect("a text");
    assert_eq!(last, (phone(1), format!("您反映的问题（{}）已办结，12345 热线将回访听取您的评价", report.numbers[1])));

    // Imported again: no second receipt; refused: none.
    desk.import_hotline(file(&orders, false).as_bytes(), "orders.csv").await.expect("again");
    assert!(
        desk.import_hotline(file(&["SMS-9".to_owned(), "SMS-10".to_owned()], true).as_bytes(), "x.csv").await.is_err()
    );
    assert_eq!(app.deliver_due(&config).await.expect("deliver").leased, 0, "nothing more to text");
}

#[tokio::test]
async fn an_import_tells_each_holder_once_and_a_refused_one_tells_nobody() {
    let app = world().await;
    let desk_user = app.scoped(app.actor("town_dispatcher_2").await);
    let dispatcher = app.scoped(app.actor("t_dispatcher").await);
    let import = |orders: Vec<String>, broken: bool| {
        let dispatcher = &dispatcher;
        async move {
            let desk = dispatcher.desk::<DispatchDesk>().expect("a dispatcher");
            desk.import_hotline(file(&orders, broken).as_bytes(), "orders.csv").await
        }
    };
    let orders: Vec<String> = (0..12).map(|i| format!("NT-{i:03}")).collect();
    let report = import(orders.clone(), false).await.expect("import");
    assert_eq!(report.created, 12);

    let inbox = desk_user.inbox(None, 100).await.expect("inbox");
    assert_eq!(inbox.notices.len(), 1, "one notice for the whole import, not one per order");
    let n = &inbox.notices[0];
    assert_eq!(n.kind, NoticeKind::NewOnDesk);
    assert_eq!(n.title, "新导入 12345 热线工单 12 件待受理");
    assert_eq!(n.body, format!("编号：{} 等", report.numbers[..5].join("、")), "the first five numbers");
    assert!(!n.body.contains(&report.numbers[5]), "bounded: not every number");
    assert_eq!((n.link.as_deref(), inbox.unread), (Some("/desk"), 1));
    assert!(dispatcher.inbox(None, 100).await.expect("inbox").notices.is_empty(), "not told of their own import");
    for other in ["t_supervisor", "t_community_worker"] {
        let someone = app.scoped(app.actor(other).await);
        assert!(someone.inbox(None, 100).await.expect("inbox").notices.is_empty(), "{other}: not a holder");
    }

    // The same file and one more order: only the new one is told.
    let mut more = orders.clone();
    more.push("NT-100".to_owned());
    let again = import(more, false).await.expect("again");
    assert_eq!((again.created, again.already_imported), (1, 12));
    let inbox = desk_user.inbox(None, 100).await.expect("inbox");
    assert_eq!(inbox.notices.len(), 2);
    assert_eq!(inbox.notices[0].title, "新导入 12345 热线工单 1 件待受理");
    assert_eq!(inbox.notices[0].body, format!("编号：{}", again.numbers[12]));

    // Only orders imported before: nothing new, no notice.
    let same = import(orders[..3].to_vec(), false).await.expect("the same orders");
    assert_eq!(same.created, 0);
    // A file refused whole (one broken row): no matter, no notice.
    let fresh: Vec<String> = (200..205).map(|i| format!("NT-{i}")).collect();
    assert!(import(fresh, true).await.is_err(), "a broken row refuses the file");
    assert_eq!(desk_user.inbox(None, 100).await.expect("inbox").notices.len(), 2, "nothing more told");
    assert_eq!(desk_user.unread_notices().await.expect("count"), 2);
}

#[tokio::test]
async fn an_anonymous_reporter_with_a_phone_is_texted_the_number_and_asked_to_rate() {
    let phones = Arc::new(Phones::default());
    let notifier = Notifier::default().with(NotificationChannel::Sms, phones.clone());
    let app = builder().with_notifier(notifier).start().await;
    let public = app.scoped(Actor::anonymous());
    let report = IntakeRequest {
        category: "0110".to_owned(),
        lng: Some(104.072),
        lat: Some(30.652),
        description: "总府路 2 号门口路面塌陷".to_owned(),
        reporter_phone: Some("13912340000".to_owned()),
        ..IntakeRequest::default()
    };
    let m = public.intake(report).await.expect("report").matter;
    app.close_matter(&m.number).await;
    app.deliver_due(&NotifierConfig::new("worker")).await.expect("deliver");
    let got = phones.0.lock().expect("lock").clone();
    let n = &m.number;
    assert_eq!(
        got,
        [
            ("13912340000".to_owned(), format!("您反映的问题已收到，编号 {n}")),
            (
                "13912340000".to_owned(),
                format!("您反映的问题（{n}）已办结，请通过上报时获得的查询链接对办理结果进行评价")
            ),
        ]
    );
    let closed = app.store().inbox(&format!("{REPORTER_PHONE}{}", m.id), None, 10).await.expect("read");
    assert!(closed.is_empty(), "texts only: no inbox for a reporter without an account");
}
