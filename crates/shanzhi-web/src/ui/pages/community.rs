//! `/c/{code}`: a community's public face, phone first, in the order a
//! resident needs it — the running notices (公示) with their dates, the
//! proposals one may read with their stage in words (以事聚人、聚人成事),
//! the fund's disclosure, its grids with their 网格员's public contacts,
//! and the 善治成都 articles about it. No sign-in needed; a resident of the
//! community also finds the form to raise a proposal (`POST /c/{code}/propose`).

use askama::Template;
use axum::extract::{Path, Query, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use shanzhi_app::AppError;
use shanzhi_app::deliberation::{CommunityScreen, ProposalForm, ProposalView};
use shanzhi_domain::deliberation::Origin;

use super::deliberation::{Notice, day, notices_of, posted, status, step_name};
use crate::AppState;
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal};

/// A proposal form's fields, shown again as typed after a refusal.
#[derive(Debug, Default)]
pub struct KeptProposal {
    pub title: String,
    pub body: String,
    pub method: String,
    /// The matter it is raised from (以事聚人: the link from the matter's page).
    pub matter: String,
}

/// `?matter=ID`: the proposal form opened from a matter's page.
#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    matter: Option<String>,
}

/// A proposal in the community's list: its stage in words.
struct Row {
    id: String,
    title: String,
    status: &'static str,
    /// The step under way or on notice, or the supports gathered.
    now: String,
    /// The fund's priority item it hits (优先).
    priority: Option<String>,
}

impl Row {
    fn of(tr: Tr, p: &ProposalView) -> Row {
        // The status says 办理中 or 公示中 already: the step by its name only.
        let now = match p.steps.iter().find(|s| s.state == "办理中" || s.state == "公示中") {
            Some(s) => step_name(tr, s),
            None if p.status == "gathering" => {
                format!("{} {}/{}", tr.t("附议", "Supports"), p.supporters, p.support_needed)
            }
            None => String::new(),
        };
        Row {
            id: p.id.clone(),
            title: p.title.clone(),
            status: status(tr, &p.status),
            now,
            priority: p.priority.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "community.html")]
struct CommunityPage {
    tr: Tr,
    nav: Nav,
    s: CommunityScreen,
    notices: Vec<Notice>,
    rows: Vec<Row>,
    kept: KeptProposal,
    error: Option<String>,
}

fn render(tr: Tr, viewer: &Viewer, s: CommunityScreen, kept: KeptProposal, error: Option<String>) -> Response {
    let notices = s.proposals.iter().flat_map(|p| notices_of(tr, p, true)).collect();
    let rows = s.proposals.iter().map(|p| Row::of(tr, p)).collect();
    let mut s = s;
    for l in &mut s.fund.lines {
        l.at = day(&l.at);
    }
    for c in &mut s.cases {
        // The day only: the list is read on a phone.
        c.published_at = c.published_at.as_deref().map(|at| day(at).chars().take(10).collect());
    }
    page(CommunityPage { tr, nav: viewer.nav(tr), s, notices, rows, kept, error })
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Path(code): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Response {
    // Only the id's own characters go back into the form; the store checks it.
    let matter =
        q.matter.unwrap_or_default().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(64).collect();
    let kept = KeptProposal { method: "five_step".to_owned(), matter, ..Default::default() };
    match state.app.scoped(viewer.actor.clone()).community_screen(&code).await {
        Ok(s) => render(tr, &viewer, s, kept, None),
        Err(e) => refusal(tr, &viewer, &e),
    }
}

/// A resident raises a proposal; refused, the form comes back as typed.
pub async fn propose(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Path(code): Path<String>,
    request: Request,
) -> Response {
    let form = match posted(&state, &viewer, tr, &format!("/c/{code}"), request).await {
        Ok(f) => f,
        Err(page) => return page,
    };
    let kept = KeptProposal {
        title: form.field("title"),
        body: form.field("body"),
        method: form.field("method"),
        matter: form.field("matter"),
    };
    let scoped = state.app.scoped(viewer.actor.clone());
    let new = ProposalForm {
        title: kept.title.clone(),
        body: kept.body.clone(),
        origin: if kept.matter.is_empty() { Origin::Resident } else { Origin::Matter },
        method: kept.method.clone(),
        matter: (!kept.matter.is_empty()).then(|| kept.matter.clone()),
    };
    match scoped.propose(&code, &new).await {
        Ok(p) => Redirect::to(&format!("/c/{}/p/{}", p.community, p.id)).into_response(),
        Err(e) => {
            let status = crate::error::status_of(&e);
            let text = message(tr, &e);
            match scoped.community_screen(&code).await {
                Ok(s) => {
                    let mut r = render(tr, &viewer, s, kept, Some(text));
                    *r.status_mut() = status;
                    r
                }
                Err(e) => refusal(tr, &viewer, &e),
            }
        }
    }
}

/// A refusal's text in the viewer's language.
pub fn message(tr: Tr, e: &AppError) -> String {
    let m = e.message();
    if tr.en { m.en } else { m.zh }
}
