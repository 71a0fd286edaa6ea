//! The tasks' part of the sweep: an open task whose alarm has come gets its
//! colour moved on (yellow, orange, red by the matters' thresholds), and
//! the people it is given to are told in the same write (red: its giver
//! too). Each colour is told once (the notice's key names it); a task
//! changed meanwhile is left to the next sweep.

use std::collections::BTreeSet;

use serde::Serialize;
use shanzhi_domain::Warning;
use shanzhi_domain::notify::NoticeKind;
use shanzhi_store::{GridTaskRecord, StoreError};

use super::due_of;
use crate::notify::recipients::Tell;
use crate::tasks::assign::micros;
use crate::{App, AppResult};

/// Tasks taken per round of the sweep.
const ROUND: usize = 500;

/// What the tasks' sweep did.
#[derive(Debug, Clone, Copy, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskSweepReport {
    pub yellow: usize,
    pub orange: usize,
    /// Overdue.
    pub red: usize,
    /// Left alone because they changed while the sweep ran.
    pub skipped: usize,
}

fn warning_tell(t: &GridTaskRecord, colour: Warning, recipients: BTreeSet<String>) -> Option<Tell> {
    let (kind, zh, en) = match colour {
        Warning::Yellow => (NoticeKind::Yellow, "黄灯预警", "Yellow"),
        Warning::Orange => (NoticeKind::Orange, "橙灯预警", "Orange"),
        Warning::Red => (NoticeKind::Red, "红灯（任务已超期）", "Red (task overdue)"),
        Warning::None => return None,
    };
    let left = t.progress.sites - t.progress.checked().min(t.progress.sites);
    Some(Tell {
        kind,
        recipients,
        title: (format!("{zh}：任务“{}”", t.title), format!("{en}: task '{}'", t.title)),
        body: (
            format!("截止 {}，还有 {left} 个点位未检查", t.due_on),
            format!("due {}, {left} sites not checked yet", t.due_on),
        ),
    })
}

impl App {
    /// Move every open task whose alarm has come on to now's colour.
    pub async fn sweep_tasks(&self) -> AppResult<TaskSweepReport> {
        let now = self.now();
        let mut report = TaskSweepReport::default();
        let mut seen = BTreeSet::new();
        loop {
            let due = self.store.due_grid_tasks(micros(now), ROUND).await?;
            let full = due.len() == ROUND;
            let mut progressed = false;
            for t in due {
                if !seen.insert((t.id.clone(), t.version)) {
                    continue;
                }
                progressed = true;
                let plan = due_of(&t);
                let colour = plan.warning_at(now).max(t.warning);
                let next = GridTaskRecord {
                    warning: colour,
                    next_alarm_at: plan.next_alarm(colour).map(micros),
                    version: t.version + 1,
                    ..t.clone()
                };
                let mut notices = Vec::new();
                if colour != t.warning {
                    let mut people = self.task_people(&t).await?;
                    if colour == Warning::Red {
                        people.insert(t.created_by.clone());
                    }
                    if let Some(tell) = warning_tell(&t, colour, people) {
                        notices = self.notices_about(&format!("task:{}", t.id), "/grid/tasks", vec![tell]).await?;
                    }
                }
                match self.store.update_grid_task(&next, &[], &notices, None).await {
                    Ok(()) => match colour {
                        _ if colour == t.warning => {}
                        Warning::Yellow => report.yellow += 1,
                        Warning::Orange => report.orange += 1,
                        Warning::Red => report.red += 1,
                        Warning::None => {}
                    },
                    Err(StoreError::Constraint(_)) => report.skipped += 1,
                    Err(e) => return Err(e.into()),
                }
            }
            if !full || !progressed {
                break;
            }
        }
        Ok(report)
    }
}
