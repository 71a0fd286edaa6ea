use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::Serialize;
use sha2::{Digest, Sha256};
use shanzhi_domain::{
    Category, CategoryCode, DivisionCode, DutyItem, DutyLevel, GridCode, MatterState, StageClock, Status, Warning,
};

use crate::{AuditEntry, Micros, StoreResult};

/// A matter as stored: the report, where it is, and its derived status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatterRecord {
    pub id: String,
    pub number: String,
    pub channel: String,
    pub category: CategoryCode,
    pub category_version: i64,
    pub line: String,
    pub severity: String,
    pub description: String,
    pub address: Option<String>,
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    pub grid: GridCode,
    /// The general grid `grid` belongs to (itself for a general grid).
    pub general_grid: Option<GridCode>,
    pub reporter_user_id: Option<String>,
    pub reporter_name: Option<String>,
    pub reporter_phone: Option<String>,
    /// The hotline's own order number, for idempotent imports.
    pub external_ref: Option<String>,
    pub duplicate_of: Option<String>,
    pub status: Status,
    pub reported_at: Micros,
    pub updated_at: Micros,
    /// The clock of the stage the matter is in (`None`: not timed).
    pub clock: Option<StageClock>,
    pub event_count: i64,
    pub last_hash: String,
    /// SHA-256 of the private key given to a reporter without an account
    /// (to follow and rate the matter); the key itself is never stored.
    pub reporter_key_hash: Option<String>,
    /// SHA-256 of the request that created the matter: a repeated
    /// idempotency key or order number must come with the same request.
    pub request_hash: Option<String>,
}

impl MatterRecord {
    pub fn deadline_at(&self) -> Option<Micros> {
        self.clock.as_ref().and_then(|c| c.deadline).map(|t| t.as_microsecond())
    }

    pub fn warning(&self) -> Warning {
        self.clock.as_ref().map_or(Warning::None, |c| c.warning)
    }

    /// When the sweep must look at this matter next.
    pub fn next_alarm_at(&self) -> Option<Micros> {
        self.clock.as_ref().and_then(StageClock::next_alarm).map(|t| t.as_microsecond())
    }
}

/// One entry of a matter's timeline (append-only, hash-chained per matter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatterEvent {
    pub seq: i64,
    pub at: Micros,
    pub actor: String,
    pub role: String,
    /// `report` for the first entry, then the command's name.
    pub command: String,
    /// The command (or the report) as JSON: replaying these reproduces the status.
    pub body: String,
    pub from_state: Option<MatterState>,
    pub to_state: MatterState,
    pub attachments: Vec<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash before a matter's first event.
pub const MATTER_GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// SHA-256 over the matter, the previous hash and every field of the event.
pub fn matter_event_hash(matter_id: &str, prev_hash: &str, e: &MatterEvent) -> String {
    let mut h = Sha256::new();
    let parts: [&str; 8] = [
        matter_id,
        prev_hash,
        &e.actor,
        &e.role,
        &e.command,
        &e.body,
        e.from_state.map_or("", |s| s.as_str()),
        e.to_state.as_str(),
    ];
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    h.update(e.seq.to_le_bytes());
    h.update(e.at.to_le_bytes());
    h.update((e.attachments.len() as u64).to_le_bytes());
    for a in &e.attachments {
        h.update((a.len() as u64).to_le_bytes());
        h.update(a.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Check a matter's timeline: numbered 1.., each entry linked to the one
/// before and hashed over its content. Returns the first entry (1-based)
/// that was edited, removed or moved.
pub fn check_chain(matter_id: &str, events: &[MatterEvent]) -> Result<(), usize> {
    let mut prev = MATTER_GENESIS;
    for (i, e) in events.iter().enumerate() {
        if e.seq != i as i64 + 1 || e.prev_hash != prev || e.hash != matter_event_hash(matter_id, prev, e) {
            return Err(i + 1);
        }
        prev = &e.hash;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn chain(n: usize) -> Vec<MatterEvent> {
        let mut out: Vec<MatterEvent> = Vec::new();
        for i in 0..n {
            let prev = out.last().map_or(MATTER_GENESIS.to_owned(), |e| e.hash.clone());
            let mut e = MatterEvent {
                seq: i as i64 + 1,
                at: 1_000 * i as i64,
                actor: format!("a{i}"),
                role: "dispatcher".to_owned(),
                command: "supervise".to_owned(),
                body: format!("{{\"note\":\"{i}\"}}"),
                from_state: Some(MatterState::Filed),
                to_state: MatterState::Filed,
                attachments: vec![],
                prev_hash: prev.clone(),
                hash: String::new(),
            };
            e.hash = matter_event_hash("m", &prev, &e);
            out.push(e);
        }
        out
    }

    proptest! {
        #[test]
        fn the_cells_around_a_point_cover_its_duplicate_box(
            x in 73.0f64..135.0, y in 18.0f64..54.0, dx in -0.0015f64..=0.0015, dy in -0.0015f64..=0.0015
        ) {
            prop_assert!(cells_around(x, y).contains(&cell_of(x + dx, y + dy)));
        }

        #[test]
        fn any_edit_removal_or_reordering_is_detected(n in 2usize..20, pick in 0usize..1000, kind in 0u8..6) {
            let good = chain(n);
            prop_assert_eq!(check_chain("m", &good), Ok(()));
            let i = pick % n;
            let mut bad = good.clone();
            match kind {
                0 => bad[i].body.push(' '),
                1 => bad[i].actor = "someone else".to_owned(),
                2 => bad[i].at += 1,
                3 => { bad.remove(i); }
                4 => { let j = (i + 1) % n; bad.swap(i, j); }
                _ => bad[i].to_state = MatterState::Closed,
            }
            // Removing the last entry leaves a valid shorter chain: the stored
            // matter's event count and last hash catch that (verify_matter_chains).
            if kind == 3 && i == n - 1 {
                prop_assert_eq!(check_chain("m", &bad), Ok(()));
                prop_assert_ne!(bad.last().map(|e| e.hash.clone()), good.last().map(|e| e.hash.clone()));
            } else {
                prop_assert!(check_chain("m", &bad).is_err());
            }
            prop_assert!(check_chain("another matter", &good).is_err(), "a timeline cannot be moved to another matter");
        }
    }
}

/// Where a caller may look: matters of these communities (by subtree), of
/// these grids, handled by these departments, or reported by this user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatterScope {
    pub everything: bool,
    pub divisions: Vec<DivisionCode>,
    pub grids: Vec<GridCode>,
    pub departments: Vec<String>,
    pub reporter: Option<String>,
    /// Also every matter on the development line: what the public may read
    /// (Open311 listings). Safety-line matters (disputes, hazards) stay
    /// within the other parts.
    pub public: bool,
}

/// A matter listing: filters, then a keyset cursor (newest first).
#[derive(Debug, Clone, Default)]
pub struct MatterQuery {
    pub scope: MatterScope,
    pub states: Vec<MatterState>,
    /// Any of these categories (none: every category).
    pub categories: Vec<CategoryCode>,
    pub line: Option<String>,
    pub within: Option<DivisionCode>,
    pub grid: Option<GridCode>,
    pub department: Option<String>,
    pub channel: Option<String>,
    pub from: Option<Micros>,
    pub to: Option<Micros>,
    pub text: Option<String>,
    /// Only these matters, by number.
    pub numbers: Vec<String>,
    /// Only matters changed after this instant.
    pub updated_after: Option<Micros>,
    pub bbox: Option<[f64; 4]>,
    /// Only matters in the 3×3 cells around this point (`cell_of`): about
    /// 150 m each way, for duplicates; combine with `bbox` for the exact box.
    pub near: Option<(f64, f64)>,
    /// Only these warning colours (red: overdue).
    pub warnings: Vec<Warning>,
    /// Continue after this (reported_at, id).
    pub after: Option<(Micros, String)>,
    pub limit: usize,
}

/// Cell size in degrees: ~167 m north–south, ~144 m east–west at 30°N.
const CELL_DEGREES: f64 = 0.0015;

/// The cell of a point, stored with each matter.
pub fn cell_of(lng: f64, lat: f64) -> i64 {
    (lat / CELL_DEGREES).floor() as i64 * 1_000_000 + (lng / CELL_DEGREES).floor() as i64
}

/// The cell of a point and its eight neighbours.
pub fn cells_around(lng: f64, lat: f64) -> Vec<i64> {
    let mut out = Vec::with_capacity(9);
    for dy in [-1.0, 0.0, 1.0] {
        for dx in [-1.0, 0.0, 1.0] {
            out.push(cell_of(lng + dx * CELL_DEGREES, lat + dy * CELL_DEGREES));
        }
    }
    out
}

/// Where a matter is, and nothing else.
#[derive(Debug, Clone, PartialEq)]
pub struct MatterPoint {
    pub id: String,
    pub number: String,
    pub lng: Option<f64>,
    pub lat: Option<f64>,
}

/// One matter's result of a sweep: its new clock (and status, with the
/// supervision entered), written only if the matter still has
/// `read_event_count` events, so a concurrent command or a second sweeper
/// wins cleanly instead of being overwritten.
#[derive(Debug, Clone)]
pub struct SweepUpdate {
    pub matter: MatterRecord,
    pub read_event_count: i64,
    pub event: Option<MatterEvent>,
}

/// Open timed matters counted by colour and by who holds them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WarningCount {
    pub warning: Warning,
    pub state: MatterState,
    pub level: String,
    pub assignee_kind: Option<String>,
    pub assignee_code: Option<String>,
    pub count: u64,
}

/// One matter of [`MatterStore::create_matters`].
#[derive(Debug, Clone)]
pub struct NewMatter {
    pub matter: MatterRecord,
    pub idempotency_key: Option<String>,
    pub number_prefix: String,
    pub first: MatterEvent,
}

/// What creating a matter came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    New {
        number: String,
    },
    /// The idempotency key or the external reference was seen before.
    Existing {
        id: String,
    },
}

/// A stored file (a photo), served back as it came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRecord {
    pub id: String,
    pub matter_id: Option<String>,
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
    /// `{prefix}-{seq:06}` (sequence per prefix). A repeated idempotency key or
    /// external reference returns the existing matter instead.
    async fn create_matter(
        &self,
        matter: &MatterRecord,
        idempotency_key: Option<&str>,
        number_prefix: &str,
        first: &MatterEvent,
    ) -> StoreResult<Created>;

    /// Many new matters in one transaction, all or nothing (an import): each
    /// as [`MatterStore::create_matter`] would, in order.
    async fn create_matters(&self, batch: &[NewMatter]) -> StoreResult<Vec<Created>>;

    /// The matters of `channel` with these external references (order numbers).
    async fn matters_by_external_refs(&self, channel: &str, refs: &[String]) -> StoreResult<Vec<MatterRecord>>;

    /// The matter whose reporter holds the private key with this hash.
    async fn matter_by_reporter_key(&self, key_hash: &str) -> StoreResult<Option<MatterRecord>>;

    /// Append an event and store the new status, in one transaction; fails
    /// with a constraint error if another event took `event.seq` first.
    async fn append_matter_event(&self, matter: &MatterRecord, event: &MatterEvent) -> StoreResult<()>;

    async fn matter(&self, id: &str) -> StoreResult<Option<MatterRecord>>;
    async fn matter_by_number(&self, number: &str) -> StoreResult<Option<MatterRecord>>;
    async fn matter_events(&self, id: &str) -> StoreResult<Vec<MatterEvent>>;
    async fn matters(&self, query: &MatterQuery) -> StoreResult<Vec<MatterRecord>>;
    /// Like `matters`, but only (id, number, lng, lat): for looking around a
    /// point without reading whole rows.
    async fn matter_points(&self, query: &MatterQuery) -> StoreResult<Vec<MatterPoint>>;
    async fn count_matters(&self, query: &MatterQuery) -> StoreResult<BTreeMap<MatterState, u64>>;
    /// The ids of matters whose clock needs a look at `now`
    /// (`next_alarm_at <= now`), earliest alarm first.
    async fn due_matter_ids(&self, now: Micros, limit: usize) -> StoreResult<Vec<String>>;
    /// The matters with these ids (those that exist), in id order.
    async fn matters_by_ids(&self, ids: &[String]) -> StoreResult<Vec<MatterRecord>>;
    /// Write a sweep's results in one transaction; returns the ids written
    /// (the others changed meanwhile).
    async fn apply_sweep(&self, updates: &[SweepUpdate]) -> StoreResult<Vec<String>>;
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
    /// Take `count` consecutive numbers of `prefix`; returns the first.
    async fn reserve_numbers(&self, prefix: &str, count: i64) -> StoreResult<i64>;
    /// Many finished matters with their timelines at once (demo data).
    async fn insert_matters_bulk(&self, matters: &[(MatterRecord, Vec<MatterEvent>)]) -> StoreResult<()>;

    async fn put_attachment(&self, record: &AttachmentRecord, data: &[u8]) -> StoreResult<()>;
    async fn attachment(&self, id: &str) -> StoreResult<Option<(AttachmentRecord, Vec<u8>)>>;
    /// (matter id, attachment id) of the files bound to these matters,
    /// oldest file first.
    async fn attachment_ids(&self, matter_ids: &[String]) -> StoreResult<Vec<(String, String)>>;
    /// Tie uploaded files to a matter (only unbound files of `uploaded_by`);
    /// returns how many were bound.
    async fn bind_attachments(&self, ids: &[String], matter_id: &str, uploaded_by: &str) -> StoreResult<usize>;
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
    async fn duty(&self, category: &CategoryCode, level: DutyLevel) -> StoreResult<Option<DutyItem>>;
}
