//! The states of a matter and the level that dispatches it.

use serde::{Deserialize, Serialize};

use crate::text::Bilingual;

crate::code_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum MatterState {
        Reported => "reported", "已上报";
        Filed => "filed", "已立案";
        Dispatched => "dispatched", "已派遣";
        InProgress => "in_progress", "处置中";
        Parked => "parked", "已挂账";
        Responded => "responded", "已反馈";
        Closed => "closed", "已结案";
        Rated => "rated", "已评价";
        Rejected => "rejected", "不予立案";
        Merged => "merged", "已合并";
        Voided => "voided", "已作废";
    }
    from_str(s: s) -> Bilingual {
        Bilingual::new(format!("未知的事件状态“{s}”"), format!("unknown matter state '{s}'"))
    }
}

impl MatterState {
    /// The states in which someone still has to act.
    pub fn open() -> Vec<MatterState> {
        MatterState::ALL.into_iter().filter(|s| s.is_open()).collect()
    }

    /// No command applies any more.
    pub fn is_final(self) -> bool {
        matches!(self, MatterState::Rejected | MatterState::Merged | MatterState::Voided)
    }

    /// A unit holds the matter: dispatched to it and not taken back since
    /// (a department or the community; 承办单位).
    pub fn is_handled(self) -> bool {
        matches!(
            self,
            MatterState::Dispatched
                | MatterState::InProgress
                | MatterState::Parked
                | MatterState::Responded
                | MatterState::Closed
                | MatterState::Rated
        )
    }

    /// Still waiting for someone to act (for counts and warnings).
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            MatterState::Closed
                | MatterState::Rated
                | MatterState::Rejected
                | MatterState::Merged
                | MatterState::Voided
        )
    }
}

crate::code_enum! {
    /// Who dispatches the matter now: it starts low and climbs when escalated
    /// (吹哨: grid → community → town → district).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum Level {
        Grid => "grid", "网格";
        Community => "community", "社区";
        Town => "town", "街道（镇）";
        District => "district", "区（市）县";
    }
}

impl Level {
    pub fn up(self) -> Option<Level> {
        match self {
            Level::Grid => Some(Level::Community),
            Level::Community => Some(Level::Town),
            Level::Town => Some(Level::District),
            Level::District => None,
        }
    }
}
