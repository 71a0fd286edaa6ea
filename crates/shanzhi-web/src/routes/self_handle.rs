//! `POST /api/v1/matters/self-handle`: 自行处置, a grid worker's report and
//! its handling on the spot in one step.

use axum::Json;
use axum::http::StatusCode;
use serde::Deserialize;
use shanzhi_app::matters::{IntakeRequest, MatterView, SelfHandleRequest};
use shanzhi_geo::Crs;

use utoipa_axum::router::OpenApiRouter;

use crate::extract::{Api, ApiJson};
use crate::openapi::Refusals;
use crate::schema;
use crate::{ApiError, ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    api_router![self_handle]
}

/// What the grid worker found, where, what they did, and the photos.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct SelfHandleBody {
    /// 允许自行处置的事项分类（小类） / a category that allows it
    #[schema(value_type = schema::CategoryCodeText)]
    category: String,
    /// 现场位置，须在本人网格内 / the position, inside the worker's own grid
    #[schema(minimum = -180, maximum = 180)]
    lng: f64,
    #[schema(minimum = -90, maximum = 90)]
    lat: f64,
    /// wgs84（默认）、gcj02 或 bd09
    #[schema(value_type = Option<schema::CrsName>)]
    crs: Option<String>,
    /// 发现的问题 / what was found (1–4000)
    #[schema(min_length = 1, max_length = 4000)]
    description: String,
    #[schema(max_length = 200)]
    address: Option<String>,
    /// 处置情况 / what was done (1–2000)
    #[schema(min_length = 1, max_length = 2000)]
    text: String,
    /// 处置前照片（已上传的附件 id，可选） / photos before (uploaded attachments)
    #[serde(default)]
    #[schema(max_items = 9)]
    before: Vec<String>,
    /// 处置后照片（至少一张） / photos after (at least one)
    #[schema(min_items = 1, max_items = 9)]
    after: Vec<String>,
}

/// 自行处置：网格员在本网格上报并当场处置结案（须分类允许、附处置后照片） /
/// a grid worker reports and handles a matter on the spot, closing it.
#[utoipa::path(post, path = "/matters/self-handle", operation_id = "selfHandleMatter", tag = "matters",
    request_body(content = SelfHandleBody, example = json!({"category": "0507", "lng": 104.11912, "lat": 30.60931, "description": "楼道口堆放纸箱杂物", "text": "已联系商户清理完毕", "after": ["019aa5f0-0000-7000-8000-000000000000"]})),
    responses((status = 201, body = MatterView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn self_handle(api: Api, ApiJson(b): ApiJson<SelfHandleBody>) -> ApiResult<(StatusCode, Json<MatterView>)> {
    let crs = match b.crs.as_deref() {
        None => None,
        Some(t) => Some(t.parse::<Crs>().map_err(|m| ApiError::bad_request("invalid_crs", m))?),
    };
    let report = IntakeRequest {
        category: b.category,
        lng: Some(b.lng),
        lat: Some(b.lat),
        crs,
        description: b.description,
        address: b.address,
        attachments: b.before,
        ..IntakeRequest::default()
    };
    let request = SelfHandleRequest { report, text: b.text, after: b.after, after_photos: Vec::new() };
    Ok((StatusCode::CREATED, Json(api.scoped().self_handle(request).await?)))
}
