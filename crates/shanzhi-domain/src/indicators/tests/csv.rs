//! The export's lines written straight from a timeline are those of its rows.

use super::super::record::{rows_of, write_rows_csv};
use crate::Role;
use crate::instant::Micros;
use crate::matter::{ActingRole, Assignee, ClockMark, Command, Matter, MatterEvent, Rating};
use crate::people::DepartmentCode;
use crate::timing::Stage;

/// A matter through dispatch, a failed and a passed verification and a
/// rating; its number holds a comma and a quote (quoted in the CSV).
fn timeline() -> (Matter, Vec<MatterEvent>) {
    let mut m = Matter { number: "510104-20261130-\"1\",2".to_owned(), ..Matter::example() };
    let mut first =
        m.report_entry("r", ActingRole::Role(Role::Resident), r#"{"level":"community"}"#.into(), Vec::new());
    first.mark = ClockMark { stage: Some(Stage::Accept), deadline: Some(Micros::new(1_700_000_000_123_456)) };
    m.event_count = 1;
    m.last_hash = first.hash.clone();
    let mut events = vec![first];
    let dept = Assignee::Department(DepartmentCode::parse("510104-chengguan").expect("dept"));
    for (i, c) in [
        Command::Accept,
        Command::Dispatch { to: dept },
        Command::Sign,
        Command::Respond { text: "已处理, 见图".into() },
        Command::Verify { passed: false, note: String::new() },
        Command::Respond { text: "已返工".into() },
        Command::Verify { passed: true, note: String::new() },
        Command::Rate { rating: Rating::BasicallySatisfied, reason: None },
    ]
    .iter()
    .enumerate()
    {
        let at = Micros::new(1_700_000_000_000_000 + i as i64 * 3_600_000_000);
        let (next, mut e) = m.apply(c, at, "d", ActingRole::Role(Role::Dispatcher), Vec::new()).expect("fits");
        if i % 2 == 0 {
            e.mark = ClockMark { stage: Some(Stage::Handle), deadline: Some(at.plus_seconds(7200)) };
        }
        m = next;
        events.push(e);
    }
    (m, events)
}

#[test]
fn lines_written_straight_are_the_rows_lines() {
    let (m, events) = timeline();
    let mut by_rows = String::new();
    for row in rows_of(&m, &events) {
        row.write_csv(&mut by_rows);
    }
    let mut straight = String::new();
    assert_eq!(write_rows_csv(&m, &events, &mut straight), events.len());
    assert_eq!(straight, by_rows);
    let lines: Vec<&str> = straight.lines().collect();
    assert_eq!(lines.len(), events.len());
    // The first line as docs/timeline-export.md describes it (the number quoted).
    assert!(
        lines[0].starts_with("\"510104-20261130-\"\"1\"\",2\",m1,1,"),
        "the number is quoted with its quotes doubled: {}",
        lines[0]
    );
    assert!(lines[0].contains(",report,resident,,reported,0110,development,resident,510104,510104022,510104022006,"));
    assert!(lines[0].ends_with(",division,510104022006,accept,2023-11-15T06:13:20.123456+08:00,,,"), "{}", lines[0]);
    assert!(
        lines[2].contains(",dispatch,dispatcher,filed,dispatched,")
            && lines[2].contains(",department,510104-chengguan,")
    );
    assert!(lines[5].contains(",verify,") && lines[5].ends_with(",false,"), "{}", lines[5]);
    assert!(lines[8].contains(",rate,") && lines[8].ends_with(",,,basically_satisfied,,"), "{}", lines[8]);
}
