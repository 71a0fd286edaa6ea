//! Stored text back into domain values, so that a corrupt row is reported the
//! same way on every engine.

use geo::BoundingRect;
use geo_types::MultiPolygon;
use shanzhi_domain::{CodeSystem, Division, DivisionCode, DivisionLevel, DivisionName, GridCode, GridInfo, Validity};

use shanzhi_store::{GridRecord, StoreError, StoreResult};
use shanzhi_store_sql_macros::SqlRow;

pub(crate) fn division(code_system: &str, code: &str, name: &str) -> StoreResult<Division> {
    Ok(Division {
        code_system: code_system.parse().map_err(StoreError::corrupt)?,
        code: DivisionCode::parse(code).map_err(|e| StoreError::corrupt(format!("{code}: {e}")))?,
        name: DivisionName::parse(name).map_err(StoreError::corrupt)?,
    })
}

pub(crate) fn level(text: &str) -> StoreResult<DivisionLevel> {
    text.parse().map_err(StoreError::corrupt)
}

/// Rows of a batch that are new, and rows whose name changed, given the names
/// already stored for the batch's codes. New rows come parents first.
pub(crate) fn split_upsert<'a>(
    batch: &'a [Division],
    stored_name: impl Fn(CodeSystem, &DivisionCode) -> Option<&'a str>,
) -> (Vec<&'a Division>, Vec<&'a Division>, u64) {
    let mut new = Vec::new();
    let mut renamed = Vec::new();
    let mut unchanged = 0;
    for d in batch {
        match stored_name(d.code_system, &d.code) {
            None => new.push(d),
            Some(name) if name != d.name.as_str() => renamed.push(d),
            Some(_) => unchanged += 1,
        }
    }
    new.sort_by(|a, b| (a.level(), &a.code).cmp(&(b.level(), &b.code)));
    (new, renamed, unchanged)
}

/// A grid row as stored: text and numbers.
#[derive(Debug, SqlRow)]
pub(crate) struct GridRow {
    pub code: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub kind: String,
    pub name: String,
    pub parent_code: Option<String>,
    pub households: Option<i64>,
    pub geometry: String,
}

/// The columns a grid read selects, in `GridRow` order.
pub(crate) const GRID_COLUMNS: &str = "code, valid_from, valid_to, kind, name, parent_code, households, geometry";

pub(crate) fn grid(row: GridRow) -> StoreResult<GridRecord> {
    let code = GridCode::parse(&row.code).map_err(StoreError::corrupt)?;
    let date = |s: &str| s.parse::<jiff::civil::Date>().map_err(|e| StoreError::corrupt(format!("{s}: {e}")));
    Ok(GridRecord {
        info: GridInfo {
            kind: row.kind.parse().map_err(StoreError::corrupt)?,
            name: row.name,
            parent: row.parent_code.as_deref().map(GridCode::parse).transpose().map_err(StoreError::corrupt)?,
            households: row.households.map(|h| u32::try_from(h).map_err(StoreError::corrupt)).transpose()?,
            code,
        },
        validity: Validity { from: date(&row.valid_from)?, to: row.valid_to.as_deref().map(date).transpose()? },
        geometry: shanzhi_geo::features::decode_geometry(&row.geometry)
            .map_err(|e| StoreError::corrupt(format!("{}: {e}", row.code)))?,
    })
}

/// The bounding box stored beside a geometry, for box queries.
pub(crate) fn bbox(geometry: &MultiPolygon<f64>) -> [f64; 4] {
    geometry.bounding_rect().map_or([0.0; 4], |r| [r.min().x, r.min().y, r.max().x, r.max().y])
}
