//! A patrol's check-ins: where a grid worker was, when, and what they saw.

use serde::Serialize;

use crate::grid::GridCode;
use crate::instant::Micros;

/// One check-in of a patrol.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PatrolPoint {
    pub seq: i64,
    pub at: Micros,
    pub lng: f64,
    pub lat: f64,
    /// The grid the point located to, if any.
    pub grid: Option<GridCode>,
    pub households_visited: u32,
    pub note: Option<String>,
}

/// One position of a patrol's GPS track, as the phone sampled it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrackPoint {
    /// When the phone took it.
    pub at: Micros,
    pub lng: f64,
    pub lat: f64,
}
