//! 一套机制 (1): time limits. The clock the application reads the time from,
//! the working-day calendar and warning thresholds it computes deadlines
//! with (shipped official days + stored days + settings, reloaded whole), the
//! calendar's use cases, and the sweep that colours clocks and supervises
//! overdue matters.

mod calendar;
mod sweep;
mod warnings;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use arc_swap::ArcSwap;
use jiff::Timestamp;
use shanzhi_domain::Micros;
use shanzhi_domain::calendar::{Calendar, DayRule, WorkingHours, parse_official_days};
use shanzhi_domain::{Thresholds, Timing};
use shanzhi_store::DaySource;

use crate::{App, AppError, AppResult};

pub use calendar::{CalendarDayInput, CalendarView, DayView, DeadlineAnswer, TimingSettings};
pub use sweep::{SWEEP_LEASE, SweepReport, SweeperConfig, SweeperStatus, run_sweeper};
pub use warnings::{ColourCounts, UnitWarnings, WarningSummary};

/// China's official holidays and make-up working days, 2004 onwards (see
/// `data/SOURCES.md`). A new year is a data change here, or an import of the
/// State Council's dates into the store for a running system.
pub const OFFICIAL_DAYS: &str = include_str!("../../../../data/calendar/china_official_days.csv");

const HOURS_KEY: &str = "timing.working_hours";
const THRESHOLDS_KEY: &str = "timing.thresholds";

/// Where the application reads the time: the system clock, or a hand-moved
/// one in tests and drills.
pub trait Clock: fmt::Debug + Send + Sync {
    fn now(&self) -> Timestamp;
}

#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that moves only when told.
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(at: Timestamp) -> Self {
        ManualClock(AtomicI64::new(at.as_microsecond()))
    }

    pub fn set(&self, at: Timestamp) {
        self.0.store(at.as_microsecond(), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_microsecond(self.0.load(Ordering::SeqCst)).unwrap_or(Timestamp::UNIX_EPOCH)
    }
}

/// The calendar and thresholds in use; swapped whole on reload.
#[derive(Debug)]
pub struct TimingHolder(ArcSwap<Timing>);

impl Default for TimingHolder {
    fn default() -> Self {
        let official = parse_official_days(OFFICIAL_DAYS).expect("the shipped calendar parses");
        TimingHolder(ArcSwap::from_pointee(Timing {
            calendar: Calendar::new(official, BTreeMap::new(), WorkingHours::default()),
            thresholds: Thresholds::default(),
        }))
    }
}

impl App {
    /// Now, by the application's clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub(crate) fn now_micros(&self) -> Micros {
        Micros::from(self.now())
    }

    /// The calendar and thresholds deadlines are computed with now.
    pub fn timing(&self) -> Arc<Timing> {
        self.timing.0.load_full()
    }

    /// Read the calendar and thresholds from the store again (after an edit,
    /// or periodically to see another server's edits).
    pub async fn reload_timing(&self) -> AppResult<()> {
        let mut official = parse_official_days(OFFICIAL_DAYS).map_err(AppError::internal)?;
        let mut local = BTreeMap::new();
        for d in self.store.calendar_days().await? {
            let rule = DayRule { kind: d.kind, name: d.name };
            match d.source {
                DaySource::Official => official.insert(d.date, rule),
                DaySource::Local => local.insert(d.date, rule),
            };
        }
        let settings = self.timing_settings().await?;
        let timing = Timing {
            calendar: Calendar::new(official, local, settings.working_hours),
            thresholds: settings.thresholds,
        };
        self.timing.0.store(Arc::new(timing));
        Ok(())
    }

    async fn timing_settings(&self) -> AppResult<TimingSettings> {
        let hours = match self.store.setting(HOURS_KEY).await? {
            Some(text) => WorkingHours::parse(&text).map_err(|m| AppError::internal(m.en))?,
            None => WorkingHours::default(),
        };
        let thresholds = match self.store.setting(THRESHOLDS_KEY).await? {
            Some(text) => serde_json::from_str(&text).map_err(|e| AppError::internal(e.to_string()))?,
            None => Thresholds::default(),
        };
        Ok(TimingSettings { working_hours: hours, thresholds })
    }
}
