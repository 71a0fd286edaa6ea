//! `GET /healthz`: the store answered just now; backend and schema version.

use axum::Json;
use axum::extract::State;
use shanzhi_app::health::Health;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::{ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(healthz))
}

/// 健康检查：数据库可用、结构版本 / the store answers; backend and schema version.
#[utoipa::path(get, path = "/healthz", operation_id = "getHealth", tag = "system",
    responses((status = 200, body = Health), (status = 503, body = crate::openapi::ErrorBody)))]
async fn healthz(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    Ok(Json(state.app.health().await?))
}
