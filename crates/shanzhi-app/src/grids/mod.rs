//! 一张网格: import, generate and read the grid; locate points on it.

mod generate;
mod import;
mod index;
mod places;

use jiff::civil::Date;
use shanzhi_domain::{DivisionCode, GridCode, GridKind};
use shanzhi_geo::GridRecord;
use shanzhi_store::GridQuery;

use crate::{App, AppError, AppResult};

pub use generate::{GenerateRequest, MicroChoice, generate_grid_features, grid_collection_json};
pub use import::{GridImportOptions, GridImportRejection, GridImportReport};
pub use index::{IndexHolder, LocateAnswer};
pub use places::PlaceAt;

/// Today in China (UTC+8, no daylight saving): grid versions change by day.
pub fn today() -> Date {
    jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(8))).date()
}

/// Which grids a listing asks for: the versions valid on `as_of` (today by
/// default), narrowed by the optional filters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GridFilter {
    pub as_of: Option<Date>,
    pub community: Option<DivisionCode>,
    /// Only grids whose community lies under this division.
    pub within: Option<DivisionCode>,
    pub kind: Option<GridKind>,
    /// Only grids whose box meets this one (min lng, min lat, max lng, max lat).
    pub bbox: Option<[f64; 4]>,
    /// Only these grids (empty: any).
    pub codes: Vec<GridCode>,
}

/// Most grids one listing may return; narrow by community, box or kind.
pub const MAX_LISTED: usize = 10_000;

impl App {
    /// The version of a grid valid on `as_of`.
    pub async fn grid(&self, code: &GridCode, as_of: Date) -> AppResult<GridRecord> {
        let history = self.grid_history(code).await?;
        history.into_iter().find(|r| r.validity.contains(as_of)).ok_or_else(|| {
            AppError::not_found(
                "grid_not_valid_on_date",
                format!("网格 {code} 在 {as_of} 不存在（已撤销或尚未启用），请查看其历史"),
                format!("grid {code} is not valid on {as_of} (retired or not yet in force); see its history"),
            )
        })
    }

    /// Every version of a grid, oldest first; not found if it never existed.
    pub async fn grid_history(&self, code: &GridCode) -> AppResult<Vec<GridRecord>> {
        let history = self.store.grid_history(code).await?;
        if history.is_empty() {
            return Err(AppError::not_found(
                "grid_not_found",
                format!("未找到网格 {code}"),
                format!("grid {code} not found"),
            ));
        }
        Ok(history)
    }

    /// Grids matching `filter` (at most [`MAX_LISTED`]).
    pub async fn grids(&self, filter: &GridFilter) -> AppResult<Vec<GridRecord>> {
        let query = GridQuery {
            communities: filter.community.iter().cloned().collect(),
            within: filter.within.clone(),
            kind: filter.kind,
            bbox: filter.bbox,
            codes: filter.codes.clone(),
            limit: Some(MAX_LISTED + 1),
            ..GridQuery::as_of(filter.as_of.unwrap_or_else(today))
        };
        let grids = self.store.grids(&query).await?;
        if grids.len() > MAX_LISTED {
            return Err(AppError::invalid(
                "too_many_grids",
                shanzhi_domain::text::Bilingual::new(
                    format!("符合条件的网格超过 {MAX_LISTED} 个，请按社区、范围或类型缩小查询"),
                    format!("more than {MAX_LISTED} grids match; narrow by community, box or kind"),
                ),
            ));
        }
        Ok(grids)
    }
}
