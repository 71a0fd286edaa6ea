//! `/m/{id}`: one matter — facts, photos, the whole timeline, and a form for
//! each command this viewer may give now (nothing else is offered).
//! `/m/{id}/do/{command}` runs one (multipart, so a response can carry photos).

use askama::Template;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Value, json};
use shanzhi_app::AppError;
use shanzhi_app::matters::{EventView, MatterScreen, MatterView};
use shanzhi_domain::text::Bilingual;

use super::local;
use crate::AppState;
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
        commands: s.commands,
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

fn bad(zh: &str, en: &str) -> AppError {
    AppError::BadRequest { code: "invalid_form", message: Bilingual::new(zh, en) }
}

/// The command's arguments from the form's fields.
fn arguments(command: &str, field: &dyn Fn(&str) -> String, photos: Vec<String>) -> Result<Value, AppError> {
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
    let mut form = match Multipart::from_request(request, &state).await {
        Ok(f) => f,
        Err(_) => return refusal(tr, &viewer, &bad("表单无效", "invalid form")),
    };
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut files: Vec<Vec<u8>> = Vec::new();
    loop {
        match form.next_field().await {
            Ok(Some(f)) => {
                let name = f.name().unwrap_or("").to_owned();
                if f.file_name().is_some() {
                    match f.bytes().await {
                        Ok(b) if !b.is_empty() => files.push(b.to_vec()),
                        Ok(_) => {}
                        Err(_) => {
                            return refusal(tr, &viewer, &bad("上传失败或文件过大", "upload failed or too large"));
                        }
                    }
                } else {
                    fields.push((name, f.text().await.unwrap_or_default()));
                }
            }
            Ok(None) => break,
            Err(_) => return refusal(tr, &viewer, &bad("表单无效或过大", "invalid or oversized form")),
        }
    }
    let field = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
    if !viewer.csrf_ok(Some(&field("csrf"))) {
        return refusal(
            tr,
            &viewer,
            &AppError::Forbidden(Bilingual::new("页面已过期，请刷新后重试", "the page expired; reload and retry")),
        );
    }
    let scoped = state.app.scoped(viewer.actor.clone());
    let mut photos = Vec::new();
    for f in &files {
        match scoped.upload(f).await {
            Ok(a) => photos.push(a.id),
            Err(e) => return refusal(tr, &viewer, &e),
        }
    }
    let outcome = match arguments(&command, &field, photos) {
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
