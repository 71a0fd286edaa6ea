//! Visits: a retried submission (same idempotency key) finds the first visit
//! and writes nothing; a care visit moves its mark's last visit, never back;
//! a matter is tied once; lists filter by worker, place and day. The day's
//! notes are replaced whole; review comments are kept in order.

use jiff::civil::{Date, date};
use shanzhi_domain::register::RegisterKind;
use shanzhi_domain::{GridCode, Micros};

use super::code;
use crate::{
    AuditEntry, CareMarkRecord, DailyLogRecord, LogCommentRecord, RegisterRecord, Store, StoreError, VisitAdded,
    VisitQuery, VisitRecord,
};

const A: &str = "510104022006";
const B: &str = "510104022007";
const GA: &str = "510104022006001";
const GB: &str = "510104022007001";

fn at(s: i64) -> Micros {
    Micros::new(1_800_000_000_000_000 + s * 1_000_000)
}

fn grid(s: &str) -> GridCode {
    GridCode::parse(s).expect("test grid")
}

fn audit() -> AuditEntry {
    AuditEntry::new("tester", "visit.test", "visits")
}

fn resident(id: &str, community: &str, g: &str) -> RegisterRecord {
    RegisterRecord {
        id: id.to_owned(),
        kind: RegisterKind::Resident,
        community: code(community),
        grid: Some(grid(g)),
        parent_id: None,
        name: format!("居民{id}"),
        fields: "{}".to_owned(),
        id_hash: None,
        search_text: id.to_owned(),
        version: 1,
        updated_by: "importer".to_owned(),
        updated_at: at(0),
    }
}

fn visit(id: &str, worker: &str, subject: &str, g: &str, day: Date, key: Option<&str>) -> VisitRecord {
    let g = grid(g);
    VisitRecord {
        id: id.to_owned(),
        worker_id: worker.to_owned(),
        community: g.community(),
        grid: Some(g),
        day,
        at: at(60),
        position: Some((104.08, 30.66)),
        subject_id: subject.to_owned(),
        care_mark_id: None,
        raised: Some("楼道灯坏了".to_owned()),
        key_id: None,
        sealed: None,
        images: vec!["att-1".to_owned()],
        matter_id: None,
        idempotency_key: key.map(str::to_owned),
        request_hash: format!("hash-{id}"),
    }
}

pub async fn visits_are_kept_once_per_key_and_move_the_care_mark(store: &dyn Store) {
    store.add_register_records(&[resident("vr1", A, GA), resident("vr2", B, GB)], &audit()).await.expect("residents");
    let mark = CareMarkRecord {
        id: "vm1".to_owned(),
        resident_id: "vr1".to_owned(),
        community: code(A),
        grid: Some(grid(GA)),
        key_id: "k1".to_owned(),
        sealed: Some("c2VhbGVk".to_owned()),
        every_days: 5,
        worker_id: Some("w1".to_owned()),
        started_on: date(2026, 11, 2),
        last_visit_on: None,
        ended_on: None,
        purge_on: None,
        created_by: "tester".to_owned(),
        created_at: at(0),
    };
    store.add_care_mark(&mark, &audit()).await.expect("mark");

    let day = date(2026, 11, 20);
    let mut care = visit("v1", "w1", "vr1", GA, day, Some("key-1"));
    care.care_mark_id = Some("vm1".to_owned());
    care.raised = None;
    care.key_id = Some("k1".to_owned());
    care.sealed = Some("c2VhbGVkIHZpc2l0".to_owned());
    assert_eq!(store.add_visit(&care, &audit()).await.expect("visit"), VisitAdded::New);
    assert_eq!(store.visit("v1").await.expect("read"), Some(care.clone()));
    assert_eq!(store.care_mark("vm1").await.expect("mark").expect("vm1").last_visit_on, Some(day));

    // The same key again (a resend): the first visit, nothing new written.
    let resend = VisitRecord { id: "v1-again".to_owned(), ..care.clone() };
    assert_eq!(store.add_visit(&resend, &audit()).await.expect("resend"), VisitAdded::Existing(Box::new(care.clone())));
    assert!(store.visit("v1-again").await.expect("read").is_none());
    assert_eq!(store.visit_by_idempotency_key("key-1").await.expect("by key"), Some(care.clone()));
    assert_eq!(store.visit_by_idempotency_key("key-unknown").await.expect("by key"), None);

    // An earlier visit recorded later does not move the last visit back.
    let mut earlier = visit("v2", "w1", "vr1", GA, date(2026, 11, 18), None);
    earlier.care_mark_id = Some("vm1".to_owned());
    store.add_visit(&earlier, &audit()).await.expect("earlier");
    assert_eq!(store.care_mark("vm1").await.expect("mark").expect("vm1").last_visit_on, Some(day));

    let other = VisitRecord { position: None, ..visit("v3", "w2", "vr2", GB, day, Some("key-2")) };
    assert_eq!(store.add_visit(&other, &audit()).await.expect("no position"), VisitAdded::New);
    assert_eq!(store.visit("v3").await.expect("read").expect("v3").position, None);

    // Neither raised nor sealed: refused whole.
    let empty = VisitRecord { raised: None, ..visit("v4", "w1", "vr1", GA, day, None) };
    assert!(store.add_visit(&empty, &audit()).await.is_err());
    assert!(store.visit("v4").await.expect("read").is_none());

    let ids = |v: Vec<VisitRecord>| v.into_iter().map(|v| v.id).collect::<Vec<_>>();
    let of_w1 = VisitQuery { worker_id: Some("w1".to_owned()), limit: 10, ..Default::default() };
    assert_eq!(ids(store.visits(&of_w1).await.expect("w1")), ["v1", "v2"]);
    let that_day = VisitQuery { from: Some(day), to: Some(day), limit: 10, ..Default::default() };
    assert_eq!(ids(store.visits(&that_day).await.expect("day")), ["v1", "v3"]);
    let in_b = VisitQuery { within: Some(code(B)), limit: 10, ..Default::default() };
    assert_eq!(ids(store.visits(&in_b).await.expect("B")), ["v3"]);
    let in_ga = VisitQuery { grids: vec![grid(GA)], limit: 1, ..Default::default() };
    assert_eq!(store.visits(&in_ga).await.expect("GA").len(), 1);

    // A matter is tied once.
    super::matters::setup(store).await;
    super::matters::create(store, &super::matters::matter("vmt1", GA, 70, "楼道灯坏了"), None).await;
    store.set_visit_matter("v1", "vmt1", &audit()).await.expect("tie");
    assert_eq!(store.visit("v1").await.expect("read").expect("v1").matter_id.as_deref(), Some("vmt1"));
    let err = store.set_visit_matter("v1", "vmt1", &audit()).await.expect_err("tied already");
    assert!(matches!(err, StoreError::Constraint(_)), "{err:?}");
    let err = store.set_visit_matter("v-unknown", "m", &audit()).await.expect_err("unknown visit");
    assert!(matches!(err, StoreError::Constraint(_)), "{err:?}");
}

pub async fn daily_log_notes_are_replaced_and_comments_kept(store: &dyn Store) {
    let day = date(2026, 11, 20);
    let mut log = DailyLogRecord {
        worker_id: "w1".to_owned(),
        day,
        community: code(A),
        grid: Some(grid(GA)),
        notes: "上午走访 3 户".to_owned(),
        updated_at: at(1),
    };
    store.put_daily_log(&log, &audit()).await.expect("notes");
    log.notes = "上午走访 3 户，下午巡查".to_owned();
    log.updated_at = at(2);
    store.put_daily_log(&log, &audit()).await.expect("notes again");
    assert_eq!(store.daily_log("w1", day).await.expect("read"), Some(log.clone()));
    assert_eq!(store.daily_log("w1", date(2026, 11, 21)).await.expect("read"), None);
    let other = DailyLogRecord { worker_id: "w2".to_owned(), community: code(B), grid: Some(grid(GB)), ..log.clone() };
    store.put_daily_log(&other, &audit()).await.expect("w2");
    let in_a = store.daily_logs(Some(&code(A)), &[], day).await.expect("A");
    assert_eq!(in_a, vec![log.clone()]);
    assert_eq!(store.daily_logs(None, &[grid(GB)], day).await.expect("GB"), vec![other]);
    assert!(store.daily_logs(Some(&code(A)), &[], date(2026, 11, 19)).await.expect("none").is_empty());

    let comment = |id: &str, s: i64, body: &str| LogCommentRecord {
        id: id.to_owned(),
        worker_id: "w1".to_owned(),
        day,
        author_id: "c1".to_owned(),
        at: at(s),
        body: body.to_owned(),
    };
    store.add_log_comment(&comment("c-2", 20, "请跟进楼道灯"), &audit()).await.expect("comment");
    store.add_log_comment(&comment("c-1", 10, "已阅"), &audit()).await.expect("comment");
    assert!(store.add_log_comment(&comment("c-1", 30, "again"), &audit()).await.is_err(), "ids are unique");
    let bodies: Vec<String> =
        store.log_comments("w1", day).await.expect("comments").into_iter().map(|c| c.body).collect();
    assert_eq!(bodies, ["已阅", "请跟进楼道灯"]);
    assert!(store.log_comments("w2", day).await.expect("none").is_empty());
}
