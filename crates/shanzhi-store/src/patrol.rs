use async_trait::async_trait;
use serde::Serialize;
use shanzhi_domain::{DivisionCode, GridCode};

use crate::StoreResult;
use shanzhi_domain::Micros;

pub use shanzhi_domain::patrol::{PatrolPoint, TrackPoint};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatrolRecord {
    pub id: String,
    pub user_id: String,
    pub grid: GridCode,
    pub started_at: Micros,
    pub ended_at: Option<Micros>,
    pub points: Vec<PatrolPoint>,
}

/// Which patrols to read: those of a grid subtree or division, overlapping a time span.
#[derive(Debug, Clone)]
pub struct PatrolQuery {
    pub within: Option<DivisionCode>,
    pub grids: Vec<GridCode>,
    pub user_id: Option<String>,
    pub from: Option<Micros>,
    pub to: Option<Micros>,
}

/// 巡查: a grid worker's rounds.
#[async_trait]
pub trait PatrolStore {
    async fn start_patrol(&self, patrol: &PatrolRecord) -> StoreResult<()>;
    /// Append a check-in to an open patrol; fails if it has ended.
    async fn add_patrol_point(&self, patrol_id: &str, point: &PatrolPoint) -> StoreResult<i64>;
    /// End an open patrol; fails if already ended.
    async fn end_patrol(&self, patrol_id: &str, at: Micros) -> StoreResult<()>;
    async fn patrol(&self, id: &str) -> StoreResult<Option<PatrolRecord>>;
    /// Append positions to an open patrol's GPS track, all or none; fails
    /// (`Constraint`) if the patrol is unknown or ended, or if the track would
    /// hold more than `max` points. The track's length after.
    async fn add_patrol_track(&self, patrol_id: &str, points: &[TrackPoint], max: usize) -> StoreResult<usize>;
    /// A patrol's track in the order it was sent.
    async fn patrol_track(&self, patrol_id: &str) -> StoreResult<Vec<TrackPoint>>;
    /// Patrols matching `query`, newest first, points included.
    async fn patrols(&self, query: &PatrolQuery) -> StoreResult<Vec<PatrolRecord>>;
}
