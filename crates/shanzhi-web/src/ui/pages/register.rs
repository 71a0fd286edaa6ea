//! `/grid/register` (本网格登记): the register of the caller's own grid or
//! community on a phone — buildings, households, people, shops and
//! facilities, searchable, phones masked; `/grid/care` (关爱走访): the care
//! visits due today or overdue, without reasons (those open one by one
//! through the API, each view recorded).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use shanzhi_app::register::{CareDue, RegisterEntry, RegisterListQuery};

use crate::AppState;
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal, to_login};

#[derive(Template)]
#[template(path = "grid_register.html")]
struct RegisterPage {
    tr: Tr,
    nav: Nav,
    q: String,
    /// (entry, its details as one line).
    rows: Vec<(RegisterEntry, String)>,
}

#[derive(Template)]
#[template(path = "grid_care.html")]
struct CarePage {
    tr: Tr,
    nav: Nav,
    due: Vec<CareDue>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Search {
    #[serde(default)]
    q: String,
}

/// A record's details as one line (`性别 女 · 出生年份 1952 · …`).
fn details_line(e: &RegisterEntry) -> String {
    e.details
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| !matches!(k.as_str(), "经度" | "纬度"))
                .map(|(k, v)| format!("{k} {}", v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
                .collect::<Vec<_>>()
                .join(" · ")
        })
        .unwrap_or_default()
}

pub async fn list(State(state): State<AppState>, viewer: Viewer, tr: Tr, Query(s): Query<Search>) -> Response {
    if !viewer.signed_in() {
        return to_login("/grid/register");
    }
    let q: String = s.q.trim().chars().take(64).collect();
    let query = RegisterListQuery { q: Some(q.clone()).filter(|q| !q.is_empty()), ..RegisterListQuery::default() };
    match state.app.scoped(viewer.actor.clone()).register_list(&query).await {
        Ok(rows) => {
            let rows = rows.into_iter().map(|e| {
                let line = details_line(&e);
                (e, line)
            });
            page(RegisterPage { tr, nav: viewer.nav(tr), q, rows: rows.collect() })
        }
        Err(e) => refusal(tr, &viewer, &e),
    }
}

pub async fn care(State(state): State<AppState>, viewer: Viewer, tr: Tr) -> Response {
    if !viewer.signed_in() {
        return to_login("/grid/care");
    }
    match state.app.scoped(viewer.actor.clone()).care_due(None, None).await {
        Ok(due) => page(CarePage { tr, nav: viewer.nav(tr), due }),
        Err(e) => refusal(tr, &viewer, &e),
    }
}
