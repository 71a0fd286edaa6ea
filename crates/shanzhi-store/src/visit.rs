use async_trait::async_trait;
use jiff::civil::Date;
use shanzhi_domain::{DivisionCode, GridCode, Micros};

use crate::{AuditEntry, StoreResult};

/// A visit (走访) as stored. What was raised is in `raised` in clear text,
/// or — for a visit to a care person — only in `sealed` (AEAD, base64) with
/// the id of the key that sealed it; exactly one of the two is set.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitRecord {
    pub id: String,
    pub worker_id: String,
    pub community: DivisionCode,
    pub grid: Option<GridCode>,
    /// The day in China.
    pub day: Date,
    pub at: Micros,
    /// WGS-84; `None` when the phone gave no position.
    pub position: Option<(f64, f64)>,
    /// A register resident or household.
    pub subject_id: String,
    pub care_mark_id: Option<String>,
    pub raised: Option<String>,
    pub key_id: Option<String>,
    pub sealed: Option<String>,
    /// Attachment ids of its photos.
    pub images: Vec<String>,
    pub matter_id: Option<String>,
    /// The hashed, per-worker Idempotency-Key.
    pub idempotency_key: Option<String>,
    pub request_hash: String,
}

/// Which visits to read: a worker's, or a community subtree's or grids', on
/// days `from..=to`; at most `limit`, oldest first.
#[derive(Debug, Clone, Default)]
pub struct VisitQuery {
    pub worker_id: Option<String>,
    pub within: Option<DivisionCode>,
    pub grids: Vec<GridCode>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub limit: usize,
}

/// A worker's own notes on their day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyLogRecord {
    pub worker_id: String,
    pub day: Date,
    pub community: DivisionCode,
    pub grid: Option<GridCode>,
    pub notes: String,
    pub updated_at: Micros,
}

/// A review comment on a worker's day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogCommentRecord {
    pub id: String,
    pub worker_id: String,
    pub day: Date,
    pub author_id: String,
    pub at: Micros,
    pub body: String,
}

/// What [`VisitStore::add_visit`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum VisitAdded {
    New,
    /// The Idempotency-Key was used before: that visit, nothing written.
    Existing(Box<VisitRecord>),
}

/// Visits, the 民情日志's notes and their review comments. Every write
/// records its audit entry in the same transaction.
#[async_trait]
pub trait VisitStore {
    /// Store a visit; with a care mark, move the mark's last visit to the
    /// visit's day (never back) in the same transaction. A repeated
    /// idempotency key returns the earlier visit and writes nothing.
    async fn add_visit(&self, visit: &VisitRecord, audit: &AuditEntry) -> StoreResult<VisitAdded>;
    async fn visit(&self, id: &str) -> StoreResult<Option<VisitRecord>>;
    /// The visit stored under a (hashed, per-worker) idempotency key: a
    /// resend is found however old it is and however many visits followed.
    async fn visit_by_idempotency_key(&self, key: &str) -> StoreResult<Option<VisitRecord>>;
    /// Tie a reported matter to a visit that has none; a constraint error
    /// if it has one already (or is unknown).
    async fn set_visit_matter(&self, id: &str, matter_id: &str, audit: &AuditEntry) -> StoreResult<()>;
    async fn visits(&self, query: &VisitQuery) -> StoreResult<Vec<VisitRecord>>;
    /// Insert or replace a worker's notes on a day.
    async fn put_daily_log(&self, log: &DailyLogRecord, audit: &AuditEntry) -> StoreResult<()>;
    async fn daily_log(&self, worker_id: &str, day: Date) -> StoreResult<Option<DailyLogRecord>>;
    /// The notes of a day in a community subtree or grids, by worker.
    async fn daily_logs(
        &self,
        within: Option<&DivisionCode>,
        grids: &[GridCode],
        day: Date,
    ) -> StoreResult<Vec<DailyLogRecord>>;
    async fn add_log_comment(&self, comment: &LogCommentRecord, audit: &AuditEntry) -> StoreResult<()>;
    /// A worker's day's comments, oldest first.
    async fn log_comments(&self, worker_id: &str, day: Date) -> StoreResult<Vec<LogCommentRecord>>;
}
