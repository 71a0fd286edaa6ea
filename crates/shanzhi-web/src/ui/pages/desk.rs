//! `/desk` (调度工作台): the intake queue, matters to dispatch, returned,
//! escalated and overdue ones, with their warning colours; `/tasks` (部门待办,
//! the grid worker's verifications): what waits for this viewer.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use shanzhi_app::access::PatrolDesk;
use shanzhi_app::matters::MatterFilter;
use shanzhi_domain::{MatterState, Role, Warning};

use super::Row;
use crate::AppState;
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal, to_login};

#[derive(Template)]
#[template(path = "desk.html")]
struct DeskPage {
    tr: Tr,
    nav: Nav,
    title: &'static str,
    path: &'static str,
    tabs: Vec<Tab>,
    tab: String,
    rows: Vec<Row>,
    counts: Counts,
    /// The grid worker's own grid and patrol.
    grid: Option<GridPanel>,
    /// The tab's filters as `/api/v1/exports/matters` reads them (none where
    /// the list is narrowed further than the filters can say).
    export: Option<String>,
}

#[derive(Debug, Clone)]
struct GridPanel {
    code: String,
    /// What the grid is called (its code only when it has no name).
    name: String,
    patrol: Option<String>,
}

#[derive(Template)]
#[template(path = "desk_rows.html")]
struct DeskRows {
    tr: Tr,
    rows: Vec<Row>,
}

#[derive(Debug, Clone)]
struct Tab {
    key: &'static str,
    label: &'static str,
}

#[derive(Debug, Clone, Default)]
struct Counts {
    yellow: u64,
    orange: u64,
    red: u64,
}

#[derive(Debug, Deserialize)]
pub struct TabQuery {
    tab: Option<String>,
}

/// The states and colours a tab lists.
fn filter(tab: &str) -> (Vec<MatterState>, Vec<Warning>) {
    use MatterState::*;
    match tab {
        "filed" => (vec![Filed], vec![]),
        "escalated" => (vec![Reported, Filed], vec![]),
        "overdue" => (vec![], vec![Warning::Red]),
        "waiting" => (vec![Dispatched, InProgress, Parked, Responded], vec![]),
        "sign" => (vec![Dispatched], vec![]),
        "handle" => (vec![InProgress, Parked], vec![]),
        "verify" => (vec![Responded], vec![]),
        _ => (vec![Reported], vec![]),
    }
}

/// A page of lists: its title, address and tabs.
struct Listing {
    title: &'static str,
    path: &'static str,
    tabs: Vec<Tab>,
}

async fn listing(state: &AppState, viewer: &Viewer, tr: Tr, tab: &str, l: Listing, headers: &HeaderMap) -> Response {
    let Listing { title, path, tabs } = l;
    let scoped = state.app.scoped(viewer.actor.clone());
    let (states, warnings) = filter(tab);
    let export = (tab != "escalated").then(|| export_query(&states, &warnings));
    let mut query = MatterFilter { states, warnings, limit: Some(100), ..MatterFilter::default() };
    if tab == "escalated" {
        query.states = vec![MatterState::Reported, MatterState::Filed];
    }
    let page_rows = match scoped.matters(&query, None).await {
        Ok(p) => p.items,
        Err(e) => return refusal(tr, viewer, &e),
    };
    let rows: Vec<Row> =
        page_rows.iter().filter(|m| tab != "escalated" || m.escalations > 0).map(Row::from_view).collect();
    if headers.contains_key("hx-request") {
        return page(DeskRows { tr, rows });
    }
    let counts = match scoped.warning_counts(&MatterFilter::default()).await {
        Ok(w) => Counts { yellow: w.total.yellow, orange: w.total.orange, red: w.total.red },
        Err(_) => Counts::default(),
    };
    let grid = match viewer.actor.grants().iter().find(|g| g.role == Role::GridWorker).and_then(|g| g.scope.as_ref()) {
        Some(shanzhi_domain::Scope::Grid(code)) => {
            let patrol = match scoped.desk::<PatrolDesk>() {
                Ok(desk) => desk.open_patrol().await.ok().flatten().map(|p| p.id),
                Err(_) => None,
            };
            let name = state.app.grid(code, shanzhi_app::grids::today()).await.map(|g| g.info.name);
            Some(GridPanel { code: code.to_string(), name: name.unwrap_or_else(|_| code.to_string()), patrol })
        }
        _ => None,
    };
    page(DeskPage { tr, nav: viewer.nav(tr), title, path, tabs, tab: tab.to_owned(), rows, counts, grid, export })
}

/// `state=…&warning=…` for a tab's export link.
fn export_query(states: &[MatterState], warnings: &[Warning]) -> String {
    let join = |items: Vec<&str>| items.join(",");
    let mut parts = Vec::new();
    if !states.is_empty() {
        parts.push(format!("state={}", join(states.iter().map(|s| s.as_str()).collect())));
    }
    if !warnings.is_empty() {
        parts.push(format!("warning={}", join(warnings.iter().map(|w| w.as_str()).collect())));
    }
    parts.join("&")
}

pub async fn desk(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    headers: HeaderMap,
    Query(q): Query<TabQuery>,
) -> Response {
    if !viewer.signed_in() {
        return to_login("/desk");
    }
    let tabs = vec![
        Tab { key: "intake", label: tr.t("待受理", "To accept") },
        Tab { key: "filed", label: tr.t("待派遣", "To dispatch") },
        Tab { key: "escalated", label: tr.t("上报（吹哨）", "Escalated") },
        Tab { key: "waiting", label: tr.t("办理中", "Being handled") },
        Tab { key: "overdue", label: tr.t("超期", "Overdue") },
    ];
    let tab = q.tab.as_deref().filter(|t| tabs.iter().any(|x| x.key == *t)).unwrap_or("intake").to_owned();
    let l = Listing { title: tr.t("调度工作台", "Dispatch desk"), path: "/desk", tabs };
    listing(&state, &viewer, tr, &tab, l, &headers).await
}

pub async fn tasks(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    headers: HeaderMap,
    Query(q): Query<TabQuery>,
) -> Response {
    if !viewer.signed_in() {
        return to_login("/tasks");
    }
    let tabs = if viewer.has(Role::GridWorker) && !viewer.has(Role::DeptHandler) {
        vec![
            Tab { key: "verify", label: tr.t("待核查", "To verify") },
            Tab { key: "intake", label: tr.t("本网格新上报", "New in my grid") },
            Tab { key: "overdue", label: tr.t("超期", "Overdue") },
        ]
    } else {
        vec![
            Tab { key: "sign", label: tr.t("待签收", "To sign") },
            Tab { key: "handle", label: tr.t("处置中", "Handling") },
            Tab { key: "overdue", label: tr.t("超期", "Overdue") },
        ]
    };
    let tab = q.tab.as_deref().filter(|t| tabs.iter().any(|x| x.key == *t)).unwrap_or(tabs[0].key).to_owned();
    let l = Listing { title: tr.t("我的待办", "My tasks"), path: "/tasks", tabs };
    listing(&state, &viewer, tr, &tab, l, &headers).await
}
