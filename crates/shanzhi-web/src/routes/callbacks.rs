//! 满意度回访 (docs/callbacks.md): `GET /api/v1/callbacks` (the clerk's task
//! list with the script), `POST /api/v1/callbacks/{id}/attempts` (one call),
//! `GET|PUT /api/v1/callbacks/settings` (sampling and attempts),
//! `GET /api/v1/indicators/callback-rates` (the 三率), and
//! `GET /api/v1/exports/hotline-results` (results back to 12345 after a cursor).

use axum::Json;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shanzhi_app::callbacks::results::{MAX_RESULTS, parse_cursor};
use shanzhi_app::callbacks::{CallbackAttempt, CallbackRatesAnswer, CallbackTaskPage, CallbackTaskView, MAX_PAGE};
use shanzhi_app::figures::SheetFormat;
use shanzhi_domain::callback::{CallbackSettings, CallbackState};
use utoipa_axum::router::OpenApiRouter;

use super::figures::{DashboardQuery, XLSX, disposition, file_download};
use crate::extract::{Api, ApiJson, ApiQuery};
use crate::openapi::{Binary, Refusals};
use crate::params;
use crate::schema;
use crate::{ApiError, ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    api_router![
        callback_tasks;
        record_attempt;
        callback_settings, put_callback_settings;
        callback_rates;
        hotline_results
    ]
}

impl params::Param for CallbackState {
    const CODE: &'static str = "invalid_callback_state";
    fn parse(text: &str) -> Result<Self, shanzhi_domain::text::Bilingual> {
        text.parse()
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct TaskQuery {
    /// open（默认）、done 或 invalid / the state
    #[serde(default, deserialize_with = "params::optional")]
    #[param(value_type = Option<schema::CallbackStateName>)]
    state: Option<CallbackState>,
    /// 上一页的 next / the previous page's next
    #[param(value_type = Option<schema::CallbackPageText>)]
    after: Option<String>,
    /// 每页条数（1–200，默认 50） / tasks per page
    #[param(minimum = 1, maximum = 200)]
    limit: Option<usize>,
}

/// 回访任务（话术、三个问题，在本人辖区内） / the call-back task list with the script.
#[utoipa::path(get, path = "/callbacks", operation_id = "listCallbacks", tag = "matters", params(TaskQuery),
    responses((status = 200, body = CallbackTaskPage), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn callback_tasks(api: Api, ApiQuery(q): ApiQuery<TaskQuery>) -> ApiResult<Json<CallbackTaskPage>> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::bad_request(
            "invalid_limit",
            shanzhi_domain::text::Bilingual::new("limit 应为 1–200", "limit is 1–200"),
        ));
    }
    let states = q.state.into_iter().collect();
    Ok(Json(api.scoped().callback_tasks(states, q.after.as_deref(), limit).await?))
}

/// 记录一次回访：未接通（稍后再拨，满 N 次为无效回访），或三个问题的回答 / record one call.
#[utoipa::path(post, path = "/callbacks/{id}/attempts", operation_id = "recordCallback", tag = "matters",
    params(("id" = schema::CallbackTaskIdText, Path, description = "回访任务 / the task")),
    request_body(content = CallbackAttempt, example = json!({"reached": true, "contacted": true, "solved": true, "satisfaction": "satisfied"})),
    responses((status = 200, body = CallbackTaskView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn record_attempt(
    api: Api,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CallbackAttempt>,
) -> ApiResult<Json<CallbackTaskView>> {
    Ok(Json(api.scoped().record_callback(&id, &body).await?))
}

/// 回访设置：抽样比例（全局与按单位）、最多拨打次数、话术 / the call-back settings.
#[utoipa::path(get, path = "/callbacks/settings", operation_id = "showCallbackSettings", tag = "matters",
    responses((status = 200, body = CallbackSettings), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn callback_settings(api: Api) -> ApiResult<Json<CallbackSettings>> {
    let scoped = api.scoped();
    if scoped.actor().is_anonymous() {
        return Err(ApiError::from(shanzhi_app::AppError::Unauthorized(shanzhi_domain::text::Bilingual::new(
            "请先登录",
            "sign in first",
        ))));
    }
    Ok(Json(scoped.callback_settings().await?))
}

/// 修改回访设置（系统管理员） / set them (an administrator).
#[utoipa::path(put, path = "/callbacks/settings", operation_id = "putCallbackSettings", tag = "matters",
    request_body(content = CallbackSettings, example = json!({"share": 30, "units": {"department:510104-chengguan": 100, "510104022": 50}, "max_attempts": 3, "script": "您好，这里是 12345 热线回访……"})),
    responses((status = 200, body = CallbackSettings), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn put_callback_settings(
    api: Api,
    ApiJson(body): ApiJson<CallbackSettings>,
) -> ApiResult<Json<CallbackSettings>> {
    Ok(Json(api.scoped().put_callback_settings(&body).await?))
}

/// 回访“三率”：响应率、解决率、满意率（有效回访为分母，按记录导出计算） / the 三率 of call-backs.
#[utoipa::path(get, path = "/indicators/callback-rates", operation_id = "showCallbackRates", tag = "figures",
    params(DashboardQuery), responses((status = 200, body = CallbackRatesAnswer), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn callback_rates(api: Api, ApiQuery(q): ApiQuery<DashboardQuery>) -> ApiResult<Json<CallbackRatesAnswer>> {
    Ok(Json(api.scoped().callback_rates(&q.query()).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ResultsQuery {
    /// csv（默认）或 xlsx / the file format
    #[param(value_type = Option<schema::FormatName>)]
    format: Option<String>,
    /// 上次返回的游标（X-Next-Cursor），首次为 0 / the cursor returned last time
    #[param(value_type = Option<schema::ResultCursorText>)]
    after: Option<String>,
    /// 本次最多行数（1–1000，默认 1000） / rows at most
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<usize>,
}

/// 办理结果回传 12345：工单编号、办理结果、回复内容、办结时间、承办单位、满意度；按游标续传（响应头 X-Next-Cursor） / results back to 12345 after a cursor.
#[utoipa::path(get, path = "/exports/hotline-results", operation_id = "exportHotlineResults", tag = "figures",
    params(ResultsQuery),
    responses(
        (status = 200, content_type = "text/csv", body = String, headers(("X-Next-Cursor" = String, description = "下次的 after / the next after"))),
        (status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = inline(Binary)),
        Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn hotline_results(api: Api, ApiQuery(q): ApiQuery<ResultsQuery>) -> ApiResult<Response> {
    let format = match q.format.as_deref() {
        None => SheetFormat::Csv,
        Some(f) => f.parse::<SheetFormat>().map_err(|m| ApiError::bad_request("invalid_format", m))?,
    };
    let after = match q.after.as_deref() {
        None => 0,
        Some(a) => parse_cursor(a)?,
    };
    let limit = q.limit.unwrap_or(MAX_RESULTS);
    if !(1..=MAX_RESULTS).contains(&limit) {
        return Err(ApiError::bad_request(
            "invalid_limit",
            shanzhi_domain::text::Bilingual::new("limit 应为 1–1000", "limit is 1–1000"),
        ));
    }
    let results = api.scoped().hotline_results(after, limit).await?;
    let cursor = HeaderValue::from(results.next_cursor);
    let name = format!("12345-results-{after}-{}", results.next_cursor);
    let mut response = match format {
        SheetFormat::Csv => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CONTENT_DISPOSITION, disposition(&format!("{name}.csv"))),
            ],
            results.csv(),
        )
            .into_response(),
        SheetFormat::Xlsx => file_download(results.xlsx().await?, &format!("{name}.xlsx"), XLSX),
    };
    response.headers_mut().insert("x-next-cursor", cursor);
    Ok(response)
}
