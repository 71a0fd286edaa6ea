use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::Serialize;
use shanzhi_domain::matter::LngLat;
use shanzhi_domain::{
    Assignee, Category, CategoryCode, Channel, DepartmentCode, DivisionCode, DutyItem, DutyLevel, GridCode, Level,
    Line, Matter, MatterEvent, MatterId, MatterState, Micros, Warning,
};

use crate::{AuditEntry, GroupedNotice, NewNotification, StoreResult};

/// Where a caller may look: matters of these communities (by subtree), of
/// these grids, handled by these departments, or reported by this user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatterScope {
    pub everything: bool,
    pub divisions: Vec<DivisionCode>,
    pub grids: Vec<GridCode>,
    pub departments: Vec<DepartmentCode>,
    pub reporter: Option<String>,
    /// Also every matter on the development line: what the public may read
    /// (Open311 listings). Safety-line matters (disputes, hazards) stay
    /// within the other parts.
    pub public: bool,
}

/// The order of a listing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MatterOrder {
    /// Newest report first: (reported_at, id) descending.
    #[default]
    Newest,
    /// The soonest deadline first (the most overdue at the top), matters
    /// without a deadline last: (deadline or [`NO_DEADLINE`], id) ascending.
    DueFirst,
}

/// The key of a matter without a deadline in [`MatterOrder::DueFirst`].
pub const NO_DEADLINE: i64 = i64::MAX;

impl MatterOrder {
    /// The matter's key in this order: what `after` continues from.
    pub fn key(self, m: &Matter) -> Micros {
        match self {
            MatterOrder::Newest => m.reported_at,
            MatterOrder::DueFirst => m.deadline_at().unwrap_or(Micros::new(NO_DEADLINE)),
        }
    }
}

/// A matter listing: filters, then a keyset cursor in the query's order.
#[derive(Debug, Clone, Default)]
pub struct MatterQuery {
    pub scope: MatterScope,
    pub states: Vec<MatterState>,
    /// Any of these categories (none: every category).
    pub categories: Vec<CategoryCode>,
    /// This line (a matter on both lines is on each).
    pub line: Option<Line>,
    pub within: Option<DivisionCode>,
    pub grid: Option<GridCode>,
    pub department: Option<DepartmentCode>,
    pub channel: Option<Channel>,
    pub from: Option<Micros>,
    pub to: Option<Micros>,
    pub text: Option<String>,
    /// Only matters whose reporter left this phone number (normalised, as
    /// `Phone` stores it): an exact match along its own index.
    pub reporter_phone: Option<String>,
    /// Only these matters, by number.
    pub numbers: Vec<String>,
    /// Only the repeats of the matter with this number: those flagged as its
    /// duplicates or merged into it.
    pub repeats_of: Option<String>,
    /// Only matters changed after this instant.
    pub updated_after: Option<Micros>,
    /// Only matters that may still count on or after this instant: open now,
    /// or with an entry since (the figures' and the record export's reads).
    pub active_since: Option<Micros>,
    pub bbox: Option<[f64; 4]>,
    /// Only matters in the 3×3 cells around this point (`cell_of`): about
    /// 150 m each way, for duplicates; combine with `bbox` for the exact box.
    pub near: Option<(f64, f64)>,
    /// Only these warning colours (red: overdue).
    pub warnings: Vec<Warning>,
    pub order: MatterOrder,
    /// Continue after this (key, id): the key of [`MatterOrder::key`].
    pub after: Option<(Micros, MatterId)>,
    pub limit: usize,
}

/// Where a matter is, and nothing else.
#[derive(Debug, Clone, PartialEq)]
pub struct MatterPoint {
    pub id: MatterId,
    pub number: String,
    pub location: Option<LngLat>,
}

/// One matter's result of a sweep: its new clock (and status, with the
/// supervision entered), written only if the matter still has
/// `read_event_count` events, so a concurrent command or a second sweeper
/// wins cleanly instead of being overwritten.
#[derive(Debug, Clone)]
pub struct SweepUpdate {
    pub matter: Matter,
    pub read_event_count: i64,
    pub event: Option<MatterEvent>,
    /// What the event tells whom: written with it, or not at all.
    pub notices: Vec<NewNotification>,
}

/// Open timed matters counted by colour and by who holds them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WarningCount {
    pub warning: Warning,
    pub state: MatterState,
    pub level: Level,
    pub assignee: Option<Assignee>,
    pub count: u64,
}

/// One matter of [`MatterStore::create_matters`].
#[derive(Debug, Clone)]
pub struct NewMatter {
    pub matter: Matter,
    pub idempotency_key: Option<String>,
    pub number_prefix: String,
    pub first: MatterEvent,
    /// Written with the matter if it is new (texts may hold
    /// [`crate::NUMBER_SLOT`]); nothing for a repeat.
    pub notices: Vec<NewNotification>,
}

/// What creating a matter came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    New {
        number: String,
    },
    /// The idempotency key or the external reference was seen before.
    Existing {
        id: MatterId,
    },
}

/// A stored file (a photo), served back as it came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRecord {
    pub id: String,
    pub matter_id: Option<MatterId>,
    pub uploaded_by: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: Micros,
}

/// 一个平台: matters, their timelines and attachments.
#[async_trait]
pub trait MatterStore {
    /// Store a new matter and its first event in one transaction, numbering it
    /// `{prefix}-{seq:06}` (sequence per prefix), with `new.notices`. A
    /// repeated idempotency key or external reference returns the existing
    /// matter instead (and writes nothing).
    async fn create_matter(&self, new: &NewMatter) -> StoreResult<Created>;

    /// Many new matters in one transaction, all or nothing (an import): each
    /// as [`MatterStore::create_matter`] would, in order; with the batch's
    /// `grouped` notices, each filled with its matters that were new (and
    /// left out if none was).
    async fn create_matters(&self, batch: &[NewMatter], grouped: &[GroupedNotice]) -> StoreResult<Vec<Created>>;

    /// The matters of `channel` with these external references (order numbers).
    async fn matters_by_external_refs(&self, channel: Channel, refs: &[String]) -> StoreResult<Vec<Matter>>;

    /// The matter whose reporter holds the private key with this hash.
    async fn matter_by_reporter_key(&self, key_hash: &str) -> StoreResult<Option<Matter>>;

    /// Append an event and store the new status, with the notifications it
    /// causes, in one transaction; fails with a constraint error if another
    /// event took `event.seq` first (and then writes no notification).
    async fn append_matter_event(
        &self,
        matter: &Matter,
        event: &MatterEvent,
        notices: &[NewNotification],
    ) -> StoreResult<()>;

    async fn matter(&self, id: &MatterId) -> StoreResult<Option<Matter>>;
    async fn matter_by_number(&self, number: &str) -> StoreResult<Option<Matter>>;
    async fn matter_events(&self, id: &MatterId) -> StoreResult<Vec<MatterEvent>>;
    /// The timelines of many matters at once, each in order (matters in the
    /// order asked).
    async fn matter_events_of(&self, ids: &[MatterId]) -> StoreResult<Vec<(MatterId, MatterEvent)>>;
    async fn matters(&self, query: &MatterQuery) -> StoreResult<Vec<Matter>>;
    /// Like `matters`, but only (id, number, lng, lat): for looking around a
    /// point without reading whole rows.
    async fn matter_points(&self, query: &MatterQuery) -> StoreResult<Vec<MatterPoint>>;
    async fn count_matters(&self, query: &MatterQuery) -> StoreResult<BTreeMap<MatterState, u64>>;
    /// The ids of matters whose clock needs a look at `now`
    /// (`next_alarm_at <= now`), earliest alarm first.
    async fn due_matter_ids(&self, now: Micros, limit: usize) -> StoreResult<Vec<MatterId>>;
    /// The matters with these ids (those that exist), in id order.
    async fn matters_by_ids(&self, ids: &[MatterId]) -> StoreResult<Vec<Matter>>;
    /// Write a sweep's results in one transaction; returns the ids written
    /// (the others changed meanwhile).
    async fn apply_sweep(&self, updates: &[SweepUpdate]) -> StoreResult<Vec<MatterId>>;
    /// Counts of open timed matters with a warning colour, by holder.
    async fn warning_counts(&self, query: &MatterQuery) -> StoreResult<Vec<WarningCount>>;
    /// Timeline entries written in `[from, to)` of the matters the query
    /// selects, oldest first, with their matter's number; skips `offset`.
    async fn matter_updates(
        &self,
        query: &MatterQuery,
        from: Micros,
        to: Micros,
        offset: usize,
    ) -> StoreResult<Vec<(String, MatterEvent)>>;
    /// Mark these matters as likely repeats of the matter numbered
    /// `original` (a flag beside the record: no timeline entry, the state
    /// and `updated_at` unchanged); never the original itself.
    async fn mark_duplicates(&self, ids: &[MatterId], original: &str) -> StoreResult<()>;
    /// Take `count` consecutive numbers of `prefix`; returns the first.
    async fn reserve_numbers(&self, prefix: &str, count: i64) -> StoreResult<i64>;
    /// Many finished matters with their timelines at once (demo data).
    async fn insert_matters_bulk(&self, matters: &[(Matter, Vec<MatterEvent>)]) -> StoreResult<()>;
}

/// Photos and other files: stored as sent, bound to a matter once a report
/// or command names them.
#[async_trait]
pub trait AttachmentStore {
    async fn put_attachment(&self, record: &AttachmentRecord, data: &[u8]) -> StoreResult<()>;
    async fn attachment(&self, id: &str) -> StoreResult<Option<(AttachmentRecord, Vec<u8>)>>;
    /// (matter id, attachment id) of the files bound to these matters,
    /// oldest file first.
    async fn attachment_ids(&self, matter_ids: &[MatterId]) -> StoreResult<Vec<(MatterId, String)>>;
    /// Tie uploaded files to a matter (only unbound files of `uploaded_by`);
    /// returns how many were bound.
    async fn bind_attachments(&self, ids: &[String], matter_id: &MatterId, uploaded_by: &str) -> StoreResult<usize>;
}

/// 事项分类 and 职责清单: the dictionary matters are reported against.
#[async_trait]
pub trait DictionaryStore {
    /// The current version of every category.
    async fn categories(&self) -> StoreResult<Vec<(Category, i64)>>;
    /// A category's current version, or a given one.
    async fn category(&self, code: &CategoryCode, version: Option<i64>) -> StoreResult<Option<(Category, i64)>>;
    /// Store a new version (the previous one is kept for the matters that use it).
    async fn put_category(&self, category: &Category, audit: &AuditEntry) -> StoreResult<i64>;
    async fn duties(&self, category: Option<&CategoryCode>) -> StoreResult<Vec<DutyItem>>;
    async fn put_duty(&self, duty: &DutyItem, audit: &AuditEntry) -> StoreResult<()>;
    /// Remove the row of `category` at `level`; false (and nothing audited)
    /// if there was none.
    async fn remove_duty(&self, category: &CategoryCode, level: DutyLevel, audit: &AuditEntry) -> StoreResult<bool>;
    async fn duty(&self, category: &CategoryCode, level: DutyLevel) -> StoreResult<Option<DutyItem>>;
}
