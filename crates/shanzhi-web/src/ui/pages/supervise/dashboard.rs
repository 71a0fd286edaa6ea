//! `/supervise`: warnings, the overdue matters (paged, under their count),
//! the period's headline figures, charts and the figures table of every unit.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use shanzhi_app::access::Scoped;
use shanzhi_app::figures::{Dashboard, FigureQuery, UnitFigures, shown};
use shanzhi_app::matters::{MatterFilter, MatterOrder};
use shanzhi_domain::indicators::{Figure, Key, UnitKind};
use shanzhi_domain::{MatterState, Warning};

use super::{
    Choice, DashQuery, applies, asked, drill_href, fraction, key_label, kind_label, local_time, percent, period_label,
    periods, stage_label, today,
};
use crate::AppState;
use crate::ui::pages::Row;
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal, to_login};

/// Units listed in the figures table at most.
const TABLE_UNITS: usize = 300;

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

/// Overdue matters per page of the dashboard.
const OVERDUE_PAGE: usize = 50;

/// One page of the overdue matters.
pub struct Overdue {
    pub rows: Vec<Row>,
    /// All of them, for "共 N 件，第 x 页".
    pub total: u64,
    pub page: u32,
    pub next: Option<String>,
    /// The first page, when this is not it.
    pub first: Option<String>,
}

#[derive(Template)]
#[template(path = "supervise.html")]
struct SupervisePage {
    tr: Tr,
    nav: Nav,
    warnings: (u64, u64, u64),
    overdue: Overdue,
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
    /// 热点预警 in scope.
    hotspots: Vec<super::topics::Alert>,
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

/// The overdue matters a page at a time, the most overdue first, under
/// their count (the same filter counted: the two agree).
async fn overdue(scoped: &Scoped<'_>, q: &DashQuery, base: &str) -> Result<Overdue, shanzhi_app::AppError> {
    let filter = MatterFilter {
        warnings: vec![Warning::Red],
        limit: Some(OVERDUE_PAGE),
        order: MatterOrder::DueFirst,
        ..MatterFilter::default()
    };
    let list = scoped.matters(&filter, q.cursor.as_deref()).await?;
    let total = scoped.matter_counts(&filter).await?.values().sum();
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let next = list.next.map(|c| format!("{base}&cursor={}&page={}#overdue", enc(&c), page + 1));
    // A full last page has a cursor but nothing after it: the count says so.
    let next = next.filter(|_| u64::from(page).saturating_mul(OVERDUE_PAGE as u64) < total);
    let first = (q.cursor.is_some()).then(|| format!("{base}#overdue"));
    Ok(Overdue { rows: list.items.iter().map(Row::from_view).collect(), total, page, next, first })
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
    let p = period.to_string();
    let overdue = match overdue(&scoped, &q, &format!("/supervise?period={p}&by={}", by.as_str())).await {
        Ok(o) => o,
        Err(e) => return refusal(tr, &viewer, &e),
    };
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
        hotspots: super::topics::alerts(tr, &scoped).await,
    })
}
