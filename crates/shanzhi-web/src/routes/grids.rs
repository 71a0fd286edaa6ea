//! The grid as GeoJSON: `GET /api/v1/grids/{code}` (a Feature),
//! `GET /api/v1/grids/{code}/history` and `GET /api/v1/grids?…`
//! (FeatureCollections, simplified for a map's zoom level when asked).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use geojson::JsonObject;
use jiff::civil::Date;
use serde::Deserialize;
use shanzhi_app::grids::{GridFilter, today};
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{DivisionCode, GridCode, GridKind};
use shanzhi_geo::GridRecord;
use shanzhi_geo::features::{self, simplify_for_zoom};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::ApiQuery;
use crate::openapi::Refusals;
use crate::params;
use crate::schema;
use crate::{ApiError, ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(show)).routes(routes!(history))
}

/// A grid as a GeoJSON Feature (RFC 7946, WGS-84).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct GridFeature {
    /// "Feature"
    r#type: String,
    /// A MultiPolygon.
    #[schema(value_type = Object)]
    geometry: (),
    properties: GridProperties,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct GridProperties {
    code: String,
    /// master, general, micro or dedicated
    kind: String,
    kind_name: String,
    name: String,
    parent_code: Option<String>,
    community_code: String,
    households: Option<u32>,
    valid_from: String,
    valid_to: Option<String>,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct GridCollection {
    /// "FeatureCollection"
    r#type: String,
    features: Vec<GridFeature>,
}

/// GeoJSON with its own media type (RFC 7946).
fn geojson(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/geo+json")], body).into_response()
}

fn to_feature(r: &GridRecord, zoom: Option<u8>) -> geojson::Feature {
    let mut p = JsonObject::new();
    p.insert("code".into(), r.info.code.as_str().into());
    p.insert("kind".into(), r.info.kind.as_str().into());
    p.insert("kind_name".into(), r.info.kind.label_zh().into());
    p.insert("name".into(), r.info.name.clone().into());
    p.insert("parent_code".into(), r.info.parent.as_ref().map(|c| c.as_str().to_owned()).into());
    p.insert("community_code".into(), r.info.community().as_str().to_owned().into());
    p.insert("households".into(), r.info.households.into());
    p.insert("valid_from".into(), r.validity.from.to_string().into());
    p.insert("valid_to".into(), r.validity.to.map(|d| d.to_string()).into());
    let geometry = match zoom {
        Some(z) => simplify_for_zoom(&r.geometry, z),
        None => r.geometry.clone(),
    };
    features::feature(&geometry, p)
}

fn collection(records: &[GridRecord], zoom: Option<u8>) -> Response {
    geojson(features::collection(records.iter().map(|r| to_feature(r, zoom)).collect()).to_string())
}

fn parse_code(text: &str) -> ApiResult<GridCode> {
    GridCode::parse(text).map_err(|m| ApiError::bad_request("invalid_grid_code", m))
}

fn parse_date(text: Option<&str>) -> ApiResult<Date> {
    match text {
        None => Ok(today()),
        Some(t) => t.parse().map_err(|_| {
            ApiError::bad_request(
                "invalid_date",
                Bilingual::new(format!("日期“{t}”应为 YYYY-MM-DD"), format!("date '{t}' must be YYYY-MM-DD")),
            )
        }),
    }
}

fn parse_zoom(zoom: Option<u8>) -> ApiResult<Option<u8>> {
    match zoom {
        Some(z) if z > 22 => Err(ApiError::bad_request(
            "invalid_zoom",
            Bilingual::new("缩放级别应在 0 到 22 之间", "zoom must be within 0..22"),
        )),
        z => Ok(z),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ShowQuery {
    /// 查询哪一天的网格（YYYY-MM-DD，默认今天） / the grid as of this day
    #[param(value_type = Option<schema::DateText>)]
    as_of: Option<String>,
    /// 地图缩放级别 0–22：按级别简化边界 / simplify for this map zoom
    #[param(minimum = 0, maximum = 22)]
    zoom: Option<u8>,
}

/// 一个网格（GeoJSON Feature） / one grid as a GeoJSON Feature.
#[utoipa::path(get, path = "/grids/{code}", operation_id = "showGrid", tag = "grid",
    params(("code" = schema::GridCodeText, Path, description = "15 位网格编码"), ShowQuery),
    responses((status = 200, body = GridFeature, content_type = "application/geo+json"), Refusals))]
async fn show(
    State(state): State<AppState>,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<ShowQuery>,
) -> ApiResult<Response> {
    let code = parse_code(&code)?;
    let record = state.app.grid(&code, parse_date(q.as_of.as_deref())?).await?;
    Ok(geojson(serde_json::to_string(&to_feature(&record, parse_zoom(q.zoom)?)).unwrap_or_default()))
}

/// 一个网格的历次版本 / every version of a grid.
#[utoipa::path(get, path = "/grids/{code}/history", operation_id = "listGridHistory", tag = "grid",
    params(("code" = schema::GridCodeText, Path, description = "15 位网格编码")),
    responses((status = 200, body = GridCollection, content_type = "application/geo+json"), Refusals))]
async fn history(State(state): State<AppState>, Path(code): Path<String>) -> ApiResult<Response> {
    let code = parse_code(&code)?;
    Ok(collection(&state.app.grid_history(&code).await?, None))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// 社区代码 / grids of this community
    #[serde(default, deserialize_with = "params::optional")]
    #[param(value_type = Option<schema::DivisionCodeText>)]
    community: Option<DivisionCode>,
    /// 区划代码：其下全部网格 / grids within this division
    #[serde(default, deserialize_with = "params::optional")]
    #[param(value_type = Option<schema::DivisionCodeText>)]
    within: Option<DivisionCode>,
    /// master, general, micro, dedicated
    #[serde(default, deserialize_with = "params::optional")]
    #[param(value_type = Option<schema::GridKindName>)]
    kind: Option<GridKind>,
    /// 最小经度,最小纬度,最大经度,最大纬度 / minLng,minLat,maxLng,maxLat
    #[param(value_type = Option<schema::BboxText>)]
    bbox: Option<String>,
    /// 地图缩放级别 0–22 / map zoom
    #[param(minimum = 0, maximum = 22)]
    zoom: Option<u8>,
    /// YYYY-MM-DD（默认今天） / as of this day
    #[param(value_type = Option<schema::DateText>)]
    as_of: Option<String>,
}

fn parse_bbox(text: &str) -> ApiResult<[f64; 4]> {
    let bad = || {
        ApiError::bad_request(
            "invalid_bbox",
            Bilingual::new(
                format!("范围“{text}”应为 最小经度,最小纬度,最大经度,最大纬度"),
                format!("bbox '{text}' must be minLng,minLat,maxLng,maxLat"),
            ),
        )
    };
    let v: Vec<f64> = text.split(',').map(|p| p.trim().parse::<f64>()).collect::<Result<_, _>>().map_err(|_| bad())?;
    match v.as_slice() {
        [x0, y0, x1, y1]
            if v.iter().all(|c| c.is_finite())
                && x0 <= x1
                && y0 <= y1
                && (-180.0..=180.0).contains(x0)
                && (-180.0..=180.0).contains(x1)
                && (-90.0..=90.0).contains(y0)
                && (-90.0..=90.0).contains(y1) =>
        {
            Ok([*x0, *y0, *x1, *y1])
        }
        _ => Err(bad()),
    }
}

/// 网格（GeoJSON FeatureCollection），按社区、区划、类型、范围筛选 / grids as GeoJSON.
#[utoipa::path(get, path = "/grids", operation_id = "listGrids", tag = "grid", params(ListQuery),
    responses((status = 200, body = GridCollection, content_type = "application/geo+json"), Refusals))]
async fn list(State(state): State<AppState>, ApiQuery(q): ApiQuery<ListQuery>) -> ApiResult<Response> {
    let filter = GridFilter {
        as_of: Some(parse_date(q.as_of.as_deref())?),
        community: q.community,
        within: q.within,
        kind: q.kind,
        bbox: q.bbox.as_deref().map(parse_bbox).transpose()?,
        codes: Vec::new(),
    };
    let zoom = parse_zoom(q.zoom)?;
    Ok(collection(&state.app.grids(&filter).await?, zoom))
}
