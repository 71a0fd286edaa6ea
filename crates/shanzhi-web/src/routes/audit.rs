//! `GET /api/v1/audit?after=&limit=`: the admin audit log.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use shanzhi_app::access::AuditDesk;
use shanzhi_domain::audit::AuditRecord;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{ApiQuery, Caller};
use crate::openapi::Refusals;
use crate::{ApiError, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    /// 从该序号之后读起 / entries after this sequence number
    after: Option<i64>,
    /// 条数（默认 100） / how many (default 100)
    limit: Option<usize>,
}

/// 审计日志（哈希链） / the audit log, a hash chain.
#[utoipa::path(get, path = "/audit", operation_id = "listAuditEntries", tag = "system", params(AuditQuery),
    responses((status = 200, body = Vec<AuditRecord>), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]

async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<Vec<AuditRecord>>, ApiError> {
    Ok(Json(
        state.app.scoped(actor).desk::<AuditDesk>()?.audit_log(q.after.unwrap_or(0), q.limit.unwrap_or(100)).await?,
    ))
}
