//! Visits (走访) and the 民情日志 over HTTP: `/visits` (record, with an
//! Idempotency-Key so that a resend never makes two), `/visits/{id}` (read;
//! a care visit's text opened and the view recorded), its photos, a matter
//! reported from it; `/logs` (the community's review list), `/logs/{date}`
//! (a worker's day), its notes and review comments; `/care/coverage` and
//! `/exports/care-visits` (the rows it is computed from, as CSV).

use axum::Json;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use serde::Deserialize;
use shanzhi_app::matters::IntakeAnswer;
use shanzhi_app::visits::{
    CareVisitCoverage, DailyLog, DailyLogSummary, GridVisit, LogCommentInput, LogNotesInput, VisitInput,
    VisitMatterInput, care_visit_csv,
};
use utoipa_axum::router::OpenApiRouter;

use crate::extract::{Api, ApiJson, ApiQuery};
use crate::openapi::{Binary, Refusals};
use crate::routes::attachments::photo_response;
use crate::routes::figures::disposition;
use crate::routes::register::place_codes;
use crate::schema;
use crate::{ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    api_router![record; show; photo; matter; logs; log; notes; comment; coverage; coverage_export]
}

/// A day as a path or query gives it: YYYY-MM-DD, years 2000–2100.
pub(crate) fn parse_day(text: &str) -> ApiResult<Date> {
    Ok(shanzhi_app::visits::parse_day(text)?)
}

/// 记录一次走访（带 Idempotency-Key：重发返回同一次走访） / record a visit.
#[utoipa::path(post, path = "/visits", operation_id = "recordVisit", tag = "register",
    params(("Idempotency-Key" = Option<schema::IdempotencyKeyText>, Header, description = "每份草稿一个；重发返回同一次走访 / one per draft; a resend returns the same visit")),
    request_body(content = VisitInput, example = json!({"resident": "019ad3c0-0000-7000-8000-000000000001", "lng": 104.072, "lat": 30.655, "raised": "反映楼道灯坏了"})),
    responses((status = 201, body = GridVisit), (status = 200, description = "同一幂等键的既有走访 / the earlier visit", body = GridVisit), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn record(
    api: Api,
    headers: HeaderMap,
    ApiJson(b): ApiJson<VisitInput>,
) -> ApiResult<(StatusCode, Json<GridVisit>)> {
    let key = headers.get("idempotency-key").map(|v| v.to_str().unwrap_or("\u{0}")).map(str::to_owned);
    let visit = api.scoped().record_visit(&b, key.as_deref()).await?;
    let status = if visit.repeated { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(visit)))
}

/// 一次走访（关爱对象的走访内容仅本网格和本社区工作人员可见，每次查看均记录） / one visit.
#[utoipa::path(get, path = "/visits/{id}", operation_id = "showVisit", tag = "register",
    params(("id" = String, Path, max_length = 64)), responses((status = 200, body = GridVisit), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn show(api: Api, Path(id): Path<String>) -> ApiResult<Json<GridVisit>> {
    Ok(Json(api.scoped().visit(&id).await?))
}

/// 走访照片 / a visit's photo.
#[utoipa::path(get, path = "/visits/{id}/photos/{photo}", operation_id = "showVisitPhoto", tag = "register",
    params(("id" = String, Path, max_length = 64), ("photo" = String, Path, max_length = 64)),
    responses((status = 200, content_type = "image/jpeg", body = inline(Binary), description = "图片 / the image"), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn photo(api: Api, Path((id, photo)): Path<(String, String)>) -> ApiResult<Response> {
    let (content_type, data) = api.scoped().visit_photo(&id, &photo).await?;
    Ok(photo_response(content_type, data))
}

/// 从走访上报事件（渠道：网格员） / report a matter from one's visit.
#[utoipa::path(post, path = "/visits/{id}/matter", operation_id = "reportMatterFromVisit", tag = "register",
    params(("id" = String, Path, max_length = 64)),
    request_body(content = VisitMatterInput, example = json!({"category": "0110", "description": "楼道灯损坏两周"})),
    responses((status = 201, body = IntakeAnswer), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn matter(
    api: Api,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<VisitMatterInput>,
) -> ApiResult<(StatusCode, Json<IntakeAnswer>)> {
    Ok((StatusCode::CREATED, Json(api.scoped().report_from_visit(&id, &b).await?)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct LogsParams {
    /// 日期（默认今天） / the day (default today)
    #[param(value_type = Option<schema::DateText>)]
    date: Option<String>,
    /// 社区（默认本人社区） / the community (default: the caller's)
    #[param(value_type = Option<schema::CommunityCodeText>)]
    community: Option<String>,
}

/// 社区网格员某日的民情日志（供社区工作者点评） / the day's logs of a community's grid workers.
#[utoipa::path(get, path = "/logs", operation_id = "listDailyLogs", tag = "register", params(LogsParams),
    responses((status = 200, body = Vec<DailyLogSummary>), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn logs(api: Api, ApiQuery(p): ApiQuery<LogsParams>) -> ApiResult<Json<Vec<DailyLogSummary>>> {
    let scoped = api.scoped();
    let day = match p.date.as_deref() {
        Some(d) => parse_day(d)?,
        None => scoped.today(),
    };
    let (_, community) = place_codes(None, p.community.as_deref())?;
    Ok(Json(scoped.daily_logs(day, community.as_ref()).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct LogParams {
    /// 网格员账号（默认本人） / the worker (default: the caller)
    #[param(value_type = Option<schema::UsernameText>)]
    worker: Option<String>,
}

/// 某日的民情日志（走访、巡查、上报事件、本人记录和点评） / a worker's day.
#[utoipa::path(get, path = "/logs/{date}", operation_id = "showDailyLog", tag = "register",
    params(("date" = schema::DateText, Path, description = "日期 YYYY-MM-DD"), LogParams),
    responses((status = 200, body = DailyLog), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn log(api: Api, Path(date): Path<String>, ApiQuery(p): ApiQuery<LogParams>) -> ApiResult<Json<DailyLog>> {
    Ok(Json(api.scoped().daily_log(parse_day(&date)?, p.worker.as_deref()).await?))
}

/// 填写本人当天的民情日志 / write one's notes on today.
#[utoipa::path(put, path = "/logs/{date}/notes", operation_id = "writeDailyLogNotes", tag = "register",
    params(("date" = schema::DateText, Path, description = "日期 YYYY-MM-DD（只能是今天）")),
    request_body(content = LogNotesInput, example = json!({"notes": "上午入户走访 5 户"})),
    responses((status = 200, body = DailyLog), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn notes(api: Api, Path(date): Path<String>, ApiJson(b): ApiJson<LogNotesInput>) -> ApiResult<Json<DailyLog>> {
    Ok(Json(api.scoped().write_log_notes(parse_day(&date)?, &b).await?))
}

/// 社区工作者点评网格员某日的民情日志 / a community worker comments on a worker's day.
#[utoipa::path(post, path = "/logs/{date}/comments", operation_id = "commentDailyLog", tag = "register",
    params(("date" = schema::DateText, Path, description = "日期 YYYY-MM-DD")),
    request_body(content = LogCommentInput, example = json!({"worker": "demo_grid", "body": "已阅，请跟进楼道灯"})),
    responses((status = 201, body = DailyLog), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn comment(
    api: Api,
    Path(date): Path<String>,
    ApiJson(b): ApiJson<LogCommentInput>,
) -> ApiResult<(StatusCode, Json<DailyLog>)> {
    Ok((StatusCode::CREATED, Json(api.scoped().comment_on_log(parse_day(&date)?, &b).await?)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct CoverageParams {
    /// 起始日期 / the first day
    #[param(value_type = schema::DateText)]
    from: String,
    /// 截止日期（含，最长 366 天） / the last day (at most 366 days)
    #[param(value_type = schema::DateText)]
    to: String,
    /// 网格（默认本人网格或社区） / the grid (default: the caller's own)
    #[param(value_type = Option<schema::GridCodeText>)]
    grid: Option<String>,
    /// 社区 / the community
    #[param(value_type = Option<schema::CommunityCodeText>)]
    community: Option<String>,
    /// 只算该网格员负责的关爱对象 / only the care persons this worker is responsible for
    #[param(value_type = Option<schema::UsernameText>)]
    worker: Option<String>,
}

/// 关爱走访覆盖率（已走访 / 应走访） / care visit coverage: visits done / visits due.
#[utoipa::path(get, path = "/care/coverage", operation_id = "careVisitCoverage", tag = "register", params(CoverageParams),
    responses((status = 200, body = CareVisitCoverage), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn coverage(api: Api, ApiQuery(p): ApiQuery<CoverageParams>) -> ApiResult<Json<CareVisitCoverage>> {
    let (grid, community) = place_codes(p.grid.as_deref(), p.community.as_deref())?;
    let period = (parse_day(&p.from)?, parse_day(&p.to)?);
    let answer =
        api.scoped().care_visit_coverage(period, grid.as_ref(), community.as_ref(), p.worker.as_deref()).await?;
    Ok(Json(answer))
}

/// 关爱走访覆盖率的依据（CSV）：每个关爱标记一行——标记、社区、网格、走访频次、开始、结束、期内走访日（空格分隔）；按 docs/indicators.md 可复算 / the rows care visit coverage is computed from.
#[utoipa::path(get, path = "/exports/care-visits", operation_id = "exportCareVisits", tag = "register", params(CoverageParams),
    responses((status = 200, content_type = "text/csv", body = String,
        example = json!("mark,community,grid,every_days,started_on,ended_on,visit_days\nm1,510104021003,51010402100301,2,2026-11-30,,2026-12-04\n")),
        Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn coverage_export(api: Api, ApiQuery(p): ApiQuery<CoverageParams>) -> ApiResult<Response> {
    let (grid, community) = place_codes(p.grid.as_deref(), p.community.as_deref())?;
    let period = (parse_day(&p.from)?, parse_day(&p.to)?);
    let rows = api.scoped().care_visit_rows(period, grid.as_ref(), community.as_ref(), p.worker.as_deref()).await?;
    let name = format!("care-visits-{}-{}.csv", period.0, period.1);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition(&name)),
        ],
        care_visit_csv(&rows)?,
    )
        .into_response())
}
