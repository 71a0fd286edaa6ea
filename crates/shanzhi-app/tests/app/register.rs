//! The grid's register and care marks: imports checked whole and scoped,
//! records versioned, care reasons sealed at rest, opened only for the
//! grid's and community's workers and every opening recorded.

use std::sync::Arc;

use shanzhi_app::AppError;
use shanzhi_app::register::{
    CareKey, CareKeys, CareMarkInput, CareVisitInput, RegisterDraft, RegisterListQuery, RegisterSettings,
};
use shanzhi_app::timing::ManualClock;
use shanzhi_domain::register::RegisterKind;
use shanzhi_domain::{DivisionCode, Role};
use shanzhi_testkit::{TestApp, TestBackend, backend};

use super::at;

const STREET: &str = "510104022";
const GRID_A: &str = "510104022006001";
const GRID_B: &str = "510104022006002";
pub(super) const REASON: &str = "独居老人";
pub(super) const NOTES: &str = "左腿不便，每周三女儿探望";

pub(super) async fn world(clock: Arc<ManualClock>) -> TestApp {
    let t = TestApp::new()
        .with_clock(clock)
        .with_grid()
        .with_categories()
        .with_departments()
        .with_accounts(&[
            ("g_a", Role::GridWorker, Some(GRID_A)),
            ("g_b", Role::GridWorker, Some(GRID_B)),
            ("c_in", Role::CommunityWorker, Some("510104022006")),
            ("c_out", Role::CommunityWorker, Some("510603001001")),
            ("d_street", Role::Dispatcher, Some(STREET)),
            ("s_in", Role::Supervisor, Some("5101")),
            ("s_out", Role::Supervisor, Some("5106")),
            ("a_city", Role::Admin, Some("5101")),
            ("h_dept", Role::DeptHandler, Some("510104-chengguan")),
        ])
        .start()
        .await;
    let key = CareKey::generate("k1").expect("key");
    t.app().set_register_settings(RegisterSettings { keys: CareKeys::new(key, vec![]), ..RegisterSettings::default() });
    t
}

fn csv(rows: &[&str]) -> Vec<u8> {
    let mut s = shanzhi_app::register::generate::HEADER.to_owned();
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.into_bytes()
}

const GOOD: [&str; 5] = [
    "居民,总府路1号1栋,住宅,510104022006001,1,101,是,张三,510104195001011232,,,13800001111,户籍",
    "居民,总府路1号1栋,住宅,510104022006001,1,101,否,李四,,女,1952,,常住",
    "居民,总府路2号1栋,住宅,510104022006002,2,202,是,王五,,男,1980,,流动",
    "商户,总府路2号1栋,住宅,510104022006002,,,,总府路便利店,,,,,",
    "设施,总府路1号1栋,住宅,510104022006001,,,,总府路公厕,,,,,",
];

fn street() -> DivisionCode {
    DivisionCode::parse(STREET).expect("street")
}

pub(super) async fn import_good(t: &TestApp) {
    let d = t.actor("d_street").await;
    let report = t.app().scoped(d).import_register(&csv(&GOOD), "register.csv", &street()).await.expect("import");
    assert_eq!(
        (report.rows, report.buildings, report.households, report.residents, report.organisations, report.facilities),
        (5, 2, 2, 3, 1, 1)
    );
}

pub(super) async fn resident(t: &TestApp, who: &str, name: &str) -> String {
    let a = t.actor(who).await;
    let list = t
        .app()
        .scoped(a)
        .register_list(&RegisterListQuery { q: Some(name.to_owned()), ..Default::default() })
        .await
        .expect("list");
    list.into_iter().find(|e| e.name == name).expect("found").id
}

pub(super) fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(at(11, 30, 10, 0)))
}

#[tokio::test]
async fn an_import_is_placed_on_the_grid_and_lists_follow_the_scope() {
    let t = world(clock()).await;
    import_good(&t).await;
    let g_a = t.app().scoped(t.actor("g_a").await);
    let mine = g_a.register_list(&RegisterListQuery::default()).await.expect("my grid");
    let names: Vec<&str> = mine.iter().map(|e| e.name.as_str()).collect();
    assert!(names.contains(&"张三") && names.contains(&"总府路公厕"), "{names:?}");
    assert!(!names.contains(&"王五"), "grid B's resident is not in grid A's list");
    let zhang = mine.iter().find(|e| e.name == "张三").expect("张三");
    assert_eq!(zhang.details["联系电话"], "138****1111", "the phone is masked");
    assert_eq!(zhang.details["出生年份"], 1950, "read from the ID number");
    assert!(!serde_json::to_string(zhang).expect("json").contains("19500101"), "no ID number anywhere");
    let other = g_a.register_list(&RegisterListQuery { grid: Some(GRID_B.to_owned()), ..Default::default() }).await;
    assert!(matches!(other, Err(AppError::NotFound { .. })), "another grid is not found");
    let c = t.app().scoped(t.actor("c_in").await);
    assert_eq!(c.register_list(&RegisterListQuery::default()).await.expect("community").len(), 9);
    for who in ["h_dept", "s_in", "s_out"] {
        let r = t
            .app()
            .scoped(t.actor(who).await)
            .register_list(&RegisterListQuery { community: Some("510104022006".into()), ..Default::default() })
            .await;
        assert!(matches!(r, Err(AppError::NotFound { .. })), "{who} does not see the register");
    }

    // An edit keeps the version before, with who and when.
    let id = resident(&t, "g_a", "李四").await;
    let mut draft = RegisterDraft::new(RegisterKind::Resident, "李四");
    draft.parent_id = mine.iter().find(|e| e.name == "李四").and_then(|e| e.parent_id.clone());
    draft.phone = Some("13900002222".into());
    draft.status = Some("常住".into());
    draft.version = Some(1);
    g_a.edit_register_record(&id, &draft).await.expect("edit");
    assert!(matches!(g_a.edit_register_record(&id, &draft).await, Err(AppError::Conflict { .. })), "a stale version");
    let history = g_a.register_history(&id).await.expect("history");
    assert_eq!(
        history.iter().map(|v| (v.version, v.saved_by.as_str())).collect::<Vec<_>>(),
        [(1, "d_street"), (2, "g_a")]
    );
    assert!(history[0].details.get("联系电话").is_none() && history[1].details["联系电话"] == "139****2222");
    let g_b = t.app().scoped(t.actor("g_b").await);
    assert!(matches!(g_b.edit_register_record(&id, &draft).await, Err(AppError::NotFound { .. })));
}

#[tokio::test]
async fn a_file_with_bad_rows_is_refused_whole_with_line_numbers() {
    let t = world(clock()).await;
    let d = t.app().scoped(t.actor("d_street").await);
    let bad = csv(&[
        GOOD[0],
        "居民,总府路1号1栋,住宅,510104022006001,1,102,是,赵六,510104195001011230,,,,户籍",
        "居民,总府路1号1栋,住宅,510104022006001,1,,是,钱七,,,,,户籍",
        "居民,总府路9号,住宅,510603001001001,1,1,是,孙八,,,,,户籍",
        "居民,总府路1号1栋,住宅,510104022006001,1,103,是,周九,510104195001011232,,,,户籍",
        "居民,总府路1号1栋,住宅,510104022006001,1,104,是,吴十,,,,,游客",
    ]);
    let Err(AppError::ImportRejected(r)) = d.import_register(&bad, "bad.csv", &street()).await else {
        panic!("refused")
    };
    let lines: Vec<Option<u64>> = r.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, [Some(3), Some(4), Some(5), Some(6), Some(7)], "{r}");
    assert!(
        r.problems[3].message.zh.contains("第 2 行"),
        "a repeated ID names the first line: {}",
        r.problems[3].message.zh
    );
    let c = t.app().scoped(t.actor("c_in").await);
    assert!(c.register_list(&RegisterListQuery::default()).await.expect("list").is_empty(), "nothing was written");

    // Scope: a grid worker may not import; another community's worker is
    // refused row by row; a community worker imports their own community.
    let g = t.app().scoped(t.actor("g_a").await);
    assert!(matches!(g.import_register(&csv(&GOOD), "r.csv", &street()).await, Err(AppError::Forbidden(_))));
    let out = t.app().scoped(t.actor("c_out").await);
    let Err(AppError::ImportRejected(r)) = out.import_register(&csv(&GOOD), "r.csv", &street()).await else {
        panic!("refused")
    };
    assert!(r.problems.iter().all(|p| p.message.zh.contains("管辖范围")), "{r}");
    c.import_register(&csv(&GOOD), "r.csv", &street()).await.expect("own community");
    let again = c.import_register(&csv(&GOOD[..1]), "r.csv", &street()).await;
    assert!(matches!(again, Err(AppError::ImportRejected(_))), "an ID number registered before");
}

#[tokio::test]
async fn care_reasons_are_sealed_shown_only_to_the_grid_and_community_and_every_view_recorded() {
    let clock = clock();
    let t = world(clock.clone()).await;
    import_good(&t).await;
    let zhang = resident(&t, "g_a", "张三").await;
    let c = t.app().scoped(t.actor("c_in").await);
    let input = CareMarkInput { reason: REASON.into(), notes: NOTES.into(), every_days: 2, worker: Some("g_a".into()) };
    let bad = CareMarkInput { reason: "不存在的原因".into(), ..input.clone() };
    assert!(matches!(c.mark_for_care(&zhang, &bad).await, Err(AppError::BadRequest { .. })));
    let mark = c.mark_for_care(&zhang, &input).await.expect("mark");
    assert_eq!(mark.label, "关爱对象");
    assert!(mark.reason.is_none(), "the answer to marking is masked");
    let wang = resident(&t, "g_b", "王五").await;
    let g_b_marks = t.app().scoped(t.actor("g_b").await);
    g_b_marks
        .mark_for_care(&wang, &CareMarkInput { worker: None, ..input.clone() })
        .await
        .expect("grid B marks its own");

    // Lists are masked.
    let g_a = t.app().scoped(t.actor("g_a").await);
    let list = g_a.care_marks(None, None).await.expect("list");
    assert_eq!(list.len(), 1);
    assert!(list[0].reason.is_none() && list[0].notes.is_none() && list[0].label == "关爱对象");

    // Opened: the grid's worker and the community's worker; nobody else.
    let opened = g_a.care_mark_unmasked(&mark.id).await.expect("grid A");
    assert_eq!((opened.reason.as_deref(), opened.notes.as_deref()), (Some(REASON), Some(NOTES)));
    c.care_mark_unmasked(&mark.id).await.expect("community");
    for who in ["g_b", "h_dept", "s_in", "s_out", "a_city", "d_street", "c_out"] {
        let r = t.app().scoped(t.actor(who).await).care_mark_unmasked(&mark.id).await;
        assert!(matches!(r, Err(AppError::NotFound { .. })), "{who}: {r:?}");
    }
    let log = t.store().pii_accesses(&format!("register:{zhang}")).await.expect("log");
    let viewers: Vec<(&str, &str)> = log.iter().map(|a| (a.actor.as_str(), a.field.as_str())).collect();
    assert_eq!(viewers, [("g_a", "care_reason"), ("c_in", "care_reason")], "every unmasked view, and only those");

    // Due on the working-day calendar: marked Monday 30 Nov, every 2 working
    // days → due Wednesday 2 Dec; on Friday 4 Dec it is overdue.
    assert!(g_a.care_due(None, None).await.expect("due").is_empty());
    clock.set(at(12, 4, 9, 0));
    let due = g_a.care_due(None, None).await.expect("due");
    assert_eq!(due.iter().map(|d| (d.next_due.as_str(), d.overdue)).collect::<Vec<_>>(), [("2026-12-02", true)]);
    g_a.record_care_visit(&mark.id, &CareVisitInput { on: None }).await.expect("visit");
    assert!(g_a.care_due(None, None).await.expect("due").is_empty(), "a visit today moves the next due day");
    let g_b = t.app().scoped(t.actor("g_b").await);
    assert_eq!(g_b.care_due(None, None).await.expect("B").len(), 1, "grid B's own mark, not A's");
    assert!(matches!(
        g_b.record_care_visit(&mark.id, &CareVisitInput { on: None }).await,
        Err(AppError::NotFound { .. })
    ));

    // Ending a marking schedules the deletion of the reason.
    let ended = c.end_care_mark(&mark.id).await.expect("end");
    assert!(ended.ended_on.is_some());
    assert_eq!(t.app().purge_care_reasons().await.expect("purge"), 0, "not before the retention period");
    clock.set(at(12, 4, 9, 0) + jiff::SignedDuration::from_hours(24 * 91));
    assert_eq!(t.app().purge_care_reasons().await.expect("purge"), 1);
    let purged = c.care_mark_unmasked(&mark.id).await.expect("still there");
    assert!(purged.reason.is_none(), "the reason is deleted");
}

#[tokio::test]
async fn the_sweep_deletes_an_ended_care_reason_once_its_retention_is_over() {
    let clock = clock();
    let t = world(clock.clone()).await;
    import_good(&t).await;
    let zhang = resident(&t, "g_a", "张三").await;
    let c = t.app().scoped(t.actor("c_in").await);
    let input = CareMarkInput { reason: REASON.into(), notes: NOTES.into(), every_days: 5, worker: None };
    let ended = c.mark_for_care(&zhang, &input).await.expect("mark");
    let running = c.mark_for_care(&resident(&t, "g_a", "李四").await, &input).await.expect("mark");
    c.end_care_mark(&ended.id).await.expect("end");

    t.app().sweep().await.expect("sweep");
    assert_eq!(
        c.care_mark_unmasked(&ended.id).await.expect("open").reason.as_deref(),
        Some(REASON),
        "kept during the retention period"
    );
    clock.set(at(11, 30, 9, 0) + jiff::SignedDuration::from_hours(24 * 91));
    t.app().sweep().await.expect("sweep");
    assert_eq!(
        c.care_mark_unmasked(&ended.id).await.expect("open").reason,
        None,
        "deleted by the sweep once the retention is over"
    );
    assert_eq!(
        c.care_mark_unmasked(&running.id).await.expect("open").reason.as_deref(),
        Some(REASON),
        "a running marking keeps its reason"
    );
    let log = t.store().audit_log(0, 10_000).await.expect("audit");
    assert_eq!(log.iter().filter(|e| e.action == "care.purge").count(), 1, "one purge, audited");
}

#[tokio::test]
async fn the_database_holds_no_care_reason_in_clear_text() {
    let t = world(clock()).await;
    import_good(&t).await;
    let zhang = resident(&t, "g_a", "张三").await;
    let c = t.app().scoped(t.actor("c_in").await);
    let input = CareMarkInput { reason: REASON.into(), notes: NOTES.into(), every_days: 5, worker: None };
    let mark = c.mark_for_care(&zhang, &input).await.expect("mark");
    c.care_mark_unmasked(&mark.id).await.expect("open");
    if backend() == TestBackend::Postgres {
        let url = &t.db().cli_args[1];
        let pool = sqlx::PgPool::connect(url).await.expect("connect");
        for table in ["care_marks", "register_records", "register_versions", "audit_log", "pii_access_log"] {
            let rows: Vec<String> =
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT CAST(t AS TEXT) FROM {table} t")))
                    .fetch_all(&pool)
                    .await
                    .expect("rows");
            assert!(!rows.is_empty() || table != "care_marks");
            for row in rows {
                assert!(!row.contains(REASON) && !row.contains("左腿"), "{table}: {row}");
                assert!(!row.contains("510104195001011232"), "{table}: an ID number in clear");
            }
        }
        pool.close().await;
    } else {
        let dir = std::path::Path::new(&t.db().cli_args[1]);
        let mut bytes = Vec::new();
        for name in ["shanzhi.db", "shanzhi.db-wal"] {
            if let Ok(b) = std::fs::read(dir.join(name)) {
                bytes.extend(b);
            }
        }
        assert!(bytes.len() > 10_000, "the database was read");
        let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        assert!(has("张三".as_bytes()), "the check finds clear text (the name is stored in clear)");
        assert!(!has(REASON.as_bytes()), "the care reason is not in the file");
        assert!(!has("左腿".as_bytes()), "nor the notes");
        assert!(!has(b"510104195001011232"), "nor an ID number");
    }
}
