//! `GET /api/v1/audit?after=&limit=`: the admin audit log.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use shanzhi_store::AuditRecord;

use crate::extract::{ApiQuery, Caller};
use crate::{ApiError, AppState};

pub fn routes() -> Router<AppState> {
    Router::new().route("/audit", get(list))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditQuery {
    after: Option<i64>,
    limit: Option<usize>,
}

async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<Vec<AuditRecord>>, ApiError> {
    Ok(Json(state.app.scoped(actor).audit_log(q.after.unwrap_or(0), q.limit.unwrap_or(100)).await?))
}
