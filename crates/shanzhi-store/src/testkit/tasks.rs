//! Tasks: a task is written whole with whom it is given to, its checklist
//! and its notices; lists filter by subtree, worker or grid, open and due
//! time, open ones first; a write names the version it read; the sweep's
//! query finds exactly the open tasks whose alarm has come.

use jiff::civil::date;
use shanzhi_domain::notify::{NoticeKind, NotificationChannel};
use shanzhi_domain::task::{GridTaskProgress, GridTaskSiteState};
use shanzhi_domain::{GridCode, Micros, Warning};

use super::code;
use crate::{AuditEntry, GridTaskQuery, GridTaskRecord, GridTaskSiteRecord, NewNotification, Store, StoreError};

fn at(s: i64) -> Micros {
    Micros::new(1_800_000_000_000_000 + s * 1_000_000)
}

fn grid(s: &str) -> GridCode {
    GridCode::parse(s).expect("test grid")
}

fn task(id: &str, division: &str, deadline: i64, sites: u32) -> GridTaskRecord {
    GridTaskRecord {
        id: id.to_owned(),
        title: format!("商铺消防安全检查 {id}"),
        details: "检查灭火器、疏散通道".to_owned(),
        division: code(division),
        workers: vec!["u-grid".to_owned()],
        grids: vec![grid("510104022006001")],
        created_by: "u-community".to_owned(),
        created_at: at(0),
        due_on: date(2027, 1, 15),
        deadline: at(deadline),
        yellow_at: at(deadline / 2),
        orange_at: at(deadline * 4 / 5),
        warning: Warning::None,
        next_alarm_at: Some(at(deadline / 2)),
        progress: GridTaskProgress { sites, done: 0, problems: 0 },
        completed_at: None,
        completed_by: None,
        result: None,
        version: 1,
    }
}

fn site(seq: i64, name: &str) -> GridTaskSiteRecord {
    GridTaskSiteRecord {
        seq,
        grid: Some(grid("510104022006001")),
        register_id: None,
        name: name.to_owned(),
        state: GridTaskSiteState::Pending,
        note: None,
        photo: None,
        matter_id: None,
        checked_by: None,
        checked_at: None,
    }
}

fn told(id: &str, key: &str) -> NewNotification {
    NewNotification {
        id: id.to_owned(),
        event_key: key.to_owned(),
        recipient: "u-grid".to_owned(),
        channel: NotificationChannel::Inbox,
        kind: NoticeKind::TaskAssigned,
        matter_id: None,
        title_zh: "新任务".to_owned(),
        title_en: "New task".to_owned(),
        body_zh: String::new(),
        body_en: String::new(),
        link: Some("/grid/tasks".to_owned()),
        urgent: false,
        created_at: at(0),
        due_at: at(0),
    }
}

fn audit() -> AuditEntry {
    AuditEntry::new("tester", "task.test", "task")
}

pub async fn tasks_are_written_whole_and_move_on_only_from_the_version_read(store: &dyn Store) {
    let t1 = task("t1", "510104022006", 1000, 2);
    let sites = [site(1, "好再来餐馆"), site(2, "总府路 3 号便利店")];
    store.add_grid_task(&t1, &sites, &[told("n1", "task:t1:assigned")], &audit()).await.expect("add");
    assert_eq!(store.grid_task("t1").await.expect("read").expect("found"), t1);
    assert_eq!(store.grid_task_sites("t1").await.expect("sites"), sites);
    assert_eq!(store.notifications_of_event("task:t1:assigned").await.expect("notices").len(), 1);
    assert!(store.grid_task("nope").await.expect("read").is_none());

    // A task whose id is taken is refused whole: no sites, no notice.
    let again = task("t1", "510104022006", 2000, 1);
    let err = store.add_grid_task(&again, &[site(1, "x")], &[told("n2", "task:t1b")], &audit()).await;
    assert!(matches!(err, Err(StoreError::Constraint(_))), "{err:?}");
    assert!(store.notifications_of_event("task:t1b").await.expect("notices").is_empty());
    assert_eq!(store.grid_task_sites("t1").await.expect("sites").len(), 2);

    // A site marked, with the progress and a notice, at the next version.
    let mut next = t1.clone();
    next.version = 2;
    next.progress = GridTaskProgress { sites: 2, done: 0, problems: 1 };
    let mut marked = site(2, "总府路 3 号便利店");
    marked.state = GridTaskSiteState::Problem;
    marked.note = Some("灭火器过期".to_owned());
    marked.checked_by = Some("u-grid".to_owned());
    marked.checked_at = Some(at(10));
    store.update_grid_task(&next, std::slice::from_ref(&marked), &[], Some(&audit())).await.expect("mark");
    assert_eq!(store.grid_task("t1").await.expect("read").expect("found"), next);
    assert_eq!(store.grid_task_sites("t1").await.expect("sites")[1], marked);

    // Written from version 1 again: refused, nothing changed, no notice.
    let stale = GridTaskRecord { version: 2, warning: Warning::Red, ..t1.clone() };
    let err = store.update_grid_task(&stale, &[], &[told("n3", "task:t1:stale")], None).await;
    assert!(matches!(err, Err(StoreError::Constraint(_))), "{err:?}");
    assert!(store.notifications_of_event("task:t1:stale").await.expect("notices").is_empty());
    // A site the task does not have: refused.
    let third = GridTaskRecord { version: 3, ..next.clone() };
    let err = store.update_grid_task(&third, &[site(3, "x")], &[], None).await;
    assert!(matches!(err, Err(StoreError::Constraint(_))), "{err:?}");
    assert_eq!(store.grid_task("t1").await.expect("read").expect("found"), next);
}

pub async fn tasks_are_listed_by_place_assignee_and_time_and_found_by_the_sweep(store: &dyn Store) {
    let a = task("ta", "510104022006", 1000, 1);
    let mut b = task("tb", "510104022", 500, 1);
    b.workers = vec!["u-other".to_owned()];
    b.grids = vec![grid("510104022001001")];
    let mut c = task("tc", "510105002001", 200, 1);
    c.workers = Vec::new();
    c.completed_at = Some(at(100));
    c.next_alarm_at = None;
    for t in [&a, &b, &c] {
        store.add_grid_task(t, &[site(1, "点位")], &[], &audit()).await.expect("add");
    }
    let ids = |ts: Vec<GridTaskRecord>| ts.into_iter().map(|t| t.id).collect::<Vec<_>>();
    let all = GridTaskQuery { limit: 10, ..Default::default() };
    // Open first, then by deadline.
    assert_eq!(ids(store.grid_tasks(&all).await.expect("all")), ["tb", "ta", "tc"]);
    let street = GridTaskQuery { within: Some(code("510104022")), limit: 10, ..Default::default() };
    assert_eq!(ids(store.grid_tasks(&street).await.expect("street")), ["tb", "ta"]);
    let community = GridTaskQuery { within: Some(code("510104022006")), limit: 10, ..Default::default() };
    assert_eq!(ids(store.grid_tasks(&community).await.expect("community")), ["ta"]);
    let mine = GridTaskQuery { worker: Some("u-grid".to_owned()), limit: 10, ..Default::default() };
    assert_eq!(ids(store.grid_tasks(&mine).await.expect("mine")), ["ta"]);
    let by_grid = GridTaskQuery { grids: vec![grid("510104022001001")], limit: 10, ..Default::default() };
    assert_eq!(ids(store.grid_tasks(&by_grid).await.expect("grid")), ["tb"]);
    let either = GridTaskQuery {
        worker: Some("u-grid".to_owned()),
        grids: vec![grid("510104022001001")],
        open_only: true,
        limit: 10,
        ..Default::default()
    };
    assert_eq!(ids(store.grid_tasks(&either).await.expect("either")), ["tb", "ta"]);
    let due = GridTaskQuery { due_from: Some(at(200)), due_to: Some(at(1000)), limit: 10, ..Default::default() };
    assert_eq!(ids(store.grid_tasks(&due).await.expect("due")), ["tb", "tc"]);
    assert_eq!(ids(store.grid_tasks(&GridTaskQuery { limit: 1, ..all }).await.expect("one")), ["tb"]);
    let read = store.grid_task("tb").await.expect("read").expect("found");
    assert_eq!((read.workers, read.grids), (b.workers.clone(), b.grids.clone()));

    // The sweep: open tasks whose alarm has come, earliest first.
    assert_eq!(ids(store.due_grid_tasks(at(249), 10).await.expect("due")), Vec::<String>::new());
    assert_eq!(ids(store.due_grid_tasks(at(250), 10).await.expect("due")), ["tb"]);
    assert_eq!(ids(store.due_grid_tasks(at(10_000), 10).await.expect("due")), ["tb", "ta"]);
    assert_eq!(ids(store.due_grid_tasks(at(10_000), 1).await.expect("due")), ["tb"]);
}
