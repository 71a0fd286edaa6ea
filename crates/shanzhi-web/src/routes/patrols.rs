//! `/api/v1/patrols`: start, check in, end; read patrols and coverage.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use serde::Deserialize;
use shanzhi_app::access::PatrolDesk;
use shanzhi_app::access::{CheckIn, CoverageRow, MAX_TRACK_BATCH, PatrolView};
use shanzhi_domain::patrol::TrackPoint;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{DivisionCode, Micros};
use shanzhi_geo::Crs;

use utoipa_axum::router::OpenApiRouter;

use crate::extract::{Api, ApiJson, ApiQuery};
use crate::openapi::Refusals;
use crate::params;
use crate::schema;
use crate::{ApiError, ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    api_router![list, start; coverage; show; check_in; end; add_track, track]
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct StartBody {
    /// 网格编码 / the grid walked
    #[schema(value_type = schema::GridCodeText)]
    grid: String,
}

/// 网格员开始巡查 / a grid worker starts a patrol.
#[utoipa::path(post, path = "/patrols", operation_id = "startPatrol", tag = "people", request_body(content = StartBody, example = json!({"grid": "510104022006001"})),
    responses((status = 201, body = PatrolView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn start(api: Api, ApiJson(b): ApiJson<StartBody>) -> ApiResult<(StatusCode, Json<PatrolView>)> {
    Ok((StatusCode::CREATED, Json(api.scoped().desk::<PatrolDesk>()?.start_patrol(&b.grid).await?)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CheckInBody {
    #[schema(minimum = -180, maximum = 180)]
    lng: f64,
    #[schema(minimum = -90, maximum = 90)]
    lat: f64,
    #[schema(value_type = Option<schema::CrsName>)]
    crs: Option<String>,
    #[serde(default)]
    #[schema(maximum = 1000)]
    households_visited: u32,
    #[schema(max_length = 500)]
    note: Option<String>,
}

/// 巡查打卡（位置、走访户数、备注） / a located check-in.
#[utoipa::path(post, path = "/patrols/{id}/check-ins", operation_id = "checkInPatrol", tag = "people",
    params(("id" = String, Path)), request_body(content = CheckInBody, example = json!({"lng": 104.11912, "lat": 30.60931, "households_visited": 3, "note": "走访独居老人两户"})),
    responses((status = 200, body = PatrolView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn check_in(api: Api, Path(id): Path<String>, ApiJson(b): ApiJson<CheckInBody>) -> ApiResult<Json<PatrolView>> {
    let crs = match b.crs.as_deref() {
        None => Crs::Wgs84,
        Some(t) => t.parse().map_err(|m: Bilingual| ApiError::bad_request("invalid_crs", m))?,
    };
    let point = CheckIn { lng: b.lng, lat: b.lat, crs, households_visited: b.households_visited, note: b.note };
    Ok(Json(api.scoped().desk::<PatrolDesk>()?.check_in(&id, point).await?))
}

/// 结束巡查 / end a patrol.
#[utoipa::path(post, path = "/patrols/{id}/end", operation_id = "endPatrol", tag = "people", params(("id" = String, Path)),
    responses((status = 200, body = PatrolView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn end(api: Api, Path(id): Path<String>) -> ApiResult<Json<PatrolView>> {
    Ok(Json(api.scoped().desk::<PatrolDesk>()?.end_patrol(&id).await?))
}

/// 一次巡查 / one patrol.
#[utoipa::path(get, path = "/patrols/{id}", operation_id = "showPatrol", tag = "people", params(("id" = String, Path)),
    responses((status = 200, body = PatrolView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn show(api: Api, Path(id): Path<String>) -> ApiResult<Json<PatrolView>> {
    Ok(Json(api.scoped().patrol(&id).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct SpanQuery {
    /// 区划代码 / within this division
    #[serde(deserialize_with = "params::required")]
    #[param(value_type = schema::DivisionCodeText)]
    division: DivisionCode,
    /// RFC 3339 instants, e.g. 2026-11-01T00:00:00+08:00.
    #[serde(default, deserialize_with = "params::instant")]
    #[param(value_type = Option<schema::InstantText>)]
    from: Option<Micros>,
    #[serde(default, deserialize_with = "params::instant")]
    #[param(value_type = Option<schema::InstantText>)]
    to: Option<Micros>,
}

/// 区划内的巡查 / patrols within a division.
#[utoipa::path(get, path = "/patrols", operation_id = "listPatrols", tag = "people", params(SpanQuery),
    responses((status = 200, body = Vec<PatrolView>), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn list(api: Api, ApiQuery(q): ApiQuery<SpanQuery>) -> ApiResult<Json<Vec<PatrolView>>> {
    let SpanQuery { division, from, to } = q;
    Ok(Json(api.scoped().patrols(&division, from, to).await?))
}

/// 各一般网格的巡查覆盖 / patrol coverage per general grid.
#[utoipa::path(get, path = "/patrols/coverage", operation_id = "showPatrolCoverage", tag = "people", params(SpanQuery),
    responses((status = 200, body = Vec<CoverageRow>), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn coverage(api: Api, ApiQuery(q): ApiQuery<SpanQuery>) -> ApiResult<Json<Vec<CoverageRow>>> {
    let SpanQuery { division, from, to } = q;
    Ok(Json(api.scoped().patrol_coverage(&division, from, to).await?))
}

/// One sampled position as the phone sends it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct TrackPointBody {
    /// WGS-84
    #[schema(minimum = -180, maximum = 180)]
    lng: f64,
    #[schema(minimum = -90, maximum = 90)]
    lat: f64,
    /// 采样时间（RFC 3339，不晚于现在） / when it was taken (not in the future)
    #[schema(value_type = schema::InstantText)]
    at: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct TrackBody {
    /// 1–500 个点；每次巡查最多 20000 个 / 1–500 points; a patrol keeps at most 20,000
    #[schema(min_items = 1, max_items = 500)]
    points: Vec<TrackPointBody>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
struct TrackAnswer {
    /// 该巡查已记录的轨迹点数 / the points the patrol's track holds now
    total: usize,
}

/// 提交巡查轨迹点（手机每约 30 秒采样一次） / add sampled positions to an open patrol's GPS track.
#[utoipa::path(post, path = "/patrols/{id}/track", operation_id = "addPatrolTrack", tag = "people", params(("id" = String, Path)),
    request_body(content = TrackBody, example = json!({"points": [{"lng": 104.11912, "lat": 30.60931, "at": "2026-11-30T09:00:00+08:00"}]})),
    responses((status = 200, body = TrackAnswer), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn add_track(api: Api, Path(id): Path<String>, ApiJson(b): ApiJson<TrackBody>) -> ApiResult<Json<TrackAnswer>> {
    if b.points.len() > MAX_TRACK_BATCH {
        return Err(ApiError::bad_request(
            "invalid_track",
            Bilingual::new(
                format!("每次提交 1–{MAX_TRACK_BATCH} 个轨迹点"),
                format!("send 1–{MAX_TRACK_BATCH} track points at a time"),
            ),
        ));
    }
    let mut points = Vec::with_capacity(b.points.len());
    for (i, p) in b.points.iter().enumerate() {
        let at = p.at.parse::<jiff::Timestamp>().map_err(|_| {
            ApiError::bad_request(
                "invalid_track",
                Bilingual::new(
                    format!("第 {} 个轨迹点的时间不是 RFC 3339", i + 1),
                    format!("track point {} has no RFC 3339 time", i + 1),
                ),
            )
        })?;
        points.push(TrackPoint { at: Micros::from(at), lng: p.lng, lat: p.lat });
    }
    let total = api.scoped().desk::<PatrolDesk>()?.add_track(&id, &points).await?;
    Ok(Json(TrackAnswer { total }))
}

/// One position of a track as the API gives it back: the time as sent in
/// (RFC 3339), not the store's microseconds.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
struct TrackPointView {
    /// 采样时间（RFC 3339） / when it was taken
    #[schema(value_type = schema::InstantText)]
    at: String,
    lng: f64,
    lat: f64,
}

/// 巡查轨迹 / a patrol's GPS track, in the order it was taken.
#[utoipa::path(get, path = "/patrols/{id}/track", operation_id = "showPatrolTrack", tag = "people", params(("id" = String, Path)),
    responses((status = 200, body = Vec<TrackPointView>), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn track(api: Api, Path(id): Path<String>) -> ApiResult<Json<Vec<TrackPointView>>> {
    let points = api.scoped().patrol_track(&id).await?;
    Ok(Json(points.into_iter().map(|p| TrackPointView { at: p.at.to_string(), lng: p.lng, lat: p.lat }).collect()))
}
