//! `/rankings` (口碑榜): a month's ranking of one unit type as a printable
//! table, with 发布 for a supervisor (until published) and 导出 links.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use shanzhi_app::AppError;
use shanzhi_app::figures::{RankingAnswer, RankingQuery};
use shanzhi_domain::indicators::{Period, UnitKind};
use shanzhi_domain::ranking::month;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{DivisionCode, Micros, Role};

use crate::AppState;
use crate::ui::form::expired;
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal, to_login};

/// One row as printed.
struct PrintedRow {
    rank: String,
    name: String,
    score: String,
    grade: String,
    previous: String,
    change: String,
    figures: Vec<String>,
}

#[derive(Template)]
#[template(path = "rankings.html")]
struct RankingsPage {
    tr: Tr,
    nav: Nav,
    answer: RankingAnswer,
    by_label: String,
    kinds: Vec<(&'static str, &'static str, bool)>,
    columns: Vec<String>,
    rows: Vec<PrintedRow>,
    can_publish: bool,
    within: String,
    export: String,
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    period: Option<String>,
    by: Option<String>,
    within: Option<String>,
}

fn bad(message: Bilingual) -> AppError {
    AppError::BadRequest { code: "invalid_query", message }
}

/// The query a page or form asks, the last finished month and districts by default.
fn query_of(
    period: Option<&str>,
    by: Option<&str>,
    within: Option<&str>,
    now: Micros,
) -> Result<RankingQuery, AppError> {
    let period = match period.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => month(p).map_err(bad)?,
        None => {
            let today = now.timestamp().to_zoned_datetime(shanzhi_domain::calendar::china()).date();
            Period::month(today.year(), today.month()).map_err(bad)?.previous()
        }
    };
    let by = match by.map(str::trim).filter(|b| !b.is_empty()) {
        Some(b) => b.parse::<UnitKind>().map_err(bad)?,
        None => UnitKind::District,
    };
    let within = match within.map(str::trim).filter(|w| !w.is_empty()) {
        Some(w) => Some(DivisionCode::parse(w).map_err(|e| bad(e.message(w)))?),
        None => None,
    };
    Ok(RankingQuery { period, by, within })
}

fn href(q: &RankingQuery) -> String {
    let mut out = format!("period={}&by={}", q.period, q.by.as_str());
    if let Some(w) = &q.within {
        out.push_str(&format!("&within={}", w.significant()));
    }
    out
}

pub async fn show(State(state): State<AppState>, viewer: Viewer, tr: Tr, Query(q): Query<PageQuery>) -> Response {
    if !viewer.signed_in() {
        return to_login("/rankings");
    }
    let now = Micros::from(state.app.now());
    let query = match query_of(q.period.as_deref(), q.by.as_deref(), q.within.as_deref(), now) {
        Ok(query) => query,
        Err(e) => return refusal(tr, &viewer, &e),
    };
    let scoped = state.app.scoped(viewer.actor.clone());
    let answer = match scoped.ranking(&query).await {
        Ok(a) => a,
        Err(e) => return refusal(tr, &viewer, &e),
    };
    let keys: Vec<_> = answer.scheme.weights.iter().map(|(k, w)| (*k, *w)).collect();
    let columns = keys
        .iter()
        .map(|(k, w)| {
            let d = k.definition();
            if tr.en { format!("{} ({w})", d.name_en) } else { format!("{}（{w}）", d.name_zh) }
        })
        .collect();
    let rows = answer
        .rows
        .iter()
        .map(|r| PrintedRow {
            rank: r.rank.map_or_else(|| tr.t("不参与排名", "unranked").to_owned(), |n| n.to_string()),
            name: r.name.clone(),
            score: r.score.map(|s| format!("{s:.2}")).unwrap_or_default(),
            grade: r.grade.map(|g| g.as_str().to_owned()).unwrap_or_default(),
            previous: r.previous_rank.map(|n| n.to_string()).unwrap_or_default(),
            change: r.change_label(),
            figures: keys
                .iter()
                .map(|(k, _)| {
                    r.figures.get(k).and_then(|f| f.value).map(|v| format!("{:.1}%", v * 100.0)).unwrap_or_default()
                })
                .collect(),
        })
        .collect();
    let over = query.period.bounds().1 <= now;
    let kinds = UnitKind::ALL.iter().map(|k| (k.as_str(), tr.unit_kind(*k), *k == query.by)).collect();
    page(RankingsPage {
        tr,
        nav: viewer.nav(tr),
        by_label: tr.unit_kind(query.by).to_owned(),
        kinds,
        columns,
        rows,
        can_publish: viewer.has(Role::Supervisor) && !answer.published && over,
        within: query.within.as_ref().map(|w| w.significant().to_owned()).unwrap_or_default(),
        export: href(&query),
        answer,
    })
}

#[derive(Debug, Deserialize)]
pub struct PublishForm {
    csrf: Option<String>,
    period: Option<String>,
    by: Option<String>,
    within: Option<String>,
}

pub async fn publish(State(state): State<AppState>, viewer: Viewer, tr: Tr, Form(f): Form<PublishForm>) -> Response {
    if !viewer.signed_in() {
        return to_login("/rankings");
    }
    if !viewer.csrf_ok(f.csrf.as_deref()) {
        return refusal(tr, &viewer, &expired());
    }
    let now = Micros::from(state.app.now());
    let query = match query_of(f.period.as_deref(), f.by.as_deref(), f.within.as_deref(), now) {
        Ok(query) => query,
        Err(e) => return refusal(tr, &viewer, &e),
    };
    match state.app.scoped(viewer.actor.clone()).publish_ranking(&query).await {
        Ok(_) => Redirect::to(&format!("/rankings?{}", href(&query))).into_response(),
        Err(e) => refusal(tr, &viewer, &e),
    }
}
