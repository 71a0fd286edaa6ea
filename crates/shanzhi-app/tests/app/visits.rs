//! Visits and the 民情日志: a visit's position is checked against the
//! visited person's grid, a resend with the same Idempotency-Key is the same
//! visit, a care visit moves the next due day and its text is sealed and
//! opened only for the grid and community (each opening recorded); a matter
//! reported from a visit goes through the intake; the worker's day lists
//! what they did, and the community worker comments on it.

use shanzhi_app::AppError;
use shanzhi_app::register::CareMarkInput;
use shanzhi_app::visits::{
    CARE_VISIT_COLUMNS, LogCommentInput, LogNotesInput, VisitInput, VisitMatterInput, care_visit_csv,
};
use shanzhi_testkit::INSIDE_POINT;

use super::at;
use super::register::{NOTES, REASON, clock, import_good, resident, world};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
const RAISED: &str = "反映楼道灯坏了两周，晚上上下楼不便";
const CARE_RAISED: &str = "老人说最近腿疼加重，希望社区医生上门";

fn input(resident: Option<&str>, care_mark: Option<&str>, raised: &str) -> VisitInput {
    VisitInput {
        resident: resident.map(str::to_owned),
        care_mark: care_mark.map(str::to_owned),
        lng: Some(INSIDE_POINT.0),
        lat: Some(INSIDE_POINT.1),
        raised: raised.to_owned(),
        images: Vec::new(),
    }
}

#[tokio::test]
async fn a_visit_is_placed_in_the_grid_kept_once_per_key_and_seals_a_care_persons_notes() {
    let clock = clock();
    let t = world(clock.clone()).await;
    import_good(&t).await;
    let zhang = resident(&t, "g_a", "张三").await;
    let li = resident(&t, "g_a", "李四").await;
    let c = t.app().scoped(t.actor("c_in").await);
    let g_a = t.app().scoped(t.actor("g_a").await);
    let mark = c
        .mark_for_care(
            &zhang,
            &CareMarkInput { reason: REASON.into(), notes: NOTES.into(), every_days: 2, worker: Some("g_a".into()) },
        )
        .await
        .expect("mark");

    // Outside the grid: refused, nothing written.
    let far = VisitInput { lng: Some(104.39), lat: Some(31.125), ..input(Some(&li), None, RAISED) };
    assert!(matches!(g_a.record_visit(&far, None).await, Err(AppError::Invalid { .. })));
    let day = "2026-11-30".parse().expect("day");
    assert!(g_a.daily_log(day, None).await.expect("log").visits.is_empty(), "a refused visit leaves nothing");
    // Another grid's resident: not found.
    let wang = resident(&t, "g_b", "王五").await;
    let g_b = t.app().scoped(t.actor("g_b").await);
    assert!(matches!(g_a.record_visit(&input(Some(&wang), None, RAISED), None).await, Err(AppError::NotFound { .. })));

    // A visit with a photo; the same key again is the same visit.
    let photo = g_a.upload(PNG).await.expect("photo");
    let with_photo = VisitInput { images: vec![photo.id.clone()], ..input(Some(&li), None, RAISED) };
    let first = g_a.record_visit(&with_photo, Some("draft-1")).await.expect("visit");
    assert_eq!((first.raised.as_deref(), first.position_missing, first.images.len()), (Some(RAISED), false, 1));
    let again = g_a.record_visit(&with_photo, Some("draft-1")).await.expect("resend");
    assert_eq!((again.id.as_str(), again.repeated), (first.id.as_str(), true));
    let changed = VisitInput { raised: "另一件事".into(), ..with_photo.clone() };
    assert!(matches!(g_a.record_visit(&changed, Some("draft-1")).await, Err(AppError::Invalid { .. })));
    let (kind, bytes) = c.visit_photo(&first.id, &photo.id).await.expect("the community sees the photo");
    assert_eq!((kind.as_str(), bytes.as_slice()), ("image/png", PNG));
    assert!(g_b.visit_photo(&first.id, &photo.id).await.is_err(), "another grid does not");
    // Without a position: kept and flagged.
    let nowhere = VisitInput { lng: None, lat: None, ..input(Some(&li), None, "路过问候") };
    assert!(g_a.record_visit(&nowhere, None).await.expect("no position").position_missing);

    // A care person's visit: sealed, masked in lists, opened for the grid
    // and community only and recorded; the next due day moves.
    clock.set(at(12, 4, 9, 0));
    assert_eq!(g_a.care_due(None, None).await.expect("due").len(), 1, "overdue before the visit");
    let care = g_a.record_visit(&input(None, Some(&mark.id), CARE_RAISED), Some("draft-2")).await.expect("care");
    assert!(care.care && care.masked && care.raised.is_none(), "the answer is masked");
    assert!(g_a.care_due(None, None).await.expect("due").is_empty(), "the visit moved the next due day");
    let opened = c.visit(&care.id).await.expect("community opens");
    assert_eq!(opened.raised.as_deref(), Some(CARE_RAISED));
    for who in ["g_b", "s_in", "a_city", "d_street", "h_dept", "c_out"] {
        let r = t.app().scoped(t.actor(who).await).visit(&care.id).await;
        assert!(r.is_err(), "{who} does not open a care visit: {r:?}");
    }
    let views = t.store().pii_accesses(&format!("register:{zhang}")).await.expect("log");
    assert!(views.iter().any(|a| a.actor == "c_in" && a.field == "visit_notes"), "the opening is recorded");
    // The same for a visit to a marked resident named directly.
    let direct = g_a.record_visit(&input(Some(&zhang), None, CARE_RAISED), None).await.expect("direct");
    assert!(direct.care && direct.raised.is_none());

    // Coverage, Monday 30 Nov to Friday 4 Dec: marked on Monday, every 2
    // working days → Tuesday to Friday is 2 visits due; visited on one day.
    let week = (jiff::civil::date(2026, 11, 30), jiff::civil::date(2026, 12, 4));
    let cov = c.care_visit_coverage(week, None, None, None).await.expect("coverage");
    assert_eq!((cov.persons, cov.figure.numerator, cov.figure.denominator, cov.figure.value), (1, 1.0, 2.0, Some(0.5)));
    let of_b = c.care_visit_coverage(week, None, None, Some("g_b")).await.expect("g_b's");
    assert_eq!((of_b.persons, of_b.figure.value), (0, None), "nobody in g_b's care: no value");
    assert!(t.app().scoped(t.actor("s_out").await).care_visit_coverage(week, None, None, None).await.is_err());

    // An ended marking still counts what was due until it ended: ended on
    // Monday 7 Dec, 30 Nov – 11 Dec has Tue 1 – Mon 7 Dec (5 working days,
    // 3 visits due) and one day with visits. The export gives the same.
    clock.set(at(12, 7, 9, 0));
    c.end_care_mark(&mark.id).await.expect("end");
    let fortnight = (jiff::civil::date(2026, 11, 30), jiff::civil::date(2026, 12, 11));
    let cov = c.care_visit_coverage(fortnight, None, None, None).await.expect("coverage");
    assert_eq!((cov.persons, cov.figure.numerator, cov.figure.denominator), (1, 1.0, 3.0));
    let rows = c.care_visit_rows(fortnight, None, None, None).await.expect("rows");
    let csv = String::from_utf8(care_visit_csv(&rows).expect("csv")).expect("utf-8");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!((lines[0], lines.len()), (CARE_VISIT_COLUMNS, 2), "{csv}");
    let cells: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(
        (cells[0], cells[3], cells[4], cells[5], cells[6]),
        (mark.id.as_str(), "2", "2026-11-30", "2026-12-07", "2026-12-04"),
        "{csv}"
    );
    let later = (jiff::civil::date(2026, 12, 8), jiff::civil::date(2026, 12, 11));
    assert_eq!(c.care_visit_coverage(later, None, None, None).await.expect("later").persons, 0, "ended before");
}

#[tokio::test]
async fn a_matter_is_reported_from_a_visit_and_the_day_is_logged_and_reviewed() {
    let clock = clock();
    let t = world(clock.clone()).await;
    import_good(&t).await;
    let li = resident(&t, "g_a", "李四").await;
    let g_a = t.app().scoped(t.actor("g_a").await);
    let c = t.app().scoped(t.actor("c_in").await);
    let v = g_a.record_visit(&input(Some(&li), None, RAISED), None).await.expect("visit");
    let report = VisitMatterInput { category: "0110".into(), description: RAISED.into(), with_photos: None };
    assert!(c.report_from_visit(&v.id, &report).await.is_err(), "only the visitor reports from their visit");
    let answer = g_a.report_from_visit(&v.id, &report).await.expect("matter");
    assert!(answer.created);
    assert_eq!(answer.matter.channel, "grid_worker");
    assert!(matches!(g_a.report_from_visit(&v.id, &report).await, Err(AppError::Invalid { .. })), "once");
    assert_eq!(g_a.visit(&v.id).await.expect("visit").matter_number.as_deref(), Some(answer.matter.number.as_str()));

    let day = "2026-11-30".parse().expect("day");
    g_a.write_log_notes(day, &LogNotesInput { notes: "上午入户走访，下午整理台账".into() }).await.expect("notes");
    let log = g_a.daily_log(day, None).await.expect("log");
    assert_eq!((log.visits.len(), log.matters.len(), log.editable), (1, 1, true));
    assert_eq!(log.matters[0].number, answer.matter.number);

    // The community worker sees the day in the review list and comments.
    let list = c.daily_logs(day, None).await.expect("review list");
    let row = list.iter().find(|r| r.worker == "g_a").expect("g_a's day");
    assert_eq!((row.visits, row.matters, row.has_notes), (1, 1, true));
    let comment = LogCommentInput { worker: "g_a".into(), body: "已阅，楼道灯请跟进".into() };
    let reviewed = c.comment_on_log(day, &comment).await.expect("comment");
    assert_eq!(reviewed.comments.len(), 1);
    assert!(!reviewed.editable, "not the reviewer's own day");
    assert!(g_a.comment_on_log(day, &comment).await.is_err(), "a worker does not review their own day");
    for who in ["g_b", "c_out", "s_in", "a_city"] {
        let r = t.app().scoped(t.actor(who).await).daily_log(day, Some("g_a")).await;
        assert!(r.is_err(), "{who} does not read g_a's day: {r:?}");
    }
    // The next day the notes are closed.
    clock.set(at(12, 1, 9, 0));
    assert!(g_a.write_log_notes(day, &LogNotesInput { notes: "补记".into() }).await.is_err());
    assert!(!g_a.daily_log(day, None).await.expect("log").editable);
}
