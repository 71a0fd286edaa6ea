//! `/api/v1/calendar…`: the working-day calendar (anyone may read it; a
//! city-wide admin edits it), `/api/v1/calendar/deadline` to work a limit
//! out, and `/api/v1/sweep`: who runs the warning sweep.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use shanzhi_app::timing::{CalendarDayInput, CalendarView, DayView, DeadlineAnswer, SweeperStatus, TimingSettings};
use shanzhi_domain::calendar::LimitUnit;
use shanzhi_domain::text::Bilingual;

use crate::extract::{ApiJson, ApiQuery, Caller, MaybeCaller};
use crate::{ApiError, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/calendar", get(show))
        .route("/calendar/settings", put(put_settings))
        .route("/calendar/days/{date}", put(put_day).delete(delete_day))
        .route("/calendar/official", axum::routing::post(import_official))
        .route("/calendar/deadline", get(deadline))
        .route("/sweep", get(sweep_status))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct YearQuery {
    year: Option<i16>,
}

async fn show(
    State(state): State<AppState>,
    MaybeCaller(actor): MaybeCaller,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> Result<Json<CalendarView>, ApiError> {
    Ok(Json(state.app.scoped(actor).calendar(q.year)?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsBody {
    working_hours: Option<String>,
    yellow_left: Option<u8>,
    orange_left: Option<u8>,
}

#[derive(Debug, Serialize)]
struct SettingsView {
    working_hours: String,
    yellow_left: u8,
    orange_left: u8,
}

async fn put_settings(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(b): ApiJson<SettingsBody>,
) -> Result<Json<SettingsView>, ApiError> {
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
    let s: TimingSettings = state.app.scoped(actor).put_timing_settings(b.working_hours.as_deref(), thresholds).await?;
    Ok(Json(SettingsView {
        working_hours: s.working_hours.to_string(),
        yellow_left: s.thresholds.yellow_left,
        orange_left: s.thresholds.orange_left,
    }))
}

async fn put_day(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(date): Path<String>,
    ApiJson(b): ApiJson<CalendarDayInput>,
) -> Result<Json<DayView>, ApiError> {
    Ok(Json(state.app.scoped(actor).put_calendar_day(&date, b).await?))
}

async fn delete_day(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(date): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.app.scoped(actor).delete_calendar_day(&date).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize)]
struct Imported {
    years: Vec<i16>,
}

/// The body: the shipped file's CSV (`date,kind,holiday,holiday_zh`).
async fn import_official(
    State(state): State<AppState>,
    Caller(actor): Caller,
    body: Bytes,
) -> Result<Json<Imported>, ApiError> {
    let text = std::str::from_utf8(&body).map_err(|_| {
        ApiError::bad_request("invalid_encoding", Bilingual::new("文件应为 UTF-8 编码", "the file must be UTF-8"))
    })?;
    Ok(Json(Imported { years: state.app.scoped(actor).import_official_days(text).await? }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeadlineQuery {
    from: Option<String>,
    amount: u32,
    unit: LimitUnit,
}

async fn deadline(
    State(state): State<AppState>,
    MaybeCaller(actor): MaybeCaller,
    ApiQuery(q): ApiQuery<DeadlineQuery>,
) -> Result<Json<DeadlineAnswer>, ApiError> {
    let from = match q.from.as_deref() {
        None => state.app.now(),
        Some(s) => s.parse::<jiff::Timestamp>().map_err(|_| {
            ApiError::bad_request(
                "invalid_time",
                Bilingual::new(format!("时间“{s}”应为 RFC 3339 格式"), format!("time '{s}' must be RFC 3339")),
            )
        })?,
    };
    Ok(Json(state.app.scoped(actor).deadline(from, q.amount, q.unit)?))
}

async fn sweep_status(State(state): State<AppState>, Caller(actor): Caller) -> Result<Json<SweeperStatus>, ApiError> {
    Ok(Json(state.app.scoped(actor).sweeper_status().await?))
}
