//! 未诉先办: `GET /api/v1/hotspots` — hot spots (many reports of one kind of
//! problem at one place in a short time) of a period in the caller's scope,
//! ranked by size, growth and severity, each with its matters and a label;
//! the period is a day, week, month … (`period=`) or any days `from=`–`to=`.

use axum::Json;
use jiff::civil::Date;
use serde::Deserialize;
use shanzhi_app::figures::{HotspotAnswer, HotspotQuery, MAX_HOTSPOTS};
use shanzhi_domain::DivisionCode;
use shanzhi_domain::indicators::Period;
use shanzhi_domain::text::Bilingual;
use utoipa_axum::router::OpenApiRouter;

use crate::extract::{Api, ApiQuery};
use crate::openapi::Refusals;
use crate::params;
use crate::schema;
use crate::{ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    api_router![hotspots]
}

/// Hot spots returned when no limit is given.
const DEFAULT_LIMIT: usize = 20;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct HotspotParams {
    /// 时段：2026-11（月）、2026-11-28（日）、2026-W48（周）；默认最近 30 天 / the period (default: the last 30 days)
    #[serde(default, deserialize_with = "params::optional")]
    #[param(value_type = Option<schema::PeriodText>)]
    period: Option<Period>,
    /// 起日 YYYY-MM-DD（含；须与 to 同给，不与 period 同给，最长 366 天） / first day (with to; not with period)
    #[serde(default, deserialize_with = "params::optional")]
    #[param(value_type = Option<schema::DateText>)]
    from: Option<Date>,
    /// 止日 YYYY-MM-DD（含） / last day, included
    #[serde(default, deserialize_with = "params::optional")]
    #[param(value_type = Option<schema::DateText>)]
    to: Option<Date>,
    /// 区划代码：只看其下（须在您的管辖范围内） / only under this division (within your scope)
    #[serde(default, deserialize_with = "params::optional")]
    #[param(value_type = Option<schema::DivisionCodeText>)]
    within: Option<DivisionCode>,
    /// 最多返回几处（1–100，默认 20） / how many, best first (1–100, default 20)
    #[param(minimum = 1, maximum = 100)]
    limit: Option<usize>,
}

/// 热点（未诉先办）：同一地点、同类问题短期内多次上报，按规模、增长与紧急程度排序 / hot spots.
#[utoipa::path(get, path = "/hotspots", operation_id = "listHotspots", tag = "figures", params(HotspotParams),
    responses((status = 200, body = HotspotAnswer), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn hotspots(api: Api, ApiQuery(q): ApiQuery<HotspotParams>) -> ApiResult<Json<HotspotAnswer>> {
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_HOTSPOTS).contains(&limit) {
        return Err(crate::ApiError::bad_request(
            "invalid_limit",
            Bilingual::new("limit 应为 1–100", "limit must be 1–100"),
        ));
    }
    let days = match (q.from, q.to) {
        (Some(from), Some(to)) => Some((from, to)),
        (None, None) => None,
        _ => {
            return Err(crate::ApiError::bad_request(
                "invalid_date_range",
                Bilingual::new("from 与 to 须同时给出", "from and to go together"),
            ));
        }
    };
    let query = HotspotQuery { period: q.period, days, within: q.within, limit };
    Ok(Json(api.scoped().hotspots(&query).await?))
}
