//! Tasks (任务) as pages: `/grid/tasks` (a grid worker's tasks on a phone,
//! the overdue first), `/tasks/new` (give a task: [`super::task_new`]),
//! `/tasks/{id}` (the checklist and progress
//! per grid; a worker taps a site to mark it, and completes the task).

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use shanzhi_app::AppError;
use shanzhi_app::tasks::{GridTask, GridTaskCompletion, GridTaskDetail, GridTaskMark};
use shanzhi_domain::task::GridTaskSiteState;

use crate::AppState;
use crate::ui::form::expired;
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal, to_login};

#[derive(Template)]
#[template(path = "grid_tasks.html")]
struct MinePage {
    tr: Tr,
    nav: Nav,
    tasks: Vec<GridTask>,
}

#[derive(Template)]
#[template(path = "task.html")]
struct TaskPage {
    tr: Tr,
    nav: Nav,
    t: GridTaskDetail,
    error: Option<String>,
}

/// The message of a refusal the form shows again, else `None`.
pub(super) fn shown(tr: Tr, e: &AppError) -> Option<String> {
    matches!(
        e,
        AppError::BadRequest { .. } | AppError::Invalid { .. } | AppError::Conflict { .. } | AppError::Forbidden(_)
    )
    .then(|| {
        let m = e.message();
        if tr.en { m.en } else { m.zh }
    })
}

pub async fn mine(State(state): State<AppState>, viewer: Viewer, tr: Tr) -> Response {
    if !viewer.signed_in() {
        return to_login("/grid/tasks");
    }
    match state.app.scoped(viewer.actor.clone()).my_tasks().await {
        Ok(tasks) => page(MinePage { tr, nav: viewer.nav(tr), tasks }),
        Err(e) => refusal(tr, &viewer, &e),
    }
}

async fn task_page(state: &AppState, viewer: &Viewer, tr: Tr, id: &str, error: Option<String>) -> Response {
    match state.app.scoped(viewer.actor.clone()).task(id).await {
        Ok(t) => page(TaskPage { tr, nav: viewer.nav(tr), t, error }),
        Err(e) => refusal(tr, viewer, &e),
    }
}

pub async fn show(State(state): State<AppState>, viewer: Viewer, tr: Tr, Path(id): Path<String>) -> Response {
    if !viewer.signed_in() {
        return to_login(&format!("/tasks/{}", id.chars().take(64).collect::<String>()));
    }
    task_page(&state, &viewer, tr, &id, None).await
}

/// A site's mark as the page posts it.
#[derive(Debug, Default, Deserialize)]
pub struct MarkForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    matter: String,
}

pub async fn mark(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Path((id, seq)): Path<(String, i64)>,
    Form(f): Form<MarkForm>,
) -> Response {
    if !viewer.signed_in() {
        return to_login("/grid/tasks");
    }
    if !viewer.csrf_ok(Some(&f.csrf)) {
        return refusal(tr, &viewer, &expired());
    }
    let done = match f.state.parse::<GridTaskSiteState>() {
        Ok(s) => {
            let filled = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
            let m = GridTaskMark { state: s, note: filled(&f.note), photo: None, matter: filled(&f.matter) };
            state.app.scoped(viewer.actor.clone()).mark_task_site(&id, seq, &m).await
        }
        Err(m) => Err(AppError::BadRequest { code: "invalid_mark", message: m }),
    };
    match done {
        Ok(t) => Redirect::to(&format!("/tasks/{}#site-{seq}", t.task.id)).into_response(),
        Err(e) => match shown(tr, &e) {
            Some(message) => task_page(&state, &viewer, tr, &id, Some(message)).await,
            None => refusal(tr, &viewer, &e),
        },
    }
}

/// Completing a task as the page posts it.
#[derive(Debug, Default, Deserialize)]
pub struct CompleteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    result: String,
}

pub async fn complete(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Path(id): Path<String>,
    Form(f): Form<CompleteForm>,
) -> Response {
    if !viewer.signed_in() {
        return to_login("/grid/tasks");
    }
    if !viewer.csrf_ok(Some(&f.csrf)) {
        return refusal(tr, &viewer, &expired());
    }
    let input = GridTaskCompletion { result: Some(f.result.trim().to_owned()).filter(|r| !r.is_empty()) };
    match state.app.scoped(viewer.actor.clone()).complete_task(&id, &input).await {
        Ok(t) => Redirect::to(&format!("/tasks/{}", t.task.id)).into_response(),
        Err(e) => match shown(tr, &e) {
            Some(message) => task_page(&state, &viewer, tr, &id, Some(message)).await,
            None => refusal(tr, &viewer, &e),
        },
    }
}
