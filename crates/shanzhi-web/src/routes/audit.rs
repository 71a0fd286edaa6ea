//! `GET /api/v1/audit?after=&limit=`: the admin audit log.

use axum::Json;
use serde::Deserialize;
use shanzhi_app::access::AuditDesk;
use shanzhi_domain::audit::AuditRecord;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{Api, ApiQuery};
use crate::openapi::Refusals;
use crate::{ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    /// 从该序号之后读起 / entries after this sequence number
    #[param(minimum = 0)]
    after: Option<i64>,
    /// 条数（默认 100） / how many (default 100)
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<usize>,
}

/// 审计日志（哈希链） / the audit log, a hash chain.
#[utoipa::path(get, path = "/audit", operation_id = "listAuditEntries", tag = "system", params(AuditQuery),
    responses((status = 200, body = Vec<AuditRecord>), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn list(api: Api, ApiQuery(q): ApiQuery<AuditQuery>) -> ApiResult<Json<Vec<AuditRecord>>> {
    Ok(Json(api.scoped().desk::<AuditDesk>()?.audit_log(q.after.unwrap_or(0), q.limit.unwrap_or(100)).await?))
}
