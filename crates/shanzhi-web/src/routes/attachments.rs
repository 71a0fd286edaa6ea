//! `POST /api/v1/attachments` (the image as the body) and
//! `GET /api/v1/attachments/{id}`; `POST /api/v1/hotline/import` (a CSV or
//! XLSX export as the body).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use shanzhi_app::matters::{AttachmentView, HotlineImportReport};

use crate::extract::Caller;
use crate::{ApiError, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/attachments", post(upload))
        .route("/attachments/{id}", get(download))
        .route("/hotline/import", post(hotline))
}

async fn upload(
    State(state): State<AppState>,
    Caller(actor): Caller,
    body: Bytes,
) -> Result<(StatusCode, Json<AttachmentView>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.app.scoped(actor).upload(&body).await?)))
}

async fn download(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (content_type, data) = state.app.scoped(actor).attachment(&id).await?;
    Ok(([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "private, max-age=86400".to_owned())], data)
        .into_response())
}

async fn hotline(
    State(state): State<AppState>,
    Caller(actor): Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<HotlineImportReport>, ApiError> {
    let is_xlsx =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|c| c.contains("spreadsheetml"));
    let name = if is_xlsx { "orders.xlsx" } else { "orders.csv" };
    Ok(Json(state.app.scoped(actor).import_hotline(&body, name).await?))
}
