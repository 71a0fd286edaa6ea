//! `/callbacks` (满意度回访): the hotline clerk's call-back list with the
//! script (话术) and, per task, the three questions (是否联系、是否解决、
//! 满意度) or 未接通; `POST /callbacks/{id}` records one call. The results
//! back to 12345 are linked as CSV and Excel.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use shanzhi_app::AppError;
use shanzhi_app::callbacks::{CallbackAttempt, CallbackTaskView};
use shanzhi_domain::Rating;
use shanzhi_domain::callback::CallbackState;
use shanzhi_domain::text::Bilingual;

use crate::AppState;
use crate::ui::form::expired;
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal, to_login};

#[derive(Template)]
#[template(path = "callbacks.html")]
struct CallbacksPage {
    tr: Tr,
    nav: Nav,
    script: String,
    max_attempts: u32,
    items: Vec<CallbackTaskView>,
    /// (value, label, selected) of the state filter.
    states: Vec<(&'static str, &'static str, bool)>,
    open: bool,
    next: Option<String>,
    state: &'static str,
    /// The task just recorded (`?done=`).
    done: String,
    ratings: Vec<(&'static str, &'static str)>,
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    state: Option<String>,
    after: Option<String>,
    done: Option<String>,
}

fn bad(zh: &str, en: &str) -> AppError {
    AppError::BadRequest { code: "invalid_callback", message: Bilingual::new(zh, en) }
}

pub async fn list(State(state): State<AppState>, viewer: Viewer, tr: Tr, Query(q): Query<ListQuery>) -> Response {
    if !viewer.signed_in() {
        return to_login("/callbacks");
    }
    let chosen = match q.state.as_deref().filter(|s| !s.is_empty()) {
        None => CallbackState::Open,
        Some(s) => match s.parse::<CallbackState>() {
            Ok(s) => s,
            Err(m) => {
                return refusal(tr, &viewer, &AppError::BadRequest { code: "invalid_callback_state", message: m });
            }
        },
    };
    let scoped = state.app.scoped(viewer.actor.clone());
    let answer = match scoped.callback_tasks(vec![chosen], q.after.as_deref(), 50).await {
        Ok(a) => a,
        Err(e) => return refusal(tr, &viewer, &e),
    };
    let label = |s: CallbackState| match s {
        CallbackState::Open => tr.t("待回访", "To call"),
        CallbackState::Done => tr.t("已回访", "Done"),
        CallbackState::Invalid => tr.t("无效回访", "Invalid"),
    };
    page(CallbacksPage {
        tr,
        nav: viewer.nav(tr),
        script: answer.script,
        max_attempts: answer.max_attempts,
        items: answer.items,
        states: CallbackState::ALL.iter().map(|s| (s.as_str(), label(*s), *s == chosen)).collect(),
        open: chosen == CallbackState::Open,
        next: answer.next,
        state: chosen.as_str(),
        done: q.done.unwrap_or_default().chars().take(100).collect(),
        ratings: Rating::ALL.iter().map(|r| (r.as_str(), tr.rating(r.as_str()))).collect(),
    })
}

#[derive(Debug, Deserialize)]
pub struct AttemptForm {
    csrf: Option<String>,
    /// `reached` or `unreachable`.
    outcome: Option<String>,
    contacted: Option<String>,
    solved: Option<String>,
    satisfaction: Option<String>,
    note: Option<String>,
}

fn yes_no(v: Option<&str>) -> Result<Option<bool>, AppError> {
    match v.unwrap_or_default() {
        "" => Ok(None),
        "yes" => Ok(Some(true)),
        "no" => Ok(Some(false)),
        _ => Err(bad("请选择“是”或“否”", "choose yes or no")),
    }
}

fn attempt_of(f: &AttemptForm) -> Result<CallbackAttempt, AppError> {
    let reached = match f.outcome.as_deref() {
        Some("reached") => true,
        Some("unreachable") => false,
        _ => return Err(bad("请选择“已接通”或“未接通”", "choose reached or unreachable")),
    };
    let satisfaction =
        match f.satisfaction.as_deref().unwrap_or_default() {
            "" => None,
            s => Some(Rating::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| {
                bad("满意度应为满意、基本满意或不满意", "satisfaction is satisfied, basically or not")
            })?),
        };
    let (contacted, solved) = (yes_no(f.contacted.as_deref())?, yes_no(f.solved.as_deref())?);
    // An unreachable call carries no answers, whatever the form still holds.
    let (contacted, solved, satisfaction) =
        if reached { (contacted, solved, satisfaction) } else { (None, None, None) };
    let note = f.note.clone().filter(|n| !n.trim().is_empty());
    Ok(CallbackAttempt { reached, contacted, solved, satisfaction, note })
}

pub async fn record(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Path(id): Path<String>,
    Form(f): Form<AttemptForm>,
) -> Response {
    if !viewer.signed_in() {
        return to_login("/callbacks");
    }
    if !viewer.csrf_ok(f.csrf.as_deref()) {
        return refusal(tr, &viewer, &expired());
    }
    let attempt = match attempt_of(&f) {
        Ok(a) => a,
        Err(e) => return refusal(tr, &viewer, &e),
    };
    match state.app.scoped(viewer.actor.clone()).record_callback(&id, &attempt).await {
        Ok(task) => {
            let done = url::form_urlencoded::byte_serialize(task.number.as_bytes()).collect::<String>();
            Redirect::to(&format!("/callbacks?done={done}")).into_response()
        }
        Err(e) => refusal(tr, &viewer, &e),
    }
}
