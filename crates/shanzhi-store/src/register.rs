use async_trait::async_trait;
use jiff::civil::Date;
use shanzhi_domain::register::RegisterKind;
use shanzhi_domain::{DivisionCode, GridCode, Micros};

use crate::{AuditEntry, StoreResult};

/// One register record as it stands: a building, household, resident,
/// organisation or facility. `fields` is JSON object text of the kind's other
/// fields (checked by the application); `id_hash` is a resident's keyed ID
/// number hash (unique), never the number.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterRecord {
    pub id: String,
    pub kind: RegisterKind,
    pub community: DivisionCode,
    pub grid: Option<GridCode>,
    /// A household's building, a resident's household.
    pub parent_id: Option<String>,
    pub name: String,
    pub fields: String,
    pub id_hash: Option<String>,
    /// Folded text searched with LIKE (shanzhi_domain::search::fold).
    pub search_text: String,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: Micros,
}

/// An earlier (or the current) version of a record, kept whole.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterVersion {
    pub version: i64,
    pub grid: Option<GridCode>,
    pub parent_id: Option<String>,
    pub name: String,
    pub fields: String,
    pub saved_by: String,
    pub saved_at: Micros,
}

/// Which records to read: a community subtree or grids, optionally one kind,
/// a parent, a search term; at most `limit`, by name.
#[derive(Debug, Clone, Default)]
pub struct RegisterQuery {
    pub within: Option<DivisionCode>,
    pub grids: Vec<GridCode>,
    pub kind: Option<RegisterKind>,
    pub parent_id: Option<String>,
    /// Folded search text (a LIKE substring).
    pub search: Option<String>,
    pub limit: usize,
}

/// A care mark (关爱对象). The reason and notes are only ever held sealed
/// (AEAD ciphertext, base64) with the id of the key that sealed them;
/// `sealed` is `None` once deleted after the marking ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareMarkRecord {
    pub id: String,
    pub resident_id: String,
    pub community: DivisionCode,
    pub grid: Option<GridCode>,
    pub key_id: String,
    pub sealed: Option<String>,
    /// Visit every this many working days.
    pub every_days: u32,
    pub worker_id: Option<String>,
    pub started_on: Date,
    pub last_visit_on: Option<Date>,
    pub ended_on: Option<Date>,
    /// The day the sealed reason is deleted (set when the marking ends).
    pub purge_on: Option<Date>,
    pub created_by: String,
    pub created_at: Micros,
}

/// A place of the register that has a point (a building, an organisation or
/// shop, a facility), with the households whose building it is and the
/// residents of those households.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterMapPlace {
    pub record: RegisterRecord,
    pub households: u64,
    pub residents: u64,
}

/// The register (人、地、事、物、组织) and care marks. Every write records its
/// audit entry in the same transaction; every change of a record keeps the
/// new version in `register_versions`.
#[async_trait]
pub trait RegisterStore {
    /// Insert new records (version 1) all or none; fails with a constraint
    /// error if an id or an id_hash is taken.
    async fn add_register_records(&self, records: &[RegisterRecord], audit: &AuditEntry) -> StoreResult<()>;
    /// Replace a record's grid, parent, name, fields and search text, as
    /// version `record.version` (which must be the stored version plus one,
    /// else a constraint error: someone else changed it).
    async fn update_register_record(&self, record: &RegisterRecord, audit: &AuditEntry) -> StoreResult<()>;
    async fn register_record(&self, id: &str) -> StoreResult<Option<RegisterRecord>>;
    async fn register_record_by_hash(&self, id_hash: &str) -> StoreResult<Option<RegisterRecord>>;
    /// Those of `hashes` already registered (any order).
    async fn registered_id_hashes(&self, hashes: &[String]) -> StoreResult<Vec<String>>;
    async fn register_records(&self, query: &RegisterQuery) -> StoreResult<Vec<RegisterRecord>>;
    /// The buildings, organisations and facilities with a point (`lng` and
    /// `lat` in their fields) in a community subtree or grids, by name, at
    /// most `limit`, each with its households and residents counted.
    async fn register_map_places(
        &self,
        within: Option<&DivisionCode>,
        grids: &[GridCode],
        limit: usize,
    ) -> StoreResult<Vec<RegisterMapPlace>>;
    /// The open care marks of the residents living at these places (in a
    /// household of the building), each with its place's id.
    async fn care_marks_at_places(&self, place_ids: &[String]) -> StoreResult<Vec<(String, CareMarkRecord)>>;
    /// Every version of a record, oldest first.
    async fn register_versions(&self, id: &str) -> StoreResult<Vec<RegisterVersion>>;

    /// Fails with a constraint error if the resident has an open mark.
    async fn add_care_mark(&self, mark: &CareMarkRecord, audit: &AuditEntry) -> StoreResult<()>;
    /// Replace a mark's sealed text, frequency, worker, last visit and end.
    async fn update_care_mark(&self, mark: &CareMarkRecord, audit: &AuditEntry) -> StoreResult<()>;
    async fn care_mark(&self, id: &str) -> StoreResult<Option<CareMarkRecord>>;
    /// Open marks (not ended) in a community subtree or grids, by resident.
    async fn open_care_marks(
        &self,
        within: Option<&DivisionCode>,
        grids: &[GridCode],
    ) -> StoreResult<Vec<CareMarkRecord>>;
    /// The marks in force on some day of `from..=to` (started by `to`, not
    /// ended before `from`), ended ones included, by resident.
    async fn care_marks_during(
        &self,
        within: Option<&DivisionCode>,
        grids: &[GridCode],
        days: (Date, Date),
    ) -> StoreResult<Vec<CareMarkRecord>>;
    /// Delete the sealed reasons of marks whose `purge_on` is on or before
    /// `day`; how many.
    async fn purge_care_reasons(&self, day: Date, audit: &AuditEntry) -> StoreResult<u64>;
}
