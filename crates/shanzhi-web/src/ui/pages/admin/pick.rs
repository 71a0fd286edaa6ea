//! `/admin/pick/{kind}?field=…&{field}_q=…`: the suggestions under a picker's
//! text box (an htmx fragment of radio buttons named `{field}` whose values
//! are the codes a form submits). People read names; the codes stay in the
//! attributes. A form without a picked button resolves the typed text.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shanzhi_app::access::{AdminDesk, Pick, PickKind};
use shanzhi_domain::Role;

use super::kept::{Failed, at};
use crate::AppState;
use crate::ui::form::FormData;
use crate::ui::{Tr, Viewer, page};

#[derive(Template)]
#[template(path = "admin_picks.html")]
struct Picks {
    tr: Tr,
    field: &'static str,
    picks: Vec<Pick>,
    /// The text searched for (nothing shown for an empty box).
    asked: bool,
}

#[derive(Template)]
#[template(path = "admin_tree.html")]
struct Tree {
    tr: Tr,
    field: &'static str,
    /// The places one level down, each with whether it has a level below.
    nodes: Vec<(Pick, bool)>,
}

/// The pickers the admin pages have: the radio group each fills.
const FIELDS: [&str; 2] = ["scope", "lead"];

#[derive(Debug, Deserialize)]
pub struct PickQuery {
    /// For the tree: the division whose level below is listed.
    under: Option<String>,
    field: Option<String>,
    role: Option<String>,
    q: Option<String>,
    scope_q: Option<String>,
    lead_q: Option<String>,
}

/// A kind's label as people read it.
pub fn kind_label(tr: &Tr, kind: &PickKind) -> &'static str {
    match kind {
        PickKind::Division => tr.t("区划", "Division"),
        PickKind::Grid => tr.t("网格", "Grid"),
        PickKind::Department => tr.t("部门", "Department"),
    }
}

pub async fn pick(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Path(kind): Path<String>,
    Query(q): Query<PickQuery>,
) -> Response {
    let field = FIELDS.into_iter().find(|f| q.field.as_deref() == Some(*f)).unwrap_or("scope");
    let role = q.role.as_deref().and_then(|r| r.parse::<Role>().ok());
    let kinds = match (kind.as_str(), role) {
        ("scope", Some(r)) => PickKind::for_role(r),
        ("scope", None) => PickKind::ALL.to_vec(),
        (k, _) => PickKind::parse(k).into_iter().collect(),
    };
    let text = [q.q, q.scope_q, q.lead_q].into_iter().flatten().find(|t| !t.trim().is_empty()).unwrap_or_default();
    let scoped = state.app.scoped(viewer.actor.clone());
    let found = match scoped.desk::<AdminDesk>() {
        Ok(desk) => desk.pick(&kinds, role.filter(|_| kind == "scope"), &text).await,
        Err(e) => Err(e),
    };
    match found {
        Ok(picks) => page(Picks { tr, field, picks, asked: !text.trim().is_empty() }),
        Err(e) => fragment_error(tr, &e),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// `/admin/pick/tree?under=…`: one level of the tree of places the admin
/// manages people in (district → town → community → grid), each a radio
/// button of the picker and, where there is more, a `<details>` that loads
/// the next level when opened.
pub async fn tree(State(state): State<AppState>, viewer: Viewer, tr: Tr, Query(q): Query<PickQuery>) -> Response {
    let field = FIELDS.into_iter().find(|f| q.field.as_deref() == Some(*f)).unwrap_or("scope");
    let scoped = state.app.scoped(viewer.actor.clone());
    let nodes = match scoped.desk::<AdminDesk>() {
        Ok(desk) => desk.pick_children(q.under.as_deref()).await,
        Err(e) => Err(e),
    };
    match nodes {
        Ok(nodes) => page(Tree { tr, field, nodes }),
        Err(e) => fragment_error(tr, &e),
    }
}

/// A refusal as a fragment for the picker to show.
fn fragment_error(tr: Tr, e: &shanzhi_app::AppError) -> Response {
    let m = e.message();
    let text = if tr.en { m.en } else { m.zh };
    let html = format!("<p class=\"field-error error\" role=\"alert\">{}</p>", escape(&text));
    (crate::error::status_of(e), axum::response::Html(html)).into_response()
}

/// The code a picker in `form` stands for: the picked button `{field}`, or
/// else the one place the text `{field}_q` names. `None` when both are empty.
pub async fn picked(
    desk: &AdminDesk<'_>,
    form: &FormData,
    field: &'static str,
    kinds: &[PickKind],
    role: Option<Role>,
) -> Result<Option<String>, Failed> {
    let typed: &'static str = if field == "lead" { "lead_q" } else { "scope_q" };
    if let Some(code) = form.filled(field) {
        return Ok(Some(code));
    }
    match form.filled(typed) {
        Some(text) => Ok(Some(desk.resolve_pick(kinds, role, &text).await.map_err(at(typed))?.code)),
        None => Ok(None),
    }
}
