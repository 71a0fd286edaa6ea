//! Everything one screen of a matter shows: the facts, the photos, the
//! timeline, and only the commands this viewer may give now.

use shanzhi_domain::CommandKind;

use super::{EventView, MatterView, Suggestion, event_view};
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
    /// The duty list's unit, when dispatching is among the commands.
    pub suggestion: Option<Suggestion>,
    /// (code, name) of the departments a dispatch may name: the matter's
    /// district's and the city's.
    pub departments: Vec<(String, String)>,
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
        Ok(MatterScreen {
            matter: self.view(&m).await?,
            timeline: events.into_iter().map(event_view).collect(),
            photos,
            commands,
            suggestion,
            departments,
        })
    }
}
