//! 事项分类 and 职责清单: the data-driven dictionary of what can be reported
//! (never an enum: cities add codes and standards change editions) and the
//! duty list that says which unit answers for a category at each level.

use serde::{Deserialize, Serialize};

use crate::attribute::Attribute;
use crate::calendar::LimitUnit;
use crate::code::string_code;
use crate::text::Bilingual;

string_code! {
    /// A category code as the dictionary writes it (`0102`, `12345.zixun`,
    /// `ZZ.0101`): 2–32 ASCII letters, digits, `.`, `-` or `_`.
    pub struct CategoryCode(String);
    // The deserializer's message stays the English one.
    parse error Bilingual, deserialize message |e| e.en
}

impl CategoryCode {
    pub fn parse(input: &str) -> Result<Self, Bilingual> {
        let s = input.trim();
        let ok = (2..=32).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c));
        if !ok {
            return Err(Bilingual::new(
                format!("分类代码“{input}”应为 2–32 位字母、数字或 . - _"),
                format!("category code '{input}' must be 2–32 letters, digits or . - _"),
            ));
        }
        Ok(CategoryCode(s.to_owned()))
    }
}

crate::code_enum! {
    /// 双线: development (社治, the 幸福高线) or safety (综治, the 安全底线).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum Line {
        Development => "development", "社治（幸福高线）";
        Safety => "safety", "综治（安全底线）";
        Both => "both", "双线";
    }
    from_str(s: s) -> Bilingual {
        Bilingual::new("line 应为 development、safety 或 both", "line must be development, safety or both")
    }
}

crate::code_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum Severity {
        Normal => "normal";
        Urgent => "urgent";
    }
    from_str(s: s) -> Bilingual { Bilingual::new(format!("未知的紧急程度“{s}”"), format!("unknown severity '{s}'")) }
}

/// Where a category comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CategoryKind {
    /// 数字城管 事件 (GB/T 30428 lineage).
    Event,
    /// 12345 诉求 kinds (反映, 咨询, 求助, 建议, 表扬).
    Hotline,
    /// 综治: disputes, safety hazards.
    Governance,
}

/// One stage's time limit: an amount of a unit. Stored as
/// `{"amount": 3, "unit": "working_days"}`; a bare number (the form before
/// units existed) reads as working hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Limit {
    pub amount: u32,
    pub unit: LimitUnit,
}

impl Limit {
    pub const fn hours(amount: u32) -> Self {
        Limit { amount, unit: LimitUnit::Hours }
    }

    pub const fn working_hours(amount: u32) -> Self {
        Limit { amount, unit: LimitUnit::WorkingHours }
    }

    pub const fn working_days(amount: u32) -> Self {
        Limit { amount, unit: LimitUnit::WorkingDays }
    }

    /// 1 小时 / 2 个工作小时 / 3 个工作日.
    pub fn label_zh(&self) -> String {
        match self.unit {
            LimitUnit::Hours => format!("{} 小时", self.amount),
            LimitUnit::WorkingHours => format!("{} 个工作小时", self.amount),
            LimitUnit::WorkingDays => format!("{} 个工作日", self.amount),
        }
    }
}

impl<'de> Deserialize<'de> for Limit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Hours(u32),
            Full { amount: u32, unit: LimitUnit },
        }
        Ok(match Form::deserialize(d)? {
            Form::Hours(amount) => Limit::working_hours(amount),
            Form::Full { amount, unit } => Limit { amount, unit },
        })
    }
}

/// Time limits per stage (`None`: the stage is not timed), and the limit an
/// urgent matter gets at every stage when it is shorter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeLimits {
    pub accept: Option<Limit>,
    pub dispatch: Option<Limit>,
    pub sign: Option<Limit>,
    pub handle: Option<Limit>,
    pub verify: Option<Limit>,
    #[serde(default = "TimeLimits::default_urgent")]
    pub urgent: Option<Limit>,
}

impl Default for TimeLimits {
    fn default() -> Self {
        TimeLimits {
            accept: None,
            dispatch: None,
            sign: None,
            handle: None,
            verify: None,
            urgent: Self::default_urgent(),
        }
    }
}

impl TimeLimits {
    /// Urgent matters: 2 hours per stage, nights and holidays included.
    pub fn default_urgent() -> Option<Limit> {
        Some(Limit::hours(2))
    }

    pub fn validate(&self) -> Result<(), Bilingual> {
        let all = [self.accept, self.dispatch, self.sign, self.handle, self.verify, self.urgent];
        let fits = |l: &Limit| match l.unit {
            LimitUnit::Hours | LimitUnit::WorkingHours => (1..=24 * 366).contains(&l.amount),
            LimitUnit::WorkingDays => (1..=366).contains(&l.amount),
        };
        if all.iter().flatten().all(fits) {
            Ok(())
        } else {
            Err(Bilingual::new(
                "时限应为 1–8784 小时/工作时，或 1–366 个工作日",
                "a time limit must be 1–8784 hours or working hours, or 1–366 working days",
            ))
        }
    }
}

/// One version of a category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Category {
    pub code: CategoryCode,
    pub name: String,
    /// The major class this one belongs to.
    pub parent: Option<CategoryCode>,
    pub kind: CategoryKind,
    pub line: Line,
    pub severity: Severity,
    pub limits: TimeLimits,
    /// 立案条件 and 结案条件, as text officials read.
    pub filing_condition: String,
    pub closing_condition: String,
    /// The standard or local rule it comes from (e.g. "CJ/T 214-2007").
    pub standard: String,
    /// Words that suggest this category in a description.
    pub keywords: Vec<String>,
    /// Extra questions asked when reporting (Open311 service attributes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<Attribute>,
    /// 自行处置: a grid worker may report and handle it on the spot in one
    /// step (small street-order matters); off unless a category says so.
    #[serde(default)]
    pub self_handle: bool,
}

impl Category {
    pub fn validate(&self) -> Result<(), Bilingual> {
        self.limits.validate()?;
        let n = self.name.trim().chars().count();
        if n == 0 || n > 50 {
            return Err(Bilingual::new("分类名称应为 1–50 个字符", "a category name needs 1–50 characters"));
        }
        if self.filing_condition.chars().count() > 2000 || self.closing_condition.chars().count() > 2000 {
            return Err(Bilingual::new(
                "立案/结案条件不超过 2000 字",
                "filing/closing conditions have at most 2000 characters",
            ));
        }
        if self.keywords.len() > 50 || self.keywords.iter().any(|k| k.trim().is_empty() || k.chars().count() > 20) {
            return Err(Bilingual::new("关键词最多 50 个，每个 1–20 字", "at most 50 keywords of 1–20 characters"));
        }
        if self.attributes.len() > 20 {
            return Err(Bilingual::new("属性最多 20 个", "at most 20 attributes"));
        }
        for (i, a) in self.attributes.iter().enumerate() {
            a.validate()?;
            if self.attributes[..i].iter().any(|b| b.code == a.code) {
                return Err(Bilingual::new(
                    format!("属性代码“{}”重复", a.code),
                    format!("attribute code '{}' appears twice", a.code),
                ));
            }
        }
        Ok(())
    }
}

/// The level a duty applies at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DutyLevel {
    District,
    Town,
    Community,
}

/// The list a duty is on: towns have 基本履职 / 配合履职 / 上级收回, communities
/// have the 准入 lists 依法履职 / 协助 / 负面 (may not be put on them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DutyList {
    /// 基本履职事项
    Basic,
    /// 配合履职事项
    Cooperate,
    /// 上级收回事项
    Withdrawn,
    /// 依法履职事项
    Lawful,
    /// 依法协助事项
    Assist,
    /// 负面清单
    Negative,
}

impl DutyList {
    pub fn label_zh(self) -> &'static str {
        match self {
            DutyList::Basic => "基本履职事项",
            DutyList::Cooperate => "配合履职事项",
            DutyList::Withdrawn => "上级收回事项",
            DutyList::Lawful => "依法履职事项",
            DutyList::Assist => "依法协助事项",
            DutyList::Negative => "负面清单",
        }
    }
}

/// 职责清单 item: category × level → lead department (by key, e.g.
/// `chengguan`, resolved to the matter's district) and co-departments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DutyItem {
    pub category: CategoryCode,
    pub level: DutyLevel,
    pub lead: Option<String>,
    pub co: Vec<String>,
    pub list: DutyList,
    pub note: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_read_the_old_bare_hours_and_the_full_form() {
        let old: TimeLimits =
            serde_json::from_str(r#"{"accept":2,"dispatch":null,"sign":8,"handle":72,"verify":24}"#).expect("old form");
        assert_eq!(old.accept, Some(Limit::working_hours(2)));
        assert_eq!(old.urgent, Some(Limit::hours(2)), "urgent defaults to 2 hours");
        let new = TimeLimits { handle: Some(Limit::working_days(3)), ..TimeLimits::default() };
        let back: TimeLimits = serde_json::from_str(&serde_json::to_string(&new).expect("json")).expect("read");
        assert_eq!(back, new);
        assert!(TimeLimits { sign: Some(Limit::working_days(0)), ..new }.validate().is_err());
        assert!(TimeLimits { sign: Some(Limit::working_days(400)), ..new }.validate().is_err());
        assert!(new.validate().is_ok());
    }

    #[test]
    fn category_codes_are_data_not_enums() {
        for good in ["0102", "12345.zixun", "ZZ.0101", "06010"] {
            assert!(CategoryCode::parse(good).is_ok(), "{good}");
        }
        for bad in ["", "x", "有中文", "a b", &"1".repeat(33)] {
            assert!(CategoryCode::parse(bad).is_err(), "{bad}");
        }
    }
}
