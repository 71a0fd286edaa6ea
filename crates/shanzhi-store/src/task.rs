use async_trait::async_trait;
use jiff::civil::Date;
use shanzhi_domain::task::{GridTaskProgress, GridTaskSiteState};
use shanzhi_domain::{DivisionCode, GridCode, Micros, Warning};

use crate::{AuditEntry, NewNotification, StoreResult};

/// A task (任务) as it stands. `division` is where it was given (the
/// community or street whose workers follow it); it is given to `workers`
/// (user ids) and `grids` (their grid workers). `progress` counts the sites
/// as stored with it; `next_alarm_at` is when the sweep must next look (the
/// next colour), `None` once red or completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridTaskRecord {
    pub id: String,
    pub title: String,
    pub details: String,
    pub division: DivisionCode,
    pub workers: Vec<String>,
    pub grids: Vec<GridCode>,
    pub created_by: String,
    pub created_at: Micros,
    pub due_on: Date,
    pub deadline: Micros,
    pub yellow_at: Micros,
    pub orange_at: Micros,
    pub warning: Warning,
    pub next_alarm_at: Option<Micros>,
    pub progress: GridTaskProgress,
    pub completed_at: Option<Micros>,
    pub completed_by: Option<String>,
    /// The results as the completer summed them up.
    pub result: Option<String>,
    /// 1 when given; every write of the task adds one.
    pub version: i64,
}

/// One site of a task's checklist: a register record (building, shop,
/// organisation) or a free site by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridTaskSiteRecord {
    /// 1, 2, … in the checklist's order.
    pub seq: i64,
    pub grid: Option<GridCode>,
    pub register_id: Option<String>,
    pub name: String,
    pub state: GridTaskSiteState,
    pub note: Option<String>,
    /// An uploaded photo's attachment id.
    pub photo: Option<String>,
    /// The matter reported from this site, if any.
    pub matter_id: Option<String>,
    pub checked_by: Option<String>,
    pub checked_at: Option<Micros>,
}

/// Which tasks to read: given within a division subtree; given to `worker`
/// or to one of `grids` (either, when both are set); open ones only; due in
/// `[due_from, due_to)`. Open ones first, then by deadline.
#[derive(Debug, Clone, Default)]
pub struct GridTaskQuery {
    pub within: Option<DivisionCode>,
    pub worker: Option<String>,
    pub grids: Vec<GridCode>,
    pub open_only: bool,
    pub due_from: Option<Micros>,
    pub due_to: Option<Micros>,
    pub limit: usize,
}

#[async_trait]
pub trait GridTaskStore {
    /// Write a new task with its checklist, the notices telling its workers,
    /// and the audit entry, in one transaction.
    async fn add_grid_task(
        &self,
        task: &GridTaskRecord,
        sites: &[GridTaskSiteRecord],
        notices: &[NewNotification],
        audit: &AuditEntry,
    ) -> StoreResult<()>;
    async fn grid_task(&self, id: &str) -> StoreResult<Option<GridTaskRecord>>;
    /// The checklist, in order.
    async fn grid_task_sites(&self, id: &str) -> StoreResult<Vec<GridTaskSiteRecord>>;
    async fn grid_tasks(&self, query: &GridTaskQuery) -> StoreResult<Vec<GridTaskRecord>>;
    /// Replace the task's colour, alarm, progress, completion and result as
    /// version `task.version` (the stored version plus one, else a
    /// constraint error: it changed meanwhile), the given sites (by seq),
    /// and write the notices (and the audit entry, if any) with it.
    async fn update_grid_task(
        &self,
        task: &GridTaskRecord,
        sites: &[GridTaskSiteRecord],
        notices: &[NewNotification],
        audit: Option<&AuditEntry>,
    ) -> StoreResult<()>;
    /// Open tasks whose alarm is at or before `now`, earliest first.
    async fn due_grid_tasks(&self, now: Micros, limit: usize) -> StoreResult<Vec<GridTaskRecord>>;
}
