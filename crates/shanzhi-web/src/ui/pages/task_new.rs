//! `/tasks/new`: give a task by ticking the grids and grid workers of one's
//! community or street by NAME (a street with too many grids is narrowed by
//! community first), with the checklist; and the tasks given there. A
//! refused form comes back as typed: the boxes ticked stay ticked.

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use shanzhi_app::AppError;
use shanzhi_app::tasks::{GridTask, GridTaskInput, GridTaskSiteInput, TaskChoices};
use shanzhi_domain::register::RegisterKind;
use shanzhi_domain::task::{MAX_ASSIGNEES, MAX_SITES};

use super::tasks::shown;
use crate::AppState;
use crate::ui::form::expired;
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal, to_login};

#[derive(Template)]
#[template(path = "task_new.html")]
struct NewPage {
    tr: Tr,
    nav: Nav,
    kept: NewForm,
    choices: TaskChoices,
    given: Vec<GridTask>,
    error: Option<String>,
}

/// The form giving a task, as sent: repeated `grid` and `worker` fields
/// (one per box ticked), so it is read from the body's pairs.
#[derive(Debug, Default)]
pub struct NewForm {
    csrf: String,
    title: String,
    details: String,
    due_on: String,
    /// The community the grids were narrowed to.
    community: String,
    /// The grids ticked (codes).
    grids: BTreeSet<String>,
    /// The grid workers ticked (user names).
    workers: BTreeSet<String>,
    building: bool,
    organisation: bool,
    facility: bool,
    /// Free sites, one a line.
    sites: String,
}

impl NewForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> NewForm {
        let mut f = NewForm::default();
        for (key, value) in pairs {
            match key.as_str() {
                "csrf" => f.csrf = value,
                "title" => f.title = value,
                "details" => f.details = value,
                "due_on" => f.due_on = value,
                "community" => f.community = value,
                "sites" => f.sites = value,
                // One more than allowed, so that too many is refused, not cut.
                "grid" if f.grids.len() <= MAX_ASSIGNEES => {
                    f.grids.insert(value);
                }
                "worker" if f.workers.len() <= MAX_ASSIGNEES => {
                    f.workers.insert(value);
                }
                "building" => f.building = true,
                "organisation" => f.organisation = true,
                "facility" => f.facility = true,
                _ => {}
            }
        }
        f
    }

    /// The grid `code` is ticked.
    fn has_grid(&self, code: &str) -> bool {
        self.grids.contains(code)
    }

    /// The grid worker `username` is ticked.
    fn has_worker(&self, username: &str) -> bool {
        self.workers.contains(username)
    }

    fn input(&self) -> Result<GridTaskInput, AppError> {
        let due_on = self.due_on.trim().parse().map_err(|_| {
            AppError::bad_request("invalid_due_date", "截止日应为 YYYY-MM-DD", "the due date should be YYYY-MM-DD")
        })?;
        let kinds = [
            (self.building, RegisterKind::Building),
            (self.organisation, RegisterKind::Organisation),
            (self.facility, RegisterKind::Facility),
        ];
        Ok(GridTaskInput {
            title: self.title.clone(),
            details: self.details.clone(),
            division: None,
            due_on,
            workers: self.workers.iter().cloned().collect(),
            grids: self.grids.iter().cloned().collect(),
            register_kinds: kinds.into_iter().filter(|(on, _)| *on).map(|(_, k)| k).collect(),
            sites: self
                .sites
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .take(MAX_SITES + 1)
                .map(|l| GridTaskSiteInput { register_id: None, name: Some(l.to_owned()), grid: None })
                .collect(),
        })
    }
}

async fn new_page(state: &AppState, viewer: &Viewer, tr: Tr, kept: NewForm, error: Option<String>) -> Response {
    let scoped = state.app.scoped(viewer.actor.clone());
    let (choices, error) = match scoped.task_choices(Some(&kept.community)).await {
        Ok(c) => (c, error),
        // A community not theirs: all of theirs, and why.
        Err(e) => match shown(tr, &e) {
            Some(m) => match scoped.task_choices(None).await {
                Ok(c) => (c, Some(error.unwrap_or(m))),
                Err(e) => return refusal(tr, viewer, &e),
            },
            None => return refusal(tr, viewer, &e),
        },
    };
    match scoped.tasks_given(None, false).await {
        Ok(given) => page(NewPage { tr, nav: viewer.nav(tr), kept, choices, given, error }),
        Err(e) => refusal(tr, viewer, &e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    community: String,
}

pub async fn new_form(State(state): State<AppState>, viewer: Viewer, tr: Tr, Query(q): Query<NewQuery>) -> Response {
    if !viewer.signed_in() {
        return to_login("/tasks/new");
    }
    let kept = NewForm { organisation: true, community: q.community.chars().take(12).collect(), ..NewForm::default() };
    new_page(&state, &viewer, tr, kept, None).await
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    if !viewer.signed_in() {
        return to_login("/tasks/new");
    }
    let f = NewForm::from_pairs(pairs);
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
