//! `/api/v1/departments`: the registry of departments and their members.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use serde::Deserialize;
use shanzhi_app::access::AdminDesk;
use shanzhi_app::access::DepartmentView;
use shanzhi_domain::DivisionCode;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{Api, ApiJson, ApiQuery};
use crate::openapi::Refusals;
use crate::schema;
use crate::{ApiError, ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(show))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// 区划代码：只列该区划内的部门 / only departments within this division
    #[param(value_type = Option<schema::DivisionCodeText>)]
    within: Option<String>,
}

/// 部门名录 / the departments.
#[utoipa::path(get, path = "/departments", operation_id = "listDepartments", tag = "people", params(ListQuery),
    responses((status = 200, body = Vec<DepartmentView>), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn list(api: Api, ApiQuery(q): ApiQuery<ListQuery>) -> ApiResult<Json<Vec<DepartmentView>>> {
    let within = q
        .within
        .as_deref()
        .map(|w| DivisionCode::parse(w).map_err(|e| ApiError::bad_request("invalid_division_code", e.message(w))))
        .transpose()?;
    Ok(Json(api.scoped().departments(within.as_ref()).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewDepartment {
    #[schema(value_type = schema::DepartmentCodeText)]
    code: String,
    #[schema(min_length = 1, max_length = 50)]
    name: String,
}

/// 新建部门（代码为“区划-简称”，如 510104-chengguan） / create a department.
#[utoipa::path(post, path = "/departments", operation_id = "createDepartment", tag = "people", request_body(content = NewDepartment, example = json!({"code": "510104-shuiwu", "name": "锦江区水务局"})),
    responses((status = 201, body = DepartmentView), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn create(api: Api, ApiJson(b): ApiJson<NewDepartment>) -> ApiResult<(StatusCode, Json<DepartmentView>)> {
    Ok((StatusCode::CREATED, Json(api.scoped().desk::<AdminDesk>()?.create_department(&b.code, &b.name).await?)))
}

/// 一个部门及其成员 / one department and its members.
#[utoipa::path(get, path = "/departments/{code}", operation_id = "showDepartment", tag = "people",
    params(("code" = schema::DepartmentCodeText, Path, description = "部门代码，如 510104-chengguan")),
    responses((status = 200, body = DepartmentView), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn show(api: Api, Path(code): Path<String>) -> ApiResult<Json<DepartmentView>> {
    Ok(Json(api.scoped().department(&code).await?))
}
