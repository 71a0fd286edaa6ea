use shanzhi_domain::notify::{NoticeGroup, NoticeKind, NotificationChannel, QuietHours};
use shanzhi_domain::{Command, MatterState, Micros};

use super::matters::{create, event, id, matter, new_matter, report_event, setup};
use crate::{
    COUNT_SLOT, Created, DeliveryOutcome, DeliveryState, GROUPED_NUMBERS, GroupedNotice, NUMBER_SLOT, NUMBERS_SLOT,
    NewNotification, Store, StoredPreferences,
};

fn notice(n: &str, key: &str, recipient: &str, channel: NotificationChannel, due: i64) -> NewNotification {
    NewNotification {
        id: n.to_owned(),
        event_key: key.to_owned(),
        recipient: recipient.to_owned(),
        channel,
        kind: NoticeKind::Accepted,
        matter_id: Some(id("m1")),
        title_zh: "您反映的问题已受理".to_owned(),
        title_en: "Your report was accepted".to_owned(),
        body_zh: "编号 1".to_owned(),
        body_en: "number 1".to_owned(),
        link: Some("/matters/1".to_owned()),
        urgent: false,
        created_at: Micros::new(10),
        due_at: Micros::new(due),
    }
}

/// Appends the accept event with `notices`; the event's result.
async fn accept_with(store: &dyn Store, notices: &[NewNotification]) -> bool {
    let first = store.matter_events(&id("m1")).await.expect("events");
    let accept = event("m1", 2, &first[0].hash, &Command::Accept, Some(MatterState::Reported), MatterState::Filed);
    // As first read (a second call races the first and loses).
    let mut next = matter("m1", "510104022006001", 10, "井盖破损");
    next.last_hash.clone_from(&first[0].hash);
    next.status = next.status.apply(&Command::Accept).expect("fits");
    store.append_matter_event(&next, &accept, notices).await.is_ok()
}

pub async fn notifications_are_written_with_their_event_or_not_at_all(store: &dyn Store) {
    setup(store).await;
    create(store, &matter("m1", "510104022006001", 10, "井盖破损"), None).await;
    let key = "matter:m1:2:accepted";
    let inbox = notice("n1", key, "u1", NotificationChannel::Inbox, 10);
    let hook = notice("n2", key, "u1", NotificationChannel::Webhook, 10);
    // The same (event, recipient, channel) twice in one write: one row.
    let again = notice("n3", key, "u1", NotificationChannel::Webhook, 10);
    assert!(accept_with(store, &[inbox.clone(), hook.clone(), again]).await);
    let rows = store.notifications_of_event(key).await.expect("read");
    assert_eq!(rows.iter().map(|r| r.notice.id.as_str()).collect::<Vec<_>>(), ["n1", "n2"]);
    assert_eq!(rows[0].notice, inbox, "a notice round-trips");
    assert_eq!((rows[0].state, rows[0].sent_at), (DeliveryState::Sent, Some(Micros::new(10))), "inbox: sent");
    assert_eq!(rows[1].state, DeliveryState::Pending);

    // An event refused (its sequence number taken) leaves no notification.
    let late = notice("n4", "matter:m1:2:other", "u2", NotificationChannel::Inbox, 10);
    assert!(!accept_with(store, std::slice::from_ref(&late)).await, "seq 2 is taken");
    assert!(store.notifications_of_event("matter:m1:2:other").await.expect("read").is_empty());
    assert_eq!(store.unread_count("u2").await.expect("count"), 0);

    // The inbox: the recipient's own, read once.
    assert_eq!(store.unread_count("u1").await.expect("count"), 1);
    assert!(!store.mark_read("u2", "n1", Micros::new(20)).await.expect("read"), "not u2's");
    assert!(!store.mark_read("u1", "n2", Micros::new(20)).await.expect("read"), "not an inbox notice");
    assert!(store.mark_read("u1", "n1", Micros::new(20)).await.expect("read"));
    assert!(store.mark_read("u1", "n1", Micros::new(30)).await.expect("read"), "again: a no-op");
    let listed = store.inbox("u1", None, 10).await.expect("inbox");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].read_at, Some(Micros::new(20)), "the first reading stays");
    assert_eq!(store.unread_count("u1").await.expect("count"), 0);
}

pub async fn notification_leases_expire_and_outcomes_need_the_lease(store: &dyn Store) {
    setup(store).await;
    create(store, &matter("m1", "510104022006001", 10, "井盖破损"), None).await;
    let key = "matter:m1:2:accepted";
    let early = notice("n1", key, "u1", NotificationChannel::Webhook, 100);
    let late = notice("n2", key, "u2", NotificationChannel::Webhook, 500);
    assert!(accept_with(store, &[early, late]).await);

    assert!(store.lease_notifications("a", Micros::new(99), Micros::new(200), 10).await.expect("lease").is_empty());
    let taken = store.lease_notifications("a", Micros::new(100), Micros::new(200), 10).await.expect("lease");
    assert_eq!(taken.iter().map(|r| r.notice.id.as_str()).collect::<Vec<_>>(), ["n1"], "only what is due");
    assert_eq!((taken[0].attempts, taken[0].leased_by.as_deref()), (1, Some("a")));
    assert!(
        store.lease_notifications("b", Micros::new(150), Micros::new(300), 10).await.expect("lease").is_empty(),
        "a's lease holds"
    );
    // a dies; at 200 its lease has run out and b takes the row over.
    let retaken = store.lease_notifications("b", Micros::new(200), Micros::new(300), 10).await.expect("lease");
    assert_eq!(retaken.iter().map(|r| (r.notice.id.as_str(), r.attempts)).collect::<Vec<_>>(), [("n1", 2)]);
    let sent = DeliveryOutcome::Sent { at: Micros::new(210) };
    assert!(!store.finish_notification("n1", "a", &sent).await.expect("finish"), "a lost its lease");
    assert!(store.finish_notification("n1", "b", &sent).await.expect("finish"));
    let n1 = store.notification("n1").await.expect("read").expect("found");
    assert_eq!((n1.state, n1.sent_at, n1.leased_by), (DeliveryState::Sent, Some(Micros::new(210)), None));
    assert!(store.lease_notifications("c", Micros::new(10_000), Micros::new(20_000), 10).await.expect("l").len() == 1);

    // A retry comes back when due; a failure stays failed and is listed.
    let retry = DeliveryOutcome::Retry { at: Micros::new(30_000), error: "502".to_owned() };
    assert!(store.finish_notification("n2", "c", &retry).await.expect("finish"));
    assert!(store.lease_notifications("c", Micros::new(29_999), Micros::new(40_000), 10).await.expect("l").is_empty());
    let back = store.lease_notifications("c", Micros::new(30_000), Micros::new(40_000), 10).await.expect("lease");
    assert_eq!((back[0].attempts, back[0].last_error.as_deref()), (2, Some("502")));
    let failed = DeliveryOutcome::Failed { error: "gave up".to_owned() };
    assert!(store.finish_notification("n2", "c", &failed).await.expect("finish"));
    assert!(store.lease_notifications("c", Micros::new(90_000), Micros::new(99_000), 10).await.expect("l").is_empty());
    let listed = store.failed_notifications(10).await.expect("failed");
    assert_eq!(listed.iter().map(|r| r.notice.id.as_str()).collect::<Vec<_>>(), ["n2"]);
}

pub async fn notification_preferences_round_trip(store: &dyn Store) {
    let mut prefs = StoredPreferences {
        quiet: Some(QuietHours::new(22 * 60, 7 * 60).expect("hours")),
        email: Some("li@example.cn".to_owned()),
        updated_at: Micros::new(5),
        ..StoredPreferences::default()
    };
    prefs.channels.insert(NoticeGroup::Warnings, vec![NotificationChannel::Sms, NotificationChannel::Email]);
    store.put_notification_preferences("u1", &prefs).await.expect("put");
    let ids = ["u1".to_owned(), "u2".to_owned()];
    assert_eq!(store.notification_preferences(&ids).await.expect("read"), [("u1".to_owned(), prefs.clone())]);
    let cleared = StoredPreferences { updated_at: Micros::new(6), ..StoredPreferences::default() };
    store.put_notification_preferences("u1", &cleared).await.expect("put");
    assert_eq!(store.notification_preferences(&ids).await.expect("read"), [("u1".to_owned(), cleared)]);
}

pub async fn a_new_matter_numbers_its_notices_and_a_repeat_writes_none(store: &dyn Store) {
    setup(store).await;
    let m = matter("m1", "510104022006001", 10, "井盖破损");
    let first = report_event("m1");
    let mut receipt = notice("n1", "matter:m1:1:received", "u1", NotificationChannel::Inbox, 10);
    receipt.title_zh = format!("已收到，编号 {NUMBER_SLOT}");
    receipt.link = Some(format!("/m/{NUMBER_SLOT}"));
    let mut new = new_matter(&m, Some("key-1"), &first);
    new.notices = vec![receipt];
    let Created::New { number } = store.create_matter(&new).await.expect("create") else { panic!("new") };
    let rows = store.notifications_of_event("matter:m1:1:received").await.expect("read");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].notice.title_zh, format!("已收到，编号 {number}"));
    assert_eq!(rows[0].notice.link, Some(format!("/m/{number}")));
    // The same report again (its key): the earlier matter, no second receipt.
    let mut again = new.clone();
    again.matter.id = id("m2");
    again.notices[0].id = "n2".to_owned();
    again.notices[0].event_key = "matter:m2:1:received".to_owned();
    assert!(matches!(store.create_matter(&again).await.expect("again"), Created::Existing { .. }));
    assert!(store.notifications_of_event("matter:m2:1:received").await.expect("read").is_empty());
}

/// An import's grouped notices: one per recipient for the whole batch,
/// naming how many of its matters were new and their first numbers; an
/// order imported before counts for nothing, a batch of nothing new writes
/// none, and a refused batch writes none at all.
pub async fn a_batch_writes_its_grouped_notices_with_it_or_not_at_all(store: &dyn Store) {
    setup(store).await;
    let new = |i: usize| {
        let id_text = format!("g{i}");
        let mut m = matter(&id_text, "510104022006001", 10, "热线工单");
        m.channel = shanzhi_domain::Channel::Hotline;
        m.external_ref = Some(format!("ORDER-{i}"));
        let first = report_event(&id_text);
        m.last_hash = first.hash.clone();
        new_matter(&m, None, &first)
    };
    let grouped = |key: &str, recipient: &str, matters: Vec<usize>| {
        let mut n = notice(&format!("{key}-{recipient}"), key, recipient, NotificationChannel::Inbox, 10);
        n.kind = NoticeKind::NewOnDesk;
        n.matter_id = None;
        n.title_zh = format!("新导入 {COUNT_SLOT} 件：{NUMBERS_SLOT}");
        n.title_en = format!("{COUNT_SLOT} imported: {NUMBERS_SLOT}");
        GroupedNotice { notice: n, matters }
    };
    let batch: Vec<_> = (0..7).map(new).collect();
    let all = (0..7).collect::<Vec<_>>();
    let out = store
        .create_matters(&batch, &[grouped("import:1", "u1", all.clone()), grouped("import:1", "u2", vec![1, 2])])
        .await
        .expect("batch");
    let numbers: Vec<String> =
        out.iter().filter_map(|c| if let Created::New { number } = c { Some(number.clone()) } else { None }).collect();
    assert_eq!(numbers.len(), 7);
    let rows = store.notifications_of_event("import:1").await.expect("read");
    assert_eq!(rows.len(), 2, "one notice per recipient, not one per matter");
    let of = |who: &str| rows.iter().find(|r| r.notice.recipient == who).expect("a notice").notice.clone();
    assert_eq!(of("u1").title_zh, format!("新导入 7 件：{} 等", numbers[..GROUPED_NUMBERS].join("、")));
    assert_eq!(of("u1").title_en, format!("7 imported: {} …", numbers[..GROUPED_NUMBERS].join(", ")));
    assert_eq!(of("u2").title_zh, format!("新导入 2 件：{}、{}", numbers[1], numbers[2]));
    assert_eq!(store.unread_count("u1").await.expect("count"), 1);

    // Again, with one new order: only it is counted; all imported before: none.
    let mut again: Vec<_> = (0..3).map(new).collect();
    for (i, n) in again.iter_mut().enumerate() {
        n.matter.id = id(&format!("h{i}"));
    }
    again.push(new(7));
    let out = store
        .create_matters(&again, &[grouped("import:2", "u1", vec![0, 1, 2, 3]), grouped("import:2", "u2", vec![0, 1])])
        .await
        .expect("again");
    let Some(Created::New { number }) = out.last() else { panic!("the eighth order is new") };
    let rows = store.notifications_of_event("import:2").await.expect("read");
    assert_eq!(rows.iter().map(|r| r.notice.recipient.as_str()).collect::<Vec<_>>(), ["u1"], "u2: nothing new");
    assert_eq!(rows[0].notice.title_zh, format!("新导入 1 件：{number}"));

    // A refused batch takes its grouped notices back with it.
    let mut bad = new(9);
    bad.matter.category_version = 99;
    assert!(store.create_matters(&[new(8), bad], &[grouped("import:3", "u1", vec![0, 1])]).await.is_err());
    assert!(store.notifications_of_event("import:3").await.expect("read").is_empty());
    assert_eq!(store.unread_count("u1").await.expect("count"), 2);
}

pub async fn push_cursors_move_only_from_where_they_were(store: &dyn Store) {
    assert_eq!(store.push_cursor("hotline_results").await.expect("read"), 0, "0 before the first push");
    assert!(!store.advance_push_cursor("hotline_results", 5, 9, Micros::new(1)).await.expect("cas"), "not at 5");
    assert_eq!(store.push_cursor("hotline_results").await.expect("read"), 0, "a refused move changes nothing");
    assert!(store.advance_push_cursor("hotline_results", 0, 7, Micros::new(2)).await.expect("first"));
    assert_eq!(store.push_cursor("hotline_results").await.expect("read"), 7);
    // A second server that read 0 too loses; the cursor stays.
    assert!(!store.advance_push_cursor("hotline_results", 0, 4, Micros::new(3)).await.expect("stale"));
    assert!(store.advance_push_cursor("hotline_results", 7, 12, Micros::new(4)).await.expect("next"));
    assert_eq!(store.push_cursor("hotline_results").await.expect("read"), 12);
    assert_eq!(store.push_cursor("other").await.expect("read"), 0, "each push has its own cursor");
}

pub async fn notices_without_an_event_are_written_once(store: &dyn Store) {
    let digest = |id: &str| NewNotification {
        matter_id: None,
        kind: NoticeKind::Digest,
        ..notice(id, "digest:2026-12-01", "u-supervisor", NotificationChannel::Inbox, 10)
    };
    store.write_notifications(&[digest("n1")]).await.expect("first");
    // A second sweep (another server) writes the same event key again.
    store.write_notifications(&[digest("n2")]).await.expect("second");
    let rows = store.notifications_of_event("digest:2026-12-01").await.expect("rows");
    assert_eq!(rows.iter().map(|r| r.notice.id.as_str()).collect::<Vec<_>>(), ["n1"], "one digest per person and day");
    assert_eq!(rows[0].state, DeliveryState::Sent, "the inbox row is its delivery");
}
