//! `GET /api/v1/indicators` (figures per unit and period), their published
//! definitions and drill-down, and `GET /api/v1/exports/timeline` (the record
//! export they are computed from, CSV, streamed).

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shanzhi_app::figures::{Breakdown, FigureQuery, IndicatorAnswer, TimelineExport, definitions};
use shanzhi_domain::indicators::{Definition, Key, Period, UnitKind};
use shanzhi_domain::{DivisionCode, Line, Micros};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{ApiQuery, Caller};
use crate::openapi::Refusals;
use crate::params::{self, Param};
use crate::{ApiError, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(indicators))
        .routes(routes!(indicator_definitions))
        .routes(routes!(breakdown))
        .routes(routes!(timeline_export))
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
    #[param(value_type = String)]
    period: Period,
    /// district、town、community、grid、department 或 worker
    #[serde(deserialize_with = "params::required")]
    #[param(value_type = String)]
    by: UnitKind,
    /// 区划代码：只看其下 / only under this division
    #[serde(default, deserialize_with = "params::optional")]
    #[param(value_type = Option<String>)]
    within: Option<DivisionCode>,
    /// development（社治）或 safety（综治）
    #[serde(default, deserialize_with = "params::optional")]
    #[param(value_type = Option<String>)]
    line: Option<Line>,
}

impl IndicatorQuery {
    fn query(self) -> FigureQuery {
        FigureQuery { period: self.period, by: self.by, within: self.within, line: self.line }
    }
}

/// 各单位某时段的指标（分子、分母、值） / figures per unit for a period.
#[utoipa::path(get, path = "/indicators", tag = "figures", params(IndicatorQuery),
    responses((status = 200, body = IndicatorAnswer), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn indicators(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<IndicatorQuery>,
) -> Result<Json<IndicatorAnswer>, ApiError> {
    Ok(Json(state.app.scoped(actor).indicators(&q.query()).await?))
}

/// 指标定义（公式公开） / the published definitions.
#[utoipa::path(get, path = "/indicators/definitions", tag = "figures",
    responses((status = 200, body = Vec<Definition>), Refusals))]
async fn indicator_definitions() -> Json<Vec<Definition>> {
    Json(definitions())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct BreakdownQuery {
    #[serde(deserialize_with = "params::required")]
    #[param(value_type = String)]
    period: Period,
    #[serde(deserialize_with = "params::required")]
    #[param(value_type = String)]
    by: UnitKind,
    /// 单位代码（区划、网格、部门代码或网格员账号） / the unit's code
    unit: String,
    #[serde(default, deserialize_with = "params::optional")]
    #[param(value_type = Option<String>)]
    within: Option<DivisionCode>,
    #[serde(default, deserialize_with = "params::optional")]
    #[param(value_type = Option<String>)]
    line: Option<Line>,
}

/// 指标明细：分子与分母各由哪些事件构成 / the matters behind a figure.
#[utoipa::path(get, path = "/indicators/{key}/matters", tag = "figures", params(("key" = String, Path), BreakdownQuery),
    responses((status = 200, body = Breakdown), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn breakdown(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(key): Path<String>,
    ApiQuery(q): ApiQuery<BreakdownQuery>,
) -> Result<Json<Breakdown>, ApiError> {
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
    Ok(Json(state.app.scoped(actor).indicator_breakdown(&query, key, &unit).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ExportQuery {
    /// 起（日期 2026-11-01 即北京时间零点，或 RFC 3339）：只含此后仍在办或有记录的事件
    #[serde(default, deserialize_with = "params::day_or_instant")]
    #[param(value_type = Option<String>)]
    from: Option<Micros>,
    /// 止（不含；默认现在）：此前上报的事件及其此前的记录
    #[serde(default, deserialize_with = "params::day_or_instant")]
    #[param(value_type = Option<String>)]
    to: Option<Micros>,
    #[serde(default, deserialize_with = "params::optional")]
    #[param(value_type = Option<String>)]
    within: Option<DivisionCode>,
}

/// 处置记录导出（CSV，逐条流式输出；列见 docs/timeline-export.md） / the record export.
#[utoipa::path(get, path = "/exports/timeline", tag = "figures", params(ExportQuery),
    responses((status = 200, content_type = "text/csv", body = String), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn timeline_export(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let export = state.app.scoped(actor).timeline_export(q.from, q.to, q.within)?;
    Ok(csv_download(export, "timeline.csv"))
}

/// A streamed CSV download: each batch of matters as it is read.
fn csv_download(export: TimelineExport, name: &str) -> Response {
    let stream = futures_util::stream::unfold(Some(export), |state| async move {
        let mut export = state?;
        match export.next_chunk().await {
            Ok(Some(chunk)) => Some((Ok::<_, std::io::Error>(chunk), Some(export))),
            Ok(None) => None,
            Err(e) => {
                // The status is sent: a broken stream is all a client can be told.
                tracing::error!(error = %e, rows = export.rows(), "timeline export failed");
                Some((Err(std::io::Error::other(e.to_string())), None))
            }
        }
    });
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}
