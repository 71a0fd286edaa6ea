//! Volunteers and 公益积分 (issue 19): residents who opt in with their
//! skills, organisations (社会组织, 志愿队, 商家), activities with a roster and
//! a waiting list, on-site check-in with a short-lived code, and a points
//! ledger per resident (append-only, hash-chained, never negative) from
//! which rewards are redeemed.

pub mod checkin;
pub mod points;
pub mod roster;

use serde::{Deserialize, Serialize};

use crate::text::Bilingual;

pub use checkin::{CODE_WINDOW_SECONDS, checkin_code, code_accepted};
pub use points::{POINTS_GENESIS, PointsEntry, PointsKind, append_points, points_hash, replay_points};
pub use roster::{AttendanceError, SignupState, minutes_between, place_signup};

crate::code_enum! {
    /// What a volunteer can help with (a small fixed list; free text beside it).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum Skill {
        Elderly => "elderly", "助老服务";
        Children => "children", "儿童关爱";
        Environment => "environment", "环境整治";
        Health => "health", "医疗健康";
        Culture => "culture", "文体活动";
        Safety => "safety", "平安巡防";
        Legal => "legal", "法律咨询";
        Tech => "tech", "数字助老";
    }
    from_str(s: s.trim()) -> Bilingual {
        Bilingual::new(format!("未知的志愿技能“{s}”"), format!("unknown volunteer skill '{s}'"))
    }
}

crate::code_enum! {
    /// The kind of an organisation.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum OrgKind {
        SocialOrg => "social_org", "社会组织";
        Team => "team", "志愿队";
        Shop => "shop", "商家";
    }
    from_str(s: s.trim()) -> Bilingual {
        Bilingual::new(format!("未知的组织类型“{s}”"), format!("unknown organisation kind '{s}'"))
    }
}

/// Most points one activity earns, and most a reward costs.
pub const MAX_ACTIVITY_POINTS: i64 = 1000;
pub const MAX_PRICE: i64 = 100_000;
/// Most places an activity offers.
pub const MAX_CAPACITY: i64 = 1000;
/// Most skills a profile names, and the longest free text about them.
pub const MAX_SKILLS: usize = 8;
pub const MAX_SKILL_NOTE: usize = 200;
/// Longest activity: three days.
pub const MAX_ACTIVITY_SECONDS: i64 = 3 * 24 * 3600;

/// Trimmed text of 1..=`max` characters without control characters (line
/// breaks allowed when `lines`).
pub fn plain_text(value: &str, max: usize, lines: bool, what: (&str, &str)) -> Result<String, Bilingual> {
    let t = value.trim();
    let n = t.chars().count();
    let bad_char = t.chars().any(|c| c.is_control() && !(lines && matches!(c, '\n' | '\r' | '\t')));
    if n == 0 || n > max || bad_char {
        return Err(Bilingual::new(
            format!("{}应为 1–{max} 个字", what.0),
            format!("the {} must be 1–{max} characters", what.1),
        ));
    }
    Ok(t.to_owned())
}

/// A whole number in `min..=max`, or why not.
pub fn bounded(value: i64, min: i64, max: i64, what: (&str, &str)) -> Result<i64, Bilingual> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(Bilingual::new(
            format!("{}应在 {min} 到 {max} 之间", what.0),
            format!("the {} must be between {min} and {max}", what.1),
        ))
    }
}
