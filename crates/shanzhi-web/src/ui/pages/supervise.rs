//! `/supervise` (督办): warnings and overdue matters, and the dashboard of a
//! period — trends, the 双线 split, a heat map of the busiest grids, missed
//! runs by stage, top categories (ECharts, figures passed in a data-*
//! attribute) and the figures table of every unit, each cell linking to
//! `/supervise/matters` (the matters behind it); `/supervise/report` is the
//! printable monthly report.

use std::collections::{BTreeMap, HashSet};

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use shanzhi_app::figures::{Dashboard, FigureQuery, MonthlyReport, UnitFigures, shown, trim};
use shanzhi_app::matters::MatterFilter;
use shanzhi_domain::indicators::{Figure, Key, Measure, Period, PeriodKind, UnitKind};
use shanzhi_domain::{MatterState, Warning};

use super::Row;
use crate::AppState;
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal, to_login};

/// Units listed in the figures table at most.
const TABLE_UNITS: usize = 300;

#[derive(Debug, Default, Deserialize)]
pub struct DashQuery {
    period: Option<String>,
    by: Option<String>,
}

/// A choice in a picker.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One cell of the figures table.
pub struct Cell {
    pub shown: String,
    pub title: String,
    pub href: String,
}

pub struct TableRow {
    pub name: String,
    pub cells: Vec<Cell>,
}

#[derive(Template)]
#[template(path = "supervise.html")]
struct SupervisePage {
    tr: Tr,
    nav: Nav,
    warnings: (u64, u64, u64),
    overdue: Vec<Row>,
    by_state: Vec<(String, u64)>,
    periods: Vec<Choice>,
    kinds: Vec<Choice>,
    period: String,
    by_label: String,
    as_of: String,
    headline: Vec<(String, String, String)>,
    keys: Vec<String>,
    rows: Vec<TableRow>,
    more: usize,
    chart: String,
    report_href: String,
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
    if !tr.en {
        return k.label_zh();
    }
    match k {
        UnitKind::District => "District",
        UnitKind::Town => "Town / street",
        UnitKind::Community => "Community",
        UnitKind::Grid => "Grid",
        UnitKind::Department => "Department",
        UnitKind::Worker => "Grid worker",
    }
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

/// The charts' figures and titles, for app.js.
fn chart_data(tr: Tr, d: &Dashboard) -> String {
    let step = match d.step {
        "week" => tr.t("按周", "by week"),
        "month" => tr.t("按月", "by month"),
        _ => tr.t("按日", "by day"),
    };
    let rates = [
        Key::OnTimeSignRate,
        Key::OnTimeHandlingRate,
        Key::OnTimeVerifyRate,
        Key::SatisfactionRate,
        Key::ClosureRate,
        Key::ProactiveShare,
    ];
    let heat_keys =
        [Key::OnTimeSignRate, Key::OnTimeHandlingRate, Key::OnTimeVerifyRate, Key::SatisfactionRate, Key::ClosureRate];
    let mut heat = Vec::new();
    for (y, g) in d.grids.iter().enumerate() {
        for (x, k) in heat_keys.iter().enumerate() {
            if let Some(v) = percent(g.figures.get(k)) {
                heat.push(serde_json::json!([x, y, v]));
            }
        }
    }
    let line = |m: &BTreeMap<Key, Figure>| rates.iter().map(|k| percent(m.get(k))).collect::<Vec<_>>();
    let line_fraction =
        |m: &BTreeMap<Key, Figure>| rates.iter().map(|k| fraction(tr, *k, m.get(k))).collect::<Vec<_>>();
    let count = |m: &BTreeMap<Key, Figure>, k: Key| m.get(&k).map_or(0.0, |f| f.numerator);
    serde_json::json!({
        "empty": tr.t("本时段暂无数据", "Nothing in this period"),
        "trend": {
            "title": format!("{}（{}）", tr.t("上报、立案、结案趋势", "Reported, filed, closed"), step),
            "labels": d.trend.iter().map(|p| p.start.get(5..).unwrap_or(&p.start).to_owned()).collect::<Vec<_>>(),
            "series": [
                {"name": tr.t("上报", "Reported"), "data": d.trend.iter().map(|p| p.reported).collect::<Vec<_>>()},
                {"name": tr.t("立案", "Filed"), "data": d.trend.iter().map(|p| p.filed).collect::<Vec<_>>()},
                {"name": tr.t("结案", "Closed"), "data": d.trend.iter().map(|p| p.closed).collect::<Vec<_>>()},
            ],
        },
        "lines": {
            "title": tr.t("双线对比：高线社治 · 底线综治（%）", "Two lines: development · safety (%)"),
            "labels": rates.iter().map(|k| key_label(tr, *k)).collect::<Vec<_>>(),
            "series": [
                {"name": format!("{}（{} {}）", tr.t("高线·社治", "Development"), tr.t("上报", "reported"), count(&d.development, Key::Reported)),
                 "data": line(&d.development), "fractions": line_fraction(&d.development)},
                {"name": format!("{}（{} {}）", tr.t("底线·综治", "Safety"), tr.t("上报", "reported"), count(&d.safety, Key::Reported)),
                 "data": line(&d.safety), "fractions": line_fraction(&d.safety)},
            ],
        },
        "heat": {
            "title": format!("{}（{} {}）", tr.t("网格热力图：各项比率（%）", "Grids heat map: rates (%)"), tr.t("上报最多的", "the most reported"), d.grids.len()),
            "x": heat_keys.iter().map(|k| key_label(tr, *k)).collect::<Vec<_>>(),
            "y": d.grids.iter().map(|g| g.name.clone()).collect::<Vec<_>>(),
            "data": heat,
        },
        "funnel": {
            "title": tr.t("超期漏斗：各环节超期次数", "Overdue by stage (missed runs)"),
            "data": d.stages.iter().map(|s| serde_json::json!({"name": stage_label(tr, s.stage), "value": s.missed})).collect::<Vec<_>>(),
        },
        "categories": {
            "title": tr.t("上报最多的事项分类", "Top categories"),
            "labels": d.categories.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
            "series": [
                {"name": tr.t("上报", "Reported"), "data": d.categories.iter().map(|c| c.reported).collect::<Vec<_>>()},
                {"name": tr.t("超期", "Overdue"), "data": d.categories.iter().map(|c| c.overdue).collect::<Vec<_>>()},
            ],
        },
    })
    .to_string()
}

pub fn stage_label(tr: Tr, s: shanzhi_domain::Stage) -> &'static str {
    use shanzhi_domain::Stage;
    if !tr.en {
        return s.label_zh();
    }
    match s {
        Stage::Accept => "Accept",
        Stage::Dispatch => "Dispatch",
        Stage::Sign => "Sign",
        Stage::Handle => "Handle",
        Stage::Verify => "Verify",
    }
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

fn table(tr: Tr, period: &str, by: UnitKind, units: Vec<UnitFigures>) -> (Vec<TableRow>, usize) {
    let mut units = units;
    if !matches!(by, UnitKind::District | UnitKind::Town) {
        // The busiest first: reports for places, decided runs and overdue for who held them.
        let weight = |u: &UnitFigures| {
            let n = |k: Key| u.figures.get(&k).map_or(0.0, |f| f.denominator);
            if by.is_place() {
                u.figures.get(&Key::Reported).map_or(0.0, |f| f.numerator)
            } else {
                n(Key::OnTimeSignRate) + n(Key::OnTimeHandlingRate) + n(Key::OnTimeVerifyRate)
            }
        };
        units.sort_by(|a, b| weight(b).total_cmp(&weight(a)).then(a.name.cmp(&b.name)));
    }
    let more = units.len().saturating_sub(TABLE_UNITS);
    units.truncate(TABLE_UNITS);
    let rows = units
        .into_iter()
        .map(|u| TableRow {
            cells: Key::ALL
                .iter()
                .map(|k| {
                    let f = u.figures.get(k);
                    if applies(by, *k) {
                        Cell {
                            shown: shown(*k, f),
                            title: fraction(tr, *k, f),
                            href: drill_href(*k, period, by, &u.code),
                        }
                    } else {
                        Cell {
                            shown: "—".to_owned(),
                            title: tr.t("此项不按承办单位统计", "not counted for who held it").to_owned(),
                            href: String::new(),
                        }
                    }
                })
                .collect(),
            name: u.name,
        })
        .collect();
    (rows, more)
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

pub async fn supervise(State(state): State<AppState>, viewer: Viewer, tr: Tr, Query(q): Query<DashQuery>) -> Response {
    if !viewer.signed_in() {
        return to_login("/supervise");
    }
    let (period, by) = match asked(&state, &q) {
        Ok(x) => x,
        Err(e) => return refusal(tr, &viewer, &e),
    };
    let scoped = state.app.scoped(viewer.actor.clone());
    let fq = FigureQuery { period, by, within: None, line: None };
    let (dashboard, answer) = match scoped.dashboard_and_units(&fq).await {
        Ok(x) => x,
        Err(e) => return refusal(tr, &viewer, &e),
    };
    let counts = scoped.matter_counts(&MatterFilter::default()).await.unwrap_or_default();
    let by_state: Vec<(String, u64)> = MatterState::ALL
        .iter()
        .map(|s| (tr.state(s.as_str()).to_owned(), counts.get(s).copied().unwrap_or(0)))
        .collect();
    let warnings = scoped
        .warning_counts(&MatterFilter::default())
        .await
        .map(|w| (w.total.yellow, w.total.orange, w.total.red))
        .unwrap_or_default();
    let overdue = scoped
        .matters(&MatterFilter { warnings: vec![Warning::Red], limit: Some(50), ..MatterFilter::default() }, None)
        .await
        .map(|p| p.items.iter().map(Row::from_view).collect())
        .unwrap_or_default();
    let p = period.to_string();
    let headline =
        [Key::Reported, Key::Closed, Key::Overdue, Key::OnTimeHandlingRate, Key::SatisfactionRate, Key::ClosureRate]
            .iter()
            .map(|k| {
                (
                    key_label(tr, *k).to_owned(),
                    shown(*k, dashboard.totals.get(k)),
                    fraction(tr, *k, dashboard.totals.get(k)),
                )
            })
            .collect();
    let (rows, more) = table(tr, &p, by, answer.units);
    let kinds = UnitKind::ALL
        .iter()
        .map(|k| Choice { value: k.as_str().to_owned(), label: kind_label(tr, *k).to_owned(), selected: *k == by })
        .collect();
    page(SupervisePage {
        tr,
        nav: viewer.nav(tr),
        warnings,
        overdue,
        by_state,
        periods: periods(tr, today(&state), period),
        kinds,
        by_label: kind_label(tr, by).to_owned(),
        as_of: local_time(&dashboard.as_of),
        headline,
        keys: Key::ALL.iter().map(|k| key_label(tr, *k).to_owned()).collect(),
        rows,
        more,
        chart: chart_data(tr, &dashboard),
        report_href: format!("/supervise/report?period={p}"),
        period: period_label(tr, period),
    })
}

/// An export time (`2026-11-30T12:00:00+08:00`) as `2026-11-30 12:00`.
pub fn local_time(iso: &str) -> String {
    iso.get(..16).map(|s| s.replace('T', " ")).unwrap_or_default()
}

#[derive(Debug, Deserialize)]
pub struct DrillQuery {
    key: Option<String>,
    period: Option<String>,
    by: Option<String>,
    unit: Option<String>,
}

/// One entry behind a figure.
pub struct Entry {
    pub number: String,
    pub category: String,
    pub description: String,
    pub state: String,
    pub at: String,
    /// For a rate: whether it counts in the numerator (and how much).
    pub counted: String,
    pub missed: bool,
}

#[derive(Template)]
#[template(path = "drill.html")]
struct DrillPage {
    tr: Tr,
    nav: Nav,
    title: String,
    figure: String,
    fraction: String,
    definition: String,
    rate: bool,
    entries: Vec<Entry>,
    back: String,
}

/// Entries listed at most.
const DRILL_ENTRIES: usize = 500;

/// `/supervise/matters?key=&period=&by=&unit=`: the matters behind a figure.
pub async fn matters(State(state): State<AppState>, viewer: Viewer, tr: Tr, Query(q): Query<DrillQuery>) -> Response {
    if !viewer.signed_in() {
        return to_login("/supervise");
    }
    let bad = |code, m| shanzhi_app::AppError::BadRequest { code, message: m };
    let dq = DashQuery { period: q.period.clone(), by: q.by.clone() };
    let asked = asked(&state, &dq).and_then(|(p, by)| {
        let key = q.key.as_deref().unwrap_or("").parse::<Key>().map_err(|m| bad("invalid_indicator", m))?;
        let unit =
            q.unit.as_deref().map(str::trim).filter(|u| !u.is_empty() && u.len() <= 64).ok_or_else(|| {
                bad("invalid_unit", shanzhi_domain::text::Bilingual::new("请给出单位", "give the unit"))
            })?;
        Ok((p, by, key, unit.to_owned()))
    });
    let (period, by, key, unit) = match asked {
        Ok(x) => x,
        Err(e) => return refusal(tr, &viewer, &e),
    };
    let scoped = state.app.scoped(viewer.actor.clone());
    let fq = FigureQuery { period, by, within: None, line: None };
    let b = match scoped.indicator_breakdown(&fq, key, &unit).await {
        Ok(b) => b,
        Err(e) => return refusal(tr, &viewer, &e),
    };
    let rate = key.definition().measure == Measure::Rate;
    let counted: std::collections::HashMap<(String, i64), f64> =
        b.numerator.iter().map(|c| ((c.matter_id.clone(), c.seq), c.weight)).collect();
    let listed = if rate { &b.denominator } else { &b.numerator };
    let mut entries = Vec::new();
    let mut seen = HashSet::new();
    for c in listed.iter().take(DRILL_ENTRIES) {
        let Ok(m) = scoped.matter(&c.matter_id).await else { continue };
        seen.insert(c.matter_id.clone());
        let weight = counted.get(&(c.matter_id.clone(), c.seq)).copied();
        let on_time = matches!(key, Key::OnTimeSignRate | Key::OnTimeHandlingRate | Key::OnTimeVerifyRate);
        let (counted, missed) = match (rate, weight, on_time) {
            (false, _, _) => (String::new(), false),
            (true, Some(_), true) => (tr.t("按期", "On time").to_owned(), false),
            (true, None, true) => (tr.t("超期", "Missed").to_owned(), true),
            (true, Some(w), false) if w < 1.0 => (format!("{} × {}", tr.t("计入", "counts"), trim(w)), false),
            (true, Some(_), false) => (tr.t("计入分子", "In numerator").to_owned(), false),
            (true, None, false) => (tr.t("不计入分子", "Not in numerator").to_owned(), true),
        };
        let description: String = m.description.chars().take(40).collect();
        entries.push(Entry {
            number: m.number.clone(),
            category: m.category_name.clone(),
            description,
            state: tr.state(m.state.as_str()).to_owned(),
            at: local_time(&c.at),
            counted,
            missed,
        });
    }
    // What a supervisor looks for first: the runs that missed.
    entries.sort_by_key(|e| !e.missed);
    let d = key.definition();
    let definition = if tr.en {
        format!("{}: {} / {}", d.name_en, d.numerator, d.denominator)
    } else {
        let (num, den) = formula_zh(key);
        format!("{}：分子为{}；分母为{}", d.name_zh, num, den)
    };
    let p = period.to_string();
    page(DrillPage {
        tr,
        nav: viewer.nav(tr),
        title: format!("{} · {} · {}", b.name, key_label(tr, key), period_label(tr, period)),
        figure: shown(key, Some(&b.figure)),
        fraction: fraction(tr, key, Some(&b.figure)),
        definition,
        rate,
        entries,
        back: format!("/supervise?period={p}&by={}", by.as_str()),
    })
}

#[derive(Template)]
#[template(path = "report_month.html")]
struct ReportPage {
    tr: Tr,
    nav: Nav,
    period: String,
    as_of: String,
    k: String,
    headline: Vec<(String, String, String)>,
    lines: Vec<(String, String, String)>,
    rankings: Vec<(String, Vec<Ranked>)>,
    departments: Vec<Ranked>,
    departments_total: usize,
    stages: Vec<(String, String, String)>,
    categories: Vec<(String, String, String)>,
    definitions: Vec<(String, String, String)>,
    checkpoint: String,
    xlsx: String,
}

/// A place in a ranking: rank, name, the figure shown, numerator / denominator.
type Ranked = (usize, String, String, String);

/// A figure's numerator and denominator as a Chinese reader is told them
/// (the published definitions, docs/indicators.md, in Chinese, by the
/// names of the entries rather than their codes).
fn formula_zh(key: Key) -> (&'static str, &'static str) {
    match key {
        Key::Reported => ("P 内的上报记录数", "1"),
        Key::Filed => ("P 内的受理立案记录数", "1"),
        Key::Closed => ("P 内核查通过的记录数", "1"),
        Key::OnTimeSignRate => ("P 内判定的签收环节计时中按期的个数", "P 内判定的签收环节计时（按期 + 超期）"),
        Key::OnTimeHandlingRate => ("P 内判定的处置环节计时中按期的个数", "P 内判定的处置环节计时（按期 + 超期）"),
        Key::OnTimeVerifyRate => ("P 内判定的核查环节计时中按期的个数", "P 内判定的核查环节计时（按期 + 超期）"),
        Key::Overdue => ("P 内判定为超期的各环节计时个数", "1"),
        Key::Supervised => ("P 内的督办记录数", "1"),
        Key::ReworkRate => ("P 内核查未通过的记录数", "P 内的核查记录数"),
        Key::SatisfactionRate => ("P 内评价中“满意”数 + k × “基本满意”数", "P 内的评价记录数"),
        Key::ProactiveShare => ("P 内由网格员上报的记录数", "P 内的上报记录数"),
        Key::ClosureRate => ("P 内上报的事件中到统计截至时已核查通过的件数", "P 内上报的事件数"),
    }
}

/// Departments listed at each end of the ranking.
const DEPARTMENTS_SHOWN: usize = 15;

/// Units ranked by one rate, best first; units without the figure last.
fn ranked(units: &[UnitFigures], key: Key) -> Vec<Ranked> {
    let mut with: Vec<&UnitFigures> = units.iter().collect();
    let value = |u: &UnitFigures| u.figures.get(&key).and_then(|f| f.value);
    with.sort_by(|a, b| match (value(a), value(b)) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.name.cmp(&b.name),
    });
    with.iter()
        .enumerate()
        .map(|(i, u)| {
            let f = u.figures.get(&key);
            (
                i + 1,
                u.name.clone(),
                shown(key, f),
                f.map_or(String::new(), |f| format!("{} / {}", trim(f.numerator), trim(f.denominator))),
            )
        })
        .collect()
}

/// `/supervise/report?period=2026-11`: the printable monthly report.
pub async fn report(State(state): State<AppState>, viewer: Viewer, tr: Tr, Query(q): Query<DashQuery>) -> Response {
    if !viewer.signed_in() {
        return to_login("/supervise/report");
    }
    let period = match asked(&state, &DashQuery { period: q.period, by: None }) {
        Ok((p, _)) => p,
        Err(e) => return refusal(tr, &viewer, &e),
    };
    let r: MonthlyReport = match state.app.scoped(viewer.actor.clone()).monthly_report(period).await {
        Ok(r) => r,
        Err(e) => return refusal(tr, &viewer, &e),
    };
    let d = &r.dashboard;
    let headline = Key::ALL
        .iter()
        .map(|k| (key_label(tr, *k).to_owned(), shown(*k, d.totals.get(k)), fraction(tr, *k, d.totals.get(k))))
        .collect();
    let lines = Key::ALL
        .iter()
        .map(|k| (key_label(tr, *k).to_owned(), shown(*k, d.development.get(k)), shown(*k, d.safety.get(k))))
        .collect();
    let rankings = [Key::OnTimeHandlingRate, Key::SatisfactionRate, Key::ClosureRate]
        .iter()
        .map(|k| (key_label(tr, *k).to_owned(), ranked(&r.districts.units, *k)))
        .collect();
    // Departments with a figure: the first and the last fifteen when there are many.
    let with_figure: Vec<UnitFigures> = r
        .departments
        .units
        .iter()
        .filter(|u| u.figures.get(&Key::OnTimeHandlingRate).is_some_and(|f| f.denominator > 0.0))
        .cloned()
        .collect();
    let mut departments = ranked(&with_figure, Key::OnTimeHandlingRate);
    let departments_total = departments.len();
    if departments.len() > 2 * DEPARTMENTS_SHOWN {
        departments.drain(DEPARTMENTS_SHOWN..departments.len() - DEPARTMENTS_SHOWN);
    }
    let stages = d
        .stages
        .iter()
        .map(|s| {
            (stage_label(tr, s.stage).to_owned(), s.met.map(trim).unwrap_or_else(|| "—".to_owned()), trim(s.missed))
        })
        .collect();
    let categories = d.categories.iter().map(|c| (c.name.clone(), trim(c.reported), trim(c.overdue))).collect();
    let definitions = Key::ALL
        .iter()
        .zip(&r.definitions)
        .map(|(key, d)| {
            let (num, den) = if tr.en { (d.numerator, d.denominator) } else { formula_zh(*key) };
            ((if tr.en { d.name_en } else { d.name_zh }).to_owned(), num.to_owned(), den.to_owned())
        })
        .collect();
    let p = period.to_string();
    page(ReportPage {
        tr,
        nav: viewer.nav(tr),
        period: period_label(tr, period),
        as_of: local_time(&d.as_of),
        k: trim(d.k),
        headline,
        lines,
        rankings,
        departments,
        departments_total,
        stages,
        categories,
        definitions,
        checkpoint: r.checkpoint.unwrap_or_default(),
        xlsx: format!("/api/v1/exports/report?period={p}&format=xlsx"),
    })
}
