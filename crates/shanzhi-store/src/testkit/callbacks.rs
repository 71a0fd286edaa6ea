//! 满意度回访: tasks made with the closing entry, attempts that move on only
//! from the count read, and hotline closures in cursor order.

use shanzhi_domain::callback::{CallbackAnswer, CallbackState, CallbackTask};
use shanzhi_domain::{ActingRole, Assignee, Channel, Command, Matter, MatterState, Micros, Rating, Role};

use super::code;
use super::matters::{create, id, matter, setup};
use crate::{CallbackQuery, Store, StoreError};

/// Give `commands` to the stored matter `name` (the last with `task`).
async fn drive(store: &dyn Store, name: &str, commands: &[Command], task: bool) -> (Matter, Option<CallbackTask>) {
    let mut m = store.matter(&id(name)).await.expect("read").expect("found");
    let mut made = None;
    for (i, c) in commands.iter().enumerate() {
        let (next, e) = m
            .apply(c, Micros::new(2_000 + i as i64), "tester", ActingRole::Role(Role::Dispatcher), vec![])
            .expect("fits");
        let t = (task && i + 1 == commands.len())
            .then(|| CallbackTask::new(name, &m.number, next.grid.community(), e.seq, e.at));
        store.append_matter_event_with_task(&next, &e, &[], t.as_ref()).await.expect("append");
        made = t;
        m = next;
    }
    (m, made)
}

fn to_closure() -> Vec<Command> {
    vec![
        Command::Accept,
        Command::Dispatch { to: Assignee::Community },
        Command::Sign,
        Command::Respond { text: "已修复".into() },
        Command::Verify { passed: true, note: String::new() },
    ]
}

pub async fn call_back_tasks_come_with_the_closure_and_move_on_once(store: &dyn Store) {
    setup(store).await;
    let mut h = matter("h1", "510104022006001", 10, "井盖破损");
    h.channel = Channel::Hotline;
    h.external_ref = Some("GD2026113000001".into());
    create(store, &h, None).await;
    create(store, &matter("r1", "510104022006001", 11, "路灯不亮"), None).await;
    let (closed, task) = drive(store, "h1", &to_closure(), true).await;
    drive(store, "r1", &to_closure(), false).await;
    let task = task.expect("a task");
    assert_eq!(closed.status.state, MatterState::Closed);
    let open = CallbackQuery { states: vec![CallbackState::Open], limit: 10, ..CallbackQuery::default() };
    let here = CallbackQuery { within: Some(vec![code("510104022")]), ..open.clone() };
    let elsewhere = CallbackQuery { within: Some(vec![code("510105002")]), ..open.clone() };
    assert_eq!(store.callback_tasks(&here).await.expect("list"), std::slice::from_ref(&task));
    assert!(store.callback_tasks(&elsewhere).await.expect("list").is_empty(), "out of the divisions");
    assert_eq!(store.callback_task(&task.id).await.expect("read"), Some(task.clone()));

    // The same closure cannot get two tasks: the entry is not written either.
    let (again, e) = closed
        .apply(
            &Command::Note { text: "补充".into(), partner: None },
            Micros::new(3_000),
            "t",
            ActingRole::System,
            vec![],
        )
        .expect("fits");
    assert!(store.append_matter_event_with_task(&again, &e, &[], Some(&task)).await.is_err());
    assert_eq!(store.matter_events(&id("h1")).await.expect("events").len(), 6, "rolled back whole");

    // An unreachable attempt: the task moves on from the count read, once.
    let (first, none) = task.attempt(None, "无人接听", 3, Micros::new(4_000)).expect("attempt");
    assert!(none.is_none());
    store.record_callback(&first, 0, None).await.expect("first attempt");
    let stale = store.record_callback(&first, 0, None).await;
    assert!(matches!(stale, Err(StoreError::Constraint(_))), "from a count no longer there: {stale:?}");

    // Answered: the task is done and the entry is on the timeline.
    let answers = CallbackAnswer { contacted: true, solved: true, satisfaction: Rating::Satisfied };
    let (done, command) = first.attempt(Some(answers), "", 3, Micros::new(5_000)).expect("answered");
    let command = command.expect("an entry");
    let (after, e) =
        closed.apply(&command, Micros::new(5_000), "clerk", ActingRole::Role(Role::Dispatcher), vec![]).expect("fits");
    store.record_callback(&done, 1, Some((&after, &e))).await.expect("answered");
    let stored = store.callback_task(&task.id).await.expect("read").expect("found");
    assert_eq!((stored.state, stored.attempts), (CallbackState::Done, 2));
    let events = store.matter_events(&id("h1")).await.expect("events");
    assert_eq!(events.last().map(|e| e.kind.as_str()), Some("callback"));
    assert!(store.callback_tasks(&here).await.expect("list").is_empty(), "no longer open");

    // The hotline closures: h1's verify only (r1 is no hotline order), once.
    let all = store.hotline_closures(0, None, 10).await.expect("closures");
    assert_eq!(all.iter().map(|c| (c.matter_id.as_str(), c.close_seq)).collect::<Vec<_>>(), [("h1", 6)]);
    assert_eq!(all[0].external_ref, "GD2026113000001");
    assert!(store.hotline_closures(all[0].cursor, None, 10).await.expect("after").is_empty(), "read once");
    let scoped = store.hotline_closures(0, Some(&[code("510105002")]), 10).await.expect("scoped");
    assert!(scoped.is_empty(), "within the divisions only");
}
