//! `/supervise/matters`: the matters behind one figure of the table.

use std::collections::HashSet;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use shanzhi_app::figures::{FigureQuery, shown, trim};
use shanzhi_domain::indicators::{Key, Measure};

use super::report::formula_zh;
use super::{DashQuery, asked, fraction, key_label, local_time, period_label};
use crate::AppState;
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal, to_login};

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
    let dq = DashQuery { period: q.period.clone(), by: q.by.clone(), ..DashQuery::default() };
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
