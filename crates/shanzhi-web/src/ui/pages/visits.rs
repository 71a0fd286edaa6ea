//! The grid worker's day on a phone: `/grid/today` (today's due and overdue
//! care visits first, then the register), `/grid/visit` (the quick visit
//! form: its draft kept in the browser, sent when back online, one
//! Idempotency-Key per draft; assets/visit.js), `/grid/log/{date}` (a
//! worker's day: visits, patrols, matters, notes, review comments) and
//! `/grid/logs` (the community worker's list of the day's logs).

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use shanzhi_app::register::{CareDue, RegisterListQuery};
use shanzhi_app::visits::{DailyLog, DailyLogSummary, LogCommentInput, LogNotesInput, parse_day};
use shanzhi_domain::Role;
use shanzhi_domain::register::RegisterKind;

use crate::AppState;
use crate::ui::form::expired;
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal, to_login};

#[derive(Template)]
#[template(path = "grid_today.html")]
struct TodayPage {
    tr: Tr,
    nav: Nav,
    today: String,
    due: Vec<CareDue>,
}

#[derive(Template)]
#[template(path = "grid_visit.html")]
struct VisitPage {
    tr: Tr,
    nav: Nav,
    /// (id, name) of the residents of the caller's grid.
    residents: Vec<(String, String)>,
    care_mark: String,
    care_name: String,
    categories: Vec<(String, String)>,
    today: String,
}

#[derive(Template)]
#[template(path = "grid_log.html")]
struct LogPage {
    tr: Tr,
    nav: Nav,
    log: DailyLog,
    /// The caller may comment (a community worker, not their own day).
    reviewer: bool,
    own: bool,
}

#[derive(Template)]
#[template(path = "grid_logs.html")]
struct LogsPage {
    tr: Tr,
    nav: Nav,
    day: String,
    rows: Vec<DailyLogSummary>,
}

pub async fn today(State(state): State<AppState>, viewer: Viewer, tr: Tr) -> Response {
    if !viewer.signed_in() {
        return to_login("/grid/today");
    }
    let scoped = state.app.scoped(viewer.actor.clone());
    match scoped.care_due(None, None).await {
        Ok(due) => page(TodayPage { tr, nav: viewer.nav(tr), today: scoped.today().to_string(), due }),
        Err(e) => refusal(tr, &viewer, &e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct VisitQuery {
    #[serde(default)]
    care_mark: String,
}

pub async fn visit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Query(q): Query<VisitQuery>,
) -> Response {
    if !viewer.signed_in() {
        return to_login("/grid/visit");
    }
    let scoped = state.app.scoped(viewer.actor.clone());
    let query = RegisterListQuery { kind: Some(RegisterKind::Resident), ..RegisterListQuery::default() };
    let residents = match scoped.register_list(&query).await {
        Ok(rows) => rows.into_iter().map(|e| (e.id, e.name)).collect(),
        Err(e) => return refusal(tr, &viewer, &e),
    };
    let care_mark: String = q.care_mark.chars().take(64).collect();
    let care_name = if care_mark.is_empty() {
        String::new()
    } else {
        match scoped.care_due(None, None).await {
            Ok(due) => due.into_iter().find(|d| d.mark_id == care_mark).map(|d| d.resident_name).unwrap_or_default(),
            Err(e) => return refusal(tr, &viewer, &e),
        }
    };
    let categories = super::grid::categories(&state, &viewer, false).await;
    let today = scoped.today().to_string();
    page(VisitPage {
        tr,
        nav: viewer.nav(tr),
        residents,
        care_mark: if care_name.is_empty() { String::new() } else { care_mark },
        care_name,
        categories,
        today,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct LogQuery {
    #[serde(default)]
    worker: String,
}

pub async fn log(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Path(date): Path<String>,
    Query(q): Query<LogQuery>,
) -> Response {
    if !viewer.signed_in() {
        return to_login("/grid/today");
    }
    let day = match parse_day(&date) {
        Ok(d) => d,
        Err(e) => return refusal(tr, &viewer, &e),
    };
    let worker = Some(q.worker.trim()).filter(|w| !w.is_empty() && w.len() <= 32);
    match state.app.scoped(viewer.actor.clone()).daily_log(day, worker).await {
        Ok(log) => {
            let own = viewer.actor.name() == log.worker;
            let reviewer = !own && viewer.actor.has_role(Role::CommunityWorker);
            page(LogPage { tr, nav: viewer.nav(tr), log, reviewer, own })
        }
        Err(e) => refusal(tr, &viewer, &e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct NotesForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    notes: String,
}

pub async fn write_notes(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Path(date): Path<String>,
    Form(f): Form<NotesForm>,
) -> Response {
    if !viewer.signed_in() {
        return to_login("/grid/today");
    }
    if !viewer.csrf_ok(Some(&f.csrf)) {
        return refusal(tr, &viewer, &expired());
    }
    let day = match parse_day(&date) {
        Ok(d) => d,
        Err(e) => return refusal(tr, &viewer, &e),
    };
    match state.app.scoped(viewer.actor.clone()).write_log_notes(day, &LogNotesInput { notes: f.notes }).await {
        Ok(_) => Redirect::to(&format!("/grid/log/{day}")).into_response(),
        Err(e) => refusal(tr, &viewer, &e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    worker: String,
    #[serde(default)]
    body: String,
}

pub async fn comment(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Path(date): Path<String>,
    Form(f): Form<CommentForm>,
) -> Response {
    if !viewer.signed_in() {
        return to_login("/grid/logs");
    }
    if !viewer.csrf_ok(Some(&f.csrf)) {
        return refusal(tr, &viewer, &expired());
    }
    let day = match parse_day(&date) {
        Ok(d) => d,
        Err(e) => return refusal(tr, &viewer, &e),
    };
    let input = LogCommentInput { worker: f.worker.trim().to_owned(), body: f.body };
    match state.app.scoped(viewer.actor.clone()).comment_on_log(day, &input).await {
        Ok(log) => {
            let worker = url::form_urlencoded::byte_serialize(log.worker.as_bytes()).collect::<String>();
            Redirect::to(&format!("/grid/log/{day}?worker={worker}")).into_response()
        }
        Err(e) => refusal(tr, &viewer, &e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct LogsQuery {
    #[serde(default)]
    date: String,
}

pub async fn logs(State(state): State<AppState>, viewer: Viewer, tr: Tr, Query(q): Query<LogsQuery>) -> Response {
    if !viewer.signed_in() {
        return to_login("/grid/logs");
    }
    let scoped = state.app.scoped(viewer.actor.clone());
    let day = if q.date.trim().is_empty() {
        scoped.today()
    } else {
        match parse_day(q.date.trim()) {
            Ok(d) => d,
            Err(e) => return refusal(tr, &viewer, &e),
        }
    };
    match scoped.daily_logs(day, None).await {
        Ok(rows) => page(LogsPage { tr, nav: viewer.nav(tr), day: day.to_string(), rows }),
        Err(e) => refusal(tr, &viewer, &e),
    }
}
