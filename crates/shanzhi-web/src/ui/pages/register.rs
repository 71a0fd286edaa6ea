//! `/grid/register` (本网格登记): the register of the caller's own grid or
//! community on a phone — buildings, households, people, shops and
//! facilities, searchable, phones masked; `/grid/care` (关爱走访): the care
//! visits due today or overdue, without reasons (those open one by one
//! through the API, each view recorded).

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use shanzhi_app::AppError;
use shanzhi_app::register::{CareDue, RegisterDraft, RegisterEntry, RegisterListQuery};
use shanzhi_domain::register::RegisterKind;

use crate::AppState;
use crate::ui::form::expired;
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal, to_login};

#[derive(Template)]
#[template(path = "grid_register.html")]
struct RegisterPage {
    tr: Tr,
    nav: Nav,
    q: String,
    /// (entry, its details as one line).
    rows: Vec<(RegisterEntry, String)>,
    /// The add form: what was typed, shown again after a refusal.
    kept: AddForm,
    /// (code, name) of the kinds the form offers.
    kinds: Vec<(&'static str, &'static str)>,
    /// The kept parent's name and kind, when the form adds under one.
    parent: Option<(String, String)>,
    /// (code, name) of the grids to choose from; `None`: too many, a code is typed.
    grids: Option<Vec<(String, String)>>,
    error: Option<String>,
}

/// The add form's fields, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct AddForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    parent: String,
    #[serde(default)]
    grid: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    birth_year: String,
    #[serde(default)]
    id_number: String,
}

/// A field's text, trimmed; `None` when left empty.
pub(super) fn filled(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// A birth year field: four digits, or left empty.
pub(super) fn birth_year(s: &str) -> Result<Option<i16>, AppError> {
    filled(s)
        .map(|y| {
            y.parse().map_err(|_| {
                AppError::bad_request(
                    "invalid_birth_year",
                    "出生年份应为四位数字",
                    "the birth year must be four digits",
                )
            })
        })
        .transpose()
}

impl AddForm {
    fn draft(&self) -> Result<RegisterDraft, AppError> {
        let kind: RegisterKind =
            self.kind.parse().map_err(|m| AppError::BadRequest { code: "invalid_kind", message: m })?;
        let mut d = RegisterDraft::new(kind, self.name.trim());
        d.parent_id = filled(&self.parent);
        d.grid = filled(&self.grid);
        d.category = filled(&self.category);
        d.phone = filled(&self.phone);
        d.status = filled(&self.status);
        d.id_number = filled(&self.id_number);
        d.birth_year = birth_year(&self.birth_year)?;
        Ok(d)
    }
}

fn kinds(tr: Tr) -> Vec<(&'static str, &'static str)> {
    let en = ["Building", "Household", "Resident", "Organisation or shop", "Facility"];
    RegisterKind::ALL.iter().zip(en).map(|(k, en)| (k.as_str(), tr.t(k.label_zh(), en))).collect()
}

#[derive(Template)]
#[template(path = "grid_care.html")]
struct CarePage {
    tr: Tr,
    nav: Nav,
    due: Vec<CareDue>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Search {
    #[serde(default)]
    q: String,
    /// Prefill the add form's parent (a building's or household's id).
    #[serde(default)]
    parent: String,
}

/// A record's details as one line (`性别 女 · 出生年份 1952 · …`).
fn details_line(e: &RegisterEntry) -> String {
    e.details
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| !matches!(k.as_str(), "经度" | "纬度"))
                .map(|(k, v)| format!("{k} {}", v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
                .collect::<Vec<_>>()
                .join(" · ")
        })
        .unwrap_or_default()
}

pub async fn list(State(state): State<AppState>, viewer: Viewer, tr: Tr, Query(s): Query<Search>) -> Response {
    if !viewer.signed_in() {
        return to_login("/grid/register");
    }
    let kept = AddForm { kind: "resident".into(), parent: s.parent.chars().take(64).collect(), ..AddForm::default() };
    render(&state, &viewer, tr, &s.q, kept, None).await
}

async fn render(state: &AppState, viewer: &Viewer, tr: Tr, q: &str, kept: AddForm, error: Option<String>) -> Response {
    let q: String = q.trim().chars().take(64).collect();
    let query = RegisterListQuery { q: Some(q.clone()).filter(|q| !q.is_empty()), ..RegisterListQuery::default() };
    let scoped = state.app.scoped(viewer.actor.clone());
    let rows = match scoped.register_list(&query).await {
        Ok(rows) => rows,
        Err(e) => return refusal(tr, viewer, &e),
    };
    // The parent and the grids by name; one the caller may not see is left out.
    let parent = match filled(&kept.parent) {
        Some(id) => scoped.register_entry(&id).await.ok().map(|e| (e.name, e.kind_label)),
        None => None,
    };
    let grids = scoped
        .register_grids()
        .await
        .ok()
        .flatten()
        .map(|grids| grids.into_iter().map(|(code, name)| (code.as_str().to_owned(), name)).collect::<Vec<_>>());
    let rows = rows
        .into_iter()
        .map(|e| {
            let line = details_line(&e);
            (e, line)
        })
        .collect();
    page(RegisterPage { tr, nav: viewer.nav(tr), q, rows, kept, kinds: kinds(tr), parent, grids, error })
}

/// The add form: the record, or the page again with the input kept and the
/// refusal's message.
pub async fn add(State(state): State<AppState>, viewer: Viewer, tr: Tr, Form(f): Form<AddForm>) -> Response {
    if !viewer.signed_in() {
        return to_login("/grid/register");
    }
    if !viewer.csrf_ok(Some(&f.csrf)) {
        return refusal(tr, &viewer, &expired());
    }
    let scoped = state.app.scoped(viewer.actor.clone());
    let done = match f.draft() {
        Ok(d) => scoped.add_register_record(&d).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(e) => back_to(&e.name),
        Err(
            e @ (AppError::BadRequest { .. }
            | AppError::Invalid { .. }
            | AppError::Forbidden(_)
            | AppError::NotFound { .. }),
        ) => {
            let m = e.message();
            let message = if tr.en { m.en } else { m.zh };
            render(&state, &viewer, tr, "", f, Some(message)).await
        }
        Err(e) => refusal(tr, &viewer, &e),
    }
}

/// The register searched for a record just saved.
pub(super) fn back_to(name: &str) -> Response {
    let q = url::form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>();
    Redirect::to(&format!("/grid/register?q={q}")).into_response()
}

pub async fn care(State(state): State<AppState>, viewer: Viewer, tr: Tr) -> Response {
    if !viewer.signed_in() {
        return to_login("/grid/care");
    }
    match state.app.scoped(viewer.actor.clone()).care_due(None, None).await {
        Ok(due) => page(CarePage { tr, nav: viewer.nav(tr), due }),
        Err(e) => refusal(tr, &viewer, &e),
    }
}
