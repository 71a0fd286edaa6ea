//! Tasks (任务): a community or street worker gives grid workers (or whole
//! grids) a piece of work — "全部商铺消防安全检查，周五前" — with a checklist
//! of sites, due at the end of a working day. Each site is marked done or
//! "problem found" (with a note); the task is completed once every site is
//! marked. An open task is warned like a matter: yellow and orange by the
//! same thresholds of working time left ([`Timing::warning_times`]), red once
//! overdue. Pure rules; the store keeps the rows, the application the rest.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::text::Bilingual;
use crate::timing::{Timing, Warning, colour_at};

/// Most sites on one task's checklist.
pub const MAX_SITES: usize = 2000;
/// Most workers and grids a task is given to.
pub const MAX_ASSIGNEES: usize = 200;
/// Longest title, site name and note, in characters.
pub const TITLE_CHARS: usize = 100;
pub const DETAILS_CHARS: usize = 2000;
pub const SITE_NAME_CHARS: usize = 100;
pub const NOTE_CHARS: usize = 500;

crate::code_enum! {
    /// Where one site of a task's checklist stands.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum GridTaskSiteState {
        Pending => "pending", "待检查";
        Done => "done", "已完成";
        /// Checked, and something was wrong (a note says what).
        Problem => "problem", "发现问题";
    }
    from_str(s: s.trim()) -> Bilingual {
        Bilingual::new(
            format!("未知的检查结果“{s}”（应为 pending、done、problem）"),
            format!("unknown site state '{s}' (pending, done or problem)"),
        )
    }
}

/// Text given by a person: trimmed, not empty, at most `max` characters.
pub fn bounded_text(text: &str, max: usize, zh: &str, en: &str) -> Result<String, Bilingual> {
    let t = text.trim();
    if t.is_empty() {
        return Err(Bilingual::new(format!("{zh}不能为空"), format!("{en} must not be empty")));
    }
    if t.chars().count() > max {
        return Err(Bilingual::new(format!("{zh}最多 {max} 个字"), format!("{en} must be at most {max} characters")));
    }
    Ok(t.to_owned())
}

/// A task's progress: how many sites, how many marked done, how many with a
/// problem found. `done + problems <= sites` always.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GridTaskProgress {
    pub sites: u32,
    pub done: u32,
    pub problems: u32,
}

impl GridTaskProgress {
    pub fn of(states: impl IntoIterator<Item = GridTaskSiteState>) -> GridTaskProgress {
        let mut p = GridTaskProgress::default();
        for s in states {
            p.sites += 1;
            match s {
                GridTaskSiteState::Done => p.done += 1,
                GridTaskSiteState::Problem => p.problems += 1,
                GridTaskSiteState::Pending => {}
            }
        }
        p
    }

    /// Sites checked (done or problem found).
    pub fn checked(&self) -> u32 {
        self.done + self.problems
    }

    /// Every site checked (a task without sites never is).
    pub fn all_checked(&self) -> bool {
        self.sites > 0 && self.checked() == self.sites
    }

    /// Checked, in whole percent (rounded down).
    pub fn percent(&self) -> u32 {
        (self.checked() * 100).checked_div(self.sites).unwrap_or(0)
    }

    /// The progress after one site moved from `from` to `to`.
    pub fn moved(self, from: GridTaskSiteState, to: GridTaskSiteState) -> GridTaskProgress {
        let mut p = self;
        let count = |p: &mut GridTaskProgress, s: GridTaskSiteState, add: bool| {
            let slot = match s {
                GridTaskSiteState::Done => &mut p.done,
                GridTaskSiteState::Problem => &mut p.problems,
                GridTaskSiteState::Pending => return,
            };
            *slot = if add { *slot + 1 } else { slot.saturating_sub(1) };
        };
        count(&mut p, from, false);
        count(&mut p, to, true);
        p
    }
}

/// Refused unless every site is checked: a task is completed only then.
pub fn check_completion(p: &GridTaskProgress) -> Result<(), Bilingual> {
    if p.all_checked() {
        return Ok(());
    }
    let left = p.sites - p.checked().min(p.sites);
    Err(Bilingual::new(
        format!("还有 {left} 个点位未检查，全部检查后才能完成任务"),
        format!("Sites not checked yet: {left}; a task is completed only when every site is"),
    ))
}

/// A site's mark must say what the problem is; a done or pending one may
/// carry a note.
pub fn check_mark(to: GridTaskSiteState, note: Option<&str>) -> Result<Option<String>, Bilingual> {
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    match (to, note) {
        (GridTaskSiteState::Problem, None) => {
            Err(Bilingual::new("发现问题时须填写问题说明", "a problem found needs a note saying what it is"))
        }
        (_, Some(n)) => bounded_text(n, NOTE_CHARS, "说明", "the note").map(Some),
        (_, None) => Ok(None),
    }
}

/// When a task is due and warned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GridTaskDue {
    pub deadline: Timestamp,
    pub yellow_at: Timestamp,
    pub orange_at: Timestamp,
}

impl GridTaskDue {
    /// A task given at `from`, due at the end of working day `due_on` (a
    /// working day after `from`).
    pub fn plan(timing: &Timing, from: Timestamp, due_on: Date) -> Result<GridTaskDue, Bilingual> {
        let deadline = timing.calendar.end_of_working_day(due_on).ok_or_else(|| {
            Bilingual::new(format!("截止日 {due_on} 不是工作日"), format!("the due date {due_on} is not a working day"))
        })?;
        if deadline <= from {
            return Err(Bilingual::new(format!("截止日 {due_on} 已过"), format!("the due date {due_on} has passed")));
        }
        let (yellow_at, orange_at) = timing.warning_times(from, deadline);
        Ok(GridTaskDue { deadline, yellow_at, orange_at })
    }

    /// The colour at `t` of a task still open then.
    pub fn warning_at(&self, t: Timestamp) -> Warning {
        colour_at(Some(self.yellow_at), Some(self.orange_at), Some(self.deadline), t)
    }

    /// When the sweep must next look at a task last coloured `current`.
    pub fn next_alarm(&self, current: Warning) -> Option<Timestamp> {
        match current {
            Warning::None => Some(self.yellow_at),
            Warning::Yellow => Some(self.orange_at),
            Warning::Orange => Some(self.deadline),
            Warning::Red => None,
        }
    }
}

/// A task completed at `completed_at` counts as on time if by its deadline.
pub fn on_time(completed_at: Timestamp, deadline: Timestamp) -> bool {
    completed_at <= deadline
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;
    use jiff::tz::TimeZone;
    use proptest::prelude::*;

    use super::*;
    use crate::timing::tests::timing;

    fn at(m: i8, d: i8, h: i8) -> Timestamp {
        date(2026, m, d).at(h, 0, 0, 0).to_zoned_datetime(TimeZone::fixed(jiff::tz::offset(8))).expect("t").timestamp()
    }

    fn state() -> impl Strategy<Value = GridTaskSiteState> {
        prop_oneof![Just(GridTaskSiteState::Pending), Just(GridTaskSiteState::Done), Just(GridTaskSiteState::Problem)]
    }

    #[test]
    fn a_task_given_monday_morning_due_friday_is_due_friday_evening() {
        let t = timing();
        // 2026-03-02 is a Monday: due at the end of Friday's working hours.
        let due = GridTaskDue::plan(&t, at(3, 2, 9), date(2026, 3, 6)).expect("plan");
        let end = t.calendar.hours().periods().last().expect("hours").1;
        let local = due.deadline.to_zoned_datetime(TimeZone::fixed(jiff::tz::offset(8)));
        assert_eq!((local.date(), local.time()), (date(2026, 3, 6), end));
        assert!(due.yellow_at < due.orange_at && due.orange_at < due.deadline);
        // Yellow with half the working time left, orange with a fifth.
        let total = t.calendar.working_seconds_between(at(3, 2, 9), due.deadline);
        assert_eq!(t.calendar.working_seconds_between(due.yellow_at, due.deadline), total / 2);
        assert_eq!(t.calendar.working_seconds_between(due.orange_at, due.deadline), total / 5);
        assert_eq!(due.warning_at(at(3, 2, 10)), Warning::None);
        assert_eq!(due.warning_at(at(3, 9, 9)), Warning::Red);
        // A Saturday is refused, as is a day gone.
        assert!(GridTaskDue::plan(&t, at(3, 2, 9), date(2026, 3, 7)).is_err());
        assert!(GridTaskDue::plan(&t, at(3, 2, 9), date(2026, 2, 27)).is_err());
    }

    #[test]
    fn a_problem_needs_a_note_and_completion_every_site() {
        assert!(check_mark(GridTaskSiteState::Problem, Some("  ")).is_err());
        assert_eq!(
            check_mark(GridTaskSiteState::Problem, Some(" 灭火器过期 ")).expect("ok").as_deref(),
            Some("灭火器过期")
        );
        assert_eq!(check_mark(GridTaskSiteState::Done, None).expect("ok"), None);
        let p = GridTaskProgress::of([GridTaskSiteState::Done, GridTaskSiteState::Pending]);
        let err = check_completion(&p).expect_err("one left");
        assert!(err.zh.contains('1'), "{}", err.zh);
        assert!(check_completion(&GridTaskProgress::default()).is_err(), "no sites: never complete");
    }

    proptest! {
        #[test]
        fn progress_never_exceeds_the_sites_and_follows_every_mark(
            start in prop::collection::vec(state(), 0..50),
            marks in prop::collection::vec((0usize..50, state()), 0..100),
        ) {
            let mut states = start;
            let mut p = GridTaskProgress::of(states.iter().copied());
            for (i, to) in marks {
                if states.is_empty() { break; }
                let i = i % states.len();
                p = p.moved(states[i], to);
                states[i] = to;
                prop_assert!(p.checked() <= p.sites);
                prop_assert_eq!(p, GridTaskProgress::of(states.iter().copied()));
            }
            let all = states.iter().all(|s| *s != GridTaskSiteState::Pending) && !states.is_empty();
            prop_assert_eq!(check_completion(&p).is_ok(), all);
            prop_assert!(p.percent() <= 100);
        }

        #[test]
        fn warnings_never_go_back_in_time(
            start_h in 0i64..24 * 30,
            days in 0i64..40,
            a in 0i64..24 * 80,
            b in 0i64..24 * 80,
        ) {
            let t = timing();
            let from = at(3, 2, 0) + jiff::Span::new().hours(start_h);
            let due_on = from.to_zoned_datetime(TimeZone::fixed(jiff::tz::offset(8))).date()
                .checked_add(jiff::Span::new().days(days)).expect("date");
            let Ok(due) = GridTaskDue::plan(&t, from, due_on) else { return Ok(()); };
            prop_assert!(due.yellow_at <= due.orange_at && due.orange_at <= due.deadline);
            let (a, b) = (a.min(b), a.max(b));
            let ta = from + jiff::Span::new().hours(a);
            let tb = from + jiff::Span::new().hours(b);
            prop_assert!(due.warning_at(ta) <= due.warning_at(tb));
            // The next alarm is the moment the colour moves on.
            let now = due.warning_at(ta);
            if let Some(next) = due.next_alarm(now) {
                prop_assert!(next > ta);
                prop_assert!(due.warning_at(next) > now);
            }
        }
    }
}
