//! Tasks (任务): a community or street worker gives grid workers, or whole
//! grids, a piece of work with a checklist of sites and a due day
//! ([`assign`]); the workers mark each site done or "problem found", and the
//! task is completed once every site is marked ([`work`]); the sweep warns
//! an open task yellow, orange and red like a matter ([`sweep`]).
//!
//! Who sees what (docs/tasks.md): whoever may give tasks at the task's
//! community or street (`AssignTasks`) sees and follows it; the grid
//! workers it is given to (by name or by grid) see it and mark its sites
//! (`DoTasks`); anyone else is answered "not found".

mod assign;
mod choices;
mod figures;
mod sweep;
mod work;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use shanzhi_domain::register::RegisterKind;
use shanzhi_domain::task::{GridTaskDue, GridTaskProgress, GridTaskSiteState, on_time};
use shanzhi_domain::{Action, GridCode, Place, Role, Scope, Warning};
use shanzhi_store::{GridTaskQuery, GridTaskRecord, GridTaskSiteRecord};

use crate::access::Scoped;
use crate::grids::today;
use crate::register::time_text;
use crate::{AppError, AppResult};

pub use choices::{MAX_GRID_CHOICES, TaskChoices, TaskCommunityChoice, TaskGridChoice, TaskWorkerChoice};
pub use figures::{GridWorkAnswer, GridWorkUnit};
pub use sweep::TaskSweepReport;
pub use work::{GridTaskCompletion, GridTaskMark};

/// Most tasks one listing returns.
pub const MAX_LISTED_TASKS: usize = 200;

/// A task to give.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GridTaskInput {
    /// 全部商铺消防安全检查 (at most 100 characters).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub title: String,
    /// What to do and look for (at most 2000 characters).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub details: String,
    /// The community or street the task is given in (default: the caller's
    /// own).
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]{9}([0-9]{3})?$", example = "510104022006"))]
    pub division: Option<String>,
    /// Due at the end of this working day.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_on: jiff::civil::Date,
    /// Grid workers (user names) the task is given to.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 200))]
    pub workers: Vec<String>,
    /// Grids (codes) whose grid workers the task is given to.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 200))]
    pub grids: Vec<String>,
    /// Every register record of these kinds (building, organisation,
    /// facility) in the task's grids becomes a site.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 3))]
    pub register_kinds: Vec<RegisterKind>,
    /// Sites named one by one: a register record, or a free site by name.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 2000))]
    pub sites: Vec<GridTaskSiteInput>,
}

/// One site named: `register_id`, or `name` (and optionally its grid).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GridTaskSiteInput {
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub register_id: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]{15}$", example = "510104022006001"))]
    pub grid: Option<String>,
}

/// A worker a task is given to, by name.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GridTaskWorker {
    pub username: String,
    pub name: String,
}

/// A task as shown.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GridTask {
    pub id: String,
    pub title: String,
    pub details: String,
    pub division: String,
    pub workers: Vec<GridTaskWorker>,
    /// The grids' codes.
    pub grids: Vec<String>,
    /// The grids' names, in the order of `grids` (what users see).
    pub grid_names: Vec<String>,
    pub created_by: String,
    pub created_at: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_on: jiff::civil::Date,
    /// Due at (China time, `YYYY-MM-DD HH:MM`).
    pub deadline: String,
    /// The colour now (an open task's; a completed task's is none).
    pub warning: Warning,
    /// 正常, 黄色预警 … (what users see).
    pub warning_label: String,
    pub progress: GridTaskProgress,
    pub percent: u32,
    pub completed_at: Option<String>,
    /// Completed by its deadline (once completed).
    pub on_time: Option<bool>,
    pub result: Option<String>,
    pub version: i64,
}

/// One site of a checklist as shown.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GridTaskSite {
    pub seq: i64,
    pub name: String,
    pub grid: Option<String>,
    /// The grid's name.
    pub grid_name: Option<String>,
    pub register_id: Option<String>,
    pub state: GridTaskSiteState,
    /// 待检查, 已完成, 发现问题.
    pub state_label: String,
    pub note: Option<String>,
    /// The photo's attachment id.
    pub photo: Option<String>,
    /// The matter reported from the site (its number).
    pub matter: Option<String>,
    pub checked_by: Option<String>,
    pub checked_at: Option<String>,
}

/// Progress of one grid's sites.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GridTaskGridProgress {
    /// The grid's code (sites without a grid: none).
    pub grid: Option<String>,
    /// The grid's name (what users see).
    pub name: Option<String>,
    pub progress: GridTaskProgress,
}

/// A task with its checklist and the progress per grid.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GridTaskDetail {
    pub task: GridTask,
    pub by_grid: Vec<GridTaskGridProgress>,
    pub sites: Vec<GridTaskSite>,
    /// The caller may mark sites (the task is given to them).
    pub can_mark: bool,
}

fn bad(code: &'static str, m: shanzhi_domain::text::Bilingual) -> AppError {
    AppError::BadRequest { code, message: m }
}

fn task_not_found() -> AppError {
    AppError::not_found("task_not_found", "未找到此任务，或不在您的管辖范围内", "no such task, or outside your scope")
}

impl Scoped<'_> {
    /// The grids the caller works as a grid worker today.
    pub(crate) fn my_grids(&self) -> Vec<GridCode> {
        let day = today();
        self.actor
            .grants()
            .iter()
            .filter(|g| g.role == Role::GridWorker && g.term.contains(day))
            .filter_map(|g| match &g.scope {
                Some(Scope::Grid(code)) => Some(code.clone()),
                _ => None,
            })
            .collect()
    }

    /// The task is given to the caller (a grid worker today), by name or by
    /// one of their grids.
    fn works_on_task(&self, t: &GridTaskRecord) -> bool {
        let grids = self.my_grids();
        if grids.is_empty() {
            return false;
        }
        let mine = self.actor.user_id().is_some_and(|me| t.workers.iter().any(|w| w == me));
        mine || t.grids.iter().any(|g| grids.contains(g))
    }

    /// The caller may give and follow tasks at the task's place.
    fn follows_task(&self, t: &GridTaskRecord) -> bool {
        self.actor.can(Action::AssignTasks, &Place::Division(t.division.clone()))
    }

    /// The task, if the caller works on or follows it (else "not found").
    async fn visible_task(&self, id: &str) -> AppResult<GridTaskRecord> {
        if id.len() > 64 {
            return Err(task_not_found());
        }
        let t = self.app.store.grid_task(id).await?.ok_or_else(task_not_found)?;
        if self.follows_task(&t) || self.works_on_task(&t) { Ok(t) } else { Err(task_not_found()) }
    }

    /// Names of the users `ids`, read once each.
    async fn task_user_names(&self, ids: BTreeSet<String>) -> AppResult<HashMap<String, (String, String)>> {
        let mut out = HashMap::new();
        for id in ids {
            if let Some(u) = self.app.store.user_by_id(&id).await? {
                out.insert(id, (u.username.as_str().to_owned(), u.display_name));
            }
        }
        Ok(out)
    }

    async fn task_views(&self, tasks: Vec<GridTaskRecord>) -> AppResult<Vec<GridTask>> {
        let ids = tasks.iter().flat_map(|t| t.workers.iter().chain([&t.created_by])).cloned().collect();
        let names = self.task_user_names(ids).await?;
        let grids = self.app.grid_names(tasks.iter().flat_map(|t| t.grids.iter())).await?;
        let now = self.app.now();
        Ok(tasks.into_iter().map(|t| view(t, &names, &grids, now)).collect())
    }

    /// The caller's tasks as a grid worker: given to them or their grids,
    /// open first and the most overdue first.
    pub async fn my_tasks(&self) -> AppResult<Vec<GridTask>> {
        let grids = self.my_grids();
        let Some(me) = self.actor.user_id().filter(|_| !grids.is_empty()) else {
            return Err(crate::access::refuse(Action::DoTasks));
        };
        let query = GridTaskQuery { worker: Some(me.to_owned()), grids, limit: MAX_LISTED_TASKS, ..Default::default() };
        let tasks = self.app.store.grid_tasks(&query).await?;
        self.task_views(tasks).await
    }

    /// The tasks given in a community or street the caller gives tasks in.
    /// `division`: a community or street (default: the caller's own).
    pub async fn tasks_given(&self, division: Option<&str>, open_only: bool) -> AppResult<Vec<GridTask>> {
        let division = self.task_division(division)?;
        let q = GridTaskQuery { within: Some(division), open_only, limit: MAX_LISTED_TASKS, ..Default::default() };
        let tasks = self.app.store.grid_tasks(&q).await?;
        self.task_views(tasks).await
    }

    /// A task with its checklist and progress per grid.
    pub async fn task(&self, id: &str) -> AppResult<GridTaskDetail> {
        let t = self.visible_task(id).await?;
        let can_mark = self.works_on_task(&t) && t.completed_at.is_none();
        let sites = self.app.store.grid_task_sites(&t.id).await?;
        let grids = self.app.grid_names(sites.iter().filter_map(|s| s.grid.as_ref())).await?;
        let mut by_grid: BTreeMap<Option<GridCode>, Vec<GridTaskSiteState>> = BTreeMap::new();
        for s in &sites {
            by_grid.entry(s.grid.clone()).or_default().push(s.state);
        }
        let by_grid = by_grid
            .into_iter()
            .map(|(grid, states)| GridTaskGridProgress {
                name: grid.as_ref().map(|g| grid_name(&grids, g)),
                grid: grid.map(|g| g.as_str().to_owned()),
                progress: GridTaskProgress::of(states),
            })
            .collect();
        let checkers = self.task_user_names(sites.iter().filter_map(|s| s.checked_by.clone()).collect()).await?;
        let mut shown = Vec::with_capacity(sites.len());
        for s in sites {
            shown.push(self.task_site_view(s, &checkers, &grids).await?);
        }
        let task = self.task_views(vec![t]).await?.pop().ok_or_else(task_not_found)?;
        Ok(GridTaskDetail { task, by_grid, sites: shown, can_mark })
    }

    async fn task_site_view(
        &self,
        s: GridTaskSiteRecord,
        names: &HashMap<String, (String, String)>,
        grids: &HashMap<GridCode, String>,
    ) -> AppResult<GridTaskSite> {
        let matter = match &s.matter_id {
            Some(id) => {
                let id = shanzhi_domain::MatterId::parse(id).map_err(|e| AppError::internal(e.to_string()))?;
                self.app.store.matter(&id).await?.map(|m| m.number)
            }
            None => None,
        };
        Ok(GridTaskSite {
            seq: s.seq,
            state_label: s.state.label_zh().to_owned(),
            grid_name: s.grid.as_ref().map(|g| grid_name(grids, g)),
            grid: s.grid.map(|g| g.as_str().to_owned()),
            register_id: s.register_id,
            name: s.name,
            state: s.state,
            note: s.note,
            photo: s.photo,
            matter,
            checked_by: s.checked_by.map(|id| names.get(&id).map(|(_, n)| n.clone()).unwrap_or(id)),
            checked_at: s.checked_at.map(time_text),
        })
    }
}

/// When the task is due and warned.
fn due_of(t: &GridTaskRecord) -> GridTaskDue {
    GridTaskDue { deadline: ts(t.deadline), yellow_at: ts(t.yellow_at), orange_at: ts(t.orange_at) }
}

/// The colour of an open task now: the stored one, or later if the sweep
/// has not yet come by; a completed task's is none.
fn colour_now(t: &GridTaskRecord, now: jiff::Timestamp) -> Warning {
    if t.completed_at.is_some() { Warning::None } else { due_of(t).warning_at(now).max(t.warning) }
}

/// A grid's name (its code only if the grid is unknown).
fn grid_name(names: &HashMap<GridCode, String>, code: &GridCode) -> String {
    names.get(code).cloned().unwrap_or_else(|| code.as_str().to_owned())
}

fn view(
    t: GridTaskRecord,
    names: &HashMap<String, (String, String)>,
    grids: &HashMap<GridCode, String>,
    now: jiff::Timestamp,
) -> GridTask {
    let warning = colour_now(&t, now);
    let on_time = t.completed_at.map(|c| on_time(ts(c), ts(t.deadline)));
    GridTask {
        warning_label: warning.label_zh().to_owned(),
        warning,
        workers: t
            .workers
            .iter()
            .map(|w| {
                let (username, name) = names.get(w).cloned().unwrap_or_else(|| (w.clone(), w.clone()));
                GridTaskWorker { username, name }
            })
            .collect(),
        grid_names: t.grids.iter().map(|g| grid_name(grids, g)).collect(),
        grids: t.grids.iter().map(|g| g.as_str().to_owned()).collect(),
        created_by: names.get(&t.created_by).map(|(_, n)| n.clone()).unwrap_or_else(|| t.created_by.clone()),
        created_at: time_text(t.created_at),
        deadline: time_text(t.deadline),
        percent: t.progress.percent(),
        completed_at: t.completed_at.map(time_text),
        on_time,
        division: t.division.as_str().to_owned(),
        id: t.id,
        title: t.title,
        details: t.details,
        due_on: t.due_on,
        progress: t.progress,
        result: t.result,
        version: t.version,
    }
}

fn ts(m: shanzhi_domain::Micros) -> jiff::Timestamp {
    jiff::Timestamp::from_microsecond(m.get()).unwrap_or(jiff::Timestamp::MIN)
}
