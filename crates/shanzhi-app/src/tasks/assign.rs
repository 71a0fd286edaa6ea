//! Giving a task: checked whole (title, due day on the working-day calendar,
//! workers and grids within the giver's community or street, at most 2,000
//! sites from the register or named), written with the notices telling its
//! workers, or refused with nothing written.

use std::collections::BTreeSet;

use shanzhi_domain::notify::NoticeKind;
use shanzhi_domain::register::RegisterKind;
use shanzhi_domain::task::{
    DETAILS_CHARS, GridTaskDue, GridTaskProgress, GridTaskSiteState, MAX_ASSIGNEES, MAX_SITES, SITE_NAME_CHARS,
    TITLE_CHARS, bounded_text,
};
use shanzhi_domain::{Action, DivisionCode, GridCode, Place, Role, Scope, Username};
use shanzhi_store::{GridTaskRecord, GridTaskSiteRecord, RegisterQuery};

use super::{GridTaskDetail, GridTaskInput, GridTaskSiteInput, bad};
use crate::access::{Scoped, refuse};
use crate::grids::today;
use crate::notify::recipients::Tell;
use crate::{AppError, AppResult};

/// Register kinds that can be a task's sites.
const SITE_KINDS: [RegisterKind; 3] = [RegisterKind::Building, RegisterKind::Organisation, RegisterKind::Facility];

fn too_many_sites() -> AppError {
    AppError::bad_request(
        "too_many_sites",
        format!("一个任务最多 {MAX_SITES} 个点位"),
        format!("a task has at most {MAX_SITES} sites"),
    )
}

fn outside(zh: &str, en: &str) -> AppError {
    AppError::bad_request(
        "outside_task_division",
        format!("{zh}不在任务所属的社区或街道内"),
        format!("The {en} is not in the task's community or street"),
    )
}

fn within(division: &DivisionCode, grid: &GridCode) -> bool {
    let c = grid.community();
    *division == c || division.is_ancestor_of(&c)
}

impl Scoped<'_> {
    /// The community or street asked for (default: the caller's own first),
    /// where the caller may give tasks.
    pub(crate) fn task_division(&self, asked: Option<&str>) -> AppResult<DivisionCode> {
        let division = match asked.map(str::trim).filter(|s| !s.is_empty()) {
            Some(c) => DivisionCode::parse(c).map_err(|e| bad("invalid_division", e.message(c)))?,
            None => self
                .actor
                .grants()
                .iter()
                .filter(|g| g.role.allows(Action::AssignTasks) && g.term.contains(today()))
                .find_map(|g| match &g.scope {
                    Some(Scope::Division(d)) => Some(d.clone()),
                    _ => None,
                })
                .ok_or_else(|| refuse(Action::AssignTasks))?,
        };
        self.require(Action::AssignTasks, &Place::Division(division.clone()))?;
        Ok(division)
    }

    /// The user ids of `names`, each a grid worker today in a grid of
    /// `division`.
    async fn task_workers(&self, names: &[String], division: &DivisionCode) -> AppResult<(Vec<String>, Vec<GridCode>)> {
        let mut ids = BTreeSet::new();
        let mut grids = BTreeSet::new();
        for name in names {
            let username = Username::parse(name).map_err(|m| bad("invalid_username", m))?;
            let user = self.app.store.user_by_name(&username).await?.ok_or_else(|| {
                AppError::bad_request("unknown_worker", format!("没有用户“{name}”"), format!("no user '{name}'"))
            })?;
            let day = today();
            let theirs: Vec<GridCode> = self
                .app
                .store
                .assignments_of(&user.id)
                .await?
                .into_iter()
                .filter(|a| a.role == Role::GridWorker && a.term.contains(day))
                .filter_map(|a| match a.scope {
                    Some(Scope::Grid(g)) if within(division, &g) => Some(g),
                    _ => None,
                })
                .collect();
            if theirs.is_empty() {
                return Err(AppError::bad_request(
                    "not_a_grid_worker_here",
                    format!("“{}”不是本社区或街道的网格员", user.display_name),
                    format!("The user '{name}' is not a grid worker of this community or street"),
                ));
            }
            grids.extend(theirs);
            ids.insert(user.id);
        }
        Ok((ids.into_iter().collect(), grids.into_iter().collect()))
    }

    /// The checklist: the register's records of `kinds` in `grids`, then the
    /// sites named, at most [`MAX_SITES`].
    async fn task_sites(
        &self,
        input: &GridTaskInput,
        division: &DivisionCode,
        grids: &[GridCode],
        only: Option<&GridCode>,
    ) -> AppResult<Vec<GridTaskSiteRecord>> {
        if input.sites.len() > MAX_SITES {
            return Err(too_many_sites());
        }
        let mut sites = Vec::new();
        let mut seen = BTreeSet::new();
        let kinds: BTreeSet<RegisterKind> = input.register_kinds.iter().copied().collect();
        if let Some(k) = kinds.iter().find(|k| !SITE_KINDS.contains(k)) {
            return Err(AppError::bad_request(
                "not_a_site_kind",
                format!("“{}”不能作为检查点位（应为楼栋、单位和商户或公共设施）", k.label_zh()),
                "sites are buildings, organisations and shops, or facilities",
            ));
        }
        if !kinds.is_empty() && grids.is_empty() {
            return Err(AppError::bad_request(
                "no_grids_for_register",
                "按登记类别取点位时须指定网格或网格员",
                "sites from the register need the task's grids or workers",
            ));
        }
        for kind in kinds {
            let query =
                RegisterQuery { grids: grids.to_vec(), kind: Some(kind), limit: MAX_SITES + 1, ..Default::default() };
            for r in self.app.store.register_records(&query).await? {
                if sites.len() >= MAX_SITES {
                    return Err(too_many_sites());
                }
                if seen.insert(r.id.clone()) {
                    sites.push(site(sites.len(), r.grid, Some(r.id), r.name));
                }
            }
        }
        for named in &input.sites {
            if sites.len() >= MAX_SITES {
                return Err(too_many_sites());
            }
            let s = self.named_site(named, division, only).await?;
            if s.register_id.as_ref().is_some_and(|id| !seen.insert(id.clone())) {
                continue;
            }
            sites.push(GridTaskSiteRecord { seq: seq(sites.len()), ..s });
        }
        if sites.is_empty() {
            return Err(AppError::bad_request(
                "no_sites",
                "任务至少要有一个检查点位",
                "a task needs at least one site",
            ));
        }
        Ok(sites)
    }

    /// One site named; a free one without its grid is in `only`, the
    /// task's one grid (if it has one).
    async fn named_site(
        &self,
        named: &GridTaskSiteInput,
        division: &DivisionCode,
        only: Option<&GridCode>,
    ) -> AppResult<GridTaskSiteRecord> {
        if let Some(id) = named.register_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let unknown = || {
                AppError::bad_request(
                    "unknown_register_record",
                    format!("登记中没有点位“{id}”"),
                    format!("no register record '{id}'"),
                )
            };
            if id.len() > 64 {
                return Err(unknown());
            }
            let r = self.app.store.register_record(id).await?.ok_or_else(unknown)?;
            if !SITE_KINDS.contains(&r.kind) {
                return Err(AppError::bad_request(
                    "not_a_site_kind",
                    format!("“{}”是{}，不能作为检查点位", r.name, r.kind.label_zh()),
                    "sites are buildings, organisations and shops, or facilities",
                ));
            }
            if !(r.community == *division || division.is_ancestor_of(&r.community)) {
                return Err(outside(&format!("点位“{}”", r.name), &format!("site {}", r.id)));
            }
            return Ok(site(0, r.grid, Some(r.id), r.name));
        }
        let name =
            bounded_text(named.name.as_deref().unwrap_or_default(), SITE_NAME_CHARS, "点位名称", "a site's name")
                .map_err(|m| bad("invalid_site", m))?;
        let grid = match named.grid.as_deref().map(str::trim).filter(|g| !g.is_empty()) {
            Some(g) => self.task_grids(&[g.to_owned()], division).await?.pop(),
            None => only.cloned(),
        };
        Ok(site(0, grid, None, name))
    }

    /// The grids `codes`, each current today in `division`; refused whole,
    /// naming the grid, if one is not.
    async fn task_grids(&self, codes: &[String], division: &DivisionCode) -> AppResult<Vec<GridCode>> {
        let mut grids = BTreeSet::new();
        for g in codes {
            grids.insert(GridCode::parse(g.trim()).map_err(|m| bad("invalid_grid", m))?);
        }
        let names = self.app.current_grid_names(&grids, self.day()).await?;
        for code in &grids {
            let Some(name) = names.get(code) else {
                return Err(AppError::bad_request(
                    "unknown_grid",
                    format!("没有网格 {code}，或已撤销"),
                    format!("no current grid {code}"),
                ));
            };
            if !within(division, code) {
                return Err(outside(&format!("网格“{name}”"), &format!("grid '{name}'")));
            }
        }
        Ok(grids.into_iter().collect())
    }

    /// Give a task (a community or street worker, within their scope).
    pub async fn assign_task(&self, input: &GridTaskInput) -> AppResult<GridTaskDetail> {
        let division = self.task_division(input.division.as_deref())?;
        let title =
            bounded_text(&input.title, TITLE_CHARS, "任务标题", "the title").map_err(|m| bad("invalid_title", m))?;
        if input.details.chars().count() > DETAILS_CHARS {
            return Err(AppError::bad_request(
                "details_too_long",
                format!("任务说明最多 {DETAILS_CHARS} 个字"),
                format!("the details have at most {DETAILS_CHARS} characters"),
            ));
        }
        let given = input.workers.len() + input.grids.len();
        if given == 0 || given > MAX_ASSIGNEES {
            return Err(AppError::bad_request(
                "invalid_assignees",
                format!("任务须交给 1–{MAX_ASSIGNEES} 名网格员或网格"),
                format!("a task is given to 1–{MAX_ASSIGNEES} grid workers or grids"),
            ));
        }
        let grids = self.task_grids(&input.grids, &division).await?;
        let (workers, worker_grids) = self.task_workers(&input.workers, &division).await?;
        let site_grids: Vec<GridCode> =
            grids.iter().chain(&worker_grids).cloned().collect::<BTreeSet<_>>().into_iter().collect();
        // A task in one grid: the sites named without a grid are in it.
        let only = match site_grids.as_slice() {
            [one] => Some(one),
            _ => None,
        };
        let sites = self.task_sites(input, &division, &site_grids, only).await?;
        let now = self.app.now();
        let due = GridTaskDue::plan(&self.app.timing(), now, input.due_on).map_err(|m| bad("invalid_due_date", m))?;
        let warning = due.warning_at(now);
        let id = uuid::Uuid::now_v7().to_string();
        let task = GridTaskRecord {
            id: id.clone(),
            title,
            details: input.details.trim().to_owned(),
            division,
            workers,
            grids,
            created_by: self.actor.user_id().unwrap_or(self.actor.name()).to_owned(),
            created_at: self.app.now_micros(),
            due_on: input.due_on,
            deadline: micros(due.deadline),
            yellow_at: micros(due.yellow_at),
            orange_at: micros(due.orange_at),
            warning,
            next_alarm_at: due.next_alarm(warning).map(micros),
            progress: GridTaskProgress::of(sites.iter().map(|s| s.state)),
            completed_at: None,
            completed_by: None,
            result: None,
            version: 1,
        };
        let mut people = self.app.task_people(&task).await?;
        if let Some(me) = self.actor.user_id() {
            people.remove(me);
        }
        let tell = Tell {
            kind: NoticeKind::TaskAssigned,
            recipients: people,
            title: (format!("新任务：{}", task.title), format!("New task: {}", task.title)),
            body: (
                format!("{} 个点位，{} 前完成", sites.len(), input.due_on),
                format!("{} sites, due by {}", sites.len(), input.due_on),
            ),
        };
        let notices = self.app.notices_about(&format!("task:{id}"), "/grid/tasks", vec![tell]).await?;
        self.app
            .store
            .add_grid_task(&task, &sites, &notices, &self.audit("task.assign", &format!("task:{id}")))
            .await?;
        self.task(&id).await
    }
}

fn seq(index: usize) -> i64 {
    i64::try_from(index + 1).unwrap_or(i64::MAX)
}

fn site(index: usize, grid: Option<GridCode>, register_id: Option<String>, name: String) -> GridTaskSiteRecord {
    GridTaskSiteRecord {
        seq: seq(index),
        grid,
        register_id,
        name,
        state: GridTaskSiteState::Pending,
        note: None,
        photo: None,
        matter_id: None,
        checked_by: None,
        checked_at: None,
    }
}

pub(super) fn micros(t: jiff::Timestamp) -> shanzhi_domain::Micros {
    shanzhi_domain::Micros::from(t)
}

impl crate::App {
    /// Everyone a task is given to: its workers, and the grid workers of its
    /// grids today.
    pub(crate) async fn task_people(&self, t: &GridTaskRecord) -> AppResult<BTreeSet<String>> {
        let mut out: BTreeSet<String> = t.workers.iter().cloned().collect();
        if t.grids.is_empty() {
            return Ok(out);
        }
        for a in self.store.assignments_within(&t.division, self.today_here()).await? {
            if let (Role::GridWorker, Some(Scope::Grid(g))) = (a.role, &a.scope)
                && t.grids.contains(g)
            {
                out.insert(a.user_id);
            }
        }
        Ok(out)
    }
}
