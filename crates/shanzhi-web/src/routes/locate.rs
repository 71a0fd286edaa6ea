//! `GET /api/v1/locate?lng=&lat=&crs=wgs84|gcj02|bd09`: where a point falls.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use shanzhi_app::grids::LocateAnswer;
use shanzhi_domain::text::Bilingual;
use shanzhi_geo::Crs;
use shanzhi_geo::index::{CellRef, DivisionRef};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::ApiQuery;
use crate::openapi::Refusals;
use crate::schema;
use crate::{ApiError, ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(locate))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct LocateQuery {
    /// 经度 / longitude
    #[param(minimum = -180, maximum = 180)]
    lng: f64,
    /// 纬度 / latitude
    #[param(minimum = -90, maximum = 90)]
    lat: f64,
    /// wgs84（默认）、gcj02 或 bd09 / the coordinate system
    #[param(value_type = Option<schema::CrsName>)]
    crs: Option<String>,
}

/// `LocateAnswer` as JSON: the place's fields sit beside the input's, and
/// are absent when the point is outside every grid (`found: false`).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct Located {
    crs: Crs,
    input: [f64; 2],
    wgs84: [f64; 2],
    found: bool,
    micro_grid: Option<CellRef>,
    general_grid: Option<CellRef>,
    dedicated_grid: Option<CellRef>,
    master_grid: Option<CellRef>,
    #[schema(required = false)]
    community: Option<DivisionRef>,
    #[schema(required = false)]
    town: Option<DivisionRef>,
    #[schema(required = false)]
    district: Option<DivisionRef>,
}

/// 定位：一个点落在哪个网格、社区、街道、区县 / which grid, community, town and district a point is in.
#[utoipa::path(get, path = "/locate", operation_id = "locatePoint", tag = "grid", params(LocateQuery),
    responses((status = 200, body = Located), Refusals))]
async fn locate(State(state): State<AppState>, ApiQuery(q): ApiQuery<LocateQuery>) -> ApiResult<Json<LocateAnswer>> {
    let crs = match q.crs.as_deref() {
        None => Crs::Wgs84,
        Some(text) => text.parse().map_err(|m: Bilingual| ApiError::bad_request("invalid_crs", m))?,
    };
    Ok(Json(state.app.locate(q.lng, q.lat, crs)?))
}
