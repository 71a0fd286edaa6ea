//! The replay: the export ends where each stored matter is.

use std::collections::{BTreeSet, HashMap};

use shanzhi_domain::{Assignee, Level, Matter, MatterState};
use shanzhi_store::{MatterQuery, MatterScope};
use shanzhi_testkit::TestApp;

use super::export::{Row, export, parse_export};

/// Who holds a stored matter, as the export writes it (docs/timeline-export.md).
fn stored_holder(m: &Matter) -> (String, String) {
    let community = m.grid.community().significant().to_owned();
    let worker_grid = m.general_grid.clone().unwrap_or_else(|| m.grid.clone()).to_string();
    let s = &m.status;
    let (kind, code) = match s.state {
        MatterState::Reported | MatterState::Filed => match s.level {
            Level::Grid => ("grid", worker_grid),
            Level::Community => ("division", community),
            Level::Town => ("division", community[..9].to_owned()),
            Level::District => ("division", community[..6].to_owned()),
        },
        MatterState::Dispatched | MatterState::InProgress | MatterState::Parked => match &s.assignee {
            Some(Assignee::Department(d)) => ("department", d.to_string()),
            _ => ("division", community),
        },
        MatterState::Responded => ("grid", worker_grid),
        _ => ("", String::new()),
    };
    (kind.to_owned(), code)
}

/// Replay one matter's rows by the lifecycle in DESIGN.md, from the command
/// names (and `passed`) alone: every row's `to_state` and holder follow from
/// the rows before it (a dispatch's holder is where it was sent).
fn replay_rows(m: &Matter, rows: &[Row]) {
    let id = m.id.as_str();
    let worker_grid = m.general_grid.clone().unwrap_or_else(|| m.grid.clone()).to_string();
    let office = |level: usize| -> (String, String) {
        match level {
            0 => ("grid".into(), worker_grid.clone()),
            1 => ("division".into(), rows[0].community.clone()),
            2 => ("division".into(), rows[0].town.clone()),
            _ => ("division".into(), rows[0].district.clone()),
        }
    };
    // Where it was reported: a grid worker's report stays in the grid, the hotline's goes to the town.
    let mut level = match (rows[0].holder_kind.as_str(), rows[0].holder_code.len()) {
        ("grid", _) => 0,
        ("division", 12) => 1,
        ("division", 9) => 2,
        ("division", 6) => 3,
        other => panic!("{id}: a report held by {other:?}"),
    };
    let mut assignee: Option<(String, String)> = None;
    let mut state = "reported".to_owned();
    for r in &rows[1..] {
        let next = match (r.command.as_str(), state.as_str()) {
            ("accept", "reported") => "filed",
            ("reject", "reported") => "rejected",
            ("merge", "reported" | "filed") => "merged",
            ("void", "reported" | "filed") => "voided",
            ("dispatch", "filed") => {
                let to = (r.holder_kind.clone(), r.holder_code.clone());
                assert!(
                    to.0 == "department" || to == ("division".to_owned(), rows[0].community.clone()),
                    "{id} #{}: dispatched to a department or its own community, not {to:?}",
                    r.seq
                );
                assignee = Some(to);
                "dispatched"
            }
            ("escalate", "filed" | "dispatched" | "in_progress") => {
                level += 1;
                assignee = None;
                "filed"
            }
            ("sign", "dispatched") => "in_progress",
            ("return", "dispatched" | "in_progress") => {
                assignee = None;
                "filed"
            }
            ("respond", "in_progress") => "responded",
            ("verify", "responded") if r.passed == "true" => "closed",
            ("verify", "responded") => "in_progress",
            ("self_handle", "reported") => {
                assignee = Some(("division".to_owned(), rows[0].community.clone()));
                "closed"
            }
            ("rate", "closed") => "rated",
            ("reopen", "rated") => "dispatched",
            ("extend" | "approve_extension" | "deny_extension" | "park" | "deny_park", "in_progress") => "in_progress",
            ("approve_park", "in_progress") => "parked",
            ("resume", "parked") => "in_progress",
            ("supervise", s) => s,
            (c, s) => panic!("{id} #{}: {c} does not fit {s}", r.seq),
        };
        state = next.to_owned();
        assert_eq!(r.to_state, state, "{id} #{}: {} leads to {state}", r.seq, r.command);
        let holder = match state.as_str() {
            "reported" | "filed" => Some(office(level)),
            "dispatched" | "in_progress" | "parked" => assignee.clone(),
            "responded" => Some(("grid".into(), worker_grid.clone())),
            _ => None,
        };
        let holder = holder.unwrap_or_default();
        assert_eq!((r.holder_kind.clone(), r.holder_code.clone()), holder, "{id} #{}: held by", r.seq);
        if matches!(state.as_str(), "parked" | "closed" | "rated" | "rejected" | "merged" | "voided") {
            assert!(r.stage.is_empty(), "{id} #{}: no clock runs when {state}", r.seq);
        }
    }
    assert_eq!(state, m.status.state.as_str(), "{id}: the replay ends in the stored state");
}

/// Per stored matter: the rows chain from the report to its state, and end
/// with its holder, rating, event count and clock. Returns how many matters.
pub(super) async fn check_replay(t: &TestApp, exported: &[(String, Vec<Row>)]) -> usize {
    let everything = MatterScope { everything: true, ..MatterScope::default() };
    let stored = t.store().matters(&MatterQuery { scope: everything, limit: 100_000, ..MatterQuery::default() }).await;
    let stored = stored.expect("matters");
    let by_id: HashMap<&str, &Vec<Row>> = exported.iter().map(|(id, rows)| (id.as_str(), rows)).collect();
    assert_eq!(by_id.len(), stored.len(), "every matter is exported once");
    for m in &stored {
        let id = m.id.as_str();
        let rows = by_id.get(id).unwrap_or_else(|| panic!("{id} is exported"));
        assert_eq!(rows.len() as i64, m.event_count, "{id}: one row per timeline entry");
        let events = t.store().matter_events(&m.id).await.expect("events");
        assert_eq!(rows.len(), events.len(), "{id}");
        let community = m.grid.community().significant().to_owned();
        for (r, e) in rows.iter().zip(&events) {
            assert_eq!((r.seq, r.at.as_microsecond()), (e.seq, e.at.timestamp().as_microsecond()), "{id}");
            assert_eq!(r.command, e.kind.as_str(), "{id} #{}", r.seq);
            assert_eq!(
                (&r.number, &r.category, &r.line, &r.channel, &r.grid),
                (
                    &m.number,
                    &m.category.to_string(),
                    &m.line.as_str().to_owned(),
                    &m.channel.as_str().to_owned(),
                    &m.grid.to_string()
                ),
                "{id}: the matter's own facts"
            );
            assert_eq!(
                (&r.district[..], &r.town[..], &r.community[..]),
                (&community[..6], &community[..9], &community[..])
            );
            assert_eq!(r.rating.is_empty(), r.command != "rate", "{id} #{}: a rating on rate entries only", r.seq);
            assert_eq!(r.passed.is_empty(), r.command != "verify", "{id} #{}: passed on verify entries only", r.seq);
            assert_eq!(r.stage.is_empty(), r.deadline_at.is_none(), "{id} #{}: stage and deadline together", r.seq);
        }
        let first = &rows[0];
        assert_eq!(
            (first.command.as_str(), first.from_state.as_str(), first.to_state.as_str()),
            ("report", "", "reported")
        );
        for pair in rows.windows(2) {
            assert_eq!(
                pair[1].from_state, pair[0].to_state,
                "{id}: #{} starts where #{} ended",
                pair[1].seq, pair[0].seq
            );
        }
        replay_rows(m, rows);
        let last = rows.last().expect("rows");
        assert_eq!(last.to_state, m.status.state.as_str(), "{id}: the last entry ends in the stored state");
        let holder = (last.holder_kind.clone(), last.holder_code.clone());
        assert_eq!(holder, stored_holder(m), "{id}: the last holder is the stored one ({:?})", m.status);
        let mut rating = None;
        for r in rows.iter() {
            match r.command.as_str() {
                "rate" => rating = Some(r.rating.clone()),
                "reopen" => rating = None,
                _ => {}
            }
        }
        assert_eq!(rating.as_deref(), m.status.rating.map(|r| r.as_str()), "{id}: the rating");
        let clock = m.clock.as_ref().filter(|c| c.counting_from.is_some());
        let expected_clock = clock.map(|c| (c.stage.as_str().to_owned(), c.deadline.map(|d| d.as_microsecond())));
        let last_clock =
            (!last.stage.is_empty()).then(|| (last.stage.clone(), last.deadline_at.map(|d| d.as_microsecond())));
        assert_eq!(last_clock, expected_clock, "{id}: the last entry's clock is the matter's");
    }
    stored.len()
}

#[tokio::test]
async fn the_export_replays_to_each_matters_stored_state() {
    let started = std::time::Instant::now();
    let t = TestApp::new().with_grid().with_categories().start().await;
    let made = t.operator().generate_demo_matters(120, 14).await.expect("demo");
    assert!(made >= 100, "{made}");
    let rows = parse_export(&export(&t, None, None, None).await);
    assert_eq!(check_replay(&t, &rows).await, made);
    let states: BTreeSet<&str> = rows.iter().filter_map(|(_, r)| r.last()).map(|r| r.to_state.as_str()).collect();
    assert!(states.len() >= 6, "demo matters end in many states: {states:?}");
    eprintln!("replay of {made} demo matters: {:?}", started.elapsed());
}
