//! The supervisors' daily digest (每日摘要): on each working day, at a set
//! time of day (China time), one notice per person with the figures of
//! their scope. Pure rules: when a digest is due, which period it covers,
//! and its words. The figures are counted by the application.

use jiff::civil::{Date, Time};
use jiff::{Timestamp, ToSpan};

use crate::calendar::{Calendar, china};

/// The default time of day: 08:30.
pub const DEFAULT_DIGEST_MINUTE: u16 = 8 * 60 + 30;

/// At most this many overdue matters are named.
pub const TOP_OVERDUE: usize = 3;

/// The day whose digest is due at `now`: today (China time), if it is a
/// working day and `minute` (after midnight) has come; otherwise none.
pub fn digest_day(calendar: &Calendar, now: Timestamp, minute: u16) -> Option<Date> {
    let local = now.to_zoned_datetime(china()).datetime();
    let at = Time::new(i8::try_from(minute / 60).ok()?, i8::try_from(minute % 60).ok()?, 0, 0).ok()?;
    (calendar.is_working_day(local.date()) && local.time() >= at).then_some(local.date())
}

/// What the digest of `day` covers: from the start of the working day
/// before it (after a weekend or holiday, the last working day, so nothing
/// falls between two digests) to the start of `day`, China time.
pub fn digest_period(calendar: &Calendar, day: Date) -> (Timestamp, Timestamp) {
    let start_of = |d: Date| d.to_zoned_datetime(china()).map_or(Timestamp::MIN, |z| z.timestamp());
    let mut previous = day.yesterday().unwrap_or(day);
    for _ in 0..60 {
        if calendar.is_working_day(previous) {
            break;
        }
        previous = previous.yesterday().unwrap_or(previous);
    }
    if !calendar.is_working_day(previous) {
        previous = day.checked_sub(1.day()).unwrap_or(day);
    }
    (start_of(previous), start_of(day))
}

/// The figures of one person's scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DigestFigures {
    /// Reported in the period.
    pub new: u64,
    /// Closed (结案) in the period.
    pub closed: u64,
    /// Open matters by warning colour now.
    pub yellow: u64,
    pub orange: u64,
    /// Overdue (red).
    pub red: u64,
    /// Open matters under 督办.
    pub supervised: u64,
    /// The most overdue, by number (at most [`TOP_OVERDUE`]).
    pub top_overdue: Vec<String>,
}

/// `(title_zh, title_en, body_zh, body_en)` of the digest of `day` for the
/// scope called `scope` (e.g. 锦江区).
pub fn digest_text(day: Date, scope: &str, f: &DigestFigures) -> (String, String, String, String) {
    let title_zh = format!("{scope}每日摘要（{day}）");
    let title_en = format!("Daily digest of {scope} ({day})");
    let top_zh = if f.top_overdue.is_empty() { "无".to_owned() } else { f.top_overdue.join("、") };
    let top_en = if f.top_overdue.is_empty() { "none".to_owned() } else { f.top_overdue.join(", ") };
    let body_zh = format!(
        "上一工作日新增 {} 件，办结 {} 件；当前黄色预警 {} 件，橙色预警 {} 件，超时（红色）{} 件；督办中 {} 件。超时最久：{top_zh}。",
        f.new, f.closed, f.yellow, f.orange, f.red, f.supervised
    );
    let body_en = format!(
        "Since the last working day: {} new, {} closed. Now: {} yellow, {} orange, {} overdue (red); {} under \
         supervision (督办). Most overdue: {top_en}.",
        f.new, f.closed, f.yellow, f.orange, f.red, f.supervised
    );
    (title_zh, title_en, body_zh, body_en)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use jiff::civil::date;

    use super::*;
    use crate::calendar::{DayKind, DayRule, WorkingHours};

    fn at(text: &str) -> Timestamp {
        text.parse::<jiff::civil::DateTime>().expect("time").to_zoned_datetime(china()).expect("zoned").timestamp()
    }

    #[test]
    fn due_on_working_days_from_the_set_time() {
        let c = Calendar::new(BTreeMap::new(), BTreeMap::new(), WorkingHours::default());
        // Tuesday 2026-12-01.
        assert_eq!(digest_day(&c, at("2026-12-01T08:29"), DEFAULT_DIGEST_MINUTE), None);
        assert_eq!(digest_day(&c, at("2026-12-01T08:30"), DEFAULT_DIGEST_MINUTE), Some(date(2026, 12, 1)));
        assert_eq!(digest_day(&c, at("2026-12-01T23:59"), DEFAULT_DIGEST_MINUTE), Some(date(2026, 12, 1)));
        // Saturday.
        assert_eq!(digest_day(&c, at("2026-12-05T09:00"), DEFAULT_DIGEST_MINUTE), None);
    }

    #[test]
    fn a_holiday_is_no_digest_day_and_monday_covers_the_weekend() {
        let mut official = BTreeMap::new();
        official.insert(date(2026, 12, 2), DayRule { kind: DayKind::Off, name: "演练假日".to_owned() });
        let c = Calendar::new(official, BTreeMap::new(), WorkingHours::default());
        assert_eq!(digest_day(&c, at("2026-12-02T10:00"), DEFAULT_DIGEST_MINUTE), None);
        // Thursday after the holiday: since Tuesday.
        assert_eq!(digest_period(&c, date(2026, 12, 3)), (at("2026-12-01T00:00"), at("2026-12-03T00:00")));
        // Monday 2026-12-07: since Friday.
        assert_eq!(digest_period(&c, date(2026, 12, 7)), (at("2026-12-04T00:00"), at("2026-12-07T00:00")));
    }

    #[test]
    fn the_words_name_the_figures_chinese_first() {
        let f = DigestFigures {
            new: 4,
            closed: 2,
            yellow: 1,
            orange: 0,
            red: 3,
            supervised: 1,
            top_overdue: vec!["510104-20261120-000003".to_owned()],
        };
        let (tz, te, bz, be) = digest_text(date(2026, 12, 1), "锦江区", &f);
        assert_eq!(tz, "锦江区每日摘要（2026-12-01）");
        assert!(te.contains("2026-12-01"));
        assert!(bz.contains("新增 4 件") && bz.contains("超时（红色）3 件") && bz.contains("510104-20261120-000003"));
        assert!(be.contains("3 overdue") && be.contains("510104-20261120-000003"));
    }
}
