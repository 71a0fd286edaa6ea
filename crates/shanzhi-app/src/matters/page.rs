//! Everything one screen of a matter shows: the facts, the photos, the
//! timeline, and only the commands this viewer may give now.

use std::collections::HashMap;

use shanzhi_domain::{Assignee, CommandKind, DivisionCode};

use super::RepeatView;
use super::{CategoryHint, EventView, MatterView, Suggestion, event_view};
use crate::AppResult;
use crate::access::Scoped;

#[derive(Debug, Clone)]
pub struct MatterScreen {
    pub matter: MatterView,
    pub timeline: Vec<EventView>,
    /// Photo ids, oldest first.
    pub photos: Vec<String>,
    /// Commands that fit the state and that this viewer may give.
    pub commands: Vec<CommandKind>,
    /// The suggested unit (history's, else the duty list's), when
    /// dispatching is among the commands.
    pub suggestion: Option<Suggestion>,
    /// The categories the description points to (智能分拨), when accepting
    /// or dispatching is among the commands.
    pub category_hints: Vec<CategoryHint>,
    /// (code, name) of the departments a dispatch may name: the matter's
    /// district's and the city's.
    pub departments: Vec<(String, String)>,
    /// The matter's grid's name (its code is no name for people).
    pub grid_name: Option<String>,
    /// The matter's community's name.
    pub community_name: Option<String>,
    /// Department names by code, for every department the matter was
    /// dispatched to and the one holding it, so that no page shows a code.
    pub department_names: HashMap<String, String>,
    /// Its repeats (重复件): matters flagged as its duplicates or merged
    /// into it, those the viewer may see.
    pub repeats: Vec<RepeatView>,
}

impl Scoped<'_> {
    pub async fn matter_screen(&self, id: &str) -> AppResult<MatterScreen> {
        let m = self.visible_matter(id).await?;
        let events = self.app.store.matter_events(&m.id).await?;
        let photos = events.iter().flat_map(|e| e.attachments.iter().cloned()).collect();
        let commands: Vec<CommandKind> =
            m.status.allowed().into_iter().filter(|c| self.acting_role(*c, &m).is_some()).collect();
        let (suggestion, departments) = if commands.contains(&CommandKind::Dispatch) {
            let district = m.grid.community().significant().chars().take(6).collect::<String>();
            let dictionary = self.app.dictionary().await?;
            (self.suggestion_for(&m).await?, dictionary.departments_under(&[&format!("{district}-"), "510100-"]))
        } else {
            (None, Vec::new())
        };
        let category_hints = if commands.iter().any(|c| matches!(c, CommandKind::Accept | CommandKind::Dispatch)) {
            self.category_hints(&m.description).await?
        } else {
            Vec::new()
        };
        let timeline: Vec<EventView> = events.into_iter().map(event_view).collect();
        let dictionary = self.app.dictionary().await?;
        // Dispatches name their department (`to.code`); automatic
        // supervisions the unit that held the matter (`department:<code>`).
        let mentioned = timeline
            .iter()
            .filter_map(|e| {
                let to = e.details.pointer("/to/code").and_then(|v| v.as_str());
                let unit = e.details.pointer("/overdue/unit").and_then(|v| v.as_str());
                to.or_else(|| unit.and_then(|u| u.strip_prefix("department:")))
            })
            .map(str::to_owned);
        let held = match &m.status.assignee {
            Some(Assignee::Department(d)) => Some(d.as_str().to_owned()),
            _ => None,
        };
        let department_names = mentioned
            .chain(held)
            .filter_map(|c| dictionary.department_name(&c).map(|n| (c.clone(), n.to_owned())))
            .collect();
        let community: DivisionCode = m.grid.community();
        let community_name = self.app.division_names(std::slice::from_ref(&community)).await?.remove(&community);
        // The newest version's name: what people call the grid now, even
        // if it was retired or renamed since the report.
        let grid_name =
            self.app.grid_history(&m.grid).await.ok().and_then(|h| h.into_iter().last()).map(|g| g.info.name);
        Ok(MatterScreen {
            matter: self.view(&m).await?,
            timeline,
            photos,
            commands,
            suggestion,
            category_hints,
            departments,
            grid_name,
            community_name,
            department_names,
            repeats: self.repeats(m.id.as_str()).await?,
        })
    }
}
