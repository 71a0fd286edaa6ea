//! `/supervise/report`: the printable monthly report.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use shanzhi_app::figures::{MonthlyReport, UnitFigures, shown, trim};
use shanzhi_domain::indicators::Key;

use super::{DashQuery, asked, fraction, key_label, local_time, period_label, stage_label};
use crate::AppState;
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal, to_login};

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
pub(super) fn formula_zh(key: Key) -> (&'static str, &'static str) {
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
    let period = match asked(&state, &DashQuery { period: q.period, ..DashQuery::default() }) {
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
