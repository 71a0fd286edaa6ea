//! Periods: a day, ISO week, month, quarter or year in China's time
//! (UTC+8, no daylight saving), as `[start, end)`.

use std::fmt;

use jiff::civil::{Date, ISOWeekDate, Weekday, date};
use jiff::{Span, ToSpan};

use crate::instant::Micros;
use crate::text::Bilingual;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeriodKind {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl PeriodKind {
    /// How long a period of this kind lasts.
    fn span(self) -> Span {
        match self {
            PeriodKind::Day => 1.day(),
            PeriodKind::Week => 7.days(),
            PeriodKind::Month => 1.month(),
            PeriodKind::Quarter => 3.months(),
            PeriodKind::Year => 1.year(),
        }
    }
}

/// A period: `2026-11-28`, `2026-W48`, `2026-11`, `2026-Q4` or `2026`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    pub kind: PeriodKind,
    /// Its first day.
    pub start: Date,
}

fn bad(text: &str) -> Bilingual {
    Bilingual::new(
        format!("时段“{text}”应为 2026-11-28、2026-W48、2026-11、2026-Q4 或 2026"),
        format!("period '{text}' must be like 2026-11-28, 2026-W48, 2026-11, 2026-Q4 or 2026"),
    )
}

impl Period {
    pub fn month(year: i16, month: i8) -> Result<Period, Bilingual> {
        let start = Date::new(year, month, 1).map_err(|_| bad(&format!("{year}-{month}")))?;
        Ok(Period { kind: PeriodKind::Month, start })
    }

    pub fn parse(text: &str) -> Result<Period, Bilingual> {
        let t = text.trim();
        let num = |s: &str| -> Result<i32, Bilingual> {
            if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad(text));
            }
            s.parse().map_err(|_| bad(text))
        };
        let year = |s: &str| -> Result<i16, Bilingual> {
            let y = num(s)?;
            if (2000..=2100).contains(&y) { Ok(y as i16) } else { Err(bad(text)) }
        };
        let parts: Vec<&str> = t.split('-').collect();
        let (kind, start) = match parts.as_slice() {
            [y] => (PeriodKind::Year, date(year(y)?, 1, 1)),
            [y, q] if q.starts_with('Q') => {
                let q = num(&q[1..])?;
                if !(1..=4).contains(&q) {
                    return Err(bad(text));
                }
                (PeriodKind::Quarter, date(year(y)?, (q as i8 - 1) * 3 + 1, 1))
            }
            [y, w] if w.starts_with('W') => {
                let w = num(&w[1..])?;
                let week = ISOWeekDate::new(year(y)?, w as i8, Weekday::Monday).map_err(|_| bad(text))?;
                (PeriodKind::Week, week.date())
            }
            [y, m] => (PeriodKind::Month, Date::new(year(y)?, num(m)? as i8, 1).map_err(|_| bad(text))?),
            [y, m, d] => (PeriodKind::Day, Date::new(year(y)?, num(m)? as i8, num(d)? as i8).map_err(|_| bad(text))?),
            _ => return Err(bad(text)),
        };
        Ok(Period { kind, start })
    }

    /// The first day after it.
    pub fn end_date(self) -> Date {
        self.start.checked_add(self.kind.span()).unwrap_or(self.start)
    }

    /// The period before (the same kind).
    pub fn previous(self) -> Period {
        Period { kind: self.kind, start: self.start.checked_sub(self.kind.span()).unwrap_or(self.start) }
    }

    /// `[start, end)` as instants.
    pub fn bounds(self) -> (Micros, Micros) {
        (midnight(self.start), midnight(self.end_date()))
    }
}

/// The most days a range of days may span.
pub const MAX_RANGE_DAYS: i32 = 366;

/// A day `YYYY-MM-DD` of the years 2000–2100.
pub fn parse_day(text: &str) -> Result<Date, Bilingual> {
    let t = text.trim();
    let bad = || {
        Bilingual::new(
            format!("日期“{t}”应为 YYYY-MM-DD（2000–2100 年）"),
            format!("date '{t}' must be YYYY-MM-DD (2000–2100)"),
        )
    };
    if t.len() != 10 {
        return Err(bad());
    }
    let d: Date = t.parse().map_err(|_| bad())?;
    if (2000..=2100).contains(&d.year()) { Ok(d) } else { Err(bad()) }
}

/// Days `from` to `to`, both included, as `[start, end)` instants: `from`
/// not after `to`, at most [`MAX_RANGE_DAYS`] days.
pub fn day_range(from: Date, to: Date) -> Result<(Micros, Micros), Bilingual> {
    let days = (to - from).get_days() + 1;
    if from > to || days > MAX_RANGE_DAYS {
        return Err(Bilingual::new(
            format!("日期范围 {from} 至 {to} 无效：起日不晚于止日，最多 {MAX_RANGE_DAYS} 天"),
            format!("date range {from} to {to} invalid: from not after to, at most {MAX_RANGE_DAYS} days"),
        ));
    }
    Ok((midnight(from), midnight(to.tomorrow().unwrap_or(to))))
}

/// Midnight in China.
fn midnight(d: Date) -> Micros {
    d.to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .map(|z| Micros::from(z.timestamp()))
        .unwrap_or_default()
}

/// Microseconds in China's offset from UTC (UTC+8 all year: no daylight saving since 1991).
const CHINA_OFFSET: i64 = 8 * 3_600_000_000;
const DAY: i64 = 86_400_000_000;

/// The month an instant falls in, in China's time, as `year × 12 + month − 1`:
/// what the kept roll-ups of figures are filed under. Plain integer calendar
/// arithmetic (proleptic Gregorian), so that every instant has one.
pub fn month_number(t: Micros) -> i64 {
    let days = (t.get().div_euclid(DAY) + (t.get().rem_euclid(DAY) + CHINA_OFFSET) / DAY) as i128;
    // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i128::from(month <= 2);
    (year * 12 + month - 1) as i64
}

/// The instant month `n` (as [`month_number`] counts) starts, at midnight in
/// China; saturated at the ends of the representable instants.
pub fn month_start(n: i64) -> Micros {
    let (year, month) = (i128::from(n).div_euclid(12), i128::from(n).rem_euclid(12) + 1);
    // A civil date to days since 1970-01-01 (H. Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let micros = days * i128::from(DAY) - i128::from(CHINA_OFFSET);
    Micros::new(micros.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.start;
        match self.kind {
            PeriodKind::Day => write!(f, "{d}"),
            PeriodKind::Week => {
                let w = d.iso_week_date();
                write!(f, "{:04}-W{:02}", w.year(), w.week())
            }
            PeriodKind::Month => write!(f, "{:04}-{:02}", d.year(), d.month()),
            PeriodKind::Quarter => write!(f, "{:04}-Q{}", d.year(), (d.month() - 1) / 3 + 1),
            PeriodKind::Year => write!(f, "{:04}", d.year()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_range_is_checked_and_includes_both_days() {
        let (a, b) = (parse_day("2026-11-01").expect("day"), parse_day("2026-11-30").expect("day"));
        let (from, to) = day_range(a, b).expect("range");
        assert_eq!((from, to), (Period::parse("2026-11").expect("month").bounds()));
        assert_eq!(day_range(a, a).expect("one day"), Period::parse("2026-11-01").expect("day").bounds());
        assert!(day_range(b, a).is_err(), "from after to");
        let far = parse_day("2027-11-02").expect("day");
        assert!(day_range(a, far).expect_err("367 days").zh.contains("366"));
        assert!(day_range(a, parse_day("2027-11-01").expect("day")).is_ok(), "366 days");
        for bad in ["2026-11", "2026-13-01", "1999-12-31", "2026-11-30T00:00", "x"] {
            assert!(parse_day(bad).is_err(), "{bad}");
        }
    }
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn an_instant_is_in_its_month(t in any::<i64>()) {
            let n = month_number(Micros::new(t));
            prop_assert!(month_start(n).get() <= t, "{t} starts month {n}");
            // The month after the last representable one saturates.
            prop_assert!(t < month_start(n + 1).get() || month_start(n + 1).get() == i64::MAX);
        }

        #[test]
        fn months_are_the_periods_months(year in 2000i16..=2100, month in 1i8..=12, into in 0i64..(28 * DAY)) {
            let (start, end) = Period::month(year, month).expect("month").bounds();
            let n = month_number(start);
            prop_assert_eq!(n, i64::from(year) * 12 + i64::from(month) - 1);
            prop_assert_eq!((month_start(n), month_start(n + 1)), (start, end));
            prop_assert_eq!(month_number(Micros::new(start.get() + into)), n);
            prop_assert_eq!(month_number(Micros::new(start.get() - 1)), n - 1);
        }
    }

    #[test]
    fn periods_parse_print_and_bound_in_china_time() {
        for text in ["2026-11-28", "2026-W48", "2026-11", "2026-Q4", "2026"] {
            assert_eq!(Period::parse(text).expect(text).to_string(), text);
        }
        let nov = Period::parse("2026-11").expect("month");
        let (start, end) = nov.bounds();
        assert_eq!(start.to_string(), "2026-10-31T16:00:00Z");
        assert_eq!(end.to_string(), "2026-11-30T16:00:00Z");
        assert_eq!(nov.previous().to_string(), "2026-10");
        assert_eq!(Period::parse("2026-W01").expect("week").start, date(2025, 12, 29));
        assert_eq!(Period::parse("2026-Q4").expect("q").end_date(), date(2027, 1, 1));
        for bad in ["", "26-11", "2026-13", "2026-Q5", "2026-W54", "2026-11-31", "1999", "2026-1x", "2026-11-28-1"] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
    }
}
