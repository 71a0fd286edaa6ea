//! `/api/v1/calendar…`: the working-day calendar (anyone may read it; a
//! city-wide admin edits it), `/api/v1/calendar/deadline` to work a limit
//! out, and `/api/v1/sweep`: who runs the warning sweep.

use axum::Json;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shanzhi_app::access::CityDesk;
use shanzhi_app::timing::{CalendarDayInput, CalendarView, DayView, DeadlineAnswer, SweeperStatus, TimingSettings};
use shanzhi_domain::Micros;
use shanzhi_domain::calendar::LimitUnit;
use shanzhi_domain::text::Bilingual;

use utoipa_axum::router::OpenApiRouter;

use crate::extract::{Api, ApiJson, ApiQuery, PublicApi};
use crate::openapi::Refusals;
use crate::params;
use crate::schema;
use crate::{ApiError, ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    api_router![show; put_settings; put_day, delete_day; import_official; deadline; sweep_status]
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct YearQuery {
    /// 年份（默认今年） / the year (default: this year)
    #[param(minimum = 2000, maximum = 2100)]
    year: Option<i16>,
}

/// 工作日历：法定节假日、调休与本地调整 / the working-day calendar of a year.
#[utoipa::path(get, path = "/calendar", operation_id = "showCalendar", tag = "time", params(YearQuery),
    responses((status = 200, body = CalendarView), Refusals))]
async fn show(api: PublicApi, ApiQuery(q): ApiQuery<YearQuery>) -> ApiResult<Json<CalendarView>> {
    Ok(Json(api.scoped().calendar(q.year)?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct SettingsBody {
    #[schema(
        pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9](,([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9])*$",
        example = "09:00-12:00,13:30-17:30"
    )]
    working_hours: Option<String>,
    #[schema(minimum = 1, maximum = 99)]
    yellow_left: Option<u8>,
    #[schema(minimum = 1, maximum = 99)]
    orange_left: Option<u8>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct SettingsView {
    working_hours: String,
    yellow_left: u8,
    orange_left: u8,
}

/// 设置工作时间（如 09:00-12:00,13:30-17:30）与预警阈值 / working hours and warning thresholds.
#[utoipa::path(put, path = "/calendar/settings", operation_id = "updateCalendarSettings", tag = "time", request_body(content = SettingsBody, example = json!({"working_hours": "09:00-12:00,13:30-17:30", "yellow_left": 50, "orange_left": 20})),
    responses((status = 200, body = SettingsView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn put_settings(api: Api, ApiJson(b): ApiJson<SettingsBody>) -> ApiResult<Json<SettingsView>> {
    let thresholds = match (b.yellow_left, b.orange_left) {
        (Some(y), Some(o)) => Some((y, o)),
        (None, None) => None,
        _ => {
            return Err(ApiError::bad_request(
                "invalid_thresholds",
                Bilingual::new("黄色与橙色阈值须一起给出", "give yellow_left and orange_left together"),
            ));
        }
    };
    let s: TimingSettings =
        api.scoped().desk::<CityDesk>()?.put_timing_settings(b.working_hours.as_deref(), thresholds).await?;
    Ok(Json(SettingsView {
        working_hours: s.working_hours.to_string(),
        yellow_left: s.thresholds.yellow_left,
        orange_left: s.thresholds.orange_left,
    }))
}

/// 本地调整某日（工作日或休息日） / set a local working day or holiday.
#[utoipa::path(put, path = "/calendar/days/{date}", operation_id = "setCalendarDay", tag = "time",
    params(("date" = schema::DateText, Path, description = "日期 YYYY-MM-DD")), request_body = CalendarDayInput,
    responses((status = 200, body = DayView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn put_day(
    api: Api,
    Path(date): Path<String>,
    ApiJson(b): ApiJson<CalendarDayInput>,
) -> ApiResult<Json<DayView>> {
    Ok(Json(api.scoped().desk::<CityDesk>()?.put_calendar_day(&date, b).await?))
}

/// 取消某日的本地调整 / remove a local adjustment.
#[utoipa::path(delete, path = "/calendar/days/{date}", operation_id = "deleteCalendarDay", tag = "time",
    params(("date" = schema::DateText, Path, description = "日期 YYYY-MM-DD")),
    responses((status = 204, description = "已删除 / removed"), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn delete_day(api: Api, Path(date): Path<String>) -> ApiResult<StatusCode> {
    api.scoped().desk::<CityDesk>()?.delete_calendar_day(&date).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Imported {
    years: Vec<i16>,
}

/// 导入国务院办公厅公布的节假日安排（CSV：date,kind,holiday,holiday_zh） / import official holidays.
#[utoipa::path(post, path = "/calendar/official", operation_id = "importOfficialDays", tag = "time",
    request_body(content = String, content_type = "text/csv", example = json!("date,kind,holiday,holiday_zh\n2027-01-01,holiday,New Year's Day,元旦\n2027-02-06,workday,Spring Festival,春节\n")),
    responses((status = 200, body = Imported), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn import_official(api: Api, body: Bytes) -> ApiResult<Json<Imported>> {
    let text = std::str::from_utf8(&body).map_err(|_| {
        ApiError::bad_request("invalid_encoding", Bilingual::new("文件应为 UTF-8 编码", "the file must be UTF-8"))
    })?;
    Ok(Json(Imported { years: api.scoped().desk::<CityDesk>()?.import_official_days(text).await? }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct DeadlineQuery {
    /// 起算时间（RFC 3339，默认现在） / start (RFC 3339, default now)
    #[serde(default, deserialize_with = "params::instant")]
    #[param(value_type = Option<schema::InstantText>)]
    from: Option<Micros>,
    /// 时限数量 / how many units
    #[param(minimum = 1, maximum = 8784)]
    amount: u32,
    unit: LimitUnit,
}

/// 计算时限的截止时间（按工作日历） / when a time limit ends, on the calendar.
#[utoipa::path(get, path = "/calendar/deadline", operation_id = "computeDeadline", tag = "time", params(DeadlineQuery),
    responses((status = 200, body = DeadlineAnswer), Refusals))]
async fn deadline(api: PublicApi, ApiQuery(q): ApiQuery<DeadlineQuery>) -> ApiResult<Json<DeadlineAnswer>> {
    let from = q.from.map_or_else(|| api.state.app.now(), Micros::timestamp);
    Ok(Json(api.scoped().deadline(from, q.amount, q.unit)?))
}

/// 预警扫描的运行者与最近一次结果 / who runs the warning sweep, and its last run.
#[utoipa::path(get, path = "/sweep", operation_id = "showSweepStatus", tag = "time", responses((status = 200, body = SweeperStatus), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn sweep_status(api: Api) -> ApiResult<Json<SweeperStatus>> {
    Ok(Json(api.scoped().sweeper_status().await?))
}
