//! Geometry for Shanzhi: the point-to-grid index, GeoJSON in and out,
//! coordinate systems (WGS-84, GCJ-02, BD-09), topology checks and the
//! deterministic generator of Chengdu's grid.

pub mod crs;
pub mod features;
pub mod generate;
pub mod index;
pub mod places;
mod prepared;
mod record;
pub mod topology;

pub use crs::Crs;
pub use index::{GridIndex, IndexInput, Location};
pub use record::GridRecord;
