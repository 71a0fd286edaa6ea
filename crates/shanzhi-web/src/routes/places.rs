//! `GET /api/v1/places?q=`: the place search; `GET /api/v1/places/at?lng=&lat=`:
//! what lies at a point, in words (`总府路社区 · 第1网格`).

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use shanzhi_app::grids::PlaceAt;
use shanzhi_geo::places::Place;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::ApiQuery;
use crate::openapi::Refusals;
use crate::{ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search)).routes(routes!(at))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct SearchQuery {
    /// 地名：区县、街道、社区、网格、地标名称或地址，空格分开的每个词都须出现 / a place name: district, town,
    /// community, grid or landmark name, or an address; every space-separated word must match
    #[param(min_length = 1, max_length = 50, pattern = r"\S", example = "总府路")]
    q: String,
    /// 最多返回几个（默认 10）/ most places returned (default 10)
    #[param(minimum = 1, maximum = 50)]
    limit: Option<usize>,
}

/// 地名检索 / search places by name or address.
#[utoipa::path(get, path = "/places", operation_id = "searchPlaces", tag = "grid", params(SearchQuery),
    responses((status = 200, body = Vec<Place>), Refusals))]
async fn search(State(state): State<AppState>, ApiQuery(q): ApiQuery<SearchQuery>) -> ApiResult<Json<Vec<Place>>> {
    Ok(Json(state.app.search_places(&q.q, q.limit.unwrap_or(10))?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct AtQuery {
    /// 经度（WGS-84）/ longitude
    #[param(minimum = -180, maximum = 180)]
    lng: f64,
    /// 纬度（WGS-84）/ latitude
    #[param(minimum = -90, maximum = 90)]
    lat: f64,
}

/// 此处是哪里：社区 · 网格 / the community and grid at a point, in words.
#[utoipa::path(get, path = "/places/at", operation_id = "placeAt", tag = "grid", params(AtQuery),
    responses((status = 200, body = PlaceAt), Refusals))]
async fn at(State(state): State<AppState>, ApiQuery(q): ApiQuery<AtQuery>) -> ApiResult<Json<PlaceAt>> {
    Ok(Json(state.app.place_at(q.lng, q.lat)?))
}
