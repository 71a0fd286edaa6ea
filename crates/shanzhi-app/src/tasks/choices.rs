//! What a task can be given to, by name: the grids of the giver's community
//! or street (each with its community's name) and the grid workers serving
//! them, offered on the task form instead of codes to type; and the names of
//! grids wherever a task is shown ("users see names, never codes").

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use shanzhi_domain::{CodeSystem, DivisionCode, DivisionLevel, GridCode};

use super::bad;
use crate::access::Scoped;
use crate::{AppError, AppResult};

/// Most grids the task form offers at once; beyond, it asks for a community.
pub const MAX_GRID_CHOICES: usize = 300;
/// Most grid workers the task form offers.
pub const MAX_WORKER_CHOICES: usize = 300;
/// Most communities offered to narrow the grids by.
pub const MAX_COMMUNITY_CHOICES: usize = 300;
/// Most grids of one community read.
const GRIDS_PER_COMMUNITY: usize = 5000;

/// A community to narrow the grids offered by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskCommunityChoice {
    pub code: String,
    pub name: String,
}

/// A grid a task can be given to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskGridChoice {
    pub code: String,
    pub name: String,
    /// Its community's name.
    pub community: String,
}

/// A grid worker a task can be given to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskWorkerChoice {
    pub username: String,
    pub name: String,
    /// The names of the grids they serve here.
    pub grids: Vec<String>,
}

/// Everything the task form offers, within the giver's scope.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TaskChoices {
    /// The community or street the task is given in, and its name.
    pub division: String,
    pub division_name: String,
    /// Its communities (more than one: a street or wider).
    pub communities: Vec<TaskCommunityChoice>,
    /// The community the grids were narrowed to.
    pub community: Option<String>,
    pub grids: Vec<TaskGridChoice>,
    pub workers: Vec<TaskWorkerChoice>,
    /// More than [`MAX_GRID_CHOICES`] grids: choose a community first.
    pub narrow: bool,
}

fn unknown_community() -> AppError {
    AppError::bad_request(
        "outside_task_division",
        "所选社区不在您可交办任务的范围内",
        "The community chosen is not one you may give tasks in",
    )
}

impl Scoped<'_> {
    /// The communities in `division` (itself, if a community), in code
    /// order, at most [`MAX_COMMUNITY_CHOICES`].
    async fn communities_in(&self, division: &DivisionCode) -> AppResult<Vec<DivisionCode>> {
        let mut found = Vec::new();
        let mut stack = vec![division.clone()];
        while let Some(d) = stack.pop() {
            if found.len() >= MAX_COMMUNITY_CHOICES {
                break;
            }
            if d.level() == DivisionLevel::Community {
                found.push(d);
                continue;
            }
            let children = self.app.store.child_divisions(CodeSystem::Nbs2023, Some(&d)).await?;
            stack.extend(children.into_iter().rev().map(|c| c.code));
        }
        Ok(found)
    }

    /// The grids and grid workers a task can be given to in the caller's
    /// community or street, by name; narrowed to `community` if given (one
    /// of its communities). A street with more than [`MAX_GRID_CHOICES`]
    /// grids offers its communities first.
    pub async fn task_choices(&self, community: Option<&str>) -> AppResult<TaskChoices> {
        let division = self.task_division(None)?;
        let communities = self.communities_in(&division).await?;
        let chosen = match community.map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => {
                let code = DivisionCode::parse(c).map_err(|e| bad("invalid_division", e.message(c)))?;
                if !communities.contains(&code) {
                    return Err(unknown_community());
                }
                Some(code)
            }
            None => None,
        };
        let mut lookup: Vec<DivisionCode> = communities.iter().chain([&division]).cloned().collect();
        lookup.sort();
        lookup.dedup();
        let names = self.app.division_names(&lookup).await?;
        let name_of = |d: &DivisionCode| names.get(d).cloned().unwrap_or_default();
        let mut out = TaskChoices {
            division: division.as_str().to_owned(),
            division_name: name_of(&division),
            communities: communities
                .iter()
                .map(|c| TaskCommunityChoice { code: c.as_str().to_owned(), name: name_of(c) })
                .collect(),
            community: chosen.as_ref().map(|c| c.as_str().to_owned()),
            ..TaskChoices::default()
        };
        let day = self.day();
        let read = chosen.map_or(communities, |c| vec![c]);
        let mut workers: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
        for c in &read {
            for g in self.app.store.community_grid_contacts(c, day, GRIDS_PER_COMMUNITY).await? {
                if out.grids.len() >= MAX_GRID_CHOICES {
                    out.narrow = read.len() > 1;
                    break;
                }
                for w in g.workers {
                    let entry = workers.entry(w.user_id).or_insert_with(|| (w.name, Vec::new()));
                    entry.1.push(g.name.clone());
                }
                out.grids.push(TaskGridChoice {
                    code: g.code.as_str().to_owned(),
                    name: g.name,
                    community: name_of(c),
                });
            }
            if out.narrow {
                out.grids.clear();
                return Ok(out);
            }
        }
        for (id, (name, grids)) in workers.into_iter().take(MAX_WORKER_CHOICES) {
            if let Some(u) = self.app.store.user_by_id(&id).await? {
                out.workers.push(TaskWorkerChoice { username: u.username.as_str().to_owned(), name, grids });
            }
        }
        out.workers.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.username.cmp(&b.username)));
        Ok(out)
    }
}

impl crate::App {
    /// The names of the grids `codes` current on `day`; grids not current
    /// then are left out.
    pub(crate) async fn current_grid_names<'a>(
        &self,
        codes: impl IntoIterator<Item = &'a GridCode>,
        day: jiff::civil::Date,
    ) -> AppResult<HashMap<GridCode, String>> {
        let wanted: BTreeSet<&GridCode> = codes.into_iter().collect();
        let communities: BTreeSet<DivisionCode> = wanted.iter().map(|g| g.community()).collect();
        let mut out = HashMap::new();
        for c in communities {
            for g in self.store.community_grid_contacts(&c, day, GRIDS_PER_COMMUNITY).await? {
                if wanted.contains(&g.code) {
                    out.insert(g.code, g.name);
                }
            }
        }
        Ok(out)
    }

    /// The names of the grids `codes`: the current ones', else the name of
    /// the latest version (a grid re-cut since); unknown codes are left out.
    pub(crate) async fn grid_names<'a>(
        &self,
        codes: impl IntoIterator<Item = &'a GridCode>,
    ) -> AppResult<HashMap<GridCode, String>> {
        let codes: BTreeSet<&GridCode> = codes.into_iter().collect();
        let mut out = self.current_grid_names(codes.iter().copied(), self.today_here()).await?;
        for code in codes {
            if !out.contains_key(code)
                && let Some(last) = self.store.grid_history(code).await?.pop()
            {
                out.insert(code.clone(), last.info.name.clone());
            }
        }
        Ok(out)
    }
}
