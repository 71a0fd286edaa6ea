//! 工作日历: China's official calendar (holidays and the make-up working days
//! of 调休) plus local adjustments, working hours within a day, and the
//! arithmetic of time limits on it. All in Beijing time (UTC+8, no DST).
//!
//! Rules (also in the README):
//! - A day is a working day if an adjustment says so, else if the official
//!   data says so (a make-up working day), else Monday–Friday, unless it is an
//!   official holiday or an adjustment makes it a day off.
//! - Working time is the working periods of working days (default 09:00–12:00
//!   and 13:30–17:30). Adding working hours from an instant outside working
//!   time starts at the next working period.
//! - Adding N working days gives the same time of day on the N-th working
//!   day after the start (from outside working time: the next working
//!   period's start counts as the start).
//! - A year without official data is flagged (`year_has_data`), never quietly
//!   treated as weekends only.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use crate::text::Bilingual;

/// Beijing time.
pub fn china() -> TimeZone {
    TimeZone::fixed(jiff::tz::offset(8))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A working day (an ordinary weekday or a make-up working day).
    Work,
    /// A day off (a weekend or a holiday).
    Off,
}

/// What the calendar says about one date, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayRule {
    pub kind: DayKind,
    /// 春节, 国庆节 …, or the reason of a local adjustment.
    pub name: String,
}

/// Working periods of a working day, in order, not overlapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingHours(Vec<(Time, Time)>);

impl Default for WorkingHours {
    fn default() -> Self {
        WorkingHours(vec![
            (Time::constant(9, 0, 0, 0), Time::constant(12, 0, 0, 0)),
            (Time::constant(13, 30, 0, 0), Time::constant(17, 30, 0, 0)),
        ])
    }
}

impl WorkingHours {
    /// Parse `"09:00-12:00,13:30-17:30"`.
    pub fn parse(text: &str) -> Result<Self, Bilingual> {
        let bad = || {
            Bilingual::new(
                format!("工作时间“{text}”应为 HH:MM-HH:MM，多段以逗号分隔，按时间先后且不重叠"),
                format!("working hours '{text}' must be HH:MM-HH:MM, comma-separated, in order, not overlapping"),
            )
        };
        // Exactly HH:MM, as the settings are written back (`Display`): jiff
        // also reads seconds, fractions and `HHMMSS`, which would be stored
        // cut to the minute, so what was set and what is kept would differ,
        // and a period shorter than a minute would be kept as an empty one
        // that no longer parses when the settings are read back.
        let time = |t: &str| -> Result<Time, Bilingual> {
            let t = t.trim();
            let shaped =
                t.len() == 5 && t.bytes().enumerate().all(|(i, b)| if i == 2 { b == b':' } else { b.is_ascii_digit() });
            if !shaped {
                return Err(bad());
            }
            t.parse().map_err(|_| bad())
        };
        let mut periods = Vec::new();
        for part in text.split(',') {
            let (a, b) = part.trim().split_once('-').ok_or_else(bad)?;
            let (a, b) = (time(a)?, time(b)?);
            if a >= b || periods.last().is_some_and(|(_, end): &(Time, Time)| *end > a) {
                return Err(bad());
            }
            periods.push((a, b));
        }
        if periods.is_empty() {
            return Err(bad());
        }
        Ok(WorkingHours(periods))
    }

    pub fn periods(&self) -> &[(Time, Time)] {
        &self.0
    }

    /// Working seconds in one working day.
    pub fn seconds_per_day(&self) -> i64 {
        self.0.iter().map(|(a, b)| b.duration_since(*a).as_secs()).sum()
    }
}

impl fmt::Display for WorkingHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> =
            self.0.iter().map(|(a, b)| format!("{}-{}", a.strftime("%H:%M"), b.strftime("%H:%M"))).collect();
        f.write_str(&parts.join(","))
    }
}

/// The calendar: official days, local adjustments, working hours.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    official: BTreeMap<Date, DayRule>,
    official_years: BTreeSet<i16>,
    local: BTreeMap<Date, DayRule>,
    hours: WorkingHours,
}

/// How far a time limit reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LimitUnit {
    /// Clock hours, nights and holidays included (emergencies).
    Hours,
    /// Hours of working time.
    WorkingHours,
    /// Working days.
    WorkingDays,
}

impl Calendar {
    /// `official`: dates with their rule; a year counts as covered when it has
    /// at least one official date.
    pub fn new(official: BTreeMap<Date, DayRule>, local: BTreeMap<Date, DayRule>, hours: WorkingHours) -> Self {
        let official_years = official.keys().map(|d| d.year()).collect();
        Calendar { official, official_years, local, hours }
    }

    pub fn hours(&self) -> &WorkingHours {
        &self.hours
    }

    /// Does the official data cover this year?
    pub fn year_has_data(&self, year: i16) -> bool {
        self.official_years.contains(&year)
    }

    pub fn official_years(&self) -> impl Iterator<Item = i16> + '_ {
        self.official_years.iter().copied()
    }

    /// The rule for a date and where it comes from.
    pub fn day(&self, date: Date) -> (DayKind, Option<&str>) {
        if let Some(r) = self.local.get(&date).or_else(|| self.official.get(&date)) {
            return (r.kind, Some(r.name.as_str()));
        }
        match date.weekday() {
            Weekday::Saturday | Weekday::Sunday => (DayKind::Off, None),
            _ => (DayKind::Work, None),
        }
    }

    /// Is the rule for `date` a local adjustment?
    pub fn is_local(&self, date: Date) -> bool {
        self.local.contains_key(&date)
    }

    pub fn is_working_day(&self, date: Date) -> bool {
        self.day(date).0 == DayKind::Work
    }

    /// The end of `date`'s working hours, if it is a working day (a task
    /// due that day is due then).
    pub fn end_of_working_day(&self, date: Date) -> Option<Timestamp> {
        if !self.is_working_day(date) {
            return None;
        }
        let (_, end) = self.hours.periods().last()?;
        Some(Self::instant(date.to_datetime(*end)))
    }

    fn civil(t: Timestamp) -> DateTime {
        t.to_zoned_datetime(china()).datetime()
    }

    fn instant(dt: DateTime) -> Timestamp {
        // UTC+8 has no gaps; only the end of time has no instant.
        dt.to_zoned_datetime(china()).map_or(Timestamp::MAX, |z| z.timestamp())
    }

    /// The first working instant at or after `t` (`t` itself if there is
    /// none within ten years).
    pub fn next_working(&self, t: Timestamp) -> Timestamp {
        self.next_working_within(t).unwrap_or(t)
    }

    /// The first working instant at or after `t`, if there is one within ten
    /// years: a calendar may be all holidays for longer (an imported file),
    /// and then no amount of working time ever ends.
    fn next_working_within(&self, t: Timestamp) -> Option<Timestamp> {
        let dt = Self::civil(t);
        let mut date = dt.date();
        let mut time = dt.time();
        for _ in 0..3660 {
            if self.is_working_day(date) {
                for (a, b) in self.hours.periods() {
                    if time < *b {
                        return Some(Self::instant(date.to_datetime(time.max(*a))));
                    }
                }
            }
            let Ok(next) = date.tomorrow() else { break };
            date = next;
            time = Time::midnight();
        }
        None
    }

    /// Is `t` inside working time?
    pub fn is_working_time(&self, t: Timestamp) -> bool {
        let dt = Self::civil(t);
        self.is_working_day(dt.date()) && self.hours.periods().iter().any(|(a, b)| dt.time() >= *a && dt.time() < *b)
    }

    /// `t` plus `seconds` of working time. The result lies in working time
    /// (or at the end of a working period).
    /// Without working time within ten years of where the count stands (a
    /// calendar of holidays only), the time never ends: `Timestamp::MAX`.
    pub fn add_working_seconds(&self, t: Timestamp, seconds: i64) -> Timestamp {
        let mut left = seconds.max(0);
        // Each step stands at working time found by `next_working_within`,
        // never on a day off: the search failing ends the count, where
        // taking `t` as it was once counted a holiday's hours as working
        // time, or stood still for a million steps.
        let Some(mut at) = self.next_working_within(t) else { return Timestamp::MAX };
        for _ in 0..1_000_000 {
            let dt = Self::civil(at);
            let (date, time) = (dt.date(), dt.time());
            // Only at the end of time is a found instant outside its period.
            let Some((_, end)) = self.hours.periods().iter().find(|(a, b)| time >= *a && time < *b) else {
                return Timestamp::MAX;
            };
            let available = end.duration_since(time).as_secs();
            if left <= available {
                return Self::instant(date.to_datetime(time))
                    .checked_add(Span::new().seconds(left))
                    .unwrap_or(Timestamp::MAX);
            }
            left -= available;
            let Some(next) = self.next_working_within(Self::instant(date.to_datetime(*end))) else {
                return Timestamp::MAX;
            };
            at = next;
        }
        at
    }

    /// `t` plus `days` working days: the same time of day on the `days`-th
    /// working day after the start day.
    pub fn add_working_days(&self, t: Timestamp, days: i64) -> Timestamp {
        let start = Self::civil(self.next_working(t));
        let mut date = start.date();
        let mut n = days.max(0);
        while n > 0 {
            // At the end of time (year 9999) there is no later day: stop there.
            let Ok(next) = date.tomorrow() else { break };
            date = next;
            if self.is_working_day(date) {
                n -= 1;
            }
        }
        Self::instant(date.to_datetime(start.time()))
    }

    /// Working days from the start day of `a` to the day of `b` (how many
    /// times `add_working_days` stepped).
    pub fn working_days_between(&self, a: Timestamp, b: Timestamp) -> i64 {
        let mut date = Self::civil(self.next_working(a)).date();
        let end = Self::civil(b).date();
        let mut n = 0;
        while date < end {
            let Ok(next) = date.tomorrow() else { break };
            date = next;
            if self.is_working_day(date) {
                n += 1;
            }
        }
        n
    }

    /// Seconds of working time in `[a, b)`.
    pub fn working_seconds_between(&self, a: Timestamp, b: Timestamp) -> i64 {
        if b <= a {
            return 0;
        }
        let mut total = 0;
        // As in `add_working_seconds`: no working time found ends the count
        // (taking the instant as it was once looped here for ever).
        let mut next = self.next_working_within(a);
        while let Some(at) = next.filter(|at| *at < b) {
            let dt = Self::civil(at);
            let Some((_, end)) = self.hours.periods().iter().find(|(x, y)| dt.time() >= *x && dt.time() < *y) else {
                break;
            };
            let period_end = Self::instant(dt.date().to_datetime(*end));
            let stop = period_end.min(b);
            total += stop.duration_since(at).as_secs();
            next = self.next_working_within(period_end);
        }
        total
    }

    /// `t` plus an amount of a unit.
    pub fn add(&self, t: Timestamp, amount: u32, unit: LimitUnit) -> Timestamp {
        match unit {
            LimitUnit::Hours => t.checked_add(i64::from(amount).hours()).unwrap_or(Timestamp::MAX),
            LimitUnit::WorkingHours => self.add_working_seconds(t, i64::from(amount) * 3600),
            LimitUnit::WorkingDays => self.add_working_days(t, i64::from(amount)),
        }
    }
}

/// Read the shipped official-days file: `date,kind,holiday,holiday_zh` with
/// `kind` = `holiday` or `workday`.
pub fn parse_official_days(csv: &str) -> Result<BTreeMap<Date, DayRule>, String> {
    let mut out = BTreeMap::new();
    for (i, line) in csv.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (Some(date), Some(kind)) = (f.first(), f.get(1)) else {
            return Err(format!("line {}: too few fields", i + 1));
        };
        let date: Date = date.parse().map_err(|e| format!("line {}: {e}", i + 1))?;
        let kind = match *kind {
            "holiday" => DayKind::Off,
            "workday" => DayKind::Work,
            other => return Err(format!("line {}: unknown kind {other}", i + 1)),
        };
        let name = f.get(3).filter(|n| !n.is_empty()).or(f.get(2)).map_or(String::new(), |n| (*n).to_owned());
        out.insert(date, DayRule { kind, name });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    const OFFICIAL: &str = include_str!("../../../data/calendar/china_official_days.csv");

    fn calendar() -> Calendar {
        Calendar::new(parse_official_days(OFFICIAL).expect("shipped data"), BTreeMap::new(), WorkingHours::default())
    }

    fn at(y: i16, m: i8, d: i8, h: i8, min: i8) -> Timestamp {
        Calendar::instant(date(y, m, d).at(h, min, 0, 0))
    }

    #[test]
    fn the_2026_holidays_and_make_up_days_are_official() {
        let c = calendar();
        // Spring Festival 2026: Feb 15–23 off; Sat Feb 14 and Sat Feb 28 are make-up working days.
        for d in 15..=23 {
            assert!(!c.is_working_day(date(2026, 2, d)), "2026-02-{d} is a holiday");
        }
        assert!(c.is_working_day(date(2026, 2, 14)) && c.is_working_day(date(2026, 2, 28)));
        assert_eq!(c.day(date(2026, 2, 14)).1, Some("春节"));
        // National Day 2026: Oct 1–7 off; Sun Sep 20 and Sat Oct 10 are make-up working days.
        for d in 1..=7 {
            assert!(!c.is_working_day(date(2026, 10, d)));
        }
        assert!(c.is_working_day(date(2026, 9, 20)) && c.is_working_day(date(2026, 10, 10)));
        assert!(!c.is_working_day(date(2026, 11, 28)), "an ordinary Saturday");
        assert!(c.year_has_data(2026) && c.year_has_data(2004));
        assert!(!c.year_has_data(2027), "next year's dates are not published in the data yet");
    }

    #[test]
    fn working_time_skips_nights_lunch_weekends_and_holidays() {
        let c = calendar();
        // Friday 2026-09-18 16:30 + 2 working hours → the make-up Sunday 2026-09-20 10:00.
        assert_eq!(c.add_working_seconds(at(2026, 9, 18, 16, 30), 2 * 3600), at(2026, 9, 20, 10, 0));
        // 11:30 + 1 h → 14:00 (lunch 12:00–13:30).
        assert_eq!(c.add_working_seconds(at(2026, 11, 27, 11, 30), 3600), at(2026, 11, 27, 14, 0));
        // Before the National Day holiday: Wed 2026-09-30 17:00 + 1 working day → Thu 2026-10-08 17:00.
        assert_eq!(c.add_working_days(at(2026, 9, 30, 17, 0), 1), at(2026, 10, 8, 17, 0));
        // 3 working days from the eve of the Spring Festival: Fri 2026-02-13 10:00 → Sat 14 (make-up), Tue 24, Wed 25.
        assert_eq!(c.add_working_days(at(2026, 2, 13, 10, 0), 3), at(2026, 2, 25, 10, 0));
        assert_eq!(c.working_seconds_between(at(2026, 11, 27, 11, 0), at(2026, 11, 27, 14, 0)), 3600 + 1800);
        assert_eq!(
            c.add(at(2026, 10, 1, 8, 0), 2, LimitUnit::Hours),
            at(2026, 10, 1, 10, 0),
            "emergencies count every hour"
        );
    }

    #[test]
    fn a_calendar_without_working_days_ends_no_count_and_loops_nowhere() {
        // Eleven years of holidays (4,000 lines, within the import's bounds).
        // Each count used to search ten years ahead a million times over (from
        // an evening: minutes per deadline), count a holiday's hours as working
        // time (from a morning), or never end (`working_seconds_between`).
        let mut official = BTreeMap::new();
        let mut d = date(2030, 1, 1);
        while d.year() < 2041 {
            official.insert(d, DayRule { kind: DayKind::Off, name: "假".into() });
            d = d.tomorrow().expect("date");
        }
        let c = Calendar::new(official, BTreeMap::new(), WorkingHours::default());
        for t in [at(2030, 6, 3, 20, 0), at(2030, 6, 3, 10, 0)] {
            assert_eq!(c.add_working_seconds(t, 3600), Timestamp::MAX, "{t}");
            assert_eq!(c.working_seconds_between(t, at(2036, 1, 1, 0, 0)), 0, "{t}");
        }
        // Within ten years of the first working day after them, counts work.
        assert_eq!(c.working_seconds_between(at(2040, 12, 1, 10, 0), at(2041, 1, 2, 10, 0)), 8 * 3600);
        assert_eq!(c.add_working_seconds(at(2040, 12, 1, 10, 0), 3600), at(2041, 1, 1, 10, 0));
    }

    #[test]
    fn working_hours_parse_and_adjustments_win() {
        assert_eq!(WorkingHours::parse("09:00-12:00,13:30-17:30").expect("hours"), WorkingHours::default());
        assert_eq!(WorkingHours::default().to_string(), "09:00-12:00,13:30-17:30");
        assert_eq!(WorkingHours::default().seconds_per_day(), 7 * 3600);
        // Only HH:MM: seconds, fractions or ISO basic times would be stored cut
        // to the minute (found by fuzzing: `114240-18` was kept as 11:42–18:00,
        // and `09:00:30-09:00:50` as an empty period that no longer parses).
        for bad in [
            "",
            "9-12",
            "12:00-09:00",
            "09:00-12:00,11:00-13:00",
            "x",
            "114240-18",
            "09:00:30-09:00:50",
            "9:00-12:00",
            "09:00-12:00:00.5",
            "24:00-25:00",
        ] {
            assert!(WorkingHours::parse(bad).is_err(), "{bad}");
        }
        let mut local = BTreeMap::new();
        local.insert(date(2026, 11, 27), DayRule { kind: DayKind::Off, name: "防汛停工".into() });
        let c = Calendar::new(parse_official_days(OFFICIAL).expect("data"), local, WorkingHours::default());
        assert!(!c.is_working_day(date(2026, 11, 27)));
        assert_eq!(c.day(date(2026, 11, 27)).1, Some("防汛停工"));
    }

    fn any_instant() -> impl Strategy<Value = Timestamp> {
        // 2025-01-01 … 2026-12-31, any minute.
        (0i64..(2 * 365 * 24 * 60)).prop_map(|m| at(2025, 1, 1, 0, 0) + Span::new().minutes(m))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        #[test]
        fn a_deadline_never_falls_outside_working_time(t in any_instant(), minutes in 1i64..(60 * 60)) {
            let c = calendar();
            let deadline = c.add_working_seconds(t, minutes * 60);
            // It lies in working time, or exactly at the end of a working period.
            let just_before = deadline - Span::new().seconds(1);
            prop_assert!(c.is_working_time(deadline) || c.is_working_time(just_before), "{t} + {minutes} min = {deadline}");
            prop_assert_eq!(c.working_seconds_between(t, deadline), minutes * 60, "and the working time adds up");
        }

        #[test]
        fn adding_working_days_and_counting_them_back_agree(t in any_instant(), days in 0i64..40) {
            let c = calendar();
            let end = c.add_working_days(t, days);
            prop_assert!(c.is_working_day(Calendar::civil(end).date()));
            prop_assert!(c.is_working_time(end), "a working-day deadline lies in working time: {t} + {days} = {end}");
            prop_assert_eq!(c.working_days_between(t, end), days);
        }
    }
}
