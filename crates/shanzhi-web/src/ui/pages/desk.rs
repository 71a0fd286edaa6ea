//! `/desk` (调度工作台): the intake queue, matters to dispatch, returned,
//! escalated and overdue ones, with their warning colours; `/tasks` (部门待办,
//! the grid worker's verifications): what waits for this viewer. Both are
//! workbenches: a search and filters kept in the address, counts on every
//! tab, paging with the total, the most urgent first, an export of what is
//! filtered.

mod batch;
mod columns;
mod filters;
mod urgency;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use shanzhi_app::AppError;
use shanzhi_app::access::PatrolDesk;
use shanzhi_app::matters::{DEFAULT_PAGE, MAX_PAGE, MatterFilter};
use shanzhi_domain::{CommandKind, MatterState, Role};

use crate::AppState;
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal, to_login};
use filters::{Options, Wanted, encode, join};
use urgency::{contradicts, urgent_first};

#[derive(Template)]
#[template(path = "desk.html")]
struct DeskPage {
    tr: Tr,
    nav: Nav,
    title: &'static str,
    path: &'static str,
    tabs: Vec<Tab>,
    tab: String,
    list: List,
    counts: Counts,
    /// The grid worker's own grid and patrol.
    grid: Option<GridPanel>,
    /// The tab's filters as `/api/v1/exports/matters` reads them (none where
    /// the list is narrowed further than the filters can say).
    export: Option<String>,
    chosen: filters::Chosen,
    options: Options,
    /// Filters given in the address that the form has no field for.
    hidden: Vec<(String, String)>,
    /// Why the filters or the search were refused.
    error: Option<String>,
    /// The command the checked rows may be given at once.
    batch: Option<Batch>,
    /// What a batch just did, row by row.
    results: Vec<batch::Outcome>,
}

#[derive(Debug, Clone)]
struct Batch {
    command: &'static str,
    label: &'static str,
    /// For 派遣: the departments to choose from, by name (the duty list's
    /// one selected where the page's rows share a category).
    targets: Vec<filters::Choice>,
}

#[derive(Debug, Clone)]
struct GridPanel {
    code: String,
    /// The grid's name (the code only when it has none).
    name: String,
    patrol: Option<String>,
}

#[derive(Template)]
#[template(path = "desk_list.html")]
struct DeskRows {
    tr: Tr,
    list: List,
}

/// One page of a tab's list and how to get to the others.
#[derive(Debug, Clone, Default)]
struct List {
    rows: Vec<columns::DeskRow>,
    /// The tab's count with the filters ("共 N 件"), if known.
    total: Option<String>,
    page: u32,
    next: Option<String>,
    /// The first page, when this is not it.
    first: Option<String>,
    /// This very page, for the periodic refresh (and to come back to after
    /// a batch).
    refresh: String,
    /// Rows have a checkbox for a batch.
    pick: bool,
}

#[derive(Debug, Clone)]
struct Tab {
    key: &'static str,
    label: &'static str,
    href: String,
    count: Option<String>,
}

/// The warning chips: counts and the links that apply each colour.
#[derive(Debug, Clone, Default)]
struct Counts {
    yellow: u64,
    orange: u64,
    red: u64,
    yellow_href: String,
    orange_href: String,
    red_href: String,
    /// The colour the list is narrowed to, if one.
    on: String,
}

/// What a tab lists: these states (any if empty), only overdue matters, or
/// only escalated ones (which the filters cannot say: counted and kept here).
struct Spec {
    states: Vec<MatterState>,
    overdue: bool,
    escalated: bool,
}

fn spec(tab: &str) -> Spec {
    use MatterState::*;
    let states = match tab {
        "filed" => vec![Filed],
        "escalated" => vec![Reported, Filed],
        "overdue" => vec![],
        "waiting" => vec![Dispatched, InProgress, Parked, Responded],
        "sign" => vec![Dispatched],
        "handle" => vec![InProgress, Parked],
        "verify" => vec![Responded],
        _ => vec![Reported],
    };
    Spec { states, overdue: tab == "overdue", escalated: tab == "escalated" }
}

impl Spec {
    fn filter(&self, base: &MatterFilter) -> MatterFilter {
        let mut f = MatterFilter { states: self.states.clone(), ..base.clone() };
        if self.overdue {
            f.overdue = Some(true);
        }
        f
    }

    /// `state=…` (or `overdue=true`) for the export link.
    fn query(&self) -> String {
        let mut parts = Vec::new();
        if !self.states.is_empty() {
            let states: Vec<&str> = self.states.iter().map(|s| s.as_str()).collect();
            parts.push(("state".to_owned(), states.join(",")));
        }
        if self.overdue {
            parts.push(("overdue".to_owned(), "true".to_owned()));
        }
        encode(&parts)
    }
}

/// A page of lists: its title, address and tabs.
struct Listing {
    title: &'static str,
    path: &'static str,
    tabs: Vec<(&'static str, &'static str)>,
}

async fn listing(
    state: &AppState,
    viewer: &Viewer,
    tr: Tr,
    l: Listing,
    raw: Option<&str>,
    headers: &HeaderMap,
    results: Vec<batch::Outcome>,
) -> Response {
    let Listing { title, path, tabs } = l;
    let w = Wanted::read(raw);
    let tab = w.tab.as_deref().filter(|t| tabs.iter().any(|x| x.0 == *t)).unwrap_or(tabs[0].0).to_owned();
    let scoped = state.app.scoped(viewer.actor.clone());
    let filters = encode(&w.pairs);
    let link = |tab: &str, rest: &str| format!("{path}?{}", join(&format!("tab={tab}"), rest));
    let this = spec(&tab);
    let mut error = w.error.clone();
    let mut forbidden = false;
    let mut batch = batch_of(viewer, tr, path, &tab);
    let mut list = List { page: w.page, refresh: link(&tab, &filters), pick: batch.is_some(), ..List::default() };
    // The escalated tab filters a page after reading it: read the most.
    let limit = if this.escalated { MAX_PAGE } else { w.filter.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE) };
    if error.is_none() {
        let query = MatterFilter { limit: Some(limit), ..this.filter(&w.filter) };
        match urgent_first(&scoped, &query, w.cursor.as_deref()).await {
            Ok(p) => {
                let kept: Vec<_> = p.items.iter().filter(|m| !this.escalated || m.escalations > 0).collect();
                list.rows = columns::rows(state, viewer, tr, &kept).await;
                if let Some(q) = w.filter.text.as_deref() {
                    list.rows.iter_mut().for_each(|d| d.row.mark(q));
                }
                if let Some(b) = batch.as_mut().filter(|b| b.command == "dispatch") {
                    b.targets = batch::targets(&scoped, &kept).await;
                }
                list.next = p.next.map(|c| {
                    let more = encode(&[("cursor".to_owned(), c), ("page".to_owned(), (w.page + 1).to_string())]);
                    link(&tab, &join(&filters, &more))
                });
                if w.page > 1 || w.cursor.is_some() {
                    list.first = Some(link(&tab, &filters));
                    let at = encode(&[
                        ("cursor".to_owned(), w.cursor.clone().unwrap_or_default()),
                        ("page".to_owned(), w.page.to_string()),
                    ]);
                    list.refresh = link(&tab, &join(&filters, &at));
                }
            }
            Err(e) if contradicts(&e) => {}
            Err(AppError::BadRequest { message, .. }) => error = Some(message),
            // A search this viewer may not make (by a phone number): said on
            // the page, with the form to search otherwise.
            Err(AppError::Forbidden(message)) => {
                error = Some(message);
                forbidden = true;
            }
            Err(e) => return refusal(tr, viewer, &e),
        }
    }
    let counts = if error.is_none() { tab_counts(state, viewer, &tabs, &w.filter).await } else { Vec::new() };
    list.total = counts.iter().find(|(k, _)| *k == tab).map(|(_, n)| n.clone());
    // A page that ends with a colour cannot tell whether the next colours
    // have any; the total can: no link to an empty page after the last.
    let total = list.total.as_deref().and_then(|t| t.parse::<u64>().ok());
    if total.is_some_and(|n| u64::from(w.page).saturating_mul(limit as u64) >= n) {
        list.next = None;
    }
    let error = error.map(|m| if tr.en { m.en } else { m.zh });
    let status = match (&error, forbidden) {
        (Some(_), true) => StatusCode::FORBIDDEN,
        (Some(_), false) => StatusCode::BAD_REQUEST,
        (None, _) => StatusCode::OK,
    };
    if headers.contains_key("hx-request") {
        return with_status(page(DeskRows { tr, list }), status);
    }
    let chips = chips(state, viewer, &w, &|rest| link(&tab, rest)).await;
    // The export reads the API's filters, which have no phone: none for a
    // search by one rather than an export of something else.
    let export = (!this.escalated && error.is_none() && w.filter.phone.is_none())
        .then(|| join(&w.export_query(), &this.query()));
    let tabs = tabs
        .iter()
        .map(|(key, label)| Tab {
            key,
            label,
            href: link(key, &filters),
            count: counts.iter().find(|(k, _)| k == key).map(|(_, n)| n.clone()),
        })
        .collect();
    let options = Options::load(state, viewer, tr, &w).await;
    let hidden = w.hidden();
    let grid = grid_panel(state, viewer).await;
    let p = DeskPage {
        tr,
        nav: viewer.nav(tr),
        title,
        path,
        tabs,
        tab,
        list,
        counts: chips,
        grid,
        export,
        chosen: w.chosen,
        options,
        hidden,
        error,
        batch,
        results,
    };
    with_status(page(p), status)
}

fn with_status(mut r: Response, status: StatusCode) -> Response {
    if r.status() == StatusCode::OK {
        *r.status_mut() = status;
    }
    r
}

/// Each tab's count with the filters: one count by state serves every tab
/// of states; the overdue tab takes one more, the escalated one reads at
/// most a page of [`MAX_PAGE`] (shown as "200+" when there are more).
async fn tab_counts(
    state: &AppState,
    viewer: &Viewer,
    tabs: &[(&'static str, &'static str)],
    base: &MatterFilter,
) -> Vec<(&'static str, String)> {
    let scoped = state.app.scoped(viewer.actor.clone());
    let base = MatterFilter { states: Vec::new(), limit: None, ..base.clone() };
    let Ok(by_state) = scoped.matter_counts(&base).await else { return Vec::new() };
    let mut out = Vec::new();
    for (key, _) in tabs {
        let s = spec(key);
        let n = if s.overdue {
            match scoped.matter_counts(&s.filter(&base)).await {
                Ok(c) => c.values().sum::<u64>().to_string(),
                Err(e) if contradicts(&e) => "0".to_owned(),
                Err(_) => continue,
            }
        } else if s.escalated {
            let q = MatterFilter { limit: Some(MAX_PAGE), ..s.filter(&base) };
            let Ok(p) = scoped.matters(&q, None).await else { continue };
            let n = p.items.iter().filter(|m| m.escalations > 0).count();
            if p.next.is_some() { format!("{n}+") } else { n.to_string() }
        } else {
            s.states.iter().map(|st| by_state.get(st).copied().unwrap_or(0)).sum::<u64>().to_string()
        };
        out.push((*key, n));
    }
    out
}

/// The warning chips with the filters (but any colour), each a link that
/// narrows the list to its colour.
async fn chips(state: &AppState, viewer: &Viewer, w: &Wanted, link: &(dyn Fn(&str) -> String + Sync)) -> Counts {
    let any_colour = MatterFilter { warnings: Vec::new(), overdue: None, ..w.filter.clone() };
    let scoped = state.app.scoped(viewer.actor.clone());
    let total = match scoped.warning_counts(&any_colour).await {
        Ok(s) => s.total,
        Err(_) => Default::default(),
    };
    let rest = w.query_without("warning");
    let href = |colour: &str| link(&join(&rest, &format!("warning={colour}")));
    let on = match w.filter.warnings.as_slice() {
        [one] => one.as_str().to_owned(),
        _ => String::new(),
    };
    Counts {
        yellow: total.yellow,
        orange: total.orange,
        red: total.red,
        yellow_href: href("yellow"),
        orange_href: href("orange"),
        red_href: href("red"),
        on,
    }
}

async fn grid_panel(state: &AppState, viewer: &Viewer) -> Option<GridPanel> {
    let grant = viewer.actor.grants().iter().find(|g| g.role == Role::GridWorker)?;
    let Some(shanzhi_domain::Scope::Grid(code)) = grant.scope.as_ref() else { return None };
    let scoped = state.app.scoped(viewer.actor.clone());
    let patrol = match scoped.desk::<PatrolDesk>() {
        Ok(desk) => desk.open_patrol().await.ok().flatten().map(|p| p.id),
        Err(_) => None,
    };
    let name = state.app.grid(code, shanzhi_app::grids::today()).await.map(|g| g.info.name);
    Some(GridPanel { code: code.to_string(), name: name.unwrap_or_else(|_| code.to_string()), patrol })
}

/// The dispatcher's desk.
fn desk_listing(tr: Tr) -> Listing {
    let tabs = vec![
        ("intake", tr.t("待受理", "To accept")),
        ("filed", tr.t("待派遣", "To dispatch")),
        ("escalated", tr.t("上报（吹哨）", "Escalated")),
        ("waiting", tr.t("办理中", "Being handled")),
        ("overdue", tr.t("超期", "Overdue")),
    ];
    Listing { title: tr.t("调度工作台", "Dispatch desk"), path: "/desk", tabs }
}

/// A department's or a grid worker's tasks.
fn tasks_listing(viewer: &Viewer, tr: Tr) -> Listing {
    let tabs = if viewer.has(Role::GridWorker) && !viewer.has(Role::DeptHandler) {
        vec![
            ("verify", tr.t("待核查", "To verify")),
            ("intake", tr.t("本网格新上报", "New in my grid")),
            ("overdue", tr.t("超期", "Overdue")),
        ]
    } else {
        vec![
            ("sign", tr.t("待签收", "To sign")),
            ("handle", tr.t("处置中", "Handling")),
            ("overdue", tr.t("超期", "Overdue")),
        ]
    };
    Listing { title: tr.t("我的待办", "My tasks"), path: "/tasks", tabs }
}

/// The command a tab offers for its checked rows, if the viewer holds a role
/// that may give it: 受理 on the intake of the desk, 派遣 on the tab to
/// dispatch, 签收 on the tab to sign.
fn batch_of(viewer: &Viewer, tr: Tr, path: &str, tab: &str) -> Option<Batch> {
    let (kind, command, label) = match (path, tab) {
        ("/desk", "intake") => (CommandKind::Accept, "accept", tr.t("批量受理所选", "Accept the selected")),
        ("/desk", "filed") => (CommandKind::Dispatch, "dispatch", tr.t("批量派遣所选", "Dispatch the selected")),
        ("/tasks", "sign") => (CommandKind::Sign, "sign", tr.t("批量签收所选", "Sign the selected")),
        _ => return None,
    };
    kind.roles().iter().any(|r| viewer.has(*r)).then_some(Batch { command, label, targets: Vec::new() })
}

pub use batch::submit;

pub async fn desk(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if !viewer.signed_in() {
        return to_login("/desk");
    }
    listing(&state, &viewer, tr, desk_listing(tr), raw.as_deref(), &headers, Vec::new()).await
}

pub async fn tasks(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if !viewer.signed_in() {
        return to_login("/tasks");
    }
    listing(&state, &viewer, tr, tasks_listing(&viewer, tr), raw.as_deref(), &headers, Vec::new()).await
}
