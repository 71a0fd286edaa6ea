//! `/m/{id}`: one matter — facts, photos, the whole timeline, and a form for
//! each command this viewer may give now (nothing else is offered).
//! `/m/{id}/do/{command}` runs one (multipart, so a response can carry photos).

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Value, json};
use shanzhi_app::AppError;
use shanzhi_app::matters::{EventView, MatterScreen, MatterView};

use super::local;
use crate::AppState;
use crate::ui::form::{FormData, bad, expired};
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal, to_login};

#[derive(Template)]
#[template(path = "matter.html")]
struct MatterPage {
    tr: Tr,
    nav: Nav,
    m: MatterView,
    reported: String,
    deadline: String,
    warning: String,
    photos: Vec<String>,
    timeline: Vec<Entry>,
    commands: Vec<&'static str>,
    suggestion: Option<(String, String)>,
    departments: Vec<(String, String)>,
    error: Option<String>,
}

struct Entry {
    at: String,
    role: String,
    command: String,
    text: String,
    photos: Vec<String>,
}

fn entry(e: &EventView) -> Entry {
    let text = ["text", "reason", "note", "description"]
        .iter()
        .find_map(|k| e.details.get(k).and_then(Value::as_str))
        .unwrap_or_default()
        .to_owned();
    Entry { at: local(&e.at), role: e.role.clone(), command: e.command.clone(), text, photos: e.attachments.clone() }
}

fn render(tr: Tr, viewer: &Viewer, s: MatterScreen, error: Option<String>) -> Response {
    let suggestion = s.suggestion.as_ref().map(|g| match &g.assignee {
        shanzhi_domain::Assignee::Department(d) => (d.as_str().to_owned(), g.name.clone()),
        shanzhi_domain::Assignee::Community => ("community".to_owned(), g.name.clone()),
    });
    let t = MatterPage {
        tr,
        nav: viewer.nav(tr),
        reported: local(&s.matter.reported_at),
        deadline: s.matter.deadline_at.as_deref().map(local).unwrap_or_default(),
        warning: s.matter.time_limit.as_ref().map_or("none", |t| t.warning.as_str()).to_owned(),
        photos: s.photos,
        timeline: s.timeline.iter().map(entry).collect(),
        commands: s.commands.iter().map(|k| k.name()).collect(),
        suggestion,
        departments: s.departments,
        m: s.matter,
        error,
    };
    page(t)
}

pub async fn show(State(state): State<AppState>, viewer: Viewer, tr: Tr, Path(id): Path<String>) -> Response {
    if !viewer.signed_in() {
        return to_login(&format!("/m/{id}"));
    }
    match state.app.scoped(viewer.actor.clone()).matter_screen(&id).await {
        Ok(s) => render(tr, &viewer, s, None),
        Err(e) => refusal(tr, &viewer, &e),
    }
}

/// The command's arguments from the form's fields.
fn arguments(command: &str, form: &FormData, photos: Vec<String>) -> Result<Value, AppError> {
    let field = |k: &str| form.field(k);
    Ok(match command {
        "dispatch" => match field("to").as_str() {
            "community" => json!({"to": {"kind": "community"}}),
            "" => return Err(bad("请选择承办单位", "choose the unit")),
            code => json!({"to": {"kind": "department", "code": code}}),
        },
        "respond" => json!({"text": field("text"), "attachments": photos}),
        "verify" => json!({"passed": field("passed") == "yes", "note": field("note")}),
        "rate" => {
            let reason = field("reason");
            json!({"rating": field("rating"), "reason": if reason.is_empty() { Value::Null } else { Value::from(reason) }})
        }
        "extend" => json!({
            "hours": field("hours").parse::<u32>().map_err(|_| bad("延期小时数应为正整数", "hours must be a whole number"))?,
            "reason": field("reason"),
        }),
        "supervise" => json!({"note": field("note")}),
        "merge" => json!({"into": field("into")}),
        "reject" | "return" | "reopen" | "escalate" | "deny_extension" | "park" | "deny_park" | "void" => {
            json!({"reason": field("reason")})
        }
        _ => Value::Null,
    })
}

pub async fn command(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Path((id, command)): Path<(String, String)>,
    request: Request,
) -> Response {
    if !viewer.signed_in() {
        return to_login(&format!("/m/{id}"));
    }
    let form = match FormData::read(request, &state).await {
        Ok(f) => f,
        Err(e) => return refusal(tr, &viewer, &e),
    };
    if !viewer.csrf_ok(Some(&form.field("csrf"))) {
        return refusal(tr, &viewer, &expired());
    }
    let scoped = state.app.scoped(viewer.actor.clone());
    let mut photos = Vec::new();
    for f in &form.files {
        match scoped.upload(f).await {
            Ok(a) => photos.push(a.id),
            Err(e) => return refusal(tr, &viewer, &e),
        }
    }
    let outcome = match arguments(&command, &form, photos) {
        Ok(args) => scoped.command(&id, &command, args).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(m) => Redirect::to(&format!("/m/{}", m.number)).into_response(),
        Err(e) => {
            let message = e.message();
            let text = if tr.en { message.en } else { message.zh };
            match scoped.matter_screen(&id).await {
                Ok(s) => {
                    let mut r = render(tr, &viewer, s, Some(text));
                    *r.status_mut() = match e {
                        AppError::WrongState { .. } => axum::http::StatusCode::CONFLICT,
                        AppError::Forbidden(_) => axum::http::StatusCode::FORBIDDEN,
                        _ => axum::http::StatusCode::BAD_REQUEST,
                    };
                    r
                }
                Err(e) => refusal(tr, &viewer, &e),
            }
        }
    }
}
