//! `POST /desk/batch`: one command (受理 or 签收) for every checked row, each
//! through the same use case as the matter page's button, so each row is
//! refused or done on its own; the list comes back with every row's outcome.

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::response::Response;

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
    let done = match command.as_str() {
        "accept" => tr.t("已受理", "accepted"),
        "sign" => tr.t("已签收", "signed"),
        _ => return refusal(tr, &viewer, &bad("只能批量受理或签收", "only accept and sign run as a batch")),
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
    let scoped = state.app.scoped(viewer.actor.clone());
    let mut results = Vec::with_capacity(numbers.len());
    for number in numbers {
        let outcome = scoped.command(&number, &command, serde_json::Value::Null).await;
        let (done, text) = match outcome {
            Ok(_) => (true, done.to_owned()),
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
