//! `POST /api/v1/attachments` (the image as the body) and
//! `GET /api/v1/attachments/{id}`; `POST /api/v1/hotline/import` (a CSV or
//! XLSX export as the body).

use axum::Json;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shanzhi_app::access::DispatchDesk;
use shanzhi_app::matters::{AttachmentView, HotlineImportReport};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::client::ClientInfo;
use crate::extract::Api;
use crate::openapi::{Binary, Refusals};
use crate::{ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(upload)).routes(routes!(download)).routes(routes!(hotline))
}

/// 上传照片（JPEG、PNG 或 WebP，≤ 5 MiB），上报或处置时引用其 id / upload a photo.
#[utoipa::path(post, path = "/attachments", operation_id = "uploadAttachment", tag = "attachments",
    request_body(content = inline(Binary), content_type = "image/jpeg", description = "图片字节 / the image bytes"),
    responses((status = 201, body = AttachmentView), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn upload(api: Api, client: ClientInfo, body: Bytes) -> ApiResult<(StatusCode, Json<AttachmentView>)> {
    api.state.throttles.uploads.check(client.ip)?;
    Ok((StatusCode::CREATED, Json(api.scoped().upload(&body).await?)))
}

/// A stored photo as an answer: its checked type, never sniffed, and sandboxed
/// (a file that is also HTML or script can run nothing, here or framed).
pub(crate) fn photo_response(content_type: String, data: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "private, max-age=86400".to_owned()),
            (header::CONTENT_DISPOSITION, "inline; filename=\"photo\"".to_owned()),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; img-src 'self'; sandbox".to_owned()),
        ],
        data,
    )
        .into_response()
}

/// 下载照片（仅限可见该事件者） / a photo, for those who may see its matter.
#[utoipa::path(get, path = "/attachments/{id}", operation_id = "downloadAttachment", tag = "attachments",
    params(("id" = String, Path, description = "附件 id")),
    responses((status = 200, content_type = "image/jpeg", body = inline(Binary), description = "图片 / the image"), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn download(api: Api, Path(id): Path<String>) -> ApiResult<Response> {
    let (content_type, data) = api.scoped().attachment(&id).await?;
    Ok(photo_response(content_type, data))
}

/// 导入 12345 热线工单（CSV 或 XLSX，整体校验，按工单编号幂等） / import hotline orders.
#[utoipa::path(post, path = "/hotline/import", operation_id = "importHotlineOrders", tag = "attachments",
    request_body(content = String, content_type = "text/csv", description = "12345 导出文件（CSV 或 XLSX） / the export", example = json!("工单编号,来电时间,诉求内容,事项分类,经度,纬度\nGD202611300001,2026-11-30 09:12:00,总府路路灯不亮,0110,104.11912,30.60931\n")),
    responses((status = 200, body = HotlineImportReport), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn hotline(api: Api, headers: HeaderMap, body: Bytes) -> ApiResult<Json<HotlineImportReport>> {
    let is_xlsx =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|c| c.contains("spreadsheetml"));
    let name = if is_xlsx { "orders.xlsx" } else { "orders.csv" };
    Ok(Json(api.scoped().desk::<DispatchDesk>()?.import_hotline(&body, name).await?))
}
