use async_trait::async_trait;
use geo_types::MultiPolygon;
use jiff::civil::Date;
use serde::Serialize;
use shanzhi_domain::{DivisionCode, GridCode, GridInfo, GridKind, WorkPhone};

use crate::{AuditEntry, StoreResult};

pub use shanzhi_geo::GridRecord;

/// Most workers [`GridStore::community_grid_contacts`] lists for one grid.
pub const MAX_WORKERS_PER_GRID: usize = 10;

/// Which grid versions to read: those valid on `as_of`, narrowed by the
/// optional filters.
#[derive(Debug, Clone)]
pub struct GridQuery {
    pub as_of: Date,
    /// Only these communities (empty: any).
    pub communities: Vec<DivisionCode>,
    /// Only grids whose community lies under this division (a town, a district).
    pub within: Option<DivisionCode>,
    pub kind: Option<GridKind>,
    /// Only grids whose bounding box meets this one (min lng, min lat, max lng, max lat).
    pub bbox: Option<[f64; 4]>,
    /// Only these grids (empty: any).
    pub codes: Vec<GridCode>,
    /// Only grids whose name contains this or whose code begins with it.
    pub name_or_code: Option<String>,
    /// At most this many, in code order.
    pub limit: Option<usize>,
}

impl GridQuery {
    pub fn as_of(as_of: Date) -> Self {
        GridQuery {
            as_of,
            communities: Vec::new(),
            within: None,
            kind: None,
            bbox: None,
            codes: Vec::new(),
            name_or_code: None,
            limit: None,
        }
    }
}

/// A re-cut, applied in one transaction: the current versions of `retire`
/// and of every code in `insert` end on `effective` (a version that began on
/// that very day is replaced instead), and the `insert` versions begin then.
#[derive(Debug, Clone)]
pub struct GridChangeSet {
    pub effective: Date,
    pub retire: Vec<GridCode>,
    pub insert: Vec<(GridInfo, MultiPolygon<f64>)>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct GridWriteCounts {
    /// Versions that began.
    pub opened: u64,
    /// Versions that ended (or were replaced the same day).
    pub closed: u64,
    /// The grid revision after the change.
    pub revision: i64,
}

/// A current grid of a community without its geometry, with the grid
/// workers assigned to it: what the community's public page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridContactRecord {
    pub code: GridCode,
    pub kind: GridKind,
    pub name: String,
    /// Its grid workers on the day (enabled accounts), in account order.
    pub workers: Vec<GridWorkerContact>,
}

/// A grid worker's public face: the name and the opt-in work phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridWorkerContact {
    pub user_id: String,
    pub name: String,
    pub work_phone: Option<WorkPhone>,
}

/// The grid (网格), with its history.
#[async_trait]
pub trait GridStore {
    /// Apply a re-cut atomically and bump the grid revision. Fails, changing
    /// nothing, if a community is unknown or a current version began after
    /// `effective`.
    async fn apply_grid_changes(&self, changes: &GridChangeSet, audit: &AuditEntry) -> StoreResult<GridWriteCounts>;

    /// Versions valid on `query.as_of`, in code order.
    async fn grids(&self, query: &GridQuery) -> StoreResult<Vec<GridRecord>>;

    /// The grids of `community` valid on `day` (at most `limit`, in code
    /// order; no geometry), each with the grid workers assigned to it that
    /// day (at most [`MAX_WORKERS_PER_GRID`] each, in account order).
    async fn community_grid_contacts(
        &self,
        community: &DivisionCode,
        day: Date,
        limit: usize,
    ) -> StoreResult<Vec<GridContactRecord>>;

    /// The names of the grids `codes` valid on `day` (no geometry read):
    /// what a list of thousands of grids shows. Codes not valid that day are
    /// left out.
    async fn grid_names(&self, codes: &[GridCode], day: Date) -> StoreResult<Vec<(GridCode, String)>>;

    /// Every version of one grid, oldest first.
    async fn grid_history(&self, code: &GridCode) -> StoreResult<Vec<GridRecord>>;

    /// Counts each change to the grid; servers compare it to know when to
    /// rebuild their index.
    async fn grid_revision(&self) -> StoreResult<i64>;
}
