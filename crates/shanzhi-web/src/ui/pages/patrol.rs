//! `/patrol/start` and `/patrol/end`: the grid worker's patrol, then back
//! to their page (`/grid`), where the timer runs.

use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use shanzhi_app::access::PatrolDesk;

use crate::AppState;
use crate::ui::form::expired;
use crate::ui::{Tr, Viewer, refusal, to_login};

#[derive(Debug, Deserialize)]
pub struct PatrolForm {
    csrf: Option<String>,
    grid: Option<String>,
    id: Option<String>,
}

pub async fn start(State(state): State<AppState>, viewer: Viewer, tr: Tr, Form(f): Form<PatrolForm>) -> Response {
    patrol_step(&state, viewer, tr, f, true).await
}

pub async fn end(State(state): State<AppState>, viewer: Viewer, tr: Tr, Form(f): Form<PatrolForm>) -> Response {
    patrol_step(&state, viewer, tr, f, false).await
}

/// Starts a patrol on `f.grid` or ends patrol `f.id`, then back to the grid page.
async fn patrol_step(state: &AppState, viewer: Viewer, tr: Tr, f: PatrolForm, starting: bool) -> Response {
    if !viewer.signed_in() {
        return to_login("/grid");
    }
    if !viewer.csrf_ok(f.csrf.as_deref()) {
        return refusal(tr, &viewer, &expired());
    }
    let scoped = state.app.scoped(viewer.actor.clone());
    let done = match scoped.desk::<PatrolDesk>() {
        Ok(desk) if starting => desk.start_patrol(f.grid.as_deref().unwrap_or_default()).await.map(drop),
        Ok(desk) => desk.end_patrol(f.id.as_deref().unwrap_or_default()).await.map(drop),
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => Redirect::to("/grid").into_response(),
        Err(e) => refusal(tr, &viewer, &e),
    }
}
