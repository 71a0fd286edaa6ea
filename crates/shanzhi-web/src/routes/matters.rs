//! `/api/v1/matters…`: report, read, list, count, command, timeline.

use axum::Json;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use shanzhi_app::matters::{EventView, IntakeAnswer, IntakeRequest, MatterFilter, MatterPage, MatterView, Suggestion};
use shanzhi_app::timing::WarningSummary;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{
    CategoryCode, Channel, DepartmentCode, DivisionCode, GridCode, Line, MatterState, Micros, Warning,
};
use shanzhi_geo::Crs;

use utoipa_axum::router::OpenApiRouter;

use crate::client::ClientInfo;
use crate::extract::{Api, ApiJson, ApiQuery, PublicApi};
use crate::openapi::Refusals;
use crate::params;
use crate::schema;
use crate::{ApiError, ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    api_router![list, report; counts; warnings; show; timeline; suggestion; command]
}

/// A report. Give a place: `lng` and `lat` (in `crs`), or a `grid` code.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReportBody {
    /// 事项分类代码（小类），见 /categories / a category code (a leaf)
    #[schema(value_type = schema::CategoryCodeText)]
    category: String,
    #[schema(minimum = -180, maximum = 180)]
    lng: Option<f64>,
    #[schema(minimum = -90, maximum = 90)]
    lat: Option<f64>,
    /// wgs84（默认）、gcj02 或 bd09
    #[schema(value_type = Option<schema::CrsName>)]
    crs: Option<String>,
    /// 15 位网格编码 / a grid code
    #[schema(value_type = Option<schema::GridCodeText>)]
    grid: Option<String>,
    /// 1–4000 字
    #[schema(min_length = 1, max_length = 4000)]
    description: String,
    /// resident, grid_worker, hotline, open311, api, wechat
    #[schema(value_type = Option<schema::ChannelName>)]
    channel: Option<String>,
    #[schema(max_length = 200)]
    address: Option<String>,
    #[schema(max_length = 50)]
    reporter_name: Option<String>,
    #[schema(value_type = Option<schema::PhoneText>)]
    reporter_phone: Option<String>,
    #[serde(default)]
    #[schema(max_items = 9)]
    attachments: Vec<String>,
    /// Staff may mark a matter urgent (shorter limits).
    #[serde(default)]
    urgent: bool,
    /// Answers to the category's attributes (a list for a multivaluelist).
    #[serde(default)]
    #[schema(value_type = std::collections::BTreeMap<String, Object>)]
    attributes: std::collections::BTreeMap<String, AnswerText>,
}

/// An attribute answer as JSON gives it: text, a number, or a list of keys.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum AnswerText {
    Many(Vec<String>),
    One(serde_json::Value),
}

impl AnswerText {
    fn into_texts(self) -> Vec<String> {
        match self {
            AnswerText::Many(v) => v,
            AnswerText::One(serde_json::Value::String(s)) => vec![s],
            AnswerText::One(serde_json::Value::Null) => Vec::new(),
            AnswerText::One(other) => vec![other.to_string()],
        }
    }
}

/// 上报事件（居民可匿名；带 Idempotency-Key 可安全重试） / report a matter.
#[utoipa::path(post, path = "/matters", operation_id = "reportMatter", tag = "matters", request_body(content = ReportBody, example = json!({"category": "0110", "description": "人行道井盖缺失，夜间有行人绊倒的危险", "lng": 104.11912, "lat": 30.60931, "address": "总府路 12 号旁"})),
    params(("Idempotency-Key" = Option<schema::IdempotencyKeyText>, Header, description = "重试时返回同一事件 / a retry returns the same matter")),
    responses((status = 201, body = IntakeAnswer), (status = 200, description = "同一幂等键的既有事件 / the earlier matter", body = IntakeAnswer), Refusals),
    security((), ("bearer" = []), ("session_cookie" = [])))]
async fn report(
    api: PublicApi,
    client: ClientInfo,
    headers: HeaderMap,
    ApiJson(b): ApiJson<ReportBody>,
) -> ApiResult<(StatusCode, Json<IntakeAnswer>)> {
    if api.actor.is_anonymous() {
        api.state.throttles.anonymous_reports.check(client.ip)?;
    }
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let request = intake_request(b, key)?;
    let answer = api.scoped().intake(request).await?;
    let status = if answer.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(answer)))
}

/// The intake request a report body gives (pure, so the fuzz target runs it).
pub(crate) fn intake_request(b: ReportBody, idempotency_key: Option<String>) -> ApiResult<IntakeRequest> {
    let crs = match b.crs.as_deref() {
        None => None,
        Some(t) => Some(t.parse::<Crs>().map_err(|m| ApiError::bad_request("invalid_crs", m))?),
    };
    Ok(IntakeRequest {
        category: b.category,
        lng: b.lng,
        lat: b.lat,
        crs,
        grid: b.grid,
        description: b.description,
        channel: b.channel,
        address: b.address,
        reporter_name: b.reporter_name,
        reporter_phone: b.reporter_phone,
        attachments: b.attachments,
        idempotency_key,
        external_ref: None,
        reported_at: None,
        urgent: b.urgent,
        attributes: b.attributes.into_iter().map(|(k, v)| (k, v.into_texts())).collect(),
        links: Vec::new(),
        photos: Vec::new(),
    })
}

/// 一个事件（按 id 或编号） / one matter, by id or number.
#[utoipa::path(get, path = "/matters/{id}", operation_id = "showMatter", tag = "matters",
    params(("id" = String, Path, description = "事件 id 或编号，如 510104-20261128-000001")),
    responses((status = 200, body = MatterView), Refusals),
    security((), ("bearer" = []), ("session_cookie" = [])))]
async fn show(api: PublicApi, Path(id): Path<String>) -> ApiResult<Json<MatterView>> {
    Ok(Json(api.scoped().matter(&id).await?))
}

/// 事件时间线（只增不改、哈希链） / the timeline, append-only and hash-chained.
#[utoipa::path(get, path = "/matters/{id}/timeline", operation_id = "showMatterTimeline", tag = "matters", params(("id" = String, Path)),
    responses((status = 200, body = Vec<EventView>), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn timeline(api: Api, Path(id): Path<String>) -> ApiResult<Json<Vec<EventView>>> {
    Ok(Json(api.scoped().timeline(&id).await?))
}

/// 建议的承办单位：同类已结事项中多由其办理的单位（智能分拨），否则职责清单所列 / the suggested unit: the one that
/// handled most closed matters of the category in the place (smart dispatch), else the duty list's.
#[utoipa::path(get, path = "/matters/{id}/suggestion", operation_id = "suggestMatterRouting", tag = "matters", params(("id" = String, Path)),
    responses((status = 200, body = Option<Suggestion>), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn suggestion(api: Api, Path(id): Path<String>) -> ApiResult<Json<Option<Suggestion>>> {
    Ok(Json(api.scoped().suggestion(&id).await?))
}

/// 执行流转命令：accept、reject、dispatch、sign、return、respond、verify、rate、reopen、escalate、
/// extend、approve_extension、deny_extension、park、approve_park、deny_park、resume、supervise、merge、void。
/// 参数见各命令（如 dispatch: {"to": {"kind": "department", "code": "510104-chengguan"}}）；
/// 状态不符时 409，details 给出当前可执行的命令 / run a lifecycle command.
#[utoipa::path(post, path = "/matters/{id}/commands/{command}", operation_id = "runMatterCommand", tag = "matters",
    params(("id" = String, Path), ("command" = schema::CommandName, Path, description = "命令名 / the command")),
    request_body(content = Object, description = "命令参数（无参数的命令可省略） / the command's arguments", example = json!({"to": {"kind": "department", "code": "510104-chengguan"}, "note": "请城管局处置"})),
    responses((status = 200, body = MatterView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn command(
    api: Api,
    Path((id, command)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> ApiResult<Json<MatterView>> {
    // A command without arguments may come without a body.
    let args = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::bad_request(
                "invalid_json",
                Bilingual::new("请求体不是有效的 JSON", format!("invalid JSON body: {e}")),
            )
        })?
    };
    Ok(Json(api.scoped().command(&id, &command, args).await?))
}

#[derive(Debug, Deserialize, Default, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// 状态，逗号分隔 / comma-separated states (reported, filed, dispatched …)
    #[serde(default, deserialize_with = "params::comma_list")]
    #[param(value_type = Option<schema::StateList>)]
    state: Vec<MatterState>,
    /// 事项分类代码，逗号分隔 / comma-separated category codes
    #[serde(default, deserialize_with = "params::comma_list")]
    #[param(value_type = Option<schema::CategoryList>)]
    category: Vec<CategoryCode>,
    /// development, safety or both
    #[serde(default, deserialize_with = "params::optional")]
    #[param(value_type = Option<schema::LineName>)]
    line: Option<Line>,
    /// 区划代码 / under this division
    #[serde(default, deserialize_with = "params::optional")]
    #[param(value_type = Option<schema::DivisionCodeText>)]
    within: Option<DivisionCode>,
    #[serde(default, deserialize_with = "params::optional")]
    #[param(value_type = Option<schema::GridCodeText>)]
    grid: Option<GridCode>,
    /// 承办部门代码 / held by this department
    #[serde(default, deserialize_with = "params::optional")]
    #[param(value_type = Option<schema::DepartmentCodeText>)]
    department: Option<DepartmentCode>,
    /// resident, grid_worker, hotline, open311 …
    #[serde(default, deserialize_with = "params::optional")]
    #[param(value_type = Option<schema::ChannelName>)]
    channel: Option<Channel>,
    /// RFC 3339, e.g. 2026-11-01T00:00:00+08:00 (reported at or after)
    #[serde(default, deserialize_with = "params::instant")]
    #[param(value_type = Option<schema::InstantText>)]
    from: Option<Micros>,
    /// RFC 3339 (reported before)
    #[serde(default, deserialize_with = "params::instant")]
    #[param(value_type = Option<schema::InstantText>)]
    to: Option<Micros>,
    /// 搜索词（≤ 100 字，不分全角半角、大小写、繁简）/ words in the description, address, number or hotline order number (full-width and half-width, case, traditional and simplified alike)
    #[param(max_length = 100)]
    q: Option<String>,
    /// Comma-separated warning colours (none, yellow, orange, red).
    #[serde(default, deserialize_with = "params::comma_list")]
    #[param(value_type = Option<schema::WarningList>)]
    warning: Vec<Warning>,
    /// Only overdue (red) matters.
    overdue: Option<bool>,
    #[param(minimum = 1, maximum = 200)]
    limit: Option<usize>,
    cursor: Option<String>,
}

impl ListQuery {
    pub(crate) fn filter(self) -> MatterFilter {
        MatterFilter {
            states: self.state,
            categories: self.category,
            line: self.line,
            within: self.within,
            grid: self.grid,
            department: self.department,
            channel: self.channel,
            from: self.from,
            to: self.to,
            text: self.q,
            warnings: self.warning,
            overdue: self.overdue,
            limit: self.limit,
            ..MatterFilter::default()
        }
    }
}

/// 本人管辖范围内的事件，新的在前，游标翻页 / matters in the caller's scope, newest first.
#[utoipa::path(get, path = "/matters", operation_id = "listMatters", tag = "matters", params(ListQuery),
    responses((status = 200, body = MatterPage), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn list(api: Api, ApiQuery(q): ApiQuery<ListQuery>) -> ApiResult<Json<MatterPage>> {
    let cursor = q.cursor.clone();
    Ok(Json(api.scoped().matters(&q.filter(), cursor.as_deref()).await?))
}

/// 各状态的事件数 / counts by state.
#[utoipa::path(get, path = "/matters/counts", operation_id = "countMatters", tag = "matters", params(ListQuery),
    responses((status = 200, body = std::collections::BTreeMap<String, u64>), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn counts(
    api: Api,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<std::collections::BTreeMap<MatterState, u64>>> {
    Ok(Json(api.scoped().matter_counts(&q.filter()).await?))
}

/// 按预警颜色与承办单位统计 / counts by warning colour and by holding unit.
#[utoipa::path(get, path = "/matters/warnings", operation_id = "countMatterWarnings", tag = "matters", params(ListQuery),
    responses((status = 200, body = WarningSummary), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn warnings(api: Api, ApiQuery(q): ApiQuery<ListQuery>) -> ApiResult<Json<WarningSummary>> {
    Ok(Json(api.scoped().warning_counts(&q.filter()).await?))
}
