//! `/api/v1/departments`: the registry of departments and their members.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use shanzhi_app::access::DepartmentView;
use shanzhi_domain::DivisionCode;

use crate::extract::{ApiJson, ApiQuery, Caller};
use crate::{ApiError, AppState};

pub fn routes() -> Router<AppState> {
    Router::new().route("/departments", get(list).post(create)).route("/departments/{code}", get(show))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    within: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<DepartmentView>>, ApiError> {
    let within = q
        .within
        .as_deref()
        .map(|w| DivisionCode::parse(w).map_err(|e| ApiError::bad_request("invalid_division_code", e.message(w))))
        .transpose()?;
    Ok(Json(state.app.scoped(actor).departments(within.as_ref()).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    code: String,
    name: String,
}

async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(b): ApiJson<CreateBody>,
) -> Result<(StatusCode, Json<DepartmentView>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.app.scoped(actor).create_department(&b.code, &b.name).await?)))
}

async fn show(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(code): Path<String>,
) -> Result<Json<DepartmentView>, ApiError> {
    Ok(Json(state.app.scoped(actor).department(&code).await?))
}
