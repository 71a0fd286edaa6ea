//! The grid-work figures of a community or street (docs/indicators.md):
//! tasks completed on time, patrol coverage of grids, proactive discovery,
//! by community, general grid or grid worker, counted by the pure rules of
//! `shanzhi_domain::indicators::grid_work` from the tasks, the patrols'
//! check-ins and the record export's rows in view.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use shanzhi_domain::indicators::grid_work::{
    PATROL_COVERAGE, PROACTIVE_DISCOVERY, TASK_ON_TIME_RATE, TaskFact, patrol_coverage, proactive_discovery,
    task_on_time,
};
use shanzhi_domain::indicators::{Figure, UnitKind};
use shanzhi_domain::{Action, DivisionCode, DivisionLevel, GridCode, GridKind, Place, Role, Scope};
use shanzhi_store::{GridTaskQuery, GridTaskRecord, PatrolQuery};

use crate::access::{Scoped, refuse};
use crate::figures::FigureQuery;
use crate::grids::{GridFilter, today};
use crate::{AppError, AppResult};

/// Most tasks one answer reads.
const MAX_TASKS: usize = 20_000;

/// One unit's grid-work figures.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GridWorkUnit {
    /// A community's or grid's code, a worker's user name.
    pub code: String,
    pub name: String,
    /// `task_on_time_rate`, `patrol_coverage`, `proactive_discovery`.
    pub figures: BTreeMap<String, Figure>,
}

/// The grid-work figures of every unit in view.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GridWorkAnswer {
    pub period: String,
    pub by: UnitKind,
    pub within: String,
    pub as_of: String,
    pub units: Vec<GridWorkUnit>,
}

/// What is counted for one unit.
#[derive(Default)]
struct UnitParts {
    grids: BTreeSet<GridCode>,
    visited: BTreeSet<GridCode>,
    worker: Option<String>,
}

impl Scoped<'_> {
    /// The community or street asked for (default: the caller's own), where
    /// the caller may see patrols.
    fn grid_work_place(&self, within: Option<&DivisionCode>) -> AppResult<DivisionCode> {
        let d = match within {
            Some(d) => d.clone(),
            None => self
                .actor
                .grants()
                .iter()
                .filter(|g| g.role.allows(Action::ViewPatrols) && g.term.contains(today()))
                .find_map(|g| match &g.scope {
                    Some(Scope::Division(d)) => Some(d.clone()),
                    _ => None,
                })
                .ok_or_else(|| refuse(Action::ViewPatrols))?,
        };
        if !matches!(d.level(), DivisionLevel::Town | DivisionLevel::Community) {
            return Err(AppError::bad_request(
                "within_street_or_community",
                "网格工作指标按街道或社区查看，请选择一个街道或社区",
                "grid-work figures are read for one street or community: choose one",
            ));
        }
        self.require(Action::ViewPatrols, &Place::Division(d.clone()))?;
        Ok(d)
    }

    /// The grid-work figures of `q.period` by community, grid or worker.
    pub async fn grid_work_figures(&self, q: &FigureQuery) -> AppResult<GridWorkAnswer> {
        if !matches!(q.by, UnitKind::Community | UnitKind::Grid | UnitKind::Worker) {
            return Err(AppError::bad_request(
                "invalid_unit_kind",
                "网格工作指标的单位应为社区、网格或网格员（community、grid、worker）",
                "grid-work figures are by community, grid or worker",
            ));
        }
        let within = self.grid_work_place(q.within.as_ref())?;
        let q = FigureQuery { within: Some(within.clone()), ..q.clone() };
        let read = self.read_figures(&q).await?;
        let (start, as_of) = (read.start, read.as_of);
        let day = as_of.plus_seconds(-1).timestamp().to_zoned_datetime(shanzhi_domain::calendar::china()).date();

        // General grids in view, and each grid's general grid.
        let filter = GridFilter { within: Some(within.clone()), as_of: Some(day), ..GridFilter::default() };
        let grids = self.app.grids(&filter).await?;
        let mut general_of: BTreeMap<GridCode, GridCode> = BTreeMap::new();
        let mut names: BTreeMap<String, String> = BTreeMap::new();
        for g in &grids {
            let general = match g.info.kind {
                GridKind::General => g.info.code.clone(),
                GridKind::Micro => match &g.info.parent {
                    Some(p) => p.clone(),
                    None => continue,
                },
                _ => continue,
            };
            if g.info.kind == GridKind::General {
                names.insert(g.info.code.as_str().to_owned(), g.info.name.clone());
            }
            general_of.insert(g.info.code.clone(), general);
        }
        let general = |g: &GridCode| general_of.get(g).cloned();

        // Check-ins in [start, as_of): the grids visited, in all and by whom.
        let patrols = PatrolQuery {
            within: Some(within.clone()),
            grids: Vec::new(),
            user_id: None,
            from: Some(start),
            to: Some(as_of),
        };
        let mut visited = BTreeSet::new();
        let mut visited_by: BTreeMap<String, BTreeSet<GridCode>> = BTreeMap::new();
        for p in self.app.store.patrols(&patrols).await? {
            for point in p.points.iter().filter(|pt| pt.at >= start && pt.at < as_of) {
                if let Some(g) = point.grid.as_ref().and_then(general) {
                    visited.insert(g.clone());
                    visited_by.entry(p.user_id.clone()).or_default().insert(g);
                }
            }
        }

        // Grid workers on the last day counted: their grids, their names.
        let mut worker_grids: BTreeMap<String, BTreeSet<GridCode>> = BTreeMap::new();
        for a in self.app.store.assignments_within(&within, day).await? {
            if a.role == Role::GridWorker
                && let Some(Scope::Grid(g)) = &a.scope
                && let Some(g) = general(g)
            {
                worker_grids.entry(a.user_id.clone()).or_default().insert(g);
            }
        }

        // Tasks due in the period, given anywhere up to the district.
        let district = DivisionCode::parse(&within.significant()[..6]).unwrap_or_else(|_| within.clone());
        let query = GridTaskQuery {
            within: Some(district),
            due_from: Some(start),
            due_to: Some(as_of),
            limit: MAX_TASKS,
            ..GridTaskQuery::default()
        };
        let tasks: Vec<(GridTaskRecord, BTreeSet<GridCode>)> = self
            .app
            .store
            .grid_tasks(&query)
            .await?
            .into_iter()
            .map(|t| {
                let mut touched: BTreeSet<GridCode> = t.grids.iter().filter_map(general).collect();
                for w in &t.workers {
                    touched.extend(worker_grids.get(w).into_iter().flatten().cloned());
                }
                (t, touched)
            })
            .filter(|(_, touched)| !touched.is_empty())
            .collect();

        let mut units: BTreeMap<String, UnitParts> = BTreeMap::new();
        match q.by {
            UnitKind::Grid => {
                for g in general_of.values() {
                    let u = units.entry(g.as_str().to_owned()).or_default();
                    u.grids.insert(g.clone());
                    u.visited.clone_from(&visited);
                }
            }
            UnitKind::Community => {
                for g in general_of.values() {
                    let c = g.community();
                    if let Some(n) = self.app.division_names(std::slice::from_ref(&c)).await?.into_iter().next() {
                        names.insert(c.significant().to_owned(), n.1);
                    }
                    let u = units.entry(c.significant().to_owned()).or_default();
                    u.grids.insert(g.clone());
                    u.visited.clone_from(&visited);
                }
            }
            _ => {
                for (user, grids) in &worker_grids {
                    let Some(person) = self.app.store.user_by_id(user).await? else { continue };
                    let code = person.username.as_str().to_owned();
                    names.insert(code.clone(), person.display_name);
                    let u = units.entry(code).or_default();
                    u.grids.clone_from(grids);
                    u.visited = visited_by.get(user).cloned().unwrap_or_default();
                    u.worker = Some(user.clone());
                }
            }
        }
        let rows: Vec<_> = read.timelines.iter().flatten().collect();
        let out = units
            .into_iter()
            .map(|(code, u)| {
                let facts: Vec<TaskFact> = tasks
                    .iter()
                    .filter(|(t, touched)| {
                        !touched.is_disjoint(&u.grids) || u.worker.as_ref().is_some_and(|w| t.workers.contains(w))
                    })
                    .map(|(t, _)| TaskFact { deadline: t.deadline, completed_at: t.completed_at })
                    .collect();
                let figures = BTreeMap::from([
                    (TASK_ON_TIME_RATE.to_owned(), task_on_time(&facts, start, as_of)),
                    (PATROL_COVERAGE.to_owned(), patrol_coverage(&u.grids, &u.visited)),
                    (PROACTIVE_DISCOVERY.to_owned(), proactive_discovery(rows.iter().copied(), &u.grids, start, as_of)),
                ]);
                GridWorkUnit { name: names.get(&code).cloned().unwrap_or_else(|| code.clone()), code, figures }
            })
            .collect();
        Ok(GridWorkAnswer {
            period: q.period.to_string(),
            by: q.by,
            within: within.significant().to_owned(),
            as_of: shanzhi_domain::indicators::record::export_time(as_of),
            units: out,
        })
    }
}
