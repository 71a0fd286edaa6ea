//! `/register/map`: the register's places that have a point (buildings,
//! organisations and shops, facilities) as GeoJSON, with households and
//! residents counted; care counts only for those who may see care.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shanzhi_app::register::RegisterMapQuery;
use utoipa_axum::router::OpenApiRouter;

use crate::extract::{Api, ApiQuery};
use crate::openapi::Refusals;
use crate::schema;
use crate::{ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    api_router![map]
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct MapParams {
    /// 网格（默认本人网格或社区） / the grid (default: the caller's own)
    #[param(value_type = Option<schema::GridCodeText>)]
    grid: Option<String>,
    /// 社区 / the community
    #[param(value_type = Option<schema::CommunityCodeText>)]
    community: Option<String>,
}

/// A place as a GeoJSON Feature (RFC 7946, WGS-84 point).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct RegisterPlaceFeature {
    /// "Feature"
    r#type: String,
    id: String,
    /// A Point.
    #[schema(value_type = Object)]
    geometry: (),
    properties: RegisterPlaceProperties,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct RegisterPlaceProperties {
    id: String,
    /// 楼栋、单位和商户、公共设施
    kind: String,
    /// building, organisation or facility
    kind_code: String,
    /// 名称或地址 / the name or address
    name: String,
    address: Option<String>,
    /// 网格名称 / the grid's name
    grid: Option<String>,
    grid_code: Option<String>,
    /// 住户数 / households at this place
    households: u64,
    /// 居民数 / residents at this place
    residents: u64,
    /// 关爱对象数（仅有关爱权限者可见，否则无此键） / care marks here (only for those who may see care)
    care: Option<u64>,
    /// 今日到期的关爱走访 / care visits due today
    care_due: Option<u64>,
    /// 逾期的关爱走访 / care visits overdue
    care_overdue: Option<u64>,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct RegisterMapProperties {
    /// 超过 5000 处，未全部列出 / more than 5,000 places: not all are listed
    truncated: bool,
    count: u64,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct RegisterPlaceCollection {
    /// "FeatureCollection"
    r#type: String,
    features: Vec<RegisterPlaceFeature>,
    properties: RegisterMapProperties,
}

/// 登记地图：有坐标的楼栋、单位和商户、公共设施及其住户、居民数（最多 5000 处；关爱数仅对有关爱权限者） / the register's places as GeoJSON.
#[utoipa::path(get, path = "/register/map", operation_id = "registerMap", tag = "register", params(MapParams),
    responses((status = 200, body = RegisterPlaceCollection, content_type = "application/geo+json"), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn map(api: Api, ApiQuery(p): ApiQuery<MapParams>) -> ApiResult<Response> {
    let map = api.scoped().register_map(&RegisterMapQuery { grid: p.grid, community: p.community }).await?;
    let body = serde_json::to_string(&map.geojson()).unwrap_or_default();
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], body).into_response())
}
