//! 时限: the clock of the stage a matter is in. Each timed stage (accept,
//! dispatch, sign, handle, verify) starts a clock with the category's limit;
//! the clock knows its deadline and when it turns yellow and orange (by the
//! share of time left), stops while the matter is parked, and moves when an
//! extension is approved. The rules, also in the README:
//!
//! - A new stage (any change of state, and an escalation) starts a fresh clock
//!   with that stage's full limit: a return restarts the dispatch clock, a
//!   failed verification (rework) restarts the handle clock, a reopen the sign
//!   clock. Supervising, asking for or refusing an extension or a park leave
//!   the clock alone.
//! - An urgent matter gets, at every stage, the urgent limit when it ends
//!   earlier than the stage's own.
//! - An approved extension adds its hours (working hours on a working-time
//!   clock, clock hours on an hour clock) to the time left and to the total,
//!   and re-arms the overdue supervision: it is a new promise.
//! - Approving a park stops the clock with the time left; resuming restarts it
//!   with that time. A matter that was overdue when parked is overdue again on
//!   resume, without a second automatic supervision.
//! - Yellow when at most `yellow_left`% of the time is left, orange at
//!   `orange_left`%, red when the deadline has passed; red brings one automatic
//!   supervision (督办) per deadline.
//! - Calendar and threshold changes apply to clocks started, resumed or
//!   extended after the change.

use jiff::{Span, Timestamp};
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, LimitUnit};
use crate::category::{Limit, TimeLimits};
use crate::matter::{Command, MatterState, Status};
use crate::text::Bilingual;

crate::code_enum! {
    /// A timed stage of the loop.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum Stage {
        Accept => "accept", "受理";
        Dispatch => "dispatch", "派遣";
        Sign => "sign", "签收";
        Handle => "handle", "处置";
        Verify => "verify", "核查";
    }
    from_str(s: s) -> Bilingual { Bilingual::new(format!("未知的环节“{s}”"), format!("unknown stage '{s}'")) }
}

impl Stage {
    /// The stage a matter in `state` is in, if that state is timed.
    pub fn of(state: MatterState) -> Option<Stage> {
        match state {
            MatterState::Reported => Some(Stage::Accept),
            MatterState::Filed => Some(Stage::Dispatch),
            MatterState::Dispatched => Some(Stage::Sign),
            MatterState::InProgress | MatterState::Parked => Some(Stage::Handle),
            MatterState::Responded => Some(Stage::Verify),
            _ => None,
        }
    }

    pub fn limit(self, limits: &TimeLimits) -> Option<Limit> {
        match self {
            Stage::Accept => limits.accept,
            Stage::Dispatch => limits.dispatch,
            Stage::Sign => limits.sign,
            Stage::Handle => limits.handle,
            Stage::Verify => limits.verify,
        }
    }
}

crate::code_enum! {
    /// 预警: how close a clock is to its deadline.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum Warning {
        None => "none", "正常";
        Yellow => "yellow", "黄色预警";
        Orange => "orange", "橙色预警";
        /// Overdue.
        Red => "red", "红色（已超时）";
    }
    from_str(s: s) -> Bilingual {
        Bilingual::new(
            format!("未知的预警等级“{s}”（应为 none、yellow、orange、red）"),
            format!("unknown warning '{s}' (none, yellow, orange or red)"),
        )
    }
}

/// When a clock turns yellow and orange: at most this many percent of the
/// time left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Thresholds {
    pub yellow_left: u8,
    pub orange_left: u8,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { yellow_left: 50, orange_left: 20 }
    }
}

impl Thresholds {
    pub fn new(yellow_left: u8, orange_left: u8) -> Result<Self, Bilingual> {
        if !(0 < orange_left && orange_left < yellow_left && yellow_left < 100) {
            return Err(Bilingual::new(
                "预警阈值应满足 0 < 橙色 < 黄色 < 100（剩余时间百分比）",
                "warning thresholds must satisfy 0 < orange < yellow < 100 (percent of time left)",
            ));
        }
        Ok(Thresholds { yellow_left, orange_left })
    }
}

/// What the clocks are computed with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timing {
    pub calendar: Calendar,
    pub thresholds: Thresholds,
}

/// How a unit measures time: clock seconds, or seconds of working time.
fn working(unit: LimitUnit) -> bool {
    unit != LimitUnit::Hours
}

impl Timing {
    /// `t` plus `seconds` of the unit's time (0 or less: `t` itself).
    fn advance(&self, unit: LimitUnit, t: Timestamp, seconds: i64) -> Timestamp {
        if seconds <= 0 {
            t
        } else if working(unit) {
            self.calendar.add_working_seconds(t, seconds)
        } else {
            t.checked_add(Span::new().seconds(seconds)).unwrap_or(Timestamp::MAX)
        }
    }

    /// The unit's time in `[a, b)`.
    fn elapsed(&self, unit: LimitUnit, a: Timestamp, b: Timestamp) -> i64 {
        if working(unit) { self.calendar.working_seconds_between(a, b) } else { b.duration_since(a).as_secs().max(0) }
    }

    /// A limit in its unit's seconds.
    fn seconds(&self, limit: Limit) -> i64 {
        let n = i64::from(limit.amount);
        match limit.unit {
            LimitUnit::Hours | LimitUnit::WorkingHours => n * 3600,
            LimitUnit::WorkingDays => n * self.calendar.hours().seconds_per_day(),
        }
    }

    /// A fresh clock for `stage` from `now`, or `None` if the stage has no
    /// limit. `urgent`: the matter is urgent.
    pub fn start(&self, stage: Stage, limits: &TimeLimits, urgent: bool, now: Timestamp) -> Option<StageClock> {
        let own = stage.limit(limits);
        let limit = match (own, limits.urgent.filter(|_| urgent)) {
            (Some(a), Some(b)) => {
                if self.advance(b.unit, now, self.seconds(b)) < self.advance(a.unit, now, self.seconds(a)) {
                    b
                } else {
                    a
                }
            }
            (a, b) => a.or(b)?,
        };
        let total = self.seconds(limit);
        let mut clock = StageClock {
            stage,
            limit,
            started_at: now,
            counting_from: Some(now),
            left: total,
            total,
            deadline: None,
            yellow_at: None,
            orange_at: None,
            warning: Warning::None,
            supervised: false,
        };
        self.plan(&mut clock, now);
        Some(clock)
    }

    /// Recompute the deadline and warning times from the time left, and the
    /// colour at `now`.
    fn plan(&self, c: &mut StageClock, now: Timestamp) {
        let Some(from) = c.counting_from else {
            (c.deadline, c.yellow_at, c.orange_at, c.warning) = (None, None, None, Warning::None);
            return;
        };
        let at_left = |share: u8| self.advance(c.limit.unit, from, c.left - c.total * i64::from(share) / 100);
        c.yellow_at = Some(at_left(self.thresholds.yellow_left));
        c.orange_at = Some(at_left(self.thresholds.orange_left));
        c.deadline = Some(self.advance(c.limit.unit, from, c.left));
        c.warning = c.warning_at(now);
    }

    /// The clock after `command` took a matter from `before` to `after`
    /// (the rules at the top of this module).
    #[allow(clippy::too_many_arguments)]
    pub fn after(
        &self,
        clock: Option<&StageClock>,
        command: &Command,
        before: &Status,
        after: &Status,
        limits: &TimeLimits,
        urgent: bool,
        now: Timestamp,
    ) -> Option<StageClock> {
        match (command, clock) {
            (Command::ApproveExtension, Some(c)) => Some(self.extend(c, before.extension_requested.unwrap_or(0), now)),
            (Command::ApprovePark, Some(c)) => Some(self.pause(c, now)),
            (Command::Resume, Some(c)) => Some(self.resume(c, now)),
            (
                Command::Supervise { .. }
                | Command::Extend { .. }
                | Command::DenyExtension { .. }
                | Command::Park { .. }
                | Command::DenyPark { .. },
                _,
            ) => clock.cloned(),
            _ => Stage::of(after.state).and_then(|stage| self.start(stage, limits, urgent, now)),
        }
    }

    /// The clock after an approved extension of `hours`.
    pub fn extend(&self, clock: &StageClock, hours: u32, now: Timestamp) -> StageClock {
        let mut c = clock.clone();
        let more = i64::from(hours) * 3600;
        c.left += more;
        c.total += more;
        c.supervised = false;
        c.warning = Warning::None;
        self.plan(&mut c, now);
        c
    }

    /// The clock stopped at `now` (park approved).
    pub fn pause(&self, clock: &StageClock, now: Timestamp) -> StageClock {
        let mut c = clock.clone();
        if let Some(from) = c.counting_from.take() {
            c.left -= self.elapsed(c.limit.unit, from, now);
        }
        self.plan(&mut c, now);
        c
    }

    /// The clock running again from `now` (resume).
    pub fn resume(&self, clock: &StageClock, now: Timestamp) -> StageClock {
        let mut c = clock.clone();
        if c.counting_from.is_none() {
            c.counting_from = Some(now);
            c.left = c.left.max(0);
        }
        self.plan(&mut c, now);
        c
    }
}

/// The colour at `t` of a deadline warned at `yellow_at` and `orange_at`
/// (each passed once `t` reaches it).
pub fn colour_at(
    yellow_at: Option<Timestamp>,
    orange_at: Option<Timestamp>,
    deadline: Option<Timestamp>,
    t: Timestamp,
) -> Warning {
    let passed = |x: Option<Timestamp>| x.is_some_and(|x| t >= x);
    if passed(deadline) {
        Warning::Red
    } else if passed(orange_at) {
        Warning::Orange
    } else if passed(yellow_at) {
        Warning::Yellow
    } else {
        Warning::None
    }
}

impl Timing {
    /// When a piece of work given at `from` and due at `deadline` turns
    /// yellow and orange: by the same thresholds of working time left as a
    /// matter's clock (`(yellow_at, orange_at)`).
    pub fn warning_times(&self, from: Timestamp, deadline: Timestamp) -> (Timestamp, Timestamp) {
        let total = self.calendar.working_seconds_between(from, deadline);
        let at_left =
            |share: u8| self.calendar.add_working_seconds(from, total - total * i64::from(share) / 100).min(deadline);
        (at_left(self.thresholds.yellow_left), at_left(self.thresholds.orange_left))
    }
}

/// The clock of the stage a matter is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageClock {
    pub stage: Stage,
    /// The limit applied (the urgent one when it was shorter).
    pub limit: Limit,
    pub started_at: Timestamp,
    /// Counting since; `None` while parked.
    pub counting_from: Option<Timestamp>,
    /// Seconds of the unit's time left at `counting_from` (negative: overdue
    /// when parked).
    pub left: i64,
    /// The whole time of the stage, extensions included.
    pub total: i64,
    pub deadline: Option<Timestamp>,
    pub yellow_at: Option<Timestamp>,
    pub orange_at: Option<Timestamp>,
    /// The colour as last set (by a transition or the sweep).
    pub warning: Warning,
    /// The automatic supervision for this deadline has been entered.
    pub supervised: bool,
}

impl StageClock {
    /// The colour at `t`.
    pub fn warning_at(&self, t: Timestamp) -> Warning {
        colour_at(self.yellow_at, self.orange_at, self.deadline, t)
    }

    /// When the sweep must next look at this clock: the next colour change,
    /// or the supervision still owed.
    pub fn next_alarm(&self) -> Option<Timestamp> {
        match self.warning {
            Warning::None => self.yellow_at,
            Warning::Yellow => self.orange_at,
            Warning::Orange => self.deadline,
            Warning::Red if !self.supervised => self.deadline,
            Warning::Red => None,
        }
    }

    /// Move the colour to `t`'s; returns whether an automatic supervision is
    /// now owed (red, not yet supervised for this deadline).
    pub fn tick(&mut self, t: Timestamp) -> bool {
        if self.counting_from.is_some() {
            self.warning = self.warning.max(self.warning_at(t));
        }
        self.warning == Warning::Red && !self.supervised
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::calendar::{WorkingHours, parse_official_days};
    use jiff::civil::date;
    use jiff::tz::TimeZone;
    use proptest::prelude::*;

    /// The official calendar shipped, default hours and thresholds.
    pub(crate) fn timing() -> Timing {
        let official =
            parse_official_days(include_str!("../../../data/calendar/china_official_days.csv")).expect("data");
        Timing {
            calendar: Calendar::new(official, BTreeMap::new(), WorkingHours::default()),
            thresholds: Thresholds::default(),
        }
    }

    fn at(m: i8, d: i8, h: i8, min: i8) -> Timestamp {
        date(2026, m, d)
            .at(h, min, 0, 0)
            .to_zoned_datetime(TimeZone::fixed(jiff::tz::offset(8)))
            .expect("time")
            .timestamp()
    }

    fn limits(handle: Limit) -> TimeLimits {
        TimeLimits { handle: Some(handle), ..TimeLimits::default() }
    }

    #[test]
    fn a_clock_turns_yellow_orange_and_red_on_working_time() {
        let t = timing();
        // Mon 2026-11-23 09:00, 10 working hours: deadline Tue 12:00.
        let c = t.start(Stage::Handle, &limits(Limit::working_hours(10)), false, at(11, 23, 9, 0)).expect("timed");
        assert_eq!(c.deadline, Some(at(11, 24, 12, 0)));
        assert_eq!(c.yellow_at, Some(at(11, 23, 15, 30)), "5 working hours in: 50% left");
        assert_eq!(c.orange_at, Some(at(11, 24, 10, 0)), "8 working hours in: 20% left");
        assert_eq!(c.warning_at(at(11, 23, 15, 29)), Warning::None);
        assert_eq!(c.warning_at(at(11, 24, 11, 0)), Warning::Orange);
        assert_eq!(c.warning_at(at(11, 24, 12, 0)), Warning::Red);
        assert_eq!(c.next_alarm(), c.yellow_at);
    }

    #[test]
    fn urgent_matters_take_the_shorter_limit() {
        let t = timing();
        let l = limits(Limit::working_days(3));
        let c = t.start(Stage::Handle, &l, true, at(11, 27, 17, 0)).expect("timed");
        assert_eq!(c.limit, Limit::hours(2));
        assert_eq!(c.deadline, Some(at(11, 27, 19, 0)), "clock hours run through the evening");
        let normal = t.start(Stage::Handle, &l, false, at(11, 27, 17, 0)).expect("timed");
        assert_eq!(normal.deadline, Some(at(12, 2, 17, 0)), "Fri + 3 working days = Wed");
        assert!(t.start(Stage::Accept, &l, false, at(11, 27, 17, 0)).is_none(), "no limit, no clock");
    }

    #[test]
    fn park_stops_the_clock_and_extension_moves_it() {
        let t = timing();
        let c = t.start(Stage::Handle, &limits(Limit::working_hours(7)), false, at(11, 23, 9, 0)).expect("timed");
        assert_eq!(c.deadline, Some(at(11, 23, 17, 30)));
        let parked = t.pause(&c, at(11, 23, 10, 0));
        assert_eq!((parked.deadline, parked.left), (None, 6 * 3600));
        let resumed = t.resume(&parked, at(11, 25, 9, 0));
        assert_eq!(resumed.deadline, Some(at(11, 25, 16, 30)), "6 working hours left on resume");
        let extended = t.extend(&resumed, 2, at(11, 25, 9, 0));
        assert_eq!(extended.deadline, Some(at(11, 26, 10, 0)));
        assert_eq!(extended.total, 9 * 3600);
        // Overdue when parked: overdue again on resume, the supervision kept.
        let mut late = c.clone();
        assert!(late.tick(at(11, 24, 9, 0)));
        late.supervised = true;
        let back = t.resume(&t.pause(&late, at(11, 24, 9, 0)), at(11, 26, 9, 0));
        assert_eq!(back.deadline, Some(at(11, 26, 9, 0)));
        assert_eq!((back.warning, back.supervised, back.next_alarm()), (Warning::Red, true, None));
    }

    #[test]
    fn transitions_follow_the_stated_rules() {
        let t = timing();
        let l = TimeLimits {
            accept: Some(Limit::working_hours(1)),
            dispatch: Some(Limit::working_hours(2)),
            sign: Some(Limit::working_days(1)),
            handle: Some(Limit::working_days(3)),
            verify: Some(Limit::working_hours(4)),
            urgent: Some(Limit::hours(2)),
        };
        let now = at(11, 23, 9, 0);
        let s0 = Status::reported(crate::Level::Community);
        let c0 = t.start(Stage::Accept, &l, false, now);
        let accept = Command::Accept;
        let s1 = s0.apply(&accept).expect("fits");
        let later = at(11, 23, 9, 30);
        let c1 = t.after(c0.as_ref(), &accept, &s0, &s1, &l, false, later).expect("dispatch clock");
        assert_eq!((c1.stage, c1.deadline), (Stage::Dispatch, Some(at(11, 23, 11, 30))));
        // Supervising leaves the clock alone; escalating restarts the dispatch clock.
        let sup = Command::Supervise { note: "快".into(), overdue: None };
        let c2 = t.after(Some(&c1), &sup, &s1, &s1.apply(&sup).expect("fits"), &l, false, at(11, 23, 10, 0));
        assert_eq!(c2.as_ref(), Some(&c1));
        let esc = Command::Escalate { reason: "需要街道协调".into() };
        let s2 = s1.apply(&esc).expect("fits");
        let c3 = t.after(Some(&c1), &esc, &s1, &s2, &l, false, at(11, 23, 10, 0)).expect("clock");
        assert_eq!(c3.deadline, Some(at(11, 23, 12, 0)), "a fresh 2 working hours from the escalation");
        // A closed matter has no clock.
        let mut done = s2.clone();
        done.state = MatterState::Closed;
        assert!(t.after(Some(&c3), &Command::Accept, &s2, &done, &l, false, later).is_none());
    }

    proptest! {
        #[test]
        fn colours_only_advance_and_red_means_the_deadline_passed(
            start in 0i64..(365 * 24 * 60), amount in 1u32..40, unit in 0u8..3, steps in proptest::collection::vec(0i64..(3 * 24 * 60), 1..12)
        ) {
            let t = timing();
            let unit = [LimitUnit::Hours, LimitUnit::WorkingHours, LimitUnit::WorkingDays][usize::from(unit)];
            let now = at(1, 1, 0, 0) + Span::new().minutes(start);
            let mut c = t.start(Stage::Sign, &TimeLimits { sign: Some(Limit { amount, unit }), ..TimeLimits::default() }, false, now).expect("timed");
            let (y, o, d) = (c.yellow_at.expect("y"), c.orange_at.expect("o"), c.deadline.expect("d"));
            prop_assert!(now <= y && y <= o && o <= d);
            let mut last = c.warning;
            let mut clock = now;
            for s in steps {
                clock += Span::new().minutes(s);
                c.tick(clock);
                prop_assert!(c.warning >= last);
                prop_assert_eq!(c.warning == Warning::Red, clock >= d);
                last = c.warning;
            }
        }
    }
}
