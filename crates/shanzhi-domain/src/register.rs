//! The grid's register (人、地、事、物、组织): buildings, households,
//! residents, organisations and shops, public facilities; and care marks
//! (关爱对象) with their visit plan on the working-day calendar.
//!
//! Only what the work needs is kept: a resident's 身份证号 is never stored,
//! only a keyed hash of it for de-duplication (see [`IdNumber`]).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::text::Bilingual;

crate::code_enum! {
    /// What a register record is.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum RegisterKind {
        Building => "building", "楼栋";
        Household => "household", "住户";
        Resident => "resident", "居民";
        Organisation => "organisation", "单位和商户";
        Facility => "facility", "公共设施";
    }
    from_str(s: s.trim()) -> Bilingual {
        Bilingual::new(format!("未知的登记类型“{s}”"), format!("unknown register kind '{s}'"))
    }
}

crate::code_enum! {
    /// 人口类型: how a resident lives here.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum ResidentStatus {
        /// 户籍人口: registered and living here.
        Registered => "registered", "户籍";
        /// 常住人口: living here six months or more, registered elsewhere.
        Permanent => "permanent", "常住";
        /// 流动人口.
        Floating => "floating", "流动";
        /// 空挂户: registered here, living elsewhere.
        Nominal => "nominal", "空挂";
    }
    from_str(s: s.trim()) -> Bilingual {
        Bilingual::new(
            format!("人口类型“{s}”应为 户籍、常住、流动 或 空挂"),
            format!("resident status '{s}' must be 户籍, 常住, 流动 or 空挂"),
        )
    }
}

impl ResidentStatus {
    /// Read the Chinese label or the code.
    pub fn parse_label(s: &str) -> Result<Self, Bilingual> {
        let t = s.trim();
        ResidentStatus::ALL.into_iter().find(|r| r.label_zh() == t).map_or_else(|| t.parse(), Ok)
    }
}

/// A 18-character 居民身份证号码, checked (region, birth date, check digit).
/// Never stored: [`IdNumber::birth_year`] and [`IdNumber::gender`] are read
/// from it, and the store keeps a keyed hash (by the application's key) to
/// find the same person twice.
#[derive(Clone, PartialEq, Eq)]
pub struct IdNumber(String);

impl std::fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

impl IdNumber {
    pub fn parse(input: &str) -> Result<Self, Bilingual> {
        let s = input.trim().to_ascii_uppercase();
        let bad = || {
            Bilingual::new(
                "身份证号应为 18 位且校验码正确",
                "an ID number must have 18 characters and a valid check digit",
            )
        };
        let b = s.as_bytes();
        if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
            return Err(bad());
        }
        let sum: u32 = b[..17].iter().zip(ID_WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
        if ID_CHECK[(sum % 11) as usize] != b[17] {
            return Err(bad());
        }
        let n = |r: std::ops::Range<usize>| s[r].parse::<i16>().map_err(|_| bad());
        let (y, m, d) = (n(6..10)?, n(10..12)?, n(12..14)?);
        let m = i8::try_from(m).map_err(|_| bad())?;
        let d = i8::try_from(d).map_err(|_| bad())?;
        Date::new(y, m, d).map_err(|_| bad())?;
        Ok(IdNumber(s))
    }

    /// Build a valid number from its first 17 digits (the test generator).
    pub fn with_check_digit(first17: &str) -> Result<Self, Bilingual> {
        let b = first17.as_bytes();
        if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
            return Err(Bilingual::new("应为 17 位数字", "17 digits expected"));
        }
        let sum: u32 = b.iter().zip(ID_WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
        IdNumber::parse(&format!("{first17}{}", ID_CHECK[(sum % 11) as usize] as char))
    }

    pub fn birth_year(&self) -> i16 {
        self.0[6..10].parse().unwrap_or_default()
    }

    /// 男 or 女, by the 17th digit.
    pub fn gender(&self) -> Gender {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 { Gender::Male } else { Gender::Female }
    }

    /// `510104********1234`.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }

    /// The number itself: only to hash it.
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

crate::code_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum Gender {
        Male => "male", "男";
        Female => "female", "女";
    }
    from_str(s: s.trim()) -> Bilingual {
        Bilingual::new(format!("性别“{s}”应为 男 或 女"), format!("gender '{s}' must be 男 or 女"))
    }
}

impl Gender {
    pub fn parse_label(s: &str) -> Result<Self, Bilingual> {
        let t = s.trim();
        Gender::ALL.into_iter().find(|g| g.label_zh() == t).map_or_else(|| t.parse(), Ok)
    }
}

/// The reasons a person may be marked for care when nothing else is
/// configured (`[register] care_reasons`).
pub const DEFAULT_CARE_REASONS: [&str; 6] = ["独居老人", "空巢老人", "残疾人", "留守儿童", "困难家庭", "重病患者"];

/// The most working days between two care visits.
pub const MAX_VISIT_EVERY: u32 = 250;

/// The day the next visit is due: `every` working days after the last visit
/// (or after the day the marking began, if there was none yet). A calendar
/// without any working day ahead leaves the day as it is.
pub fn next_visit_due(calendar: &Calendar, last: Date, every: u32) -> Date {
    let mut day = last;
    let mut left = every.max(1);
    // Ten years of days at most: a calendar could be all holidays.
    for _ in 0..3660 {
        let Ok(next) = day.tomorrow() else { return day };
        day = next;
        if calendar.is_working_day(day) {
            left -= 1;
            if left == 0 {
                return day;
            }
        }
    }
    day
}

/// Due (today) or overdue (before today), for the care list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitStanding {
    Overdue,
    Due,
    Later,
}

pub fn visit_standing(due: Date, today: Date) -> VisitStanding {
    match due.cmp(&today) {
        std::cmp::Ordering::Less => VisitStanding::Overdue,
        std::cmp::Ordering::Equal => VisitStanding::Due,
        std::cmp::Ordering::Greater => VisitStanding::Later,
    }
}

/// One care mark's part of 关爱走访覆盖率 over the days `from..=to`:
/// (visits due, visits done). Due: the working days of the period after the
/// marking began (and not after it ended), in blocks of `every`, a block
/// begun counting whole; done: the days of the period with a visit to the
/// person after the marking began, at most as many as are due.
pub fn visit_coverage(
    calendar: &Calendar,
    (from, to): (Date, Date),
    (started_on, ended_on): (Date, Option<Date>),
    every: u32,
    visit_days: &std::collections::BTreeSet<Date>,
) -> (u64, u64) {
    let last = ended_on.map_or(to, |e| e.min(to));
    let mut working = 0u64;
    let mut day = from.max(started_on.tomorrow().unwrap_or(started_on));
    // A period is at most a few hundred days; the bound keeps a bad one cheap.
    for _ in 0..3700 {
        if day > last {
            break;
        }
        if calendar.is_working_day(day) {
            working += 1;
        }
        let Ok(next) = day.tomorrow() else { break };
        day = next;
    }
    let due = working.div_ceil(u64::from(every.max(1)));
    let start = from.max(started_on.tomorrow().unwrap_or(started_on));
    let done = visit_days.range(start..=last).count() as u64;
    (due, done.min(due))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use jiff::civil::date;

    use super::*;
    use crate::calendar::WorkingHours;

    #[test]
    fn id_numbers_are_checked_and_masked() {
        let id = IdNumber::with_check_digit("51010419500101123").expect("valid");
        assert_eq!(IdNumber::parse(id.reveal()).expect("parse"), id);
        assert_eq!(id.birth_year(), 1950);
        assert_eq!(id.gender(), Gender::Male);
        assert!(!id.masked().contains("19500101"));
        let mut wrong = id.reveal().to_owned();
        let last = if wrong.ends_with('0') { "1" } else { "0" };
        wrong.replace_range(17.., last);
        assert!(IdNumber::parse(&wrong).is_err(), "a wrong check digit is refused");
        assert!(IdNumber::with_check_digit("51010419501301123").is_err(), "month 13 is refused");
        assert!(!format!("{id:?}").contains(id.reveal()));
    }

    #[test]
    fn the_next_visit_skips_weekends_and_holidays() {
        let cal = Calendar::new(BTreeMap::new(), BTreeMap::new(), WorkingHours::default());
        // Friday 2026-11-27 + 1 working day → Monday 30th; + 5 → Friday 4 Dec.
        assert_eq!(next_visit_due(&cal, date(2026, 11, 27), 1), date(2026, 11, 30));
        assert_eq!(next_visit_due(&cal, date(2026, 11, 27), 5), date(2026, 12, 4));
        assert_eq!(visit_standing(date(2026, 11, 30), date(2026, 12, 1)), VisitStanding::Overdue);
        assert_eq!(visit_standing(date(2026, 12, 1), date(2026, 12, 1)), VisitStanding::Due);
    }

    #[test]
    fn visit_coverage_counts_blocks_of_working_days_after_the_marking() {
        let cal = Calendar::new(BTreeMap::new(), BTreeMap::new(), WorkingHours::default());
        let period = (date(2026, 11, 30), date(2026, 12, 6)); // Monday to Sunday: five working days
        let none = std::collections::BTreeSet::new();
        // Marked the Friday before, every 2 working days: 5 days → 3 blocks.
        assert_eq!(visit_coverage(&cal, period, (date(2026, 11, 27), None), 2, &none), (3, 0));
        // Marked on Monday: Tuesday to Friday are 4 working days → 2 blocks.
        let days: std::collections::BTreeSet<_> =
            [date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)].into();
        assert_eq!(
            visit_coverage(&cal, period, (date(2026, 11, 30), None), 2, &days),
            (2, 2),
            "capped at due; the marking day not counted"
        );
        // Ended on Tuesday: one working day (Tuesday) → 1 due; the visit on Wednesday is after.
        let wed: std::collections::BTreeSet<_> = [date(2026, 12, 2)].into();
        assert_eq!(visit_coverage(&cal, period, (date(2026, 11, 30), Some(date(2026, 12, 1))), 1, &wed), (1, 0));
        // Marked after the period: nothing due.
        assert_eq!(visit_coverage(&cal, period, (date(2026, 12, 10), None), 1, &none), (0, 0));
    }

    #[test]
    fn labels_are_read() {
        assert_eq!(ResidentStatus::parse_label("流动").expect("label"), ResidentStatus::Floating);
        assert_eq!(ResidentStatus::parse_label("nominal").expect("code"), ResidentStatus::Nominal);
        assert!(ResidentStatus::parse_label("游客").is_err());
        assert_eq!(Gender::parse_label("女").expect("label"), Gender::Female);
    }
}
