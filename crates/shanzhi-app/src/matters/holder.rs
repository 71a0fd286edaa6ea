//! Who holds a matter, said by name (锦江区城管局, 总府路社区居民委员会, 社区受理),
//! for the texts people and partners read: the sweep's 督办 note and
//! Open311's `agency_responsible`. The structured records keep the codes.

use std::collections::HashMap;

use shanzhi_domain::{Assignee, DivisionCode, Level, Matter, MatterState};

use super::cache::Dictionary;
use crate::{App, AppResult};

/// The names a batch of matters' holders need, read once per batch.
pub(crate) struct HolderNames {
    dictionary: std::sync::Arc<Dictionary>,
    communities: HashMap<DivisionCode, String>,
}

impl App {
    /// What naming the holders of `matters` takes: the dictionary, and the
    /// names of the communities that hold any of them.
    pub(crate) async fn holder_names(&self, matters: &[Matter]) -> AppResult<HolderNames> {
        let mut communities: Vec<DivisionCode> = matters
            .iter()
            .filter(|m| m.status.assignee == Some(Assignee::Community))
            .map(|m| m.grid.community())
            .collect();
        communities.sort();
        communities.dedup();
        Ok(HolderNames { dictionary: self.dictionary().await?, communities: self.division_names(&communities).await? })
    }
}

impl HolderNames {
    /// The unit that holds `m` (承办单位 once dispatched, else the desk that
    /// has it), by name; `None` once nobody holds it (closed, rated …).
    pub(crate) fn of(&self, m: &Matter) -> Option<String> {
        use MatterState::*;
        match (m.status.state, &m.status.assignee) {
            (Reported | Filed, _) => Some(level_desk(m.status.level).to_owned()),
            (Dispatched | InProgress | Parked, Some(Assignee::Department(d))) => {
                Some(self.dictionary.department_name(d.as_str()).unwrap_or(d.as_str()).to_owned())
            }
            (Dispatched | InProgress | Parked, _) => Some(self.community(m)),
            (Responded, _) => Some("网格员（核查）".to_owned()),
            _ => None,
        }
    }

    /// The holder as Open311 partners have always read it: the department
    /// or community named on the matter even after it is done.
    pub(crate) fn agency(&self, m: &Matter) -> String {
        match &m.status.assignee {
            Some(Assignee::Department(d)) => {
                self.dictionary.department_name(d.as_str()).unwrap_or(d.as_str()).to_owned()
            }
            Some(Assignee::Community) => self.community(m),
            None => level_desk(m.status.level).to_owned(),
        }
    }

    fn community(&self, m: &Matter) -> String {
        let c = m.grid.community();
        self.communities.get(&c).map_or_else(|| format!("社区 {c}"), |n| format!("{n}居民委员会"))
    }
}

/// The desk that takes a matter at each level before it is dispatched.
fn level_desk(level: Level) -> &'static str {
    match level {
        Level::Grid => "网格员",
        Level::Community => "社区",
        Level::Town => "街道（乡镇）综治中心",
        Level::District => "区县网络理政中心",
    }
}
