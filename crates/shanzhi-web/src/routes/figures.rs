//! `GET /api/v1/indicators` (figures per unit and period), their published
//! definitions and drill-down, and `GET /api/v1/exports/timeline` (the record
//! export they are computed from, CSV, streamed), and
//! `GET /api/v1/exports/matters` (the matter list for Excel, CSV or XLSX),
//! `GET /api/v1/exports/report` (the monthly report, XLSX).

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shanzhi_app::figures::{
    Breakdown, ChunkedExport, Dashboard, FigureQuery, IndicatorAnswer, SheetFormat, definitions,
};
use shanzhi_domain::indicators::{Definition, Key, Period, UnitKind};
use shanzhi_domain::{DivisionCode, Line, Micros};
use utoipa_axum::router::OpenApiRouter;

use super::matters::ListQuery;
use crate::extract::{Api, ApiQuery, query_from_str};
use crate::openapi::{Binary, Refusals};
use crate::params::{self, Param};
use crate::schema;
use crate::{ApiError, ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    api_router![
        indicators;
        indicator_definitions;
        dashboard;
        breakdown;
        timeline_export;
        matter_export;
        report_export
    ]
}

impl Param for Period {
    const CODE: &'static str = "invalid_period";
    fn parse(text: &str) -> Result<Self, shanzhi_domain::text::Bilingual> {
        Period::parse(text)
    }
}

impl Param for UnitKind {
    const CODE: &'static str = "invalid_unit_kind";
    fn parse(text: &str) -> Result<Self, shanzhi_domain::text::Bilingual> {
        text.parse()
    }
}

impl Param for Key {
    const CODE: &'static str = "invalid_indicator";
    fn parse(text: &str) -> Result<Self, shanzhi_domain::text::Bilingual> {
        text.parse()
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct IndicatorQuery {
    /// 时段：2026-11（月）、2026-11-28、2026-W48、2026-Q4、2026 / the period
    #[serde(deserialize_with = "params::required")]
    #[param(value_type = schema::PeriodText)]
    period: Period,
    /// district、town、community、grid、department 或 worker
    #[serde(deserialize_with = "params::required")]
    #[param(value_type = schema::UnitKindName)]
    by: UnitKind,
    /// 区划代码：只看其下 / only under this division
    #[serde(default, deserialize_with = "params::optional")]
    #[param(value_type = Option<schema::DivisionCodeText>)]
    within: Option<DivisionCode>,
    /// development（社治）或 safety（综治）
    #[serde(default, deserialize_with = "params::optional")]
    #[param(value_type = Option<schema::LineName>)]
    line: Option<Line>,
}

impl IndicatorQuery {
    fn query(self) -> FigureQuery {
        FigureQuery { period: self.period, by: self.by, within: self.within, line: self.line }
    }
}

/// 各单位某时段的指标（分子、分母、值） / figures per unit for a period.
#[utoipa::path(get, path = "/indicators", operation_id = "listIndicators", tag = "figures", params(IndicatorQuery),
    responses((status = 200, body = IndicatorAnswer), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn indicators(api: Api, ApiQuery(q): ApiQuery<IndicatorQuery>) -> ApiResult<Json<IndicatorAnswer>> {
    Ok(Json(api.scoped().indicators(&q.query()).await?))
}

/// A period within a division and a line (the dashboard, the call-backs' 三率).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct DashboardQuery {
    /// 时段：2026-11（月）、2026-W48、2026-Q4、2026 / the period
    #[serde(deserialize_with = "params::required")]
    #[param(value_type = schema::PeriodText)]
    period: Period,
    #[serde(default, deserialize_with = "params::optional")]
    #[param(value_type = Option<schema::DivisionCodeText>)]
    within: Option<DivisionCode>,
    #[serde(default, deserialize_with = "params::optional")]
    #[param(value_type = Option<schema::LineName>)]
    line: Option<Line>,
}

impl DashboardQuery {
    /// The figures question it asks (by district).
    pub(crate) fn query(self) -> FigureQuery {
        FigureQuery { period: self.period, by: UnitKind::District, within: self.within, line: self.line }
    }
}

/// 督办看板的数字：合计、双线、趋势、各环节超期、上报最多的分类与网格 / the dashboard's figures.
#[utoipa::path(get, path = "/indicators/dashboard", operation_id = "showDashboard", tag = "figures", params(DashboardQuery),
    responses((status = 200, body = Dashboard), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn dashboard(api: Api, ApiQuery(q): ApiQuery<DashboardQuery>) -> ApiResult<Json<Dashboard>> {
    Ok(Json(api.scoped().dashboard(&q.query()).await?))
}

/// 指标定义（公式公开） / the published definitions.
#[utoipa::path(get, path = "/indicators/definitions", operation_id = "listIndicatorDefinitions", tag = "figures",
    responses((status = 200, body = Vec<Definition>), Refusals))]
async fn indicator_definitions() -> Json<Vec<Definition>> {
    Json(definitions())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct BreakdownQuery {
    #[serde(deserialize_with = "params::required")]
    #[param(value_type = schema::PeriodText)]
    period: Period,
    #[serde(deserialize_with = "params::required")]
    #[param(value_type = schema::UnitKindName)]
    by: UnitKind,
    /// 单位代码（区划、网格、部门代码或网格员账号） / the unit's code
    #[param(min_length = 1, max_length = 64)]
    unit: String,
    #[serde(default, deserialize_with = "params::optional")]
    #[param(value_type = Option<schema::DivisionCodeText>)]
    within: Option<DivisionCode>,
    #[serde(default, deserialize_with = "params::optional")]
    #[param(value_type = Option<schema::LineName>)]
    line: Option<Line>,
}

/// 指标明细：分子与分母各由哪些事件构成 / the matters behind a figure.
#[utoipa::path(get, path = "/indicators/{key}/matters", operation_id = "showIndicatorBreakdown", tag = "figures", params(("key" = schema::IndicatorName, Path), BreakdownQuery),
    responses((status = 200, body = Breakdown), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn breakdown(
    api: Api,
    Path(key): Path<String>,
    ApiQuery(q): ApiQuery<BreakdownQuery>,
) -> ApiResult<Json<Breakdown>> {
    let key = <Key as Param>::parse(&key).map_err(|m| ApiError::bad_request("invalid_indicator", m))?;
    let unit = q.unit.trim().to_owned();
    if unit.is_empty() || unit.len() > 64 {
        return Err(ApiError::bad_request(
            "invalid_unit",
            shanzhi_domain::text::Bilingual::new(
                "unit 应为 1–64 个字符的单位代码",
                "unit must be a code of 1–64 characters",
            ),
        ));
    }
    let query = FigureQuery { period: q.period, by: q.by, within: q.within, line: q.line };
    Ok(Json(api.scoped().indicator_breakdown(&query, key, &unit).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ExportQuery {
    /// 起（日期 2026-11-01 即北京时间零点，或 RFC 3339）：只含此后仍在办或有记录的事件
    #[serde(default, deserialize_with = "params::day_or_instant")]
    #[param(value_type = Option<schema::DateOrInstantText>)]
    from: Option<Micros>,
    /// 止（不含；默认现在）：此前上报的事件及其此前的记录
    #[serde(default, deserialize_with = "params::day_or_instant")]
    #[param(value_type = Option<schema::DateOrInstantText>)]
    to: Option<Micros>,
    #[serde(default, deserialize_with = "params::optional")]
    #[param(value_type = Option<schema::DivisionCodeText>)]
    within: Option<DivisionCode>,
}

/// 处置记录导出（CSV，逐条流式输出；列见 docs/timeline-export.md） / the record export.
#[utoipa::path(get, path = "/exports/timeline", operation_id = "exportTimeline", tag = "figures", params(ExportQuery),
    responses((status = 200, content_type = "text/csv", body = String), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn timeline_export(api: Api, ApiQuery(q): ApiQuery<ExportQuery>) -> ApiResult<Response> {
    let export = api.scoped().timeline_export(q.from, q.to, q.within)?;
    Ok(csv_download(export, "timeline.csv"))
}

/// A streamed CSV download: each batch of matters as it is read.
fn csv_download(export: impl ChunkedExport + 'static, name: &str) -> Response {
    let stream = futures_util::stream::unfold(Some(export), |state| async move {
        let mut export = state?;
        match export.next_chunk().await {
            Ok(Some(chunk)) => Some((Ok::<_, std::io::Error>(chunk), Some(export))),
            Ok(None) => None,
            Err(e) => {
                // The status is sent: a broken stream is all a client can be told.
                tracing::error!(error = %e, rows = export.rows(), "export failed");
                Some((Err(std::io::Error::other(e.to_string())), None))
            }
        }
    });
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition(name)),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}

/// The export's own parameter beside the list's filters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the parameter; it is read by `split_format`
pub(crate) struct FormatParam {
    /// csv（默认，UTF-8 带 BOM，Excel 可直接打开）或 xlsx（单个工作表，≤ 1,048,575 行）
    #[param(value_type = Option<schema::FormatName>)]
    format: Option<String>,
}

/// `format=` taken out of a query string; the rest is the list's filters.
pub(crate) fn split_format(raw: &str) -> ApiResult<(SheetFormat, String)> {
    let mut format = None;
    let mut rest = Vec::new();
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        match pair.strip_prefix("format=") {
            Some(value) if format.is_none() => {
                format = Some(value.parse::<SheetFormat>().map_err(|m| ApiError::bad_request("invalid_format", m))?);
            }
            Some(_) => {
                return Err(ApiError::bad_request(
                    "invalid_format",
                    shanzhi_domain::text::Bilingual::new("format 只能给一次", "give format once"),
                ));
            }
            None => rest.push(pair),
        }
    }
    Ok((format.unwrap_or_default(), rest.join("&")))
}

/// 事件清单导出（列表的全部筛选条件；中文表头、名称而非代码；不含报告人姓名电话）/ the matter list for Excel.
#[utoipa::path(get, path = "/exports/matters", operation_id = "exportMatters", tag = "figures", params(ListQuery, FormatParam),
    responses(
        (status = 200, content_type = "text/csv", body = String),
        (status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = inline(Binary)),
        Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn matter_export(api: Api, RawQuery(raw): RawQuery) -> ApiResult<Response> {
    let (format, rest) = split_format(raw.as_deref().unwrap_or(""))?;
    let q: ListQuery = query_from_str(&rest)?;
    let export = api.scoped().matter_export(&q.filter())?;
    match format {
        SheetFormat::Csv => {
            let name = export.file_name("csv");
            Ok(csv_download(export, &name))
        }
        SheetFormat::Xlsx => {
            let name = export.file_name("xlsx");
            let (file, _rows) = export.xlsx_file().await?;
            Ok(file_download(file, &name, XLSX))
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ReportQuery {
    /// 时段（通常为月份 2026-11） / the period
    #[serde(deserialize_with = "params::required")]
    #[param(value_type = schema::PeriodText)]
    period: Period,
    /// xlsx（目前唯一的格式） / xlsx, the one format
    #[param(value_type = Option<schema::ReportFormatName>)]
    format: Option<String>,
}

/// 月度报告（XLSX：概览、各单位指标、超期、分类） / the monthly report as XLSX.
#[utoipa::path(get, path = "/exports/report", operation_id = "exportMonthlyReport", tag = "figures", params(ReportQuery),
    responses(
        (status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = inline(Binary)),
        Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn report_export(api: Api, ApiQuery(q): ApiQuery<ReportQuery>) -> ApiResult<Response> {
    if q.format.as_deref().is_some_and(|f| f != "xlsx") {
        return Err(ApiError::bad_request(
            "invalid_format",
            shanzhi_domain::text::Bilingual::new("月度报告只能导出为 xlsx", "the report is exported as xlsx only"),
        ));
    }
    let report = api.scoped().monthly_report(q.period).await?;
    let name = report.file_name();
    let file = report.xlsx_file().await?;
    Ok(file_download(file, &name, XLSX))
}

pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `Content-Disposition` with an ASCII fallback and the UTF-8 name (RFC 6266).
pub(crate) fn disposition(name: &str) -> String {
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' }).collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// A finished file, sent in pieces (it may be large).
pub(crate) fn file_download(file: std::fs::File, name: &str, kind: &'static str) -> Response {
    use tokio::io::AsyncReadExt;
    let len = file.metadata().map(|m| m.len()).ok();
    let stream = futures_util::stream::unfold(Some(tokio::fs::File::from_std(file)), |state| async move {
        let mut file = state?;
        let mut buf = vec![0u8; 256 * 1024];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(buf), Some(file)))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    let mut response = (
        [(header::CONTENT_TYPE, kind.to_owned()), (header::CONTENT_DISPOSITION, disposition(name))],
        Body::from_stream(stream),
    )
        .into_response();
    if let Some(len) = len {
        response.headers_mut().insert(header::CONTENT_LENGTH, len.into());
    }
    response
}
