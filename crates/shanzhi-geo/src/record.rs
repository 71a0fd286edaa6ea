//! A grid as kept over time: its facts, the days it was valid, its shape.

use geo_types::MultiPolygon;
use shanzhi_domain::{GridInfo, Validity};

/// One version of a grid.
#[derive(Debug, Clone, PartialEq)]
pub struct GridRecord {
    pub info: GridInfo,
    pub validity: Validity,
    pub geometry: MultiPolygon<f64>,
}
