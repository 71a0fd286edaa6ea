//! `/supervise` (督办): overdue and warned matters, and live counts by state,
//! by line and by district (drawn with ECharts from numbers in the page).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use shanzhi_app::matters::MatterFilter;
use shanzhi_domain::{CodeSystem, DivisionCode, Line, MatterState, Warning};

use super::Row;
use crate::AppState;
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal, to_login};

#[derive(Template)]
#[template(path = "supervise.html")]
struct SupervisePage {
    tr: Tr,
    nav: Nav,
    by_state: Vec<(String, u64)>,
    by_line: Vec<(String, u64)>,
    by_district: Vec<(String, u64)>,
    warnings: (u64, u64, u64),
    overdue: Vec<Row>,
    chart: String,
}

pub async fn supervise(State(state): State<AppState>, viewer: Viewer, tr: Tr) -> Response {
    if !viewer.signed_in() {
        return to_login("/supervise");
    }
    let scoped = state.app.scoped(viewer.actor.clone());
    let counts = match scoped.matter_counts(&MatterFilter::default()).await {
        Ok(c) => c,
        Err(e) => return refusal(tr, &viewer, &e),
    };
    let by_state: Vec<(String, u64)> = MatterState::ALL
        .iter()
        .map(|s| (tr.state(s.as_str()).to_owned(), counts.get(s).copied().unwrap_or(0)))
        .collect();
    let mut by_line = Vec::new();
    for (line, zh, en) in
        [(Line::Development, "发展治理（社治）", "Development"), (Line::Safety, "平安建设（综治）", "Safety")]
    {
        let q = MatterFilter { states: MatterState::open(), line: Some(line), ..MatterFilter::default() };
        let n: u64 = scoped.matter_counts(&q).await.map(|c| c.values().sum()).unwrap_or(0);
        by_line.push((tr.t(zh, en).to_owned(), n));
    }
    let city = DivisionCode::parse("5101").expect("Chengdu's code");
    let districts = state.app.child_divisions(CodeSystem::Nbs2023, Some(&city)).await.unwrap_or_default();
    let mut by_district = Vec::new();
    for d in districts {
        let q = MatterFilter { states: MatterState::open(), within: Some(d.code.clone()), ..MatterFilter::default() };
        let n: u64 = scoped.matter_counts(&q).await.map(|c| c.values().sum()).unwrap_or(0);
        if n > 0 {
            by_district.push((d.name.as_str().to_owned(), n));
        }
    }
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
    let chart = serde_json::json!({
        "state": by_state, "line": by_line, "district": by_district,
        "titles": [tr.t("按状态", "By state"), tr.t("按条线（在办）", "By line (open)"), tr.t("按区县（在办）", "By district (open)")],
    })
    .to_string();
    page(SupervisePage { tr, nav: viewer.nav(tr), by_state, by_line, by_district, warnings, overdue, chart })
}
