//! People, their assignments and the roster: `/api/v1/users…`, `/api/v1/roster`.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use jiff::civil::Date;
use serde::Deserialize;
use shanzhi_app::access::AdminDesk;
use shanzhi_app::access::{AssignmentView, NewStaff, RosterEntry, UserView};
use shanzhi_domain::{DivisionCode, Role};

use utoipa_axum::router::OpenApiRouter;

use crate::extract::{Api, ApiJson, ApiQuery};
use crate::openapi::Refusals;
use crate::schema;
use crate::{ApiError, ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    api_router![create; show; work_phone; assign; end; roster]
}

fn parse_role(text: &str) -> ApiResult<Role> {
    text.parse().map_err(|m| ApiError::bad_request("invalid_role", m))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewUser {
    #[schema(pattern = "^[a-z][a-z0-9_.-]{2,31}$", example = "chunxi_dispatcher")]
    username: String,
    #[schema(min_length = 1, max_length = 50)]
    display_name: String,
    #[schema(value_type = Option<schema::PhoneText>)]
    phone: Option<String>,
    #[schema(min_length = 10, max_length = 128)]
    password: Option<String>,
    /// admin, supervisor, dispatcher, community_worker, grid_worker, dept_handler, resident
    #[schema(value_type = schema::RoleName)]
    role: String,
    /// 区划代码、网格编码或部门代码 / a division, grid or department code
    scope: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    valid_from: Option<Date>,
    #[schema(value_type = Option<String>, format = Date)]
    valid_to: Option<Date>,
}

/// 新建人员及其首个任职 / create a person with a first assignment.
#[utoipa::path(post, path = "/users", operation_id = "createUser", tag = "people", request_body(content = NewUser, example = json!({"username": "chunxi_grid_07", "display_name": "王芳", "role": "grid_worker", "scope": "510104022006001", "password": "Grid-Worker-2026"})),
    responses((status = 201, body = UserView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn create(api: Api, ApiJson(b): ApiJson<NewUser>) -> ApiResult<(StatusCode, Json<UserView>)> {
    let new = NewStaff {
        role: parse_role(&b.role)?,
        username: b.username,
        display_name: b.display_name,
        phone: b.phone,
        password: b.password,
        scope: b.scope,
        from: b.valid_from,
        to: b.valid_to,
    };
    Ok((StatusCode::CREATED, Json(api.scoped().desk::<AdminDesk>()?.create_user(new).await?)))
}

/// 一个人员 / one person.
#[utoipa::path(get, path = "/users/{username}", operation_id = "showUser", tag = "people", params(("username" = schema::UsernameText, Path)),
    responses((status = 200, body = UserView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn show(api: Api, Path(username): Path<String>) -> ApiResult<Json<UserView>> {
    Ok(Json(api.scoped().user(&username).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct WorkPhoneBody {
    /// 公开的工作电话；null 为清除 / the public work phone; null clears it
    #[schema(value_type = Option<schema::WorkPhoneText>)]
    work_phone: Option<String>,
}

/// 设置公开工作电话（社区公开页展示，不是私人手机） / set the public work phone shown on the community's page.
#[utoipa::path(put, path = "/users/{username}/work-phone", operation_id = "setWorkPhone", tag = "people",
    params(("username" = schema::UsernameText, Path)), request_body(content = WorkPhoneBody, example = json!({"work_phone": "028-86612345"})),
    responses((status = 200, body = UserView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn work_phone(
    api: Api,
    Path(username): Path<String>,
    ApiJson(b): ApiJson<WorkPhoneBody>,
) -> ApiResult<Json<UserView>> {
    let scoped = api.scoped();
    scoped.desk::<AdminDesk>()?.set_work_phone(&username, b.work_phone.as_deref()).await?;
    Ok(Json(scoped.user(&username).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct AssignBody {
    #[schema(value_type = schema::RoleName)]
    role: String,
    scope: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    valid_from: Option<Date>,
    #[schema(value_type = Option<String>, format = Date)]
    valid_to: Option<Date>,
}

/// 增加任职（角色 + 范围 + 任期） / add an assignment.
#[utoipa::path(post, path = "/users/{username}/assignments", operation_id = "assignRole", tag = "people",
    params(("username" = schema::UsernameText, Path)), request_body(content = AssignBody, example = json!({"role": "dispatcher", "scope": "510104022000", "valid_from": "2026-12-01"})),
    responses((status = 201, body = AssignmentView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn assign(
    api: Api,
    Path(username): Path<String>,
    ApiJson(b): ApiJson<AssignBody>,
) -> ApiResult<(StatusCode, Json<AssignmentView>)> {
    let role = parse_role(&b.role)?;
    let view = api
        .scoped()
        .desk::<AdminDesk>()?
        .add_assignment(&username, role, b.scope.as_deref(), b.valid_from, b.valid_to)
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[derive(Debug, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct EndBody {
    /// 结束日期（默认今天） / last day (default today)
    #[schema(value_type = Option<String>, format = Date)]
    on: Option<Date>,
}

/// 结束任职 / end an assignment.
#[utoipa::path(post, path = "/users/{username}/assignments/{id}/end", operation_id = "endAssignment", tag = "people",
    params(("username" = schema::UsernameText, Path), ("id" = String, Path)), request_body(content = EndBody, example = json!({"on": "2026-12-31"})),
    responses((status = 200, body = AssignmentView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn end(
    api: Api,
    Path((username, id)): Path<(String, String)>,
    ApiJson(b): ApiJson<EndBody>,
) -> ApiResult<Json<AssignmentView>> {
    Ok(Json(api.scoped().desk::<AdminDesk>()?.end_assignment(&username, &id, b.on).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct RosterQuery {
    /// 区划代码 / within this division
    #[param(value_type = schema::DivisionCodeText)]
    division: String,
}

/// 花名册：区划内的在岗人员 / the roster of a division.
#[utoipa::path(get, path = "/roster", operation_id = "showRoster", tag = "people", params(RosterQuery),
    responses((status = 200, body = Vec<RosterEntry>), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn roster(api: Api, ApiQuery(q): ApiQuery<RosterQuery>) -> ApiResult<Json<Vec<RosterEntry>>> {
    let division = DivisionCode::parse(&q.division)
        .map_err(|e| ApiError::bad_request("invalid_division_code", e.message(&q.division)))?;
    Ok(Json(api.scoped().roster(&division).await?))
}
