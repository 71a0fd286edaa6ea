//! The in-memory point index, rebuilt when the stored grid changes (its
//! revision counter moves) or the day turns (versions begin and end by day).
//! A rebuild happens off the async threads and is swapped in whole: readers
//! keep the old index until the new one is ready and never wait.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use arc_swap::ArcSwap;
use jiff::civil::Date;
use serde::Serialize;
use shanzhi_domain::DivisionCode;
use shanzhi_geo::{Crs, GridIndex, IndexInput, Location};
use shanzhi_store::GridQuery;
use tokio::sync::Mutex;

use super::today;
use crate::{App, AppError, AppResult};

#[derive(Debug)]
pub(super) struct IndexState {
    pub(super) index: GridIndex,
    day: Option<Date>,
}

/// Holds the current index; one rebuild at a time.
#[derive(Debug)]
pub struct IndexHolder {
    pub(super) current: ArcSwap<IndexState>,
    rebuilding: Mutex<()>,
}

impl Default for IndexHolder {
    fn default() -> Self {
        IndexHolder {
            current: ArcSwap::from_pointee(IndexState {
                index: GridIndex::build(vec![], HashMap::new(), -1),
                day: None,
            }),
            rebuilding: Mutex::new(()),
        }
    }
}

/// The answer of `locate`: the point as given, as WGS-84, and where it falls.
#[derive(Debug, Clone, Serialize)]
pub struct LocateAnswer {
    pub crs: Crs,
    pub input: [f64; 2],
    pub wgs84: [f64; 2],
    pub found: bool,
    #[serde(flatten)]
    pub location: Option<Location>,
}

impl App {
    /// Rebuild the point index if the grid changed since it was built.
    /// Returns whether it rebuilt.
    pub async fn refresh_grid_index(&self) -> AppResult<bool> {
        let _one_at_a_time = self.grid_index.rebuilding.lock().await;
        let revision = self.store.grid_revision().await?;
        let day = today();
        let state = self.grid_index.current.load();
        if state.index.revision() == revision && state.day == Some(day) {
            return Ok(false);
        }
        let grids = self.store.grids(&GridQuery::as_of(day)).await?;
        let mut codes: BTreeSet<DivisionCode> = BTreeSet::new();
        for g in &grids {
            let community = g.info.community();
            codes.extend(community.ancestors());
            codes.insert(community);
        }
        let codes: Vec<DivisionCode> = codes.into_iter().collect();
        let names = self.division_names(&codes).await?;
        let inputs: Vec<IndexInput> =
            grids.into_iter().map(|g| IndexInput { info: g.info, geometry: g.geometry }).collect();
        let count = inputs.len();
        let started = std::time::Instant::now();
        let index = tokio::task::spawn_blocking(move || GridIndex::build(inputs, names, revision))
            .await
            .map_err(|e| AppError::Store(shanzhi_store::StoreError::Database(format!("index build failed: {e}"))))?;
        self.grid_index.current.store(Arc::new(IndexState { index, day: Some(day) }));
        tracing::info!(
            grids = count,
            revision,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "grid index rebuilt"
        );
        Ok(true)
    }

    /// The revision of the grid the index was built from (-1: not built).
    pub fn grid_index_revision(&self) -> i64 {
        self.grid_index.current.load().index.revision()
    }

    /// Where a point falls on the current grid. Coordinates in `crs` are
    /// converted to WGS-84 first.
    pub fn locate(&self, lng: f64, lat: f64, crs: Crs) -> AppResult<LocateAnswer> {
        if !lng.is_finite() || !lat.is_finite() || !(-180.0..=180.0).contains(&lng) || !(-90.0..=90.0).contains(&lat) {
            return Err(AppError::bad_request(
                "invalid_coordinates",
                format!("坐标无效：经度应在 -180 到 180 之间，纬度应在 -90 到 90 之间（收到 {lng}, {lat}）"),
                format!(
                    "invalid coordinates: longitude must be within -180..180 and latitude within -90..90 (got {lng}, {lat})"
                ),
            ));
        }
        let (x, y) = crs.to_wgs84(lng, lat);
        let location = self.grid_index.current.load().index.locate(x, y);
        Ok(LocateAnswer { crs, input: [lng, lat], wgs84: [x, y], found: location.is_some(), location })
    }
}
