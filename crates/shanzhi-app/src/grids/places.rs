//! The place search and the reverse lookup over the grid in force (the
//! gazetteer is built with the point index, so both are in memory).

use serde::Serialize;
use shanzhi_geo::Crs;
use shanzhi_geo::places::{MAX_QUERY_CHARS, MAX_RESULTS, Place, short_name};

use crate::{App, AppError, AppResult};

/// What lies at a point, in words: `总府路社区 · 第1网格`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlaceAt {
    pub found: bool,
    /// Community · finest grid (empty outside every grid).
    pub text: String,
    /// District, town, community · grid.
    pub full_text: String,
    pub district: Option<String>,
    pub town: Option<String>,
    pub community: Option<String>,
    /// The finest grid's name.
    pub grid: Option<String>,
    /// Its code (for links; people read `grid`).
    pub grid_code: Option<String>,
}

fn refuse(zh: String, en: String) -> AppError {
    AppError::bad_request("invalid_place_query", zh, en)
}

impl App {
    /// Places named like `query` (division, community, grid and landmark
    /// names, landmark addresses; every space-separated word must match),
    /// best first, at most `limit` (1–50).
    pub fn search_places(&self, query: &str, limit: usize) -> AppResult<Vec<Place>> {
        let q = query.trim();
        if q.is_empty() {
            return Err(refuse("请输入要查找的地名".into(), "enter a place name to search for".into()));
        }
        if q.chars().count() > MAX_QUERY_CHARS {
            return Err(refuse(
                format!("地名最多 {MAX_QUERY_CHARS} 个字"),
                format!("a place name has at most {MAX_QUERY_CHARS} characters"),
            ));
        }
        // NUL never gets here (refused with every query string); other
        // control characters simply match nothing.
        if !(1..=MAX_RESULTS).contains(&limit) {
            return Err(refuse(
                format!("limit 应在 1 到 {MAX_RESULTS} 之间"),
                format!("limit must be within 1..{MAX_RESULTS}"),
            ));
        }
        let state = self.grid_index.current.load();
        Ok(state.index.places().search(q, limit).into_iter().cloned().collect())
    }

    /// The names at a WGS-84 point: community and finest grid, with district
    /// and town.
    pub fn place_at(&self, lng: f64, lat: f64) -> AppResult<PlaceAt> {
        let answer = self.locate(lng, lat, Crs::Wgs84)?;
        let Some(l) = answer.location else {
            return Ok(PlaceAt {
                found: false,
                text: String::new(),
                full_text: String::new(),
                district: None,
                town: None,
                community: None,
                grid: None,
                grid_code: None,
            });
        };
        let cell = l.micro_grid.or(l.general_grid).or(l.dedicated_grid).or(l.master_grid);
        let community = l.community.name.as_deref().map(|n| short_name(n).to_owned());
        // Generated grids repeat their community (`总府路社区第1网格`): the
        // text names it once.
        let grid = cell.as_ref().map(|c| {
            let within = community.as_deref().and_then(|n| c.name.strip_prefix(n)).filter(|rest| !rest.is_empty());
            within.unwrap_or(&c.name).to_owned()
        });
        let text = [community.clone(), grid.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · ");
        let above = [l.district.name.clone(), l.town.name.clone()].into_iter().flatten().collect::<Vec<_>>().join(" ");
        Ok(PlaceAt {
            found: true,
            full_text: if above.is_empty() { text.clone() } else { format!("{above} {text}") },
            text,
            district: l.district.name,
            town: l.town.name,
            community,
            grid,
            grid_code: cell.map(|c| c.code.as_str().to_owned()),
        })
    }
}
