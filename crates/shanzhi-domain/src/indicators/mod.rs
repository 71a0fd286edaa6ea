//! 一套机制统筹: the figures units are held to, each defined on the record
//! export alone (docs/indicators.md publishes the same definitions), so that
//! anyone with the export can recompute every number.

mod engine;
pub mod grid_work;
pub mod parts;
mod period;
pub mod record;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use engine::{Attribution, Params, Tallies, Tally, compute};
pub use period::{MAX_RANGE_DAYS, Period, PeriodKind, day_range, month_number, month_start, parse_day};
pub use record::{Holder, Places, TimelineRow, rows_of};

crate::code_enum! {
    /// The unit type figures are given for.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum UnitKind {
        District => "district", "区（市）县";
        Town => "town", "街道（乡镇）";
        Community => "community", "社区（村）";
        Grid => "grid", "网格";
        Department => "department", "部门";
        Worker => "worker", "网格员";
    }
    from_str(s: s) -> crate::text::Bilingual {
        crate::text::Bilingual::new(
            format!("by 应为 district、town、community、grid、department 或 worker，而不是“{s}”"),
            format!("by must be district, town, community, grid, department or worker, not '{s}'"),
        )
    }
}

impl UnitKind {
    /// A unit of a place (the matter's), not of who held it.
    pub fn is_place(self) -> bool {
        matches!(self, UnitKind::District | UnitKind::Town | UnitKind::Community | UnitKind::Grid)
    }
}

/// Whether a figure is a count (denominator 1) or a share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    Count,
    Rate,
}

macro_rules! indicators {
    ($($key:ident => $name:literal, $measure:ident, $zh:literal, $en:literal, $num:literal, $den:literal, $units:literal;)*) => {
        /// A figure's key (a fixed interface: the API and the export use these names).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        #[allow(clippy::enum_variant_names)]
        pub enum Key {
            $($key,)*
        }

        impl Key {
            pub const ALL: &'static [Key] = &[$(Key::$key,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Key::$key => $name,)*
                }
            }

            /// Its definition, as published.
            pub fn definition(self) -> Definition {
                match self {
                    $(Key::$key => Definition {
                        key: $name,
                        measure: Measure::$measure,
                        name_zh: $zh,
                        name_en: $en,
                        numerator: $num,
                        denominator: $den,
                        attribution: $units,
                    },)*
                }
            }
        }
    };
}

indicators! {
    Reported => "reported", Count, "上报数", "Reported",
        "report events in P", "1", "the matter's place";
    Filed => "filed", Count, "立案数", "Filed",
        "accept events in P", "1", "the matter's place; the holder before the event";
    Closed => "closed", Count, "结案数", "Closed",
        "verify events in P with passed=true", "1", "the matter's place; the department of the latest respond before it";
    OnTimeSignRate => "on_time_sign_rate", Rate, "按期签收率", "On-time signing rate",
        "met sign runs decided in P", "met + missed sign runs decided in P", "the matter's place; the holder in force just before the run was decided";
    OnTimeHandlingRate => "on_time_handling_rate", Rate, "按期处置率", "On-time handling rate",
        "met handle runs decided in P", "met + missed handle runs decided in P", "the matter's place; the holder in force just before the run was decided";
    OnTimeVerifyRate => "on_time_verify_rate", Rate, "按期核查率", "On-time verification rate",
        "met verify runs decided in P", "met + missed verify runs decided in P", "the matter's place; the holder in force just before the run was decided";
    Overdue => "overdue", Count, "超期数", "Overdue",
        "missed runs of any stage decided in P", "1", "the matter's place; the holder in force just before the run was decided";
    Supervised => "supervised", Count, "督办数", "Supervised",
        "supervise events in P", "1", "the matter's place; the holder then (after the entry before)";
    ReworkRate => "rework_rate", Rate, "返工率", "Rework rate",
        "verify events in P with passed=false", "verify events in P", "the matter's place; the department of the latest respond before each";
    SatisfactionRate => "satisfaction_rate", Rate, "满意率", "Satisfaction rate",
        "satisfied + k × basically_satisfied among rate events in P", "rate events in P", "the matter's place; the department of the latest respond";
    ProactiveShare => "proactive_share", Rate, "主动发现率", "Proactive share",
        "report events in P with channel grid_worker", "report events in P", "the matter's place";
    ClosureRate => "closure_rate", Rate, "办结率", "Closure rate",
        "matters reported in P with a verify passed=true before as_of", "matters reported in P", "the matter's place";
}

impl Key {
    /// Whether its parts carry a numerator weighed by k (基本满意): 满意率
    /// alone. Every other key's `numerator_k` is 0.
    pub fn weighted_by_k(self) -> bool {
        self == Key::SatisfactionRate
    }
}

/// A published definition.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Definition {
    pub key: &'static str,
    pub measure: Measure,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub numerator: &'static str,
    pub denominator: &'static str,
    /// Which unit a contribution counts for (places: the matter's; departments and workers: as said).
    pub attribution: &'static str,
}

impl std::str::FromStr for Key {
    type Err = crate::text::Bilingual;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Key::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| crate::text::Bilingual::new(format!("未知的指标“{s}”"), format!("unknown indicator '{s}'")))
    }
}

/// A figure as answered: `value` is `numerator / denominator`, null when the
/// denominator is 0.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figure {
    pub numerator: f64,
    pub denominator: f64,
    pub value: Option<f64>,
}

impl From<Tally> for Figure {
    fn from(t: Tally) -> Figure {
        Figure { numerator: t.numerator, denominator: t.denominator, value: t.value() }
    }
}
