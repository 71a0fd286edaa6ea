//! `/grid/register/{id}/edit` (修改登记): one register record's form on a
//! phone — a building, a household, a resident, an organisation or a
//! facility — with its version history (who saved which version, when).
//! The phone is shown masked: left empty it stays as it is. A refused form
//! comes back as typed, with the reason; an edit names the version it read,
//! so a record changed meanwhile is refused rather than overwritten.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::response::Response;
use serde::Deserialize;
use shanzhi_app::AppError;
use shanzhi_app::register::{RegisterDraft, RegisterEntry, RegisterVersionView};

use super::register::{back_to, birth_year, filled};
use crate::AppState;
use crate::ui::form::{bad, expired};
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal, to_login};

#[derive(Template)]
#[template(path = "grid_register_edit.html")]
struct EditPage {
    tr: Tr,
    nav: Nav,
    e: RegisterEntry,
    /// The phone on record, masked (the field's hint).
    masked_phone: String,
    kept: EditForm,
    versions: Vec<RegisterVersionView>,
    error: Option<String>,
}

/// The form's fields, as typed (or as on record).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EditForm {
    csrf: String,
    version: String,
    name: String,
    parent: String,
    grid: String,
    category: String,
    address: String,
    phone: String,
    status: String,
    gender: String,
    birth_year: String,
    head: String,
    lng: String,
    lat: String,
}

impl EditForm {
    /// The record as on file (details by their Chinese names).
    fn of(e: &RegisterEntry) -> EditForm {
        let d = |k: &str| {
            e.details.get(k).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned)).unwrap_or_default()
        };
        EditForm {
            version: e.version.to_string(),
            name: e.name.clone(),
            parent: e.parent_id.clone().unwrap_or_default(),
            grid: e.grid.clone().unwrap_or_default(),
            category: d("类别"),
            address: d("地址"),
            status: d("人口类型"),
            gender: d("性别"),
            birth_year: d("出生年份"),
            head: if d("户主").is_empty() { String::new() } else { "on".to_owned() },
            lng: d("经度"),
            lat: d("纬度"),
            ..EditForm::default()
        }
    }

    fn draft(&self, e: &RegisterEntry) -> Result<RegisterDraft, AppError> {
        let number = |s: &str| -> Result<Option<f64>, AppError> {
            filled(s).map(|v| v.parse().map_err(|_| bad("坐标应为数字", "a coordinate must be a number"))).transpose()
        };
        let mut d = RegisterDraft::new(e.kind, self.name.trim());
        d.version = Some(self.version.trim().parse().map_err(|_| bad("版本号无效", "the version is not valid"))?);
        d.parent_id = filled(&self.parent);
        d.grid = filled(&self.grid);
        d.category = filled(&self.category);
        d.address = filled(&self.address);
        d.phone = filled(&self.phone);
        d.status = filled(&self.status);
        d.gender = filled(&self.gender);
        d.head = Some(!self.head.is_empty());
        d.lng = number(&self.lng)?;
        d.lat = number(&self.lat)?;
        d.birth_year = birth_year(&self.birth_year)?;
        Ok(d)
    }
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    tr: Tr,
    id: &str,
    kept: Option<EditForm>,
    error: Option<&AppError>,
) -> Response {
    let scoped = state.app.scoped(viewer.actor.clone());
    let (e, versions) = match (scoped.register_entry(id).await, scoped.register_history(id).await) {
        (Ok(e), Ok(v)) => (e, v),
        (Err(err), _) | (_, Err(err)) => return refusal(tr, viewer, &err),
    };
    let masked_phone = e.details.get("联系电话").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    let kept = kept.unwrap_or_else(|| EditForm::of(&e));
    let message = error.map(|err| {
        let m = err.message();
        if tr.en { m.en } else { m.zh }
    });
    let mut r = page(EditPage { tr, nav: viewer.nav(tr), e, masked_phone, kept, versions, error: message });
    if let Some(err) = error {
        *r.status_mut() = crate::error::status_of(err);
    }
    r
}

pub async fn form(State(state): State<AppState>, viewer: Viewer, tr: Tr, Path(id): Path<String>) -> Response {
    if !viewer.signed_in() {
        return to_login("/grid/register");
    }
    render(&state, &viewer, tr, &id, None, None).await
}

/// Save: back to the register at the record, or the form as typed with the reason.
pub async fn save(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Path(id): Path<String>,
    Form(f): Form<EditForm>,
) -> Response {
    if !viewer.signed_in() {
        return to_login("/grid/register");
    }
    if !viewer.csrf_ok(Some(&f.csrf)) {
        return refusal(tr, &viewer, &expired());
    }
    let scoped = state.app.scoped(viewer.actor.clone());
    let e = match scoped.register_entry(&id).await {
        Ok(e) => e,
        Err(err) => return refusal(tr, &viewer, &err),
    };
    let done = match f.draft(&e) {
        Ok(d) => scoped.edit_register_record_keeping_phone(&id, &d).await,
        Err(err) => Err(err),
    };
    match done {
        Ok(saved) => back_to(&saved.name),
        Err(
            err @ (AppError::BadRequest { .. }
            | AppError::Invalid { .. }
            | AppError::Conflict { .. }
            | AppError::Forbidden(_)
            | AppError::NotFound { .. }),
        ) => render(&state, &viewer, tr, &id, Some(f), Some(&err)).await,
        Err(err) => refusal(tr, &viewer, &err),
    }
}
