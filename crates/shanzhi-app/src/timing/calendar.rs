//! The working-day calendar as users see and edit it: read any year, flag the
//! years without official data, adjust days locally, set working hours and
//! warning thresholds, load a new year's official dates, and ask "when is N
//! working days from here".

use jiff::Timestamp;
use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};
use shanzhi_domain::Thresholds;
use shanzhi_domain::calendar::{DayKind, LimitUnit, WorkingHours, china, parse_official_days};
use shanzhi_domain::category::Limit;
use shanzhi_domain::text::Bilingual;
use shanzhi_store::{CalendarDay, DaySource};

use super::{HOURS_KEY, THRESHOLDS_KEY};
use crate::access::{CityDesk, Scoped};
use crate::{App, AppError, AppResult};

/// Working hours and warning thresholds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimingSettings {
    pub working_hours: WorkingHours,
    pub thresholds: Thresholds,
}

/// A day the calendar says something about (holidays, make-up working days,
/// local adjustments).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayView {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: Date,
    pub weekday: &'static str,
    pub kind: DayKind,
    pub name: String,
    /// `official` or `local`.
    pub source: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarView {
    pub timezone: &'static str,
    pub working_hours: String,
    pub working_seconds_per_day: i64,
    pub thresholds: Thresholds,
    pub year: i16,
    pub official_data: bool,
    /// This year and the next, where the official dates are missing: deadlines
    /// there count weekends only and are marked provisional.
    pub missing_years: Vec<i16>,
    pub notice: Option<Bilingual>,
    pub covered_years: Vec<i16>,
    pub days: Vec<DayView>,
}

/// A local adjustment.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CalendarDayInput {
    pub kind: DayKind,
    pub name: String,
}

/// The answer to "when is `amount` `unit` from `from`".
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeadlineAnswer {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub from: Timestamp,
    pub limit: Limit,
    pub limit_label: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub deadline: Timestamp,
    pub deadline_local: String,
    pub provisional: bool,
}

fn weekday_zh(d: Date) -> &'static str {
    match d.weekday() {
        Weekday::Monday => "星期一",
        Weekday::Tuesday => "星期二",
        Weekday::Wednesday => "星期三",
        Weekday::Thursday => "星期四",
        Weekday::Friday => "星期五",
        Weekday::Saturday => "星期六",
        Weekday::Sunday => "星期日",
    }
}

fn bad(code: &'static str, zh: String, en: String) -> AppError {
    AppError::bad_request(code, zh, en)
}

/// A date between 2000 and 2100, as `YYYY-MM-DD`.
pub(crate) fn parse_date(text: &str) -> AppResult<Date> {
    let d: Date = text.trim().parse().map_err(|_| {
        bad("invalid_date", format!("日期“{text}”应为 YYYY-MM-DD"), format!("date '{text}' must be YYYY-MM-DD"))
    })?;
    if !(2000..=2100).contains(&d.year()) {
        return Err(bad("invalid_date", format!("日期“{text}”超出范围"), format!("date '{text}' is out of range")));
    }
    Ok(d)
}

impl App {
    /// The years around `now` whose official dates are missing.
    pub fn missing_calendar_years(&self) -> Vec<i16> {
        let year = self.now().to_zoned_datetime(china()).year();
        let timing = self.timing();
        [year, year + 1].into_iter().filter(|y| !timing.calendar.year_has_data(*y)).collect()
    }
}

impl Scoped<'_> {
    /// The calendar of `year` (default: this year).
    pub fn calendar(&self, year: Option<i16>) -> AppResult<CalendarView> {
        let timing = self.app.timing();
        let cal = &timing.calendar;
        let year = year.unwrap_or_else(|| self.app.now().to_zoned_datetime(china()).year());
        if !(2000..=2100).contains(&year) {
            return Err(bad("invalid_year", format!("年份 {year} 超出范围"), format!("year {year} is out of range")));
        }
        let mut days = Vec::new();
        let mut d = Date::new(year, 1, 1).map_err(|e| AppError::internal(e.to_string()))?;
        while d.year() == year {
            let (kind, name) = cal.day(d);
            if let Some(name) = name {
                days.push(DayView {
                    date: d,
                    weekday: weekday_zh(d),
                    kind,
                    name: name.to_owned(),
                    source: if cal.is_local(d) { "local" } else { "official" },
                });
            }
            d = d.tomorrow().map_err(|e| AppError::internal(e.to_string()))?;
        }
        let missing = self.app.missing_calendar_years();
        let notice = (!missing.is_empty()).then(|| {
            let list = missing.iter().map(ToString::to_string).collect::<Vec<_>>().join("、");
            Bilingual::new(
                format!("{list} 年的法定节假日和调休安排尚未录入：这些年份的时限只按周末计算，标为“暂定”。请在国务院办公厅公布后导入。"),
                format!(
                    "the official holidays of {list} are not loaded: deadlines there count weekends only and are \
                     marked provisional. Import them once the State Council publishes them."
                ),
            )
        });
        Ok(CalendarView {
            timezone: "Asia/Shanghai (UTC+8)",
            working_hours: cal.hours().to_string(),
            working_seconds_per_day: cal.hours().seconds_per_day(),
            thresholds: timing.thresholds,
            year,
            official_data: cal.year_has_data(year),
            missing_years: missing,
            notice,
            covered_years: cal.official_years().collect(),
            days,
        })
    }
}

impl CityDesk<'_> {
    /// Set a local adjustment for one day.
    pub async fn put_calendar_day(&self, date: &str, input: CalendarDayInput) -> AppResult<DayView> {
        let date = parse_date(date)?;
        let name = input.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 50 {
            return Err(bad(
                "invalid_name",
                "说明应为 1–50 个字".into(),
                "the reason must have 1–50 characters".into(),
            ));
        }
        let day = CalendarDay {
            date,
            source: DaySource::Local,
            kind: input.kind,
            name: name.clone(),
            updated_by: self.actor.name.clone(),
            updated_at: self.app.now_micros(),
        };
        let audit = self.audit("calendar.put", &format!("calendar:{date}")).after(format!("{:?} {name}", input.kind));
        self.app.store.put_calendar_days(&[day], &audit).await?;
        self.app.reload_timing().await?;
        Ok(DayView { date, weekday: weekday_zh(date), kind: input.kind, name, source: "local" })
    }

    /// Remove a local adjustment.
    pub async fn delete_calendar_day(&self, date: &str) -> AppResult<()> {
        let date = parse_date(date)?;
        let audit = self.audit("calendar.delete", &format!("calendar:{date}"));
        if !self.app.store.delete_calendar_day(date, DaySource::Local, &audit).await? {
            return Err(AppError::not_found(
                "calendar_day_not_found",
                format!("{date} 没有本地调整"),
                format!("no local adjustment on {date}"),
            ));
        }
        self.app.reload_timing().await
    }

    /// Set working hours and warning thresholds (either may be left out).
    pub async fn put_timing_settings(
        &self,
        working_hours: Option<&str>,
        thresholds: Option<(u8, u8)>,
    ) -> AppResult<TimingSettings> {
        let hours = working_hours
            .map(WorkingHours::parse)
            .transpose()
            .map_err(|m| AppError::BadRequest { code: "invalid_working_hours", message: m })?;
        let thresholds = thresholds
            .map(|(y, o)| Thresholds::new(y, o))
            .transpose()
            .map_err(|m| AppError::BadRequest { code: "invalid_thresholds", message: m })?;
        if let Some(h) = &hours {
            let audit = self.audit("calendar.hours", "setting:timing.working_hours").after(h.to_string());
            self.app.store.put_setting(HOURS_KEY, &h.to_string(), &audit).await?;
        }
        if let Some(t) = thresholds {
            let text = serde_json::to_string(&t).map_err(|e| AppError::internal(e.to_string()))?;
            let audit = self.audit("calendar.thresholds", "setting:timing.thresholds").after(text.clone());
            self.app.store.put_setting(THRESHOLDS_KEY, &text, &audit).await?;
        }
        self.app.reload_timing().await?;
        self.app.timing_settings().await
    }

    /// Load official dates (the shipped file's format) for years the build
    /// does not carry; returns the years loaded.
    pub async fn import_official_days(&self, csv: &str) -> AppResult<Vec<i16>> {
        // A year has a few dozen dated rules; a century fits many times over.
        if csv.len() > 1024 * 1024 || csv.lines().count() > 20_000 {
            return Err(bad(
                "calendar_file_too_large",
                "日历文件过大：最多 1 MiB、20000 行".into(),
                "the calendar file is too large: at most 1 MiB and 20,000 lines".into(),
            ));
        }
        let days = parse_official_days(csv).map_err(|e| {
            bad("invalid_calendar_file", format!("日历文件有误：{e}"), format!("invalid calendar file: {e}"))
        })?;
        if days.is_empty() {
            return Err(bad("empty_calendar_file", "日历文件没有日期".into(), "the calendar file has no dates".into()));
        }
        if let Some(d) = days.keys().find(|d| !(2000..=2100).contains(&d.year())) {
            return Err(bad("invalid_date", format!("日期 {d} 超出范围"), format!("date {d} is out of range")));
        }
        let now = self.app.now_micros();
        let rows: Vec<CalendarDay> = days
            .iter()
            .map(|(date, rule)| CalendarDay {
                date: *date,
                source: DaySource::Official,
                kind: rule.kind,
                name: rule.name.clone(),
                updated_by: self.actor.name.clone(),
                updated_at: now,
            })
            .collect();
        let mut years: Vec<i16> = days.keys().map(|d| d.year()).collect();
        years.dedup();
        let list = years.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
        let audit = self.audit("calendar.import", &format!("calendar:{list}")).after(format!("{} days", rows.len()));
        self.app.store.put_calendar_days(&rows, &audit).await?;
        self.app.reload_timing().await?;
        Ok(years)
    }
}

impl Scoped<'_> {
    /// When `amount` `unit` from `from` ends on the calendar.
    pub fn deadline(&self, from: Timestamp, amount: u32, unit: LimitUnit) -> AppResult<DeadlineAnswer> {
        // The calendar is kept for the years people plan in; far dates are a
        // client's mistake, not a question (the end of time once panicked).
        let year = from.to_zoned_datetime(china()).year();
        if !(1970..=2200).contains(&year) {
            return Err(AppError::bad_request(
                "invalid_time",
                "from 应在 1970 年至 2200 年之间",
                "from must lie between the years 1970 and 2200",
            ));
        }
        let limit = Limit { amount, unit };
        let probe = shanzhi_domain::category::TimeLimits { accept: Some(limit), ..Default::default() };
        probe.validate().map_err(|m| AppError::BadRequest { code: "invalid_limit", message: m })?;
        let timing = self.app.timing();
        let deadline = timing.calendar.add(from, amount, unit);
        let zoned = deadline.to_zoned_datetime(china());
        Ok(DeadlineAnswer {
            from,
            limit,
            limit_label: limit.label_zh(),
            deadline,
            deadline_local: zoned.strftime("%Y-%m-%d %H:%M").to_string(),
            provisional: ![from.to_zoned_datetime(china()).year(), zoned.year()]
                .iter()
                .all(|y| timing.calendar.year_has_data(*y)),
        })
    }
}
