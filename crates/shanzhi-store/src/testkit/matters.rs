use shanzhi_domain::Stage;
use shanzhi_domain::category::{CategoryKind, Limit, Severity, TimeLimits};
use shanzhi_domain::matter::{ClockMark, LngLat, MATTER_GENESIS, Reporter};
use shanzhi_domain::{
    ActingRole, Assignee, Category, CategoryCode, Channel, Command, DepartmentCode, DivisionCode, DutyItem, DutyLevel,
    DutyList, EventKind, GridCode, Level, Line, Matter, MatterId, MatterState, Micros, Phone, Role, Status,
};

use super::with_divisions;
use crate::{AttachmentRecord, AuditEntry, Created, MatterEvent, MatterQuery, MatterScope, NewMatter, Store};

fn audit() -> AuditEntry {
    AuditEntry::new("tester", "category.put", "category")
}

fn category(code: &str, name: &str) -> Category {
    Category {
        code: CategoryCode::parse(code).expect("code"),
        name: name.to_owned(),
        parent: None,
        kind: CategoryKind::Event,
        line: Line::Development,
        severity: Severity::Normal,
        limits: TimeLimits { handle: Some(Limit::working_hours(24)), ..TimeLimits::default() },
        filing_condition: "影响通行".to_owned(),
        closing_condition: "已修复".to_owned(),
        standard: "CJ/T 214-2007".to_owned(),
        keywords: vec!["井盖".to_owned()],
        attributes: Vec::new(),
        self_handle: false,
    }
}

pub(super) async fn setup(store: &dyn Store) {
    with_divisions(store).await;
    store.put_category(&category("0110", "道路破损"), &audit()).await.expect("category");
}

/// A matter id of the tests.
pub(super) fn id(s: &str) -> MatterId {
    MatterId::parse(s).expect("id")
}

pub(super) fn matter(matter_id: &str, grid: &str, at: i64, text: &str) -> Matter {
    Matter {
        id: id(matter_id),
        number: String::new(),
        channel: Channel::Resident,
        category: CategoryCode::parse("0110").expect("code"),
        category_version: 1,
        line: Line::Development,
        severity: Severity::Normal,
        description: text.to_owned(),
        address: Some("总府路 2 号".to_owned()),
        location: Some(LngLat { lng: 104.072, lat: 30.652 }),
        grid: GridCode::parse(grid).expect("grid"),
        general_grid: None,
        reporter: Reporter {
            user_id: Some("u1".to_owned()),
            name: Some("张三".to_owned()),
            phone: Some(Phone::parse("13812345678").expect("phone")),
        },
        external_ref: None,
        duplicate_of: None,
        status: Status::reported(Level::Community),
        reported_at: Micros::new(at),
        updated_at: Micros::new(at),
        clock: None,
        event_count: 1,
        last_hash: String::new(),
        reporter_key_hash: None,
        request_hash: None,
    }
}

pub(super) fn event(
    matter_id: &str,
    seq: i64,
    prev: &str,
    command: &Command,
    from: Option<MatterState>,
    to: MatterState,
) -> MatterEvent {
    MatterEvent {
        seq,
        at: Micros::new(1_000 + seq),
        actor: "tester".to_owned(),
        role: ActingRole::Role(Role::Dispatcher),
        kind: EventKind::Command(command.kind()),
        body: serde_json::to_string(command).expect("json"),
        from_state: from,
        to_state: to,
        attachments: Vec::new(),
        prev_hash: String::new(),
        hash: String::new(),
        // Read back as written (the record export depends on it).
        mark: ClockMark { stage: Stage::of(to), deadline: Some(Micros::new(5_000_000 + seq)) },
    }
    .sealed(matter_id, prev)
}

pub(super) fn report_event(matter_id: &str) -> MatterEvent {
    let mut e = event(matter_id, 1, MATTER_GENESIS, &Command::Accept, None, MatterState::Reported);
    e.kind = EventKind::Report;
    e.body = "{}".to_owned();
    e.sealed(matter_id, MATTER_GENESIS)
}

/// A new matter numbered under `510104-20261128`, with no notices.
pub(super) fn new_matter(m: &Matter, key: Option<&str>, first: &MatterEvent) -> NewMatter {
    NewMatter {
        matter: m.clone(),
        idempotency_key: key.map(str::to_owned),
        number_prefix: "510104-20261128".to_owned(),
        first: first.clone(),
        notices: Vec::new(),
    }
}

pub(super) async fn create(store: &dyn Store, m: &Matter, key: Option<&str>) -> Created {
    let mut m = m.clone();
    let first = report_event(m.id.as_str());
    m.last_hash = first.hash.clone();
    store.create_matter(&new_matter(&m, key, &first)).await.expect("create")
}

pub async fn matters_are_numbered_and_retries_are_safe(store: &dyn Store) {
    setup(store).await;
    let a = matter("m1", "510104022006001", 10, "井盖破损");
    assert_eq!(create(store, &a, Some("k1")).await, Created::New { number: "510104-20261128-000001".to_owned() });
    assert_eq!(create(store, &a, Some("k1")).await, Created::Existing { id: id("m1") }, "same key, same matter");
    let b = matter("m2", "510104022006001", 11, "路面坑洼");
    assert_eq!(create(store, &b, None).await, Created::New { number: "510104-20261128-000002".to_owned() });
    let mut c = matter("m3", "510104022006001", 12, "热线工单");
    c.channel = Channel::Hotline;
    c.external_ref = Some("CD12345-001".to_owned());
    assert!(matches!(create(store, &c, None).await, Created::New { .. }));
    let mut again = matter("m4", "510104022006001", 13, "热线工单");
    again.channel = Channel::Hotline;
    again.external_ref = Some("CD12345-001".to_owned());
    assert_eq!(create(store, &again, None).await, Created::Existing { id: id("m3") }, "same order number");
    let got = store.matter(&id("m1")).await.expect("read").expect("found");
    assert_eq!(got.number, "510104-20261128-000001");
    assert_eq!(got.description, "井盖破损");
    assert_eq!(got.status, Status::reported(Level::Community));
    assert_eq!(store.matter_by_number("510104-20261128-000002").await.expect("read").map(|m| m.id), Some(id("m2")));
    assert!(store.matter(&id("m4")).await.expect("read").is_none());
    let found = store.matters_by_external_refs(Channel::Hotline, &["CD12345-001".to_owned(), "none".to_owned()]).await;
    assert_eq!(found.expect("read").iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["m3"]);
    assert!(
        store.matters_by_external_refs(Channel::Resident, &["CD12345-001".to_owned()]).await.expect("read").is_empty()
    );
}

/// An import writes all its matters in one transaction, or none; a private
/// key's hash finds its matter.
pub async fn a_batch_of_matters_is_written_whole_or_not_at_all(store: &dyn Store) {
    setup(store).await;
    let new = |id: &str, order: &str| {
        let mut m = matter(id, "510104022006001", 10, "热线工单");
        m.channel = Channel::Hotline;
        m.external_ref = Some(order.to_owned());
        m.reporter_key_hash = Some(format!("key-of-{id}"));
        m.request_hash = Some(format!("request-{order}"));
        let first = report_event(id);
        m.last_hash = first.hash.clone();
        new_matter(&m, None, &first)
    };
    let written = store.create_matters(&[new("b1", "A1"), new("b2", "A2")], &[]).await.expect("batch");
    assert!(matches!(written.as_slice(), [Created::New { .. }, Created::New { .. }]));
    let again = store.create_matters(&[new("b3", "A1"), new("b4", "A3")], &[]).await.expect("batch");
    assert_eq!(again[0], Created::Existing { id: id("b1") }, "an order imported before");
    // A row that a constraint refuses (a grid code the table does not take)
    // takes the whole batch back with it.
    let mut bad = new("b6", "A6");
    bad.matter.category_version = 99;
    assert!(store.create_matters(&[new("b5", "A5"), bad], &[]).await.is_err());
    assert!(store.matter(&id("b5")).await.expect("read").is_none(), "nothing of a refused batch stays");
    assert_eq!(store.matter_by_reporter_key("key-of-b2").await.expect("read").map(|m| m.id), Some(id("b2")));
    let b2 = store.matter(&id("b2")).await.expect("read").expect("found");
    assert_eq!(b2.request_hash.as_deref(), Some("request-A2"));
    assert!(store.matter_by_reporter_key("key-of-nobody").await.expect("read").is_none());
}

pub async fn events_append_in_order_and_conflicts_are_refused(store: &dyn Store) {
    setup(store).await;
    let m = matter("m1", "510104022006001", 10, "井盖破损");
    create(store, &m, None).await;
    let first = store.matter_events(&id("m1")).await.expect("events");
    assert_eq!(first.len(), 1);
    let accept = event("m1", 2, &first[0].hash, &Command::Accept, Some(MatterState::Reported), MatterState::Filed);
    let mut next = store.matter(&id("m1")).await.expect("read").expect("found");
    next.status = next.status.apply(&Command::Accept).expect("fits");
    next.updated_at = Micros::new(99);
    store.append_matter_event(&next, &accept, &[]).await.expect("append");
    let clash = event(
        "m1",
        2,
        &first[0].hash,
        &Command::Void { reason: "x".into() },
        Some(MatterState::Reported),
        MatterState::Voided,
    );
    assert!(store.append_matter_event(&next, &clash, &[]).await.is_err(), "one event per sequence number");
    let stored = store.matter(&id("m1")).await.expect("read").expect("found");
    assert_eq!((stored.status.state, stored.event_count, stored.updated_at), (MatterState::Filed, 2, Micros::new(99)));
    assert_eq!(stored.last_hash, accept.hash);
    let events = store.matter_events(&id("m1")).await.expect("events");
    assert_eq!(events.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(), ["report", "accept"]);
    assert_eq!(events[1], accept);
}

/// Many timelines in one read, each in order and with its clock marks; the
/// figures' read skips matters that ended before the period.
pub async fn timelines_read_in_batches_and_finished_matters_drop_out(store: &dyn Store) {
    setup(store).await;
    for (i, name) in ["t1", "t2", "t3"].into_iter().enumerate() {
        create(store, &matter(name, "510104022006001", 10 + i as i64, "井盖破损"), None).await;
    }
    // t2 gets accepted at 99; t3 is voided at 50 (finished).
    for (name, command, to, at) in [
        ("t2", Command::Accept, MatterState::Filed, 99),
        ("t3", Command::Void { reason: "重复".into() }, MatterState::Voided, 50),
    ] {
        let before = store.matter(&id(name)).await.expect("read").expect("found");
        let mut e = event(name, 2, &before.last_hash, &command, Some(MatterState::Reported), to);
        e.at = Micros::new(at);
        let e = e.sealed(name, &before.last_hash);
        let mut next = before.clone();
        next.status = next.status.apply(&command).expect("fits");
        next.updated_at = Micros::new(at);
        next.event_count = 2;
        next.last_hash = e.hash.clone();
        store.append_matter_event(&next, &e, &[]).await.expect("append");
    }
    let asked = [id("t3"), id("t1"), id("t2"), id("nobody")];
    let events = store.matter_events_of(&asked).await.expect("events");
    let seen: Vec<(&str, i64)> = events.iter().map(|(m, e)| (m.as_str(), e.seq)).collect();
    assert_eq!(seen, [("t3", 1), ("t3", 2), ("t1", 1), ("t2", 1), ("t2", 2)], "in the order asked, each in order");
    assert_eq!(events[4].1.mark.deadline, Some(Micros::new(5_000_002)), "clock marks are kept");
    assert_eq!(events[4].1.mark.stage, Some(Stage::Dispatch));
    let everything = MatterScope { everything: true, ..MatterScope::default() };
    let active = |since: i64| MatterQuery {
        scope: everything.clone(),
        active_since: Some(Micros::new(since)),
        limit: 100,
        ..MatterQuery::default()
    };
    let mut ids: Vec<String> =
        store.matters(&active(60)).await.expect("read").into_iter().map(|m| m.id.as_str().to_owned()).collect();
    ids.sort();
    assert_eq!(ids, ["t1", "t2"], "t3 ended at 50, before 60; t1 is still open");
    assert_eq!(store.count_matters(&active(40)).await.expect("count").values().sum::<u64>(), 3);
}

pub async fn matter_queries_stay_in_scope_and_page_by_keyset(store: &dyn Store) {
    setup(store).await;
    for i in 0..5 {
        create(store, &matter(&format!("a{i}"), "510104022006001", 100 + i, &format!("锦江 第{i}件 井盖")), None).await;
    }
    let mut other = matter("b0", "510105002001001", 200, "青羊 路灯不亮");
    other.reporter.user_id = Some("u2".to_owned());
    create(store, &other, None).await;
    let ids = |v: Vec<Matter>| v.into_iter().map(|m| m.id).collect::<Vec<_>>();
    let q = |scope: MatterScope| MatterQuery { scope, limit: 100, ..MatterQuery::default() };
    let everything = MatterScope { everything: true, ..MatterScope::default() };
    assert_eq!(store.matters(&q(everything.clone())).await.expect("all").len(), 6);
    assert!(store.matters(&q(MatterScope::default())).await.expect("none").is_empty(), "an empty scope sees nothing");
    let jinjiang = MatterScope { divisions: vec![DivisionCode::parse("510104").expect("c")], ..MatterScope::default() };
    assert_eq!(ids(store.matters(&q(jinjiang.clone())).await.expect("q")), ["a4", "a3", "a2", "a1", "a0"]);
    let grid = MatterScope { grids: vec![GridCode::parse("510105002001001").expect("g")], ..MatterScope::default() };
    assert_eq!(ids(store.matters(&q(grid)).await.expect("q")), ["b0"]);
    let mine = MatterScope { reporter: Some("u2".to_owned()), ..MatterScope::default() };
    assert_eq!(ids(store.matters(&q(mine)).await.expect("q")), ["b0"]);

    // Pages of two, newest first, by (reported_at, id).
    let mut page = MatterQuery { scope: jinjiang.clone(), limit: 2, ..MatterQuery::default() };
    let mut seen = Vec::new();
    loop {
        let batch = store.matters(&page).await.expect("page");
        let Some(last) = batch.last() else { break };
        page.after = Some((last.reported_at, last.id.clone()));
        seen.extend(ids(batch));
    }
    assert_eq!(seen, ["a4", "a3", "a2", "a1", "a0"]);

    let text =
        MatterQuery { scope: everything.clone(), text: Some("路灯".to_owned()), limit: 10, ..MatterQuery::default() };
    assert_eq!(ids(store.matters(&text).await.expect("q")), ["b0"]);
    // The same box finds a matter by its number (what a dispatcher types).
    let number = store.matters(&text).await.expect("q").remove(0).number;
    let by_number = MatterQuery { text: Some(number), ..text.clone() };
    assert_eq!(ids(store.matters(&by_number).await.expect("q")), ["b0"]);
    let literal =
        MatterQuery { scope: everything.clone(), text: Some("%".to_owned()), limit: 10, ..MatterQuery::default() };
    assert!(store.matters(&literal).await.expect("q").is_empty(), "% is a character, not a wildcard");
    let span = MatterQuery {
        scope: everything.clone(),
        from: Some(Micros::new(102)),
        to: Some(Micros::new(104)),
        limit: 10,
        ..MatterQuery::default()
    };
    assert_eq!(ids(store.matters(&span).await.expect("q")), ["a3", "a2"]);
    let counts = store.count_matters(&MatterQuery { scope: jinjiang, ..MatterQuery::default() }).await.expect("counts");
    assert_eq!(counts.get(&MatterState::Reported), Some(&5));
    let filed =
        MatterQuery { scope: everything, states: vec![MatterState::Filed], limit: 10, ..MatterQuery::default() };
    assert!(store.matters(&filed).await.expect("q").is_empty());
}

pub async fn departments_see_what_is_dispatched_to_them(store: &dyn Store) {
    setup(store).await;
    let m = matter("m1", "510104022006001", 10, "井盖破损");
    create(store, &m, None).await;
    let dept = DepartmentCode::parse("510104-chengguan").expect("dept");
    let mut next = store.matter(&id("m1")).await.expect("read").expect("found");
    let prev = next.last_hash.clone();
    let mut e = event("m1", 2, &prev, &Command::Accept, Some(MatterState::Reported), MatterState::Filed);
    next.status = next.status.apply(&Command::Accept).expect("fits");
    store.append_matter_event(&next, &e, &[]).await.expect("accept");
    let dispatch = Command::Dispatch { to: Assignee::Department(dept.clone()) };
    next.status = next.status.apply(&dispatch).expect("fits");
    e = event("m1", 3, &e.hash, &dispatch, Some(MatterState::Filed), MatterState::Dispatched);
    store.append_matter_event(&next, &e, &[]).await.expect("dispatch");
    let scope = MatterScope { departments: vec![dept.clone()], ..MatterScope::default() };
    let got = store.matters(&MatterQuery { scope, limit: 10, ..MatterQuery::default() }).await.expect("q");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].status.assignee, Some(Assignee::Department(dept)));
}

pub async fn categories_are_versioned_and_duties_are_kept(store: &dyn Store) {
    setup(store).await;
    let code = CategoryCode::parse("0110").expect("code");
    let mut changed = category("0110", "道路破损（修订）");
    changed.limits.handle = Some(Limit::working_days(2));
    assert_eq!(store.put_category(&changed, &audit()).await.expect("v2"), 2);
    let (current, version) = store.category(&code, None).await.expect("read").expect("found");
    assert_eq!(
        (current.name.as_str(), version, current.limits.handle),
        ("道路破损（修订）", 2, Some(Limit::working_days(2)))
    );
    let (old, _) = store.category(&code, Some(1)).await.expect("read").expect("v1 kept");
    assert_eq!(old.name, "道路破损");
    assert_eq!(store.categories().await.expect("all").len(), 1, "one current version per code");

    let duty = DutyItem {
        category: code.clone(),
        level: DutyLevel::Town,
        lead: Some("chengguan".to_owned()),
        co: vec!["zhujian".to_owned(), "jiaotong".to_owned()],
        list: DutyList::Basic,
        note: "市政设施".to_owned(),
    };
    store.put_duty(&duty, &audit()).await.expect("duty");
    let negative =
        DutyItem { level: DutyLevel::Community, lead: None, co: vec![], list: DutyList::Negative, ..duty.clone() };
    store.put_duty(&negative, &audit()).await.expect("duty");
    assert_eq!(store.duty(&code, DutyLevel::Town).await.expect("read"), Some(duty.clone()));
    assert_eq!(store.duties(Some(&code)).await.expect("all").len(), 2);
    let replaced = DutyItem { lead: Some("zhujian".to_owned()), ..duty };
    store.put_duty(&replaced, &audit()).await.expect("replace");
    assert_eq!(
        store.duty(&code, DutyLevel::Town).await.expect("read").and_then(|d| d.lead),
        Some("zhujian".to_owned())
    );
    let logged = store.audit_log(0, 1_000).await.expect("audit").len();
    assert!(store.remove_duty(&code, DutyLevel::Town, &audit()).await.expect("remove"), "a row was removed");
    assert_eq!(store.duty(&code, DutyLevel::Town).await.expect("read"), None);
    assert_eq!(store.duties(Some(&code)).await.expect("all").len(), 1, "the other level stays");
    assert!(!store.remove_duty(&code, DutyLevel::Town, &audit()).await.expect("again"), "nothing to remove");
    assert_eq!(store.audit_log(0, 1_000).await.expect("audit").len(), logged + 1, "one removal audited");
}

pub async fn attachments_are_stored_and_bound_once(store: &dyn Store) {
    setup(store).await;
    create(store, &matter("m1", "510104022006001", 10, "井盖破损"), None).await;
    let bytes = vec![0x89, b'P', b'N', b'G', 0, 1, 2, 3];
    let record = AttachmentRecord {
        id: "f1".to_owned(),
        matter_id: None,
        uploaded_by: "u1".to_owned(),
        content_type: "image/png".to_owned(),
        size: bytes.len() as i64,
        sha256: "abc".to_owned(),
        created_at: Micros::new(5),
    };
    store.put_attachment(&record, &bytes).await.expect("put");
    assert_eq!(
        store.bind_attachments(&["f1".to_owned()], &id("m1"), "someone else").await.expect("bind"),
        0,
        "not theirs"
    );
    assert_eq!(store.bind_attachments(&["f1".to_owned(), "nope".to_owned()], &id("m1"), "u1").await.expect("bind"), 1);
    assert_eq!(store.bind_attachments(&["f1".to_owned()], &id("m1"), "u1").await.expect("bind"), 0, "bound once");
    let (got, data) = store.attachment("f1").await.expect("read").expect("found");
    assert_eq!(data, bytes);
    assert_eq!(got.matter_id, Some(id("m1")));
    let ids = store.attachment_ids(&[id("m1"), id("m2")]).await.expect("ids");
    assert_eq!(ids, [(id("m1"), "f1".to_owned())]);
    assert!(store.attachment_ids(&[]).await.expect("none").is_empty());
}

pub async fn bulk_matters_keep_numbers_unique(store: &dyn Store) {
    setup(store).await;
    let rows: Vec<(Matter, Vec<MatterEvent>)> = (1..=40)
        .map(|i| {
            let mut m = matter(&format!("d{i}"), "510104022006001", i, "演示");
            m.number = format!("510104-20261128-{i:06}");
            let e = report_event(m.id.as_str());
            m.last_hash = e.hash.clone();
            (m, vec![e])
        })
        .collect();
    store.insert_matters_bulk(&rows).await.expect("bulk");
    let after = create(store, &matter("new", "510104022006001", 100, "新的"), None).await;
    assert_eq!(
        after,
        Created::New { number: "510104-20261128-000041".to_owned() },
        "numbering continues after the bulk"
    );
    assert_eq!(store.matter_events(&id("d7")).await.expect("events").len(), 1);
}

pub async fn concurrent_reports_get_gapless_numbers_and_fail_alone(store: &dyn Store) {
    setup(store).await;
    // Forty reports at once, five of them retries of an earlier key and one
    // filed under a category version that does not exist.
    let jobs: Vec<(Matter, Option<String>)> = (0..40)
        .map(|i| {
            let mut m = matter(&format!("c{i:02}"), "510104022006001", 100 + i, "并发上报");
            if i == 13 {
                m.category_version = 99;
            }
            let key = if i >= 35 { Some(format!("k{}", i - 35)) } else { Some(format!("k{i}")) };
            (m, key)
        })
        .collect();
    let results = futures_util::future::join_all(jobs.iter().map(|(m, key)| async move {
        let mut m = m.clone();
        let first = report_event(m.id.as_str());
        m.last_hash = first.hash.clone();
        store.create_matter(&new_matter(&m, key.as_deref(), &first)).await
    }))
    .await;
    assert!(results[13].is_err(), "an unknown category version is refused");
    let mut numbers: Vec<String> = Vec::new();
    let mut existing = 0;
    for (i, r) in results.iter().enumerate() {
        match r {
            Ok(Created::New { number }) => numbers.push(number.clone()),
            Ok(Created::Existing { id }) => {
                existing += 1;
                assert!(i >= 35, "only the retries find an earlier matter");
                assert_eq!(id.as_str(), format!("c{:02}", i - 35), "a retry finds the first report with its key");
            }
            Err(_) => assert_eq!(i, 13),
        }
    }
    assert_eq!(existing, 5);
    numbers.sort();
    let expected: Vec<String> = (1..=34).map(|n| format!("510104-20261128-{n:06}")).collect();
    assert_eq!(numbers, expected, "numbers run without gaps or repeats");
    let all = store
        .matters(&MatterQuery {
            scope: MatterScope { everything: true, ..MatterScope::default() },
            limit: 100,
            ..MatterQuery::default()
        })
        .await
        .expect("list");
    assert_eq!(all.len(), 34);
}

pub async fn open311_reads_by_number_change_time_public_line_and_feed(store: &dyn Store) {
    setup(store).await;
    create(store, &matter("m1", "510104022006001", 10, "井盖破损"), None).await;
    let mut dispute = matter("m2", "510105002001001", 20, "邻里纠纷");
    dispute.line = Line::Safety;
    create(store, &dispute, None).await;
    create(store, &matter("m3", "510104022006001", 30, "路灯不亮"), None).await;
    let ids = |v: Vec<Matter>| v.into_iter().map(|m| m.id).collect::<Vec<_>>();
    let everything = MatterScope { everything: true, ..MatterScope::default() };

    let by_number = MatterQuery {
        scope: everything.clone(),
        numbers: vec!["510104-20261128-000003".into(), "510104-20261128-000001".into(), "nope".into()],
        limit: 10,
        ..MatterQuery::default()
    };
    assert_eq!(ids(store.matters(&by_number).await.expect("q")), ["m3", "m1"]);

    let public = MatterScope { public: true, ..MatterScope::default() };
    let q = MatterQuery { scope: public.clone(), limit: 10, ..MatterQuery::default() };
    assert_eq!(ids(store.matters(&q).await.expect("q")), ["m3", "m1"], "the safety line is not public");
    let reporter_too = MatterScope { public: true, reporter: Some("u1".into()), ..MatterScope::default() };
    let q = MatterQuery { scope: reporter_too, limit: 10, ..MatterQuery::default() };
    assert_eq!(ids(store.matters(&q).await.expect("q")), ["m3", "m2", "m1"], "a reporter still sees their own");

    // A command on m1 at t = 1002 (see `event`): it changed after 500.
    let mut next = store.matter(&id("m1")).await.expect("read").expect("found");
    let first = store.matter_events(&id("m1")).await.expect("events");
    let accept = event("m1", 2, &first[0].hash, &Command::Accept, Some(MatterState::Reported), MatterState::Filed);
    next.status = next.status.apply(&Command::Accept).expect("fits");
    next.updated_at = accept.at;
    store.append_matter_event(&next, &accept, &[]).await.expect("append");
    let changed = MatterQuery {
        scope: everything.clone(),
        updated_after: Some(Micros::new(500)),
        limit: 10,
        ..MatterQuery::default()
    };
    assert_eq!(ids(store.matters(&changed).await.expect("q")), ["m1"]);

    // The feed: every entry in the window, oldest first, with its number.
    let feed = MatterQuery { scope: everything, limit: 10, ..MatterQuery::default() };
    let all = store.matter_updates(&feed, Micros::new(0), Micros::new(2_000), 0).await.expect("feed");
    assert_eq!(all.len(), 4, "three reports (t = 1001) and one accept (t = 1002)");
    assert_eq!(all.last().map(|(n, e)| (n.as_str(), e.kind.as_str())), Some(("510104-20261128-000001", "accept")));
    assert!(all.windows(2).all(|w| w[0].1.at <= w[1].1.at), "oldest first");
    let late = store.matter_updates(&feed, Micros::new(1_002), Micros::new(2_000), 0).await.expect("feed");
    assert_eq!(late.len(), 1);
    let skipped = store.matter_updates(&feed, Micros::new(0), Micros::new(2_000), 3).await.expect("feed");
    assert_eq!(skipped, all[3..].to_vec(), "offset skips entries in the same order");
    let public_feed = MatterQuery { scope: public, limit: 10, ..MatterQuery::default() };
    let seen = store.matter_updates(&public_feed, Micros::new(0), Micros::new(2_000), 0).await.expect("feed");
    assert!(seen.iter().all(|(n, _)| n != "510104-20261128-000002"), "the feed keeps to the scope too");
    assert_eq!(seen.len(), 3);
}

/// A likely repeat is marked beside its record: the flag reads back, the
/// state, `updated_at` and the timeline stay as they were, and a matter is
/// never marked as a repeat of itself.
pub async fn likely_repeats_are_marked_beside_the_record(store: &dyn Store) {
    setup(store).await;
    for (m, at) in [("d1", 10), ("d2", 20), ("d3", 30)] {
        create(store, &matter(m, "510104022006001", at, "井盖破损"), None).await;
    }
    let original = store.matter(&id("d1")).await.expect("read").expect("found").number;
    let before = store.matter(&id("d2")).await.expect("read").expect("found");
    store.mark_duplicates(&[id("d2"), id("d3"), id("d1"), id("nobody")], &original).await.expect("mark");
    let d3 = store.matter(&id("d3")).await.expect("read").expect("found");
    assert_eq!(d3.duplicate_of.as_deref(), Some(original.as_str()));
    let after = store.matter(&id("d2")).await.expect("read").expect("found");
    assert_eq!(after.duplicate_of.as_deref(), Some(original.as_str()));
    assert_eq!((after.status, after.updated_at, after.event_count), (before.status, before.updated_at, 1));
    assert_eq!(store.matter_events(&id("d2")).await.expect("read").len(), 1, "no timeline entry");
    assert_eq!(store.matter(&id("d1")).await.expect("read").expect("found").duplicate_of, None, "not itself");
    store.mark_duplicates(&[], &original).await.expect("nothing to mark");
    // The original's repeats, listed by its number.
    let repeats = |of: &str| MatterQuery {
        scope: MatterScope { everything: true, ..MatterScope::default() },
        repeats_of: Some(of.to_owned()),
        limit: 100,
        ..MatterQuery::default()
    };
    let mut listed: Vec<String> =
        store.matters(&repeats(&original)).await.expect("list").into_iter().map(|m| m.id.as_str().to_owned()).collect();
    listed.sort();
    assert_eq!(listed, ["d2", "d3"]);
    assert!(store.matters(&repeats(&d3.number)).await.expect("list").is_empty(), "a repeat has none of its own");
}
