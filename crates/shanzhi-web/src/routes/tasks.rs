//! Tasks (任务) over HTTP: `/tasks` (the tasks given in a community or
//! street; give one), `/tasks/mine` (a grid worker's), `/tasks/{id}` (with
//! its checklist and progress per grid), `/tasks/{id}/sites/{seq}` (mark a
//! site) and `/tasks/{id}/complete`; `/indicators/grid-work` (the figures
//! of the grid workers' work: tasks on time, patrol coverage, proactive
//! discovery).

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use serde::Deserialize;
use shanzhi_app::figures::FigureQuery;
use shanzhi_app::tasks::{GridTask, GridTaskCompletion, GridTaskDetail, GridTaskInput, GridTaskMark, GridWorkAnswer};
use shanzhi_domain::DivisionCode;
use shanzhi_domain::indicators::{Period, UnitKind};
use utoipa_axum::router::OpenApiRouter;

use crate::extract::{Api, ApiJson, ApiQuery};
use crate::openapi::Refusals;
use crate::params;
use crate::schema;
use crate::{ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    api_router![list, create; mine; show; mark; complete; grid_work]
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// 社区或街道（默认本人所在） / the community or street (default: the caller's own)
    #[param(value_type = Option<schema::DivisionCodeText>)]
    division: Option<String>,
    /// 只看未完成的 / open tasks only
    #[serde(default)]
    open: bool,
}

/// 社区或街道交办的任务（未完成的在前，按截止时间） / the tasks given in a community or street.
#[utoipa::path(get, path = "/tasks", operation_id = "listGridTasks", tag = "tasks", params(ListParams),
    responses((status = 200, body = Vec<GridTask>), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn list(api: Api, ApiQuery(p): ApiQuery<ListParams>) -> ApiResult<Json<Vec<GridTask>>> {
    Ok(Json(api.scoped().tasks_given(p.division.as_deref(), p.open).await?))
}

/// 交办任务（给网格员或网格；点位取自登记或逐一列出，最多 2000 个；截止日须为工作日） / give a task.
#[utoipa::path(post, path = "/tasks", operation_id = "assignGridTask", tag = "tasks",
    request_body(content = GridTaskInput, example = json!({"title": "全部商铺消防安全检查", "due_on": "2026-12-04",
        "grids": ["510104022006001"], "register_kinds": ["organisation"]})),
    responses((status = 201, body = GridTaskDetail), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn create(api: Api, ApiJson(b): ApiJson<GridTaskInput>) -> ApiResult<(StatusCode, Json<GridTaskDetail>)> {
    Ok((StatusCode::CREATED, Json(api.scoped().assign_task(&b).await?)))
}

/// 我的任务（交给本人或本人网格的；逾期的在前） / my tasks as a grid worker, the overdue first.
#[utoipa::path(get, path = "/tasks/mine", operation_id = "myGridTasks", tag = "tasks",
    responses((status = 200, body = Vec<GridTask>), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn mine(api: Api) -> ApiResult<Json<Vec<GridTask>>> {
    Ok(Json(api.scoped().my_tasks().await?))
}

/// 一个任务：点位清单、各网格进度 / a task with its checklist and the progress per grid.
#[utoipa::path(get, path = "/tasks/{id}", operation_id = "showGridTask", tag = "tasks",
    params(("id" = String, Path, max_length = 64)), responses((status = 200, body = GridTaskDetail), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn show(api: Api, Path(id): Path<String>) -> ApiResult<Json<GridTaskDetail>> {
    Ok(Json(api.scoped().task(&id).await?))
}

/// 标记一个点位：已完成或发现问题（须说明），可附照片和上报的事件 / mark a site.
#[utoipa::path(put, path = "/tasks/{id}/sites/{seq}", operation_id = "markGridTaskSite", tag = "tasks",
    params(("id" = String, Path, max_length = 64), ("seq" = i64, Path, minimum = 1, maximum = 2000)),
    request_body(content = GridTaskMark, example = json!({"state": "problem", "note": "灭火器已过期"})),
    responses((status = 200, body = GridTaskDetail), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn mark(
    api: Api,
    Path((id, seq)): Path<(String, i64)>,
    ApiJson(b): ApiJson<GridTaskMark>,
) -> ApiResult<Json<GridTaskDetail>> {
    Ok(Json(api.scoped().mark_task_site(&id, seq, &b).await?))
}

/// 完成任务（全部点位检查后），填写结果 / complete a task once every site is checked.
#[utoipa::path(post, path = "/tasks/{id}/complete", operation_id = "completeGridTask", tag = "tasks",
    params(("id" = String, Path, max_length = 64)),
    request_body(content = GridTaskCompletion, example = json!({"result": "全部检查完毕"})),
    responses((status = 200, body = GridTaskDetail), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn complete(
    api: Api,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<GridTaskCompletion>,
) -> ApiResult<Json<GridTaskDetail>> {
    Ok(Json(api.scoped().complete_task(&id, &b).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct GridWorkQuery {
    /// 时段：2026-11（月）、2026-11-28、2026-W48、2026-Q4、2026 / the period
    #[serde(deserialize_with = "params::required")]
    #[param(value_type = schema::PeriodText)]
    period: Period,
    /// community、grid 或 worker
    #[serde(deserialize_with = "params::required")]
    #[param(value_type = schema::UnitKindName)]
    by: UnitKind,
    /// 街道或社区（默认本人所在） / a street or community (default: the caller's own)
    #[serde(default, deserialize_with = "params::optional")]
    #[param(value_type = Option<schema::DivisionCodeText>)]
    within: Option<DivisionCode>,
}

/// 网格工作指标：任务按时完成率、巡查覆盖率、主动发现率（按社区、网格或网格员） / the grid-work figures.
#[utoipa::path(get, path = "/indicators/grid-work", operation_id = "gridWorkFigures", tag = "figures",
    params(GridWorkQuery), responses((status = 200, body = GridWorkAnswer), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn grid_work(api: Api, ApiQuery(q): ApiQuery<GridWorkQuery>) -> ApiResult<Json<GridWorkAnswer>> {
    let query = FigureQuery { period: q.period, by: q.by, within: q.within, line: None };
    Ok(Json(api.scoped().grid_work_figures(&query).await?))
}
