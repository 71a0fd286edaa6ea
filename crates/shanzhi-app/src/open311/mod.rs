//! Open311 GeoReport v2 as use cases: categories as services, matters as
//! service requests, timelines as request updates. Interfaces render these
//! records as JSON or XML; the rules (what the public may read, the 90-day
//! window, which status is "closed") live here.
//!
//! Field mapping: `service_request_id` = the matter number, `token` = its
//! id, `status` = `closed` once a handled matter passed verification (or it
//! was rejected, merged or voided), `agency_responsible` = the unit holding
//! it, `expected_datetime` = the deadline of the stage it is in,
//! `service_notice` = the time limits, `address_id` = the grid code.

mod requests;
mod services;
mod updates;

use jiff::Timestamp;
use serde::Serialize;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{CodeSystem, DivisionCode, DivisionLevel, Line, Matter, MatterState, Micros};
use shanzhi_store::MatterScope;

use crate::access::{Scoped, Via};
use crate::{AppError, AppResult};

pub use requests::{PostedRequest, RequestFilter, RequestPost, UpdateFilter};
#[cfg(feature = "fuzzing")]
pub(crate) use requests::{paging, window};
pub use services::{ServiceDefinition, ServiceInfo, service_notice};
pub use updates::{PARTNER_STATUSES, PostedUpdate, UpdatePost};

/// The spec's own link, as discovery names it.
pub const SPECIFICATION: &str = "http://wiki.open311.org/GeoReport_v2";

/// The most a listing returns at once (the spec's default cap).
pub const MAX_PAGE_SIZE: usize = 1000;
/// How deep `page` may reach: beyond this, narrow the dates instead.
pub const MAX_DEPTH: usize = 10_000;
/// The longest `start_date`–`end_date` range, and the default window.
pub const WINDOW_DAYS: i64 = 90;

/// One service request as Open311 shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RequestInfo {
    pub service_request_id: String,
    pub token: String,
    pub status: &'static str,
    pub status_notes: Option<String>,
    pub service_name: Option<String>,
    pub service_code: String,
    pub description: Option<String>,
    pub agency_responsible: Option<String>,
    pub service_notice: Option<String>,
    pub requested_datetime: String,
    pub updated_datetime: Option<String>,
    pub expected_datetime: Option<String>,
    pub address: Option<String>,
    pub address_id: Option<String>,
    pub zipcode: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: Option<String>,
    /// Only with `extensions=true`.
    pub extended: Option<Extended>,
}

/// The `extensions=true` part: the detailed state and the notes history.
#[derive(Debug, Clone, Serialize)]
pub struct Extended {
    /// Our state (`in_progress` …) and its name.
    pub detailed_status: &'static str,
    pub detailed_status_name: &'static str,
    pub channel: String,
    pub level: &'static str,
    pub warning: &'static str,
    /// Every photo of the matter (ids; the interface makes them URLs).
    pub media: Vec<String>,
    pub notes: Vec<Note>,
}

/// One timeline entry, without who (staff names are not public).
#[derive(Debug, Clone, Serialize)]
pub struct Note {
    pub datetime: String,
    /// `submitted`, then the command (`dispatch`, `respond` …).
    pub r#type: String,
    pub summary: String,
    pub description: Option<String>,
}

/// One entry of the `servicerequestupdates` feed.
#[derive(Debug, Clone, Serialize)]
pub struct UpdateInfo {
    pub update_id: String,
    pub service_request_id: String,
    /// The FixMyStreet extended status (`open`, `in_progress`, `fixed` …).
    pub status: &'static str,
    pub updated_datetime: String,
    pub description: String,
    pub media_url: Option<String>,
}

/// `open` or `closed`: closed only once verification passed (or the matter
/// ended without work: rejected, merged, voided).
pub fn open_or_closed(state: MatterState) -> &'static str {
    match state {
        MatterState::Closed
        | MatterState::Rated
        | MatterState::Rejected
        | MatterState::Merged
        | MatterState::Voided => "closed",
        _ => "open",
    }
}

/// The states behind `status=open` / `status=closed`.
pub fn states_for(status: &str) -> Vec<MatterState> {
    MatterState::ALL.into_iter().filter(|s| open_or_closed(*s) == status).collect()
}

/// Open311 datetimes: ISO 8601 with China's offset.
pub fn datetime(at: Micros) -> String {
    Timestamp::from_microsecond(at.get())
        .map(|t| {
            t.to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string()
        })
        .unwrap_or_default()
}

/// Parse a datetime parameter: ISO 8601 with `Z` or an offset; a bare date
/// is midnight in China.
pub fn parse_datetime(name: &str, text: &str) -> AppResult<Micros> {
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(Micros::from(t));
    }
    if let Ok(d) = text.parse::<jiff::civil::Date>()
        && let Ok(z) = d.to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
    {
        return Ok(Micros::from(z.timestamp()));
    }
    Err(AppError::bad_request(
        "invalid_datetime",
        format!("{name}“{text}”不是带时区的 ISO 8601 时间（如 2026-11-28T09:00:00+08:00）"),
        format!("{name} '{text}' is not an ISO 8601 datetime with a timezone (e.g. 2026-11-28T09:00:00+08:00)"),
    ))
}

impl Scoped<'_> {
    /// `jurisdiction_id`: absent (the whole endpoint), or a city, district or
    /// town this server holds (`510104` or `510104000000`). Unknown: 404.
    pub async fn open311_jurisdiction(&self, id: Option<&str>) -> AppResult<Option<DivisionCode>> {
        let Some(id) = id.map(str::trim).filter(|s| !s.is_empty()) else { return Ok(None) };
        let unknown = || {
            AppError::not_found(
                "unknown_jurisdiction",
                format!("未知的 jurisdiction_id“{id}”（应为本平台的市、区县或街道代码）"),
                format!("unknown jurisdiction_id '{id}' (use a city, district or town code of this server)"),
            )
        };
        let code = DivisionCode::parse(id).map_err(|_| unknown())?;
        if !matches!(code.level(), DivisionLevel::City | DivisionLevel::District | DivisionLevel::Town) {
            return Err(unknown());
        }
        self.app.store.division(CodeSystem::Nbs2023, &code).await?.ok_or_else(unknown)?;
        Ok(Some(code))
    }

    /// What an Open311 reader sees: the public development line, plus the
    /// caller's own scope (an api_key's holder sees their matters).
    pub(crate) fn open311_scope(&self) -> MatterScope {
        MatterScope { public: true, ..self.matter_scope() }
    }

    fn open311_visible(&self, m: &Matter) -> bool {
        m.line == Line::Development || self.can_see(m)
    }

    /// Posting needs an api_key (a signed-in caller, usually an API token).
    fn open311_poster(&self) -> AppResult<()> {
        if self.actor.via == Via::Anonymous {
            return Err(AppError::Forbidden(Bilingual::new(
                "缺少 api_key：提交请求需要 API 令牌（由管理员用 shanzhi token create 签发）",
                "api_key is missing: posting needs an API token (issued with shanzhi token create)",
            )));
        }
        Ok(())
    }
}
