//! 善治成都 for its editors and reviewers: `/cases/desk` (what one writes or
//! reviews), `/cases/new` and `/cases/{id}/edit` (simple forms; refused,
//! the form comes back as typed, with the reason).

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use shanzhi_app::cases::{CaseForm, CaseView};
use shanzhi_domain::case::ArticleKind;
use shanzhi_domain::{Role, Scope};

use super::cases::kind_name;
use super::community::message;
use super::deliberation::{day, posted};
use crate::AppState;
use crate::ui::form::{FormData, bad};
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal, to_login};

#[derive(Template)]
#[template(path = "case_desk.html")]
struct DeskPage {
    tr: Tr,
    nav: Nav,
    cases: Vec<(CaseView, &'static str, String)>,
}

pub async fn desk(State(state): State<AppState>, viewer: Viewer, tr: Tr) -> Response {
    if !viewer.signed_in() {
        return to_login("/cases/desk");
    }
    match state.app.scoped(viewer.actor.clone()).case_desk().await {
        Ok(list) => {
            let cases = list
                .into_iter()
                .map(|mut c| {
                    if tr.en {
                        c.state_name = c.state.label_en().to_owned();
                    }
                    let kind = kind_name(tr, c.kind);
                    let at = day(&c.updated_at);
                    (c, kind, at)
                })
                .collect();
            page(DeskPage { tr, nav: viewer.nav(tr), cases })
        }
        Err(e) => refusal(tr, &viewer, &e),
    }
}

/// The form's fields as typed.
#[derive(Debug, Default)]
struct Kept {
    division: String,
    kind: String,
    title: String,
    summary: String,
    body: String,
    tags: String,
    places: String,
    links: String,
    source: String,
    version: String,
    /// Photos kept (attachment ids), new uploads added after them.
    images: Vec<String>,
}

impl Kept {
    fn from_form(f: &FormData) -> Kept {
        Kept {
            division: f.field("division"),
            kind: f.field("kind"),
            title: f.field("title"),
            summary: f.field("summary"),
            body: f.field("body"),
            tags: f.field("tags"),
            places: f.field("places"),
            links: f.field("links"),
            source: f.field("source"),
            version: f.field("version"),
            images: f.all("image"),
        }
    }

    fn of(c: &CaseView) -> Kept {
        let f = CaseForm::from(c);
        Kept {
            division: c.division.clone(),
            kind: c.kind.as_str().to_owned(),
            title: f.title,
            summary: f.summary,
            body: f.body,
            tags: f.tags.join("，"),
            places: f.places.join(" "),
            links: f.links.join("\n"),
            source: f.source,
            version: c.version.to_string(),
            images: f.images,
        }
    }

    /// The article form, or why not (an unknown column).
    fn form(&self) -> Result<CaseForm, shanzhi_app::AppError> {
        let kind: ArticleKind = self.kind.parse().map_err(|_| bad("请选择栏目", "choose a column"))?;
        let split = |s: &str, seps: &[char]| -> Vec<String> {
            s.split(|c: char| seps.contains(&c)).map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect()
        };
        Ok(CaseForm {
            kind,
            title: self.title.clone(),
            summary: self.summary.clone(),
            body: self.body.clone(),
            tags: split(&self.tags, &[',', '，', '、', ';', '；']),
            places: split(&self.places, &[',', '，', '、', ' ', '\n']),
            links: split(&self.links, &['\n', ' ', ',']),
            source: self.source.clone(),
            images: self.images.clone(),
        })
    }
}

#[derive(Template)]
#[template(path = "case_form.html")]
struct FormPage {
    tr: Tr,
    nav: Nav,
    /// `None`: a new article.
    id: Option<String>,
    kinds: Vec<(&'static str, &'static str)>,
    k: Kept,
    error: Option<String>,
}

fn form_page(tr: Tr, viewer: &Viewer, id: Option<String>, k: Kept, error: Option<String>) -> Response {
    let kinds = ArticleKind::ALL.iter().map(|a| (a.as_str(), kind_name(tr, *a))).collect();
    page(FormPage { tr, nav: viewer.nav(tr), id, kinds, k, error })
}

fn refused(tr: Tr, viewer: &Viewer, id: Option<String>, k: Kept, e: &shanzhi_app::AppError) -> Response {
    let mut r = form_page(tr, viewer, id, k, Some(message(tr, e)));
    *r.status_mut() = crate::error::status_of(e);
    r
}

pub async fn new_form(viewer: Viewer, tr: Tr) -> Response {
    if !viewer.signed_in() {
        return to_login("/cases/new");
    }
    // The editor's own division, to start from.
    let division = viewer
        .actor
        .grants()
        .iter()
        .find(|g| g.role == Role::Dispatcher)
        .and_then(|g| match &g.scope {
            Some(Scope::Division(d)) => Some(d.as_str().to_owned()),
            _ => None,
        })
        .unwrap_or_default();
    form_page(tr, &viewer, None, Kept { division, kind: "case".to_owned(), ..Default::default() }, None)
}

/// The form's new photos stored (each checked as a matter's photo is) and
/// added to the kept ones; refused, the reason.
async fn with_uploads(
    scoped: &shanzhi_app::access::Scoped<'_>,
    form: &FormData,
    k: &mut Kept,
) -> Result<(), shanzhi_app::AppError> {
    for bytes in form.files_of("photos") {
        k.images.push(scoped.upload(&bytes).await?.id);
    }
    Ok(())
}

pub async fn create(State(state): State<AppState>, viewer: Viewer, tr: Tr, request: Request) -> Response {
    let form = match posted(&state, &viewer, tr, "/cases/new", request).await {
        Ok(f) => f,
        Err(page) => return page,
    };
    let mut k = Kept::from_form(&form);
    let scoped = state.app.scoped(viewer.actor.clone());
    if let Err(e) = with_uploads(&scoped, &form, &mut k).await {
        return refused(tr, &viewer, None, k, &e);
    }
    let result = match k.form() {
        Ok(f) => scoped.create_case(&k.division, &f).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(c) => Redirect::to(&format!("/cases/{}", c.id)).into_response(),
        Err(e) => refused(tr, &viewer, None, k, &e),
    }
}

pub async fn edit_form(State(state): State<AppState>, viewer: Viewer, tr: Tr, Path(id): Path<String>) -> Response {
    if !viewer.signed_in() {
        return to_login(&format!("/cases/{id}/edit"));
    }
    match state.app.scoped(viewer.actor.clone()).case(&id).await {
        Ok(c) if c.may_edit => form_page(tr, &viewer, Some(id), Kept::of(&c), None),
        Ok(_) => refusal(
            tr,
            &viewer,
            &shanzhi_app::AppError::Forbidden(shanzhi_domain::text::Bilingual::new(
                "这篇文章现在不能修改",
                "this article cannot be edited now",
            )),
        ),
        Err(e) => refusal(tr, &viewer, &e),
    }
}

pub async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let form = match posted(&state, &viewer, tr, &format!("/cases/{id}/edit"), request).await {
        Ok(f) => f,
        Err(page) => return page,
    };
    let mut k = Kept::from_form(&form);
    let scoped = state.app.scoped(viewer.actor.clone());
    if let Err(e) = with_uploads(&scoped, &form, &mut k).await {
        return refused(tr, &viewer, Some(id), k, &e);
    }
    let result = match (k.form(), k.version.parse::<i64>()) {
        (Ok(f), Ok(v)) => scoped.edit_case(&id, v, &f).await,
        (Err(e), _) => Err(e),
        (_, Err(_)) => Err(bad("版本号无效", "invalid version")),
    };
    match result {
        Ok(c) => Redirect::to(&format!("/cases/{}", c.id)).into_response(),
        Err(e) => refused(tr, &viewer, Some(id), k, &e),
    }
}
