//! Tasks (任务) as pages: `/grid/tasks` (a grid worker's tasks on a phone,
//! the overdue first), `/tasks/new` (give a task, and the tasks given in
//! one's community or street), `/tasks/{id}` (the checklist and progress
//! per grid; a worker taps a site to mark it, and completes the task).

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use shanzhi_app::AppError;
use shanzhi_app::tasks::{
    GridTask, GridTaskCompletion, GridTaskDetail, GridTaskInput, GridTaskMark, GridTaskSiteInput,
};
use shanzhi_domain::register::RegisterKind;
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
#[template(path = "task_new.html")]
struct NewPage {
    tr: Tr,
    nav: Nav,
    kept: NewForm,
    given: Vec<GridTask>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "task.html")]
struct TaskPage {
    tr: Tr,
    nav: Nav,
    t: GridTaskDetail,
    error: Option<String>,
}

/// The form giving a task, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct NewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    details: String,
    #[serde(default)]
    due_on: String,
    /// Grid codes, separated by spaces, commas or new lines.
    #[serde(default)]
    grids: String,
    /// Grid workers' user names, likewise.
    #[serde(default)]
    workers: String,
    #[serde(default)]
    building: Option<String>,
    #[serde(default)]
    organisation: Option<String>,
    #[serde(default)]
    facility: Option<String>,
    /// Free sites, one a line.
    #[serde(default)]
    sites: String,
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || c == ',' || c == '，' || c == '、')
        .filter(|w| !w.is_empty())
        .take(shanzhi_domain::task::MAX_ASSIGNEES + 1)
        .map(str::to_owned)
        .collect()
}

impl NewForm {
    fn input(&self) -> Result<GridTaskInput, AppError> {
        let due_on = self.due_on.trim().parse().map_err(|_| {
            AppError::bad_request("invalid_due_date", "截止日应为 YYYY-MM-DD", "the due date should be YYYY-MM-DD")
        })?;
        let kinds = [
            (&self.building, RegisterKind::Building),
            (&self.organisation, RegisterKind::Organisation),
            (&self.facility, RegisterKind::Facility),
        ];
        Ok(GridTaskInput {
            title: self.title.clone(),
            details: self.details.clone(),
            division: None,
            due_on,
            workers: words(&self.workers),
            grids: words(&self.grids),
            register_kinds: kinds.into_iter().filter(|(on, _)| on.is_some()).map(|(_, k)| k).collect(),
            sites: self
                .sites
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .take(shanzhi_domain::task::MAX_SITES + 1)
                .map(|l| GridTaskSiteInput { register_id: None, name: Some(l.to_owned()), grid: None })
                .collect(),
        })
    }
}

/// The message of a refusal the form shows again, else `None`.
fn shown(tr: Tr, e: &AppError) -> Option<String> {
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

async fn new_page(state: &AppState, viewer: &Viewer, tr: Tr, kept: NewForm, error: Option<String>) -> Response {
    match state.app.scoped(viewer.actor.clone()).tasks_given(None, false).await {
        Ok(given) => page(NewPage { tr, nav: viewer.nav(tr), kept, given, error }),
        Err(e) => refusal(tr, viewer, &e),
    }
}

pub async fn new_form(State(state): State<AppState>, viewer: Viewer, tr: Tr) -> Response {
    if !viewer.signed_in() {
        return to_login("/tasks/new");
    }
    new_page(&state, &viewer, tr, NewForm { organisation: Some("on".into()), ..NewForm::default() }, None).await
}

pub async fn create(State(state): State<AppState>, viewer: Viewer, tr: Tr, Form(f): Form<NewForm>) -> Response {
    if !viewer.signed_in() {
        return to_login("/tasks/new");
    }
    if !viewer.csrf_ok(Some(&f.csrf)) {
        return refusal(tr, &viewer, &expired());
    }
    let done = match f.input() {
        Ok(input) => state.app.scoped(viewer.actor.clone()).assign_task(&input).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(t) => Redirect::to(&format!("/tasks/{}", t.task.id)).into_response(),
        Err(e) => match shown(tr, &e) {
            Some(message) => new_page(&state, &viewer, tr, f, Some(message)).await,
            None => refusal(tr, &viewer, &e),
        },
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
