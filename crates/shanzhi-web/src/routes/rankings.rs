//! 口碑榜: `GET /api/v1/rankings` (a month's ranking, computed or the frozen
//! publication), `POST /api/v1/rankings/publish`, the schemes
//! (`GET /api/v1/rankings/schemes`, `PUT /api/v1/rankings/schemes/{by}`) and
//! `GET /api/v1/exports/rankings` (CSV or XLSX).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, RawQuery};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shanzhi_app::figures::{RankingAnswer, RankingFile, RankingQuery, SchemeList};
use shanzhi_domain::DivisionCode;
use shanzhi_domain::indicators::{Key, Period, UnitKind};
use shanzhi_domain::ranking::{Band, RankingScheme, month};
use utoipa_axum::router::OpenApiRouter;

use super::figures::{FormatParam, XLSX, disposition, file_download, split_format};
use crate::extract::{Api, ApiJson, ApiQuery, query_from_str};
use crate::openapi::{Binary, Refusals};
use crate::params::{self, Param};
use crate::schema;
use crate::{ApiError, ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    api_router![ranking; publish; schemes; save_scheme; ranking_export]
}

/// A month (`2026-11`): rankings are monthly.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Month(pub Period);

impl Param for Month {
    const CODE: &'static str = "invalid_period";
    fn parse(text: &str) -> Result<Self, shanzhi_domain::text::Bilingual> {
        month(text).map(Month)
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RankingParams {
    /// 月份，如 2026-11 / the month
    #[serde(deserialize_with = "params::required")]
    #[param(value_type = schema::MonthText)]
    pub period: Month,
    /// district、town、community、grid、department 或 worker
    #[serde(deserialize_with = "params::required")]
    #[param(value_type = schema::UnitKindName)]
    pub by: UnitKind,
    /// 在此区划内排名（默认全市） / rank within this division (default: the city)
    #[serde(default, deserialize_with = "params::optional")]
    #[param(value_type = Option<schema::DivisionCodeText>)]
    pub within: Option<DivisionCode>,
}

impl RankingParams {
    pub fn query(&self) -> RankingQuery {
        RankingQuery { period: self.period.0, by: self.by, within: self.within.clone() }
    }
}

/// 口碑榜：某月某类单位的综合得分、等级、名次与上期名次（已发布则为冻结的发布版本） / a month's ranking.
#[utoipa::path(get, path = "/rankings", tag = "figures", operation_id = "showRanking", params(RankingParams),
    responses((status = 200, body = RankingAnswer), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn ranking(api: Api, ApiQuery(q): ApiQuery<RankingParams>) -> ApiResult<Json<RankingAnswer>> {
    Ok(Json(api.scoped().ranking(&q.query()).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishBody {
    /// 月份，如 2026-11
    #[schema(value_type = schema::MonthText)]
    pub period: String,
    /// 单位类型 / unit type
    #[schema(value_type = schema::UnitKindName)]
    pub by: String,
    /// 市或区县代码（默认全市） / a city or district code (default: the city)
    #[schema(value_type = Option<schema::DivisionCodeText>)]
    pub within: Option<String>,
}

impl PublishBody {
    fn query(&self) -> ApiResult<RankingQuery> {
        let period = <Month as Param>::parse(&self.period).map_err(|m| ApiError::bad_request("invalid_period", m))?;
        let by = <UnitKind as Param>::parse(&self.by).map_err(|m| ApiError::bad_request("invalid_unit_kind", m))?;
        let within = match self.within.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
            Some(w) => {
                Some(DivisionCode::parse(w).map_err(|e| ApiError::bad_request("invalid_division_code", e.message(w)))?)
            }
            None => None,
        };
        Ok(RankingQuery { period: period.0, by, within })
    }
}

/// 发布某月口碑榜（冻结、哈希链接并记入透明日志；督办，范围为全市或区县） / publish a month's ranking.
#[utoipa::path(post, path = "/rankings/publish", tag = "figures", operation_id = "publishRanking",
    request_body(content = PublishBody, example = json!({"period": "2026-11", "by": "town", "within": "510104"})),
    responses((status = 201, body = RankingAnswer), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn publish(
    api: Api,
    ApiJson(b): ApiJson<PublishBody>,
) -> ApiResult<(axum::http::StatusCode, Json<RankingAnswer>)> {
    let q = b.query()?;
    Ok((axum::http::StatusCode::CREATED, Json(api.scoped().publish_ranking(&q).await?)))
}

/// 排名方案：各类单位本月适用的方案与全部历史版本 / the ranking schemes.
#[utoipa::path(get, path = "/rankings/schemes", tag = "figures", operation_id = "listRankingSchemes",
    responses((status = 200, body = SchemeList), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn schemes(api: Api) -> ApiResult<Json<SchemeList>> {
    Ok(Json(api.scoped().ranking_schemes().await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SchemeBody {
    /// 自哪个月起适用，如 2026-12 / the first month in force
    #[schema(value_type = schema::MonthText)]
    pub from: String,
    /// 指标 → 权重（整数，合计 100；只能是比率类指标） / figure → weight
    pub weights: BTreeMap<Key, u32>,
    /// A、B、C、D 各档最低分（从高到低；低于 D 为 E） / the lowest score of A–D
    pub bands: Vec<Band>,
}

/// 保存某类单位的新版排名方案（全市督办或系统管理员；不改动已发布的月份） / save a scheme version.
#[utoipa::path(put, path = "/rankings/schemes/{by}", tag = "figures", operation_id = "saveRankingScheme",
    params(("by" = schema::UnitKindName, Path, description = "单位类型 / unit type")), request_body(content = SchemeBody, example = json!({"from": "2026-12", "weights": {"on_time_handling_rate": 40, "satisfaction_rate": 30, "closure_rate": 20, "rework_rate": 10}, "bands": [{"grade": "A", "min": 90}, {"grade": "B", "min": 80}, {"grade": "C", "min": 70}, {"grade": "D", "min": 60}]})),
    responses((status = 200, body = RankingScheme), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn save_scheme(
    api: Api,
    Path(by): Path<String>,
    ApiJson(b): ApiJson<SchemeBody>,
) -> ApiResult<Json<RankingScheme>> {
    let by = <UnitKind as Param>::parse(&by).map_err(|m| ApiError::bad_request("invalid_unit_kind", m))?;
    let scheme = RankingScheme { by, from: b.from, version: 0, weights: b.weights, bands: b.bands };
    Ok(Json(api.scoped().save_ranking_scheme(scheme).await?))
}

/// 口碑榜导出（中文表头：名次、单位、得分、等级、上期名次、变化及各项指标） / the ranking as CSV or XLSX.
#[utoipa::path(get, path = "/exports/rankings", tag = "figures", operation_id = "exportRanking",
    params(RankingParams, FormatParam),
    responses(
        (status = 200, content_type = "text/csv", body = String),
        (status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = inline(Binary)),
        Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn ranking_export(api: Api, RawQuery(raw): RawQuery) -> ApiResult<Response> {
    let (format, rest) = split_format(raw.as_deref().unwrap_or(""))?;
    let q: RankingParams = query_from_str(&rest)?;
    let (file, name) = api.scoped().ranking_file(&q.query(), format).await?;
    Ok(match file {
        RankingFile::Csv(text) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CONTENT_DISPOSITION, disposition(&name)),
            ],
            text,
        )
            .into_response(),
        RankingFile::Xlsx(file) => file_download(file, &name, XLSX),
    })
}
