//! The desk's columns by name: where a matter is (community · grid), who
//! holds it (the department, or the community itself) and the channel it
//! came by. The names of a page come in a few reads (the towns' communities,
//! the page's grids, the holders' departments), never one read per row.

use std::collections::{BTreeSet, HashMap};

use shanzhi_app::grids::GridFilter;
use shanzhi_app::matters::MatterView;
use shanzhi_domain::{Assignee, Channel, CodeSystem, DivisionCode, GridCode};

use super::filters::channel_name;
use crate::AppState;
use crate::ui::pages::Row;
use crate::ui::{Tr, Viewer};

/// One matter of the desk: the shared row and the desk's own columns.
#[derive(Debug, Clone)]
pub struct DeskRow {
    pub row: Row,
    pub place: String,
    pub holder: String,
    pub channel: &'static str,
}

/// A community's name as a narrow column reads it: "总府路社区", not
/// "总府路社区居委会".
pub(super) fn short(name: &str) -> String {
    ["居民委员会", "居委会", "村民委员会", "村委会"]
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .unwrap_or(name)
        .to_owned()
}

pub async fn rows(state: &AppState, viewer: &Viewer, tr: Tr, items: &[&MatterView]) -> Vec<DeskRow> {
    let communities = community_names(state, items).await;
    let grids: BTreeSet<GridCode> = items.iter().filter_map(|m| GridCode::parse(&m.grid).ok()).collect();
    // No codes would mean every grid: an empty page reads none.
    let filter = GridFilter { codes: grids.into_iter().collect(), ..GridFilter::default() };
    let grid_names: HashMap<String, String> = match filter.codes.is_empty() {
        true => HashMap::new(),
        false => match state.app.grids(&filter).await {
            Ok(list) => list.into_iter().map(|g| (g.info.code.to_string(), g.info.name)).collect(),
            Err(_) => HashMap::new(),
        },
    };
    let departments = department_names(state, viewer, items).await;
    // The one-click merge only for those who may merge.
    let merges = shanzhi_domain::CommandKind::Merge.roles().iter().any(|r| viewer.has(*r));
    items
        .iter()
        .map(|m| {
            let community = communities.get(&m.community).cloned().unwrap_or_else(|| m.community.clone());
            let grid = grid_names.get(&m.grid).cloned().unwrap_or_else(|| m.grid.clone());
            let holder = match &m.assignee {
                Some(Assignee::Department(code)) => {
                    departments.get(&code.to_string()).cloned().unwrap_or_else(|| code.to_string())
                }
                Some(Assignee::Community) => format!("{}{}", short(&community), tr.t("（社区自治）", " (community)")),
                None => String::new(),
            };
            let channel = m.channel.parse::<Channel>().map_or("", |c| channel_name(tr, c));
            let mut row = Row::from_view(m);
            row.mergeable &= merges;
            DeskRow { row, place: format!("{} · {grid}", short(&community)), holder, channel }
        })
        .collect()
}

/// The names of the page's communities: the communities of each town met.
async fn community_names(state: &AppState, items: &[&MatterView]) -> HashMap<String, String> {
    let towns: BTreeSet<DivisionCode> =
        items.iter().filter_map(|m| DivisionCode::parse(&m.community).ok()).filter_map(|c| c.parent()).collect();
    let mut names = HashMap::new();
    for town in towns {
        if let Ok(list) = state.app.child_divisions(CodeSystem::Nbs2023, Some(&town)).await {
            names.extend(list.into_iter().map(|d| (d.code.to_string(), d.name.as_str().to_owned())));
        }
    }
    names
}

/// The names of the holders' departments: the departments of each division
/// met (a district's departments are a few dozen).
async fn department_names(state: &AppState, viewer: &Viewer, items: &[&MatterView]) -> HashMap<String, String> {
    let divisions: BTreeSet<DivisionCode> = items
        .iter()
        .filter_map(|m| match &m.assignee {
            Some(Assignee::Department(code)) => Some(code.division()),
            _ => None,
        })
        .collect();
    let scoped = state.app.scoped(viewer.actor.clone());
    let mut names = HashMap::new();
    for d in divisions {
        if let Ok(list) = scoped.departments(Some(&d)).await {
            names.extend(list.into_iter().map(|v| (v.code.to_string(), v.name)));
        }
    }
    names
}

#[cfg(test)]
mod tests {
    #[test]
    fn community_names_are_shortened() {
        assert_eq!(super::short("总府路社区居委会"), "总府路社区");
        assert_eq!(super::short("某某村村民委员会"), "某某村");
        assert_eq!(super::short("网格"), "网格");
    }
}
