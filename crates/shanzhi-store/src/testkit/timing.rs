use jiff::Timestamp;
use jiff::civil::date;
use shanzhi_domain::calendar::DayKind;
use shanzhi_domain::category::{Limit, TimeLimits};
use shanzhi_domain::{Command, MatterState, Stage, Timing, Warning};

use shanzhi_domain::Micros;

use super::matters::{create, event, id, matter, setup};
use crate::{AuditEntry, CalendarDay, DaySource, MatterQuery, MatterScope, Store, SweepUpdate};

pub async fn leases_go_to_one_holder_and_expire(store: &dyn Store) {
    assert!(store.take_lease("sweep", "a", Micros::new(0), 10).await.expect("take"));
    assert!(!store.take_lease("sweep", "b", Micros::new(5), 10).await.expect("take"), "a holds it");
    assert!(store.take_lease("sweep", "a", Micros::new(5), 10).await.expect("renew"));
    assert!(!store.take_lease("sweep", "b", Micros::new(14), 10).await.expect("take"), "renewed until 15");
    assert!(store.take_lease("sweep", "b", Micros::new(15), 10).await.expect("take"), "expired: b takes over");
    let l = store.lease("sweep").await.expect("read").expect("held");
    assert_eq!((l.holder.as_str(), l.acquired_at, l.expires_at), ("b", Micros::new(15), Micros::new(25)));
    assert!(!store.take_lease("sweep", "a", Micros::new(16), 10).await.expect("take"));
    store.release_lease("sweep", "a").await.expect("release");
    assert_eq!(store.lease("sweep").await.expect("read").map(|l| l.holder), Some("b".to_owned()), "only b can release");
    store.release_lease("sweep", "b").await.expect("release");
    assert!(store.lease("sweep").await.expect("read").is_none());
    assert!(store.take_lease("sweep", "a", Micros::new(17), 10).await.expect("take"), "free again");
    assert!(store.take_lease("other", "b", Micros::new(17), 10).await.expect("take"), "leases are per name");
}

pub async fn calendar_days_round_trip(store: &dyn Store) {
    let day = |d: i8, source, kind, name: &str| CalendarDay {
        date: date(2027, 1, d),
        source,
        kind,
        name: name.to_owned(),
        updated_by: "admin".to_owned(),
        updated_at: Micros::new(5),
    };
    let audit = AuditEntry::new("admin", "calendar.put", "calendar");
    store
        .put_calendar_days(
            &[day(1, DaySource::Official, DayKind::Off, "元旦"), day(1, DaySource::Local, DayKind::Work, "值班")],
            &audit,
        )
        .await
        .expect("put");
    store.put_calendar_days(&[day(4, DaySource::Local, DayKind::Off, "防汛")], &audit).await.expect("put");
    store.put_calendar_days(&[day(4, DaySource::Local, DayKind::Off, "防汛停工")], &audit).await.expect("replace");
    let days = store.calendar_days().await.expect("read");
    assert_eq!(days.len(), 3);
    assert_eq!((days[0].source, days[1].source), (DaySource::Official, DaySource::Local));
    assert_eq!(days[2].name, "防汛停工");
    assert!(store.delete_calendar_day(date(2027, 1, 4), DaySource::Local, &audit).await.expect("delete"));
    assert!(!store.delete_calendar_day(date(2027, 1, 4), DaySource::Local, &audit).await.expect("delete"));
    assert_eq!(store.calendar_days().await.expect("read").len(), 2);
    let log = store.audit_log(0, 10).await.expect("audit");
    assert_eq!(log.len(), 4, "every change is audited, a no-op delete is not");
}

pub async fn the_sweep_writes_due_matters_once(store: &dyn Store) {
    setup(store).await;
    let start = Timestamp::from_second(1_800_000_000).expect("time");
    let timing = Timing::default();
    let limits = TimeLimits { accept: Some(Limit::hours(10)), ..TimeLimits::default() };
    let clock = timing.start(Stage::Accept, &limits, false, start).expect("timed");
    let mut m = matter("m1", "510104022006001", start.as_microsecond(), "井盖破损");
    m.clock = Some(clock.clone());
    create(store, &m, None).await;
    let mut untimed = matter("m2", "510104022006001", start.as_microsecond(), "无时限");
    untimed.clock = None;
    create(store, &untimed, None).await;
    let yellow = Micros::from(clock.yellow_at.expect("yellow"));
    assert!(store.due_matter_ids(yellow.plus_seconds(-1), 10).await.expect("due").is_empty());
    assert_eq!(store.due_matter_ids(yellow, 10).await.expect("due"), ["m1"]);
    let ids = [id("m2"), id("m1"), id("gone")];
    let both = store.matters_by_ids(&ids).await.expect("read");
    assert_eq!(
        both.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
        ["m1", "m2"],
        "in id order, missing ones left out"
    );
    let due = [both[0].clone()];
    assert_eq!(due[0].clock, Some(clock.clone()), "the clock round-trips");

    // Overdue: supervised, with the event, in one write.
    let late = clock.deadline.expect("deadline") + jiff::Span::new().seconds(1);
    let mut next = due[0].clone();
    let mut c = clock.clone();
    assert!(c.tick(late));
    c.supervised = true;
    next.clock = Some(c);
    let supervise = Command::Supervise { note: "逾期".into(), overdue: None };
    next.status = next.status.apply(&supervise).expect("fits");
    let e = event("m1", 2, &due[0].last_hash, &supervise, Some(MatterState::Reported), MatterState::Reported);
    let update = SweepUpdate { matter: next.clone(), read_event_count: 1, event: Some(e.clone()), notices: Vec::new() };
    assert_eq!(store.apply_sweep(std::slice::from_ref(&update)).await.expect("sweep"), ["m1"]);
    assert!(
        store.apply_sweep(std::slice::from_ref(&update)).await.expect("again").is_empty(),
        "a stale read writes nothing"
    );

    // In one batch: a colour change alone (no event, the rest of the row kept)
    // beside the stale update, which still writes nothing.
    let mut m3 = matter("m3", "510104022006001", start.as_microsecond(), "路灯不亮");
    m3.clock = Some(clock.clone());
    create(store, &m3, None).await;
    let mut yellow_clock = clock.clone();
    yellow_clock.tick(yellow.timestamp());
    let mut colour = store.matter(&id("m3")).await.expect("read").expect("found");
    let before = colour.clone();
    colour.clock = Some(yellow_clock);
    let recolour = SweepUpdate { matter: colour, read_event_count: 1, event: None, notices: Vec::new() };
    assert_eq!(store.apply_sweep(&[update, recolour]).await.expect("batch"), ["m3"]);
    let m3 = store.matter(&id("m3")).await.expect("read").expect("found");
    assert_eq!(m3.warning(), Warning::Yellow);
    assert_eq!((m3.event_count, &m3.last_hash, m3.updated_at), (1, &before.last_hash, before.updated_at));
    assert_eq!(m3.status, before.status);
    assert_eq!(store.matter_events(&id("m3")).await.expect("events").len(), 1);
    let stored = store.matter(&id("m1")).await.expect("read").expect("found");
    assert_eq!((stored.event_count, stored.warning(), stored.status.supervisions), (2, Warning::Red, 1));
    assert_eq!(store.matter_events(&id("m1")).await.expect("events").len(), 2);
    let later = store.due_matter_ids(Micros::from(late).plus_seconds(1_000), 10).await.expect("due");
    assert_eq!(later, ["m3"], "m1 owes nothing more, m3 goes orange");

    let q = |warnings: Vec<Warning>| MatterQuery {
        scope: MatterScope { everything: true, ..MatterScope::default() },
        warnings,
        limit: 10,
        ..MatterQuery::default()
    };
    let red = store.matters(&q(vec![Warning::Red])).await.expect("list");
    assert_eq!(red.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["m1"]);
    let yellow = store.matters(&q(vec![Warning::Yellow])).await.expect("list");
    assert_eq!(yellow.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["m3"]);
    let mut counts = store.warning_counts(&q(Vec::new())).await.expect("counts");
    counts.sort_by_key(|c| c.warning);
    assert_eq!(counts.len(), 2);
    assert_eq!((counts[0].warning, counts[0].state, counts[0].count), (Warning::Yellow, MatterState::Reported, 1));
    assert_eq!((counts[1].warning, counts[1].state, counts[1].count), (Warning::Red, MatterState::Reported, 1));
}
