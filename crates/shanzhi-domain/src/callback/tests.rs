use super::results::{RESULT_COLUMNS, hotline_result};
use super::*;
use crate::Role;
use crate::indicators::{Places, TimelineRow, rows_of};
use crate::matter::Reporter;
use crate::matter::{ActingRole, Channel, Level, Matter, MatterEvent, MatterId, MatterState, Status};

fn community() -> DivisionCode {
    DivisionCode::parse("510104022006").expect("community")
}

#[test]
fn sampling_is_reproducible_and_near_the_share() {
    let settings = CallbackSettings { share: 30, ..CallbackSettings::default() };
    let ids: Vec<String> = (0..4000).map(|_| MatterId::new().to_string()).collect();
    let picked: Vec<bool> = ids.iter().map(|id| settings.selects(id, None, &community())).collect();
    let again: Vec<bool> = ids.iter().map(|id| settings.selects(id, None, &community())).collect();
    assert_eq!(picked, again, "the same ids give the same choice");
    let share = picked.iter().filter(|p| **p).count() as f64 / ids.len() as f64;
    assert!((share - 0.30).abs() < 0.03, "about 30 %, got {share}");
    let everyone = CallbackSettings::default();
    assert!(ids.iter().all(|id| everyone.selects(id, None, &community())), "the default: every closure");
    let nobody = CallbackSettings { share: 0, ..CallbackSettings::default() };
    assert!(ids.iter().all(|id| !nobody.selects(id, None, &community())));
}

#[test]
fn a_unit_share_comes_before_the_default() {
    let dept = crate::DepartmentCode::parse("510104-chengguan").expect("dept");
    let mut settings = CallbackSettings { share: 100, ..CallbackSettings::default() };
    settings.units.insert("department:510104-chengguan".into(), 10);
    settings.units.insert("510104022".into(), 50);
    let by_dept = Assignee::Department(dept);
    assert_eq!(settings.share_for(Some(&by_dept), &community()), 10);
    assert_eq!(settings.share_for(Some(&Assignee::Community), &community()), 50, "the town's share");
    let other = DivisionCode::parse("510104023001").expect("other community");
    assert_eq!(settings.share_for(None, &other), 100);
    assert!(settings.validate().is_ok());
    settings.units.insert("nowhere".into(), 10);
    assert!(settings.validate().is_err(), "a unit key that is no unit");
    let too_many = CallbackSettings { max_attempts: 0, ..CallbackSettings::default() };
    assert!(too_many.validate().is_err());
    let big = CallbackSettings { share: 101, ..CallbackSettings::default() };
    assert!(big.validate().is_err());
}

#[test]
fn unreachable_n_times_closes_the_task_as_invalid() {
    let task = CallbackTask::new("m1", "510104-20261130-000001", community(), 6, Micros::new(10));
    let (one, none) = task.attempt(None, "无人接听", 3, Micros::new(20)).expect("first");
    assert_eq!((one.state, one.attempts, none), (CallbackState::Open, 1, None));
    let (two, none) = one.attempt(None, "", 3, Micros::new(30)).expect("second");
    assert_eq!((two.state, two.attempts, none), (CallbackState::Open, 2, None));
    let (three, command) = two.attempt(None, "关机", 3, Micros::new(40)).expect("third");
    assert_eq!((three.state, three.attempts), (CallbackState::Invalid, 3));
    assert_eq!(command, Some(Command::Callback { answers: None, attempts: 3, note: "关机".into() }));
    assert!(three.attempt(None, "", 3, Micros::new(50)).is_err(), "closed tasks take no more calls");
    let answers = CallbackAnswer { contacted: true, solved: false, satisfaction: Rating::BasicallySatisfied };
    let (done, command) = one.attempt(Some(answers), "", 3, Micros::new(60)).expect("answered");
    assert_eq!((done.state, done.attempts), (CallbackState::Done, 2));
    assert_eq!(command, Some(Command::Callback { answers: Some(answers), attempts: 2, note: String::new() }));
}

fn row(seq: i64, at: i64, answers: Option<(bool, bool, Rating)>) -> TimelineRow {
    let m = hotline_matter();
    let mut r = TimelineRow {
        number: m.number.clone(),
        matter_id: m.id.to_string(),
        seq,
        at: Micros::new(at),
        command: EventKind::Command(CommandKind::Callback),
        actor_role: ActingRole::Role(Role::Dispatcher),
        from_state: Some(MatterState::Closed),
        to_state: MatterState::Closed,
        category: m.category.clone(),
        line: m.line,
        channel: m.channel,
        places: Places::of(&m),
        holder: None,
        stage: None,
        deadline_at: None,
        rating: None,
        passed: None,
        contacted: None,
    };
    if let Some((contacted, solved, rating)) = answers {
        r.contacted = Some(contacted);
        r.passed = Some(solved);
        r.rating = Some(rating);
    }
    r
}

#[test]
fn the_three_rates_count_valid_call_backs_in_the_period() {
    use Rating::*;
    let rows = vec![
        row(1, 100, Some((true, true, Satisfied))),
        row(2, 200, Some((true, false, BasicallySatisfied))),
        row(3, 300, Some((false, false, Unsatisfied))),
        row(4, 400, Some((true, true, BasicallySatisfied))),
        row(5, 500, None),
        // Outside the period.
        row(6, 5_000, Some((false, false, Unsatisfied))),
    ];
    let rates = callback_rates(&rows, Micros::new(0), Micros::new(1_000), 0.9);
    assert_eq!((rates.valid, rates.invalid), (4, 1));
    assert_eq!((rates.response_rate.numerator, rates.response_rate.denominator), (3.0, 4.0));
    assert_eq!(rates.response_rate.value, Some(0.75));
    assert_eq!(rates.resolution_rate.value, Some(0.5));
    assert_eq!(rates.satisfaction_rate.numerator, 1.0 + 0.9 + 0.9);
    assert_eq!(rates.satisfaction_rate.value, Some(0.7));
    let none = callback_rates(&rows, Micros::new(2_000), Micros::new(3_000), 0.9);
    assert_eq!((none.valid, none.response_rate.value), (0, None), "no valid call-back: no rate");
}

fn hotline_matter() -> Matter {
    Matter {
        channel: Channel::Hotline,
        location: None,
        reporter: Reporter::default(),
        external_ref: Some("GD2026113000001".into()),
        ..Matter::example()
    }
}

/// A hotline order through to closure and a call-back, as its timeline.
fn closed_timeline() -> (Matter, Vec<MatterEvent>) {
    let mut m = hotline_matter();
    let first =
        m.report_entry("hotline", ActingRole::Role(Role::Dispatcher), r#"{"level":"community"}"#.into(), vec![]);
    m.event_count = 1;
    m.last_hash = first.hash.clone();
    let mut events = vec![first];
    let answers = CallbackAnswer { contacted: true, solved: true, satisfaction: Rating::BasicallySatisfied };
    for (i, c) in [
        Command::Accept,
        Command::Dispatch { to: Assignee::Community },
        Command::Sign,
        Command::Respond { text: "已更换井盖".into() },
        Command::Verify { passed: true, note: String::new() },
        Command::Callback { answers: Some(answers), attempts: 1, note: String::new() },
    ]
    .iter()
    .enumerate()
    {
        let (next, e) = m.apply(c, Micros::new(2_000 + i as i64), "d", ActingRole::System, vec![]).expect("fits");
        events.push(e);
        m = next;
    }
    (m, events)
}

#[test]
fn a_call_back_changes_no_state_and_its_answers_are_in_the_export_row() {
    let (m, events) = closed_timeline();
    assert_eq!(m.status.state, MatterState::Closed, "a call-back rates nothing");
    assert_eq!(m.verify(&events), Ok(()), "the timeline replays");
    let rows = rows_of(&m, &events);
    let last = rows.last().expect("rows");
    assert_eq!(last.command, EventKind::Command(CommandKind::Callback));
    assert_eq!((last.rating, last.passed, last.contacted), (Some(Rating::BasicallySatisfied), Some(true), Some(true)));
    let mut line = String::new();
    last.write_csv(&mut line);
    assert!(line.ends_with(",basically_satisfied,true,true\n"), "{line}");
    assert_eq!(line.matches(',').count() + 1, crate::indicators::record::COLUMNS.len());
    assert!(!Status::reported(Level::Community).fits(CommandKind::Callback), "only after closure");
    assert!(!m.status.allowed().contains(&CommandKind::Callback), "given from the task list only");
}

#[test]
fn the_result_of_a_closure_carries_the_reply_and_the_latest_satisfaction() {
    let (_, events) = closed_timeline();
    let result = hotline_result(42, "GD2026113000001", &events, 6, "总府路社区".into()).expect("a closure");
    let cells = result.cells();
    assert_eq!(cells.len(), RESULT_COLUMNS.len());
    assert_eq!(cells[0], "GD2026113000001");
    assert_eq!(cells[1], "已办结");
    assert_eq!(cells[2], "已更换井盖");
    assert!(cells[3].ends_with("+08:00"), "{}", cells[3]);
    assert_eq!((cells[4].as_str(), cells[5].as_str()), ("总府路社区", "基本满意"));
    assert!(hotline_result(42, "GD", &events, 3, String::new()).is_none(), "a dispatch is no result");
}
