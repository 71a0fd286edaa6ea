//! `POST /desk/batch`: one command (受理, 派遣 to one department, or 签收)
//! for every checked row, each through the same use case as the matter
//! page's button, so each row is refused or done on its own; the list comes
//! back with every row's outcome.

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::response::Response;

use shanzhi_app::access::Scoped;
use shanzhi_app::matters::MatterView;

use super::filters::Choice;
use super::{desk_listing, listing, tasks_listing};
use crate::AppState;
use crate::ui::form::{FormData, bad, expired};
use crate::ui::{Tr, Viewer, refusal, to_login};

/// The most rows one batch takes (a page of the list).
const MAX_ROWS: usize = 50;

/// One row's outcome.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub number: String,
    pub done: bool,
    /// "已受理", or the refusal's message.
    pub text: String,
}

/// The page to come back to: `/desk` or `/tasks` with its query string.
fn back_of(back: &str) -> Option<(&'static str, Option<&str>)> {
    let (path, query) = match back.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (back, None),
    };
    match path {
        "/desk" => Some(("/desk", query)),
        "/tasks" => Some(("/tasks", query)),
        _ => None,
    }
}

pub async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    headers: HeaderMap,
    request: Request,
) -> Response {
    if !viewer.signed_in() {
        return to_login("/desk");
    }
    let form = match FormData::read(request, &state).await {
        Ok(f) => f,
        Err(e) => return refusal(tr, &viewer, &e),
    };
    if !viewer.csrf_ok(Some(&form.field("csrf"))) {
        return refusal(tr, &viewer, &expired());
    }
    let command = form.field("command");
    let scoped = state.app.scoped(viewer.actor.clone());
    let (done, args) = match command.as_str() {
        "accept" => (tr.t("已受理", "accepted").to_owned(), serde_json::Value::Null),
        "sign" => (tr.t("已签收", "signed").to_owned(), serde_json::Value::Null),
        "dispatch" => {
            // One department for every row, one this viewer may name.
            let to = form.field("to");
            let offered = scoped.dispatch_departments().await.unwrap_or_default();
            let Some((code, name)) = offered.into_iter().find(|(c, _)| *c == to) else {
                return refusal(tr, &viewer, &bad("请选择派往的部门", "choose the department to dispatch to"));
            };
            let done = if tr.en { format!("dispatched to {name}") } else { format!("已派遣至{name}") };
            (done, serde_json::json!({"to": {"kind": "department", "code": code}}))
        }
        _ => {
            let (zh, en) = ("只能批量受理、派遣或签收", "only accept, dispatch and sign run as a batch");
            return refusal(tr, &viewer, &bad(zh, en));
        }
    };
    let back = form.field("back");
    let Some((path, query)) = back_of(&back) else {
        return refusal(tr, &viewer, &bad("返回的页面无效", "invalid page to return to"));
    };
    let numbers = form.all("n");
    if numbers.is_empty() {
        return refusal(tr, &viewer, &bad("请先勾选事件", "select the matters first"));
    }
    if numbers.len() > MAX_ROWS {
        let (zh, en) = (format!("一次最多 {MAX_ROWS} 件"), format!("at most {MAX_ROWS} at once"));
        return refusal(tr, &viewer, &bad(&zh, &en));
    }
    let mut results = Vec::with_capacity(numbers.len());
    for number in numbers {
        let outcome = scoped.command(&number, &command, args.clone()).await;
        let (done, text) = match outcome {
            Ok(_) => (true, done.clone()),
            Err(e) => {
                let m = e.message();
                (false, if tr.en { m.en } else { m.zh })
            }
        };
        results.push(Outcome { number, done, text });
    }
    let l = if path == "/desk" { desk_listing(tr) } else { tasks_listing(&viewer, tr) };
    listing(&state, &viewer, tr, l, query, &headers, results).await
}

/// The departments a batch 派遣 offers for these rows, by name, the duty
/// list's one selected.
pub async fn targets(scoped: &Scoped<'_>, rows: &[&MatterView]) -> Vec<Choice> {
    let Ok(c) = scoped.dispatch_choices(rows).await else { return Vec::new() };
    c.departments
        .into_iter()
        .map(|(code, name)| Choice { selected: c.suggested.as_deref() == Some(code.as_str()), value: code, name })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_the_desk_and_the_tasks_are_places_to_return_to() {
        assert_eq!(super::back_of("/desk?tab=intake&q=a"), Some(("/desk", Some("tab=intake&q=a"))));
        assert_eq!(super::back_of("/tasks"), Some(("/tasks", None)));
        assert_eq!(super::back_of("//evil.example/desk"), None);
        assert_eq!(super::back_of("/admin?x"), None);
    }
}
