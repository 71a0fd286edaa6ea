//! `/supervise` (督办): warnings and overdue matters, and the dashboard of a
//! period — trends, the 双线 split, a heat map of the busiest grids, missed
//! runs by stage, top categories (ECharts, figures passed in a data-*
//! attribute) and the figures table of every unit, each cell linking to
//! `/supervise/matters` (the matters behind it); `/supervise/report` is the
//! printable monthly report; `/supervise/topics` the 每月一题 (the month's
//! hot spots per district).
//!
//! One module per page: the dashboard (`dashboard`), the matters behind a
//! figure (`drill`) and the monthly report (`report`); what they share here.

mod dashboard;
mod drill;
mod report;
mod topics;

pub use dashboard::supervise;
pub use drill::matters;
pub use report::report;
pub use topics::{Alert, alerts, topics};

use serde::Deserialize;
use shanzhi_app::figures::trim;
use shanzhi_domain::indicators::{Figure, Key, Measure, Period, PeriodKind, UnitKind};

use crate::AppState;
use crate::ui::Tr;

#[derive(Debug, Default, Deserialize)]
pub struct DashQuery {
    period: Option<String>,
    by: Option<String>,
    /// The overdue list's page: the `next` of the one before, and its number.
    cursor: Option<String>,
    page: Option<u32>,
}

/// A choice in a picker.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// Today in China.
fn today(state: &AppState) -> jiff::civil::Date {
    state.app.now().to_zoned_datetime(shanzhi_domain::calendar::china()).date()
}

/// A period as people say it.
pub fn period_label(tr: Tr, p: Period) -> String {
    let d = p.start;
    match (p.kind, tr.en) {
        (PeriodKind::Day, false) => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        (PeriodKind::Week, false) => {
            let w = d.iso_week_date();
            format!("{}年第{}周（{}月{}日起）", w.year(), w.week(), d.month(), d.day())
        }
        (PeriodKind::Month, false) => format!("{}年{}月", d.year(), d.month()),
        (PeriodKind::Quarter, false) => format!("{}年第{}季度", d.year(), (d.month() - 1) / 3 + 1),
        (PeriodKind::Year, false) => format!("{}年", d.year()),
        (PeriodKind::Week, true) => format!("{p} (from {d})"),
        _ => p.to_string(),
    }
}

/// The periods offered: this and last week, the last twelve months, this
/// year's quarters so far and the last two years.
fn periods(tr: Tr, today: jiff::civil::Date, chosen: Period) -> Vec<Choice> {
    let parse = |s: String| Period::parse(&s).ok();
    let week = today.iso_week_date();
    let mut out: Vec<Period> = Vec::new();
    if let Some(m) = parse(format!("{:04}-{:02}", today.year(), today.month())) {
        let mut p = m;
        for _ in 0..12 {
            out.push(p);
            p = p.previous();
        }
    }
    if let Some(w) = parse(format!("{:04}-W{:02}", week.year(), week.week())) {
        out.extend([w, w.previous()]);
    }
    if let Some(q) = parse(format!("{:04}-Q{}", today.year(), (today.month() - 1) / 3 + 1)) {
        let mut p = q;
        for _ in 0..4 {
            out.push(p);
            p = p.previous();
        }
    }
    if let Some(y) = parse(format!("{:04}", today.year())) {
        out.extend([y, y.previous()]);
    }
    if !out.contains(&chosen) {
        out.insert(0, chosen);
    }
    out.into_iter()
        .map(|p| Choice { value: p.to_string(), label: period_label(tr, p), selected: p == chosen })
        .collect()
}

pub fn kind_label(tr: Tr, k: UnitKind) -> &'static str {
    tr.named(k.label_zh(), || match k {
        UnitKind::District => "District",
        UnitKind::Town => "Town / street",
        UnitKind::Community => "Community",
        UnitKind::Grid => "Grid",
        UnitKind::Department => "Department",
        UnitKind::Worker => "Grid worker",
    })
}

pub fn key_label(tr: Tr, k: Key) -> &'static str {
    let d = k.definition();
    if tr.en { d.name_en } else { d.name_zh }
}

/// `numerator / denominator` for a title.
fn fraction(tr: Tr, key: Key, f: Option<&Figure>) -> String {
    let Some(f) = f else { return String::new() };
    match key.definition().measure {
        Measure::Count => format!("{} {}", tr.t("计数", "count"), trim(f.numerator)),
        Measure::Rate => format!(
            "{} {} / {} {}",
            tr.t("分子", "numerator"),
            trim(f.numerator),
            tr.t("分母", "denominator"),
            trim(f.denominator)
        ),
    }
}

fn percent(f: Option<&Figure>) -> Option<f64> {
    f.and_then(|f| f.value).map(|v| (v * 1000.0).round() / 10.0)
}

pub fn stage_label(tr: Tr, s: shanzhi_domain::Stage) -> &'static str {
    use shanzhi_domain::Stage;
    tr.named(s.label_zh(), || match s {
        Stage::Accept => "Accept",
        Stage::Dispatch => "Dispatch",
        Stage::Sign => "Sign",
        Stage::Handle => "Handle",
        Stage::Verify => "Verify",
    })
}

/// The drill-down of one figure.
pub fn drill_href(key: Key, period: &str, by: UnitKind, unit: &str) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!("/supervise/matters?key={}&period={}&by={}&unit={}", key.as_str(), enc(period), by.as_str(), enc(unit))
}

/// Whether a figure is given for this unit type: departments and grid
/// workers are credited with what they held, never with reports.
pub fn applies(by: UnitKind, key: Key) -> bool {
    by.is_place() || !matches!(key, Key::Reported | Key::ProactiveShare | Key::ClosureRate)
}

/// The period asked for (this month by default) and the unit type.
fn asked(state: &AppState, q: &DashQuery) -> Result<(Period, UnitKind), shanzhi_app::AppError> {
    let bad = |code, m| shanzhi_app::AppError::BadRequest { code, message: m };
    let period = match q.period.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => Period::parse(p).map_err(|m| bad("invalid_period", m))?,
        None => {
            let t = today(state);
            Period::month(t.year(), t.month()).map_err(|m| bad("invalid_period", m))?
        }
    };
    let by = match q.by.as_deref().filter(|b| !b.is_empty()) {
        Some(b) => b.parse::<UnitKind>().map_err(|m| bad("invalid_unit_kind", m))?,
        None => UnitKind::District,
    };
    Ok((period, by))
}

/// An export time (`2026-11-30T12:00:00+08:00`) as `2026-11-30 12:00`.
pub fn local_time(iso: &str) -> String {
    iso.get(..16).map(|s| s.replace('T', " ")).unwrap_or_default()
}
