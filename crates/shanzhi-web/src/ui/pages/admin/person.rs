//! `/admin/users/{username}`: one person, to edit their name and phone and
//! their assignments (a role at a place picked by name, for a term; ending
//! one). Each change goes through the people use cases, which check the
//! caller's scope and write the audit entry.

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::response::Response;
use jiff::civil::Date;
use shanzhi_app::AppError;
use shanzhi_app::access::{AdminDesk, PickKind, UserView};
use shanzhi_domain::Role;
use shanzhi_domain::text::Bilingual;

use super::kept::{Failed, Kept, at};
use super::{ROLES, pick};
use crate::AppState;
use crate::ui::form::FormData;
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal, to_login};

#[derive(Template)]
#[template(path = "admin_user.html")]
struct PersonPage {
    tr: Tr,
    nav: Nav,
    done: Option<String>,
    error: Option<String>,
    kept: Kept,
    person: UserView,
    /// (id, role, place, from, to) of each assignment, by names.
    assignments: Vec<(String, String, String, String, String)>,
    roles: [Role; 7],
}

/// A role from a form's select.
pub fn role_of(text: &str) -> Result<Role, Failed> {
    text.parse::<Role>().map_err(|m| AppError::BadRequest { code: "invalid_role", message: m }.into())
}

fn date_of(form: &FormData, name: &'static str) -> Result<Option<Date>, Failed> {
    form.filled(name)
        .map(|d| {
            d.parse::<Date>().map_err(|_| {
                at(name)(AppError::BadRequest {
                    code: "invalid_term",
                    message: Bilingual::new("日期应为 YYYY-MM-DD", "a date is YYYY-MM-DD"),
                })
            })
        })
        .transpose()
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    tr: Tr,
    username: &str,
    done: Option<String>,
    refused: Option<(&FormData, &str, Failed)>,
) -> Response {
    let scoped = state.app.scoped(viewer.actor.clone());
    // The person as the caller may manage them: someone outside the
    // caller's scope is "not found" here as in the API.
    let person = match scoped.desk::<AdminDesk>() {
        Ok(_) => scoped.user(username).await,
        Err(e) => Err(e),
    };
    let person = match person {
        Ok(p) => p,
        Err(e) => return refusal(tr, viewer, &e),
    };
    let assignments = person
        .assignments
        .iter()
        .map(|a| {
            (
                a.id.clone(),
                tr.role(a.role.as_str()).to_owned(),
                a.scope_name.clone().unwrap_or_default(),
                a.valid_from.to_string(),
                a.valid_to.map(|d| d.to_string()).unwrap_or_default(),
            )
        })
        .collect();
    let (error, kept, status) = match refused {
        Some((form, section, f)) => {
            let m = f.error.message();
            let message = if tr.en { m.en } else { m.zh };
            (Some(message.clone()), Kept::new(section, form, f.field, message), super::status(&f.error))
        }
        None => (None, Kept::default(), axum::http::StatusCode::OK),
    };
    let mut r = page(PersonPage { tr, nav: viewer.nav(tr), done, error, kept, person, assignments, roles: ROLES });
    *r.status_mut() = status;
    r
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Path(username): Path<String>,
    axum::extract::Query(q): axum::extract::Query<super::Done>,
) -> Response {
    if !viewer.signed_in() {
        return to_login("/admin");
    }
    render(&state, &viewer, tr, &username, q.done, None).await
}

async fn apply(
    state: &AppState,
    viewer: &Viewer,
    username: &str,
    action: &str,
    form: &FormData,
) -> Result<String, Failed> {
    let scoped = state.app.scoped(viewer.actor.clone());
    let desk = scoped.desk::<AdminDesk>()?;
    Ok(match action {
        "edit" => {
            // A number shown masked and left empty stays as it is.
            let phone = match (form.filled("phone"), form.field("phone_masked") == "1") {
                (None, true) => None,
                (typed, _) => Some(typed),
            };
            desk.edit_user(username, &form.field("display_name"), phone.as_ref().map(Option::as_deref)).await?;
            "已保存姓名和手机".to_owned()
        }
        "work_phone" => match desk.set_work_phone(username, form.filled("work_phone").as_deref()).await? {
            Some(p) => format!("已设置公开工作电话：{p}"),
            None => "已清除公开工作电话".to_owned(),
        },
        "assign" => {
            let role = role_of(&form.field("role"))?;
            let scope = match role.is_staff() {
                true => pick::picked(&desk, form, "scope", &PickKind::for_role(role), Some(role)).await?,
                false => None,
            };
            let (from, to) = (date_of(form, "from")?, date_of(form, "to")?);
            let a = desk.add_assignment(username, role, scope.as_deref(), from, to).await?;
            format!("已任命：{}", a.role.label_zh())
        }
        "unassign" => {
            desk.end_assignment(username, &form.field("id"), None).await?;
            "已结束任职".to_owned()
        }
        _ => return Err(super::unknown_section()),
    })
}

pub async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Path((username, action)): Path<(String, String)>,
    request: Request,
) -> Response {
    let form = match super::signed_form(&state, &viewer, tr, request).await {
        Ok(form) => form,
        Err(answer) => return answer,
    };
    match apply(&state, &viewer, &username, &action, &form).await {
        Ok(done) => {
            let user = url::form_urlencoded::byte_serialize(username.as_bytes()).collect::<String>();
            super::done_at(&format!("/admin/users/{user}"), &done)
        }
        Err(failed) => render(&state, &viewer, tr, &username, None, Some((&form, &action, failed))).await,
    }
}
