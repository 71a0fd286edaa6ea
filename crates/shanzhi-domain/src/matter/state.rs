//! The states of a matter and the level that dispatches it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::text::Bilingual;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MatterState {
    Reported,
    Filed,
    Dispatched,
    InProgress,
    Parked,
    Responded,
    Closed,
    Rated,
    Rejected,
    Merged,
    Voided,
}

impl MatterState {
    pub const ALL: [MatterState; 11] = [
        MatterState::Reported,
        MatterState::Filed,
        MatterState::Dispatched,
        MatterState::InProgress,
        MatterState::Parked,
        MatterState::Responded,
        MatterState::Closed,
        MatterState::Rated,
        MatterState::Rejected,
        MatterState::Merged,
        MatterState::Voided,
    ];

    /// The states in which someone still has to act.
    pub fn open() -> Vec<MatterState> {
        MatterState::ALL.into_iter().filter(|s| s.is_open()).collect()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MatterState::Reported => "reported",
            MatterState::Filed => "filed",
            MatterState::Dispatched => "dispatched",
            MatterState::InProgress => "in_progress",
            MatterState::Parked => "parked",
            MatterState::Responded => "responded",
            MatterState::Closed => "closed",
            MatterState::Rated => "rated",
            MatterState::Rejected => "rejected",
            MatterState::Merged => "merged",
            MatterState::Voided => "voided",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            MatterState::Reported => "已上报",
            MatterState::Filed => "已立案",
            MatterState::Dispatched => "已派遣",
            MatterState::InProgress => "处置中",
            MatterState::Parked => "已挂账",
            MatterState::Responded => "已反馈",
            MatterState::Closed => "已结案",
            MatterState::Rated => "已评价",
            MatterState::Rejected => "不予立案",
            MatterState::Merged => "已合并",
            MatterState::Voided => "已作废",
        }
    }

    /// No command applies any more.
    pub fn is_final(self) -> bool {
        matches!(self, MatterState::Rejected | MatterState::Merged | MatterState::Voided)
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

impl fmt::Display for MatterState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for MatterState {
    type Err = Bilingual;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MatterState::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| Bilingual::new(format!("未知的事件状态“{s}”"), format!("unknown matter state '{s}'")))
    }
}

/// Who dispatches the matter now: it starts low and climbs when escalated
/// (吹哨: grid → community → town → district).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Grid,
    Community,
    Town,
    District,
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

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Grid => "grid",
            Level::Community => "community",
            Level::Town => "town",
            Level::District => "district",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Level::Grid => "网格",
            Level::Community => "社区",
            Level::Town => "街道（镇）",
            Level::District => "区（市）县",
        }
    }
}
