//! The map's figures: open matters per cell in a box, and a cell's open
//! matters. What a map shows follows the Open311 rule: the public
//! development line, plus whatever the viewer's own scope covers.

use std::collections::BTreeMap;

use serde::Serialize;
use shanzhi_domain::{GridCode, MatterState};
use shanzhi_store::MatterQuery;

use super::MatterView;
use crate::access::Scoped;
use crate::{AppError, AppResult};

/// Open matters per micro/general grid and per community grid (`…000`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct OpenCounts {
    pub by_grid: BTreeMap<String, u64>,
    pub by_general: BTreeMap<String, u64>,
    pub by_community: BTreeMap<String, u64>,
    /// The box held more than the map reads at once.
    pub truncated: bool,
}

/// How many matters one box reads; zoom in for more.
const MAP_LIMIT: usize = 5000;

impl Scoped<'_> {
    pub async fn open_counts(&self, bbox: [f64; 4]) -> AppResult<OpenCounts> {
        let [x0, y0, x1, y1] = bbox;
        if !(x0 <= x1 && y0 <= y1 && x1 - x0 <= 2.0 && y1 - y0 <= 2.0) {
            return Err(AppError::BadRequest {
                code: "invalid_bbox",
                message: shanzhi_domain::text::Bilingual::new(
                    "范围应为 最小经度,最小纬度,最大经度,最大纬度，且不超过 2°×2°",
                    "bbox must be minLng,minLat,maxLng,maxLat and at most 2°×2°",
                ),
            });
        }
        let query = MatterQuery {
            scope: self.open311_scope(),
            states: MatterState::open(),
            bbox: Some(bbox),
            limit: MAP_LIMIT,
            ..MatterQuery::default()
        };
        let rows = self.app.store.matters(&query).await?;
        let mut out = OpenCounts { truncated: rows.len() >= MAP_LIMIT, ..OpenCounts::default() };
        for m in &rows {
            *out.by_grid.entry(m.grid.to_string()).or_default() += 1;
            if let Some(g) = &m.general_grid {
                *out.by_general.entry(g.to_string()).or_default() += 1;
            }
            *out.by_community.entry(format!("{}000", m.grid.community().as_str())).or_default() += 1;
        }
        Ok(out)
    }

    /// The open matters of a cell (and the cells under it), newest first.
    pub async fn cell_matters(&self, code: &str) -> AppResult<Vec<MatterView>> {
        let code = GridCode::parse(code).map_err(|m| AppError::BadRequest { code: "invalid_grid_code", message: m })?;
        let mut query = MatterQuery {
            scope: self.open311_scope(),
            states: MatterState::open(),
            limit: 20,
            ..MatterQuery::default()
        };
        if code.sequence() == 0 {
            query.within = Some(code.community());
        } else {
            query.grid = Some(code);
        }
        let rows = self.app.store.matters(&query).await?;
        let mut out = Vec::with_capacity(rows.len());
        for m in &rows {
            out.push(self.list_view(m).await?);
        }
        Ok(out)
    }
}
