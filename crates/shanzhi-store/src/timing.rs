use async_trait::async_trait;
use jiff::civil::Date;
use serde::Serialize;
use shanzhi_domain::calendar::DayKind;

use crate::{AuditEntry, Micros, StoreResult};

/// Who holds a named lease (e.g. the sweep) and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeaseRecord {
    pub name: String,
    pub holder: String,
    pub acquired_at: Micros,
    pub renewed_at: Micros,
    pub expires_at: Micros,
}

/// Leases: one row per job, so one server at a time runs it.
#[async_trait]
pub trait LeaseStore {
    /// Take or renew `name` for `holder` until `now + ttl_micros`. Succeeds when the
    /// lease is free, expired, or already `holder`'s; one statement, so two
    /// servers racing cannot both win.
    async fn take_lease(&self, name: &str, holder: &str, now: Micros, ttl_micros: i64) -> StoreResult<bool>;
    /// Give the lease up (on shutdown) if `holder` has it.
    async fn release_lease(&self, name: &str, holder: &str) -> StoreResult<()>;
    async fn lease(&self, name: &str) -> StoreResult<Option<LeaseRecord>>;
}

/// Where a calendar day comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DaySource {
    /// The State Council's dates, loaded for a year the build does not carry.
    Official,
    /// A local adjustment (e.g. a day off for a flood).
    Local,
}

impl DaySource {
    pub fn as_str(self) -> &'static str {
        match self {
            DaySource::Official => "official",
            DaySource::Local => "local",
        }
    }
}

/// A day the stored calendar says something about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarDay {
    pub date: Date,
    pub source: DaySource,
    pub kind: DayKind,
    pub name: String,
    pub updated_by: String,
    pub updated_at: Micros,
}

/// The editable part of the working-day calendar.
#[async_trait]
pub trait CalendarStore {
    async fn calendar_days(&self) -> StoreResult<Vec<CalendarDay>>;
    /// Insert or replace days (by date and source), recording `audit`.
    async fn put_calendar_days(&self, days: &[CalendarDay], audit: &AuditEntry) -> StoreResult<()>;
    /// Remove a day; returns whether it was there.
    async fn delete_calendar_day(&self, date: Date, source: DaySource, audit: &AuditEntry) -> StoreResult<bool>;
}
