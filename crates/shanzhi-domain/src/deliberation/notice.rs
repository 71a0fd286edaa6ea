//! Public notice (公示): a step's document is shown to everyone from its
//! start for a number of working days on the calendar in force; objections
//! are taken while it runs, and the next step waits for its end.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::text::Bilingual;

/// One notice period, `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Notice {
    /// A notice posted at `start` for `days` working days: it ends at the
    /// same time of day on the `days`-th working day after the first working
    /// moment from `start` (posted on a Saturday, it counts from Monday).
    pub fn posted(calendar: &Calendar, start: Timestamp, days: u32) -> Notice {
        Notice { start, end: calendar.add_working_days(start, i64::from(days)) }
    }

    pub fn is_running(&self, at: Timestamp) -> bool {
        self.start <= at && at < self.end
    }

    /// May an objection be lodged at `at`?
    pub fn take_objection(&self, at: Timestamp) -> Result<(), Bilingual> {
        if self.is_running(at) {
            Ok(())
        } else if at < self.start {
            Err(Bilingual::new("公示尚未开始，暂不受理异议", "the notice has not started: no objection yet"))
        } else {
            Err(Bilingual::new("公示期已结束，不再受理异议", "the notice period is over: objections are closed"))
        }
    }

    /// May the next step begin at `at`?
    pub fn allows_next_step(&self, at: Timestamp) -> Result<(), Bilingual> {
        if at >= self.end {
            Ok(())
        } else {
            Err(Bilingual::new(
                "公示期未满，下一步须待公示结束后进行",
                "the notice is still running: the next step waits for its end",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use jiff::civil::date;

    use super::*;
    use crate::calendar::{WorkingHours, china, parse_official_days};

    fn calendar() -> Calendar {
        let official = "date,kind,holiday,holiday_zh\n2026-10-01,holiday,National Day,国庆节\n\
                        2026-10-02,holiday,National Day,国庆节\n2026-10-05,holiday,National Day,国庆节\n\
                        2026-10-06,holiday,National Day,国庆节\n2026-10-07,holiday,National Day,国庆节\n\
                        2026-10-10,workday,National Day,国庆节\n";
        Calendar::new(parse_official_days(official).expect("days"), BTreeMap::new(), WorkingHours::default())
    }

    fn at(m: i8, d: i8, h: i8) -> Timestamp {
        china().to_timestamp(date(2026, m, d).at(h, 0, 0, 0)).expect("an instant")
    }

    #[test]
    fn five_working_days_of_notice() {
        let c = calendar();
        // Posted Monday 11-23 10:00: Tue, Wed, Thu, Fri, Mon → ends Monday 11-30 10:00.
        let n = Notice::posted(&c, at(11, 23, 10), 5);
        assert_eq!(n.end, at(11, 30, 10));
        assert!(n.take_objection(at(11, 28, 12)).is_ok(), "a Saturday inside the period");
        assert!(n.take_objection(at(11, 30, 10)).is_err(), "the end is outside");
        assert!(n.allows_next_step(at(11, 30, 9)).is_err());
        assert!(n.allows_next_step(at(11, 30, 10)).is_ok());
        // Posted on Saturday 11-28: counts from Monday 09:00.
        assert_eq!(Notice::posted(&c, at(11, 28, 15), 1).end, at(12, 1, 9));
    }

    #[test]
    fn holidays_and_swapped_workdays_count_as_the_calendar_says() {
        let c = calendar();
        // Posted Wednesday 09-30 10:00; 10-01..10-07 off except the weekend
        // pattern; Thursday 10-08 is the first working day, Friday 10-09 the
        // second, Saturday 10-10 a swapped workday the third.
        assert_eq!(Notice::posted(&c, at(9, 30, 10), 3).end, at(10, 10, 10));
    }
}
