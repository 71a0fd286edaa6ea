//! 善治成都, the public case library: `/cases` (published articles by
//! column, tag and words), `/cases/{id}` (one article, printable),
//! `/cases/feed.atom`. No sign-in needed; an editor or reviewer signed in
//! also sees drafts in their scope with the review's forms
//! (`POST /cases/{id}/do/{step}`); writing is in [`super::case_edit`].

use askama::Template;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use shanzhi_app::cases::{CaseFilter, CaseView};
use shanzhi_domain::case::markdown::escape;
use shanzhi_domain::case::{ArticleKind, Step};

use super::community::message;
use super::deliberation::{day, posted};
use crate::AppState;
use crate::ui::form::bad;
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal};

/// The list's filters as typed (kept in the form).
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    tag: String,
    #[serde(default)]
    q: String,
}

/// A column's name in the viewer's language.
pub fn kind_name(tr: Tr, k: ArticleKind) -> &'static str {
    if tr.en { k.label_en() } else { k.label_zh() }
}

#[derive(Template)]
#[template(path = "cases.html")]
struct ListPage {
    tr: Tr,
    nav: Nav,
    kinds: Vec<(&'static str, &'static str)>,
    p: ListParams,
    cases: Vec<CaseView>,
    may_write: bool,
    error: Option<String>,
}

pub async fn list(State(state): State<AppState>, viewer: Viewer, tr: Tr, Query(p): Query<ListParams>) -> Response {
    let scoped = state.app.scoped(viewer.actor.clone());
    let filter = CaseFilter { kind: Some(p.kind.clone()), tag: Some(p.tag.clone()), q: Some(p.q.clone()) };
    let (cases, error) = match scoped.published_cases(&filter).await {
        Ok(c) => (c, None),
        Err(e) if crate::error::status_of(&e).is_client_error() => {
            (Vec::new(), Some((crate::error::status_of(&e), message(tr, &e))))
        }
        Err(e) => return refusal(tr, &viewer, &e),
    };
    let may_write = viewer.signed_in() && scoped.case_desk().await.is_ok();
    let kinds = ArticleKind::ALL.iter().map(|k| (k.as_str(), kind_name(tr, *k))).collect();
    let status = error.as_ref().map(|(s, _)| *s);
    let mut r = page(ListPage { tr, nav: viewer.nav(tr), kinds, p, cases, may_write, error: error.map(|(_, m)| m) });
    if let Some(s) = status {
        *r.status_mut() = s;
    }
    r
}

#[derive(Template)]
#[template(path = "case.html")]
struct ArticlePage {
    tr: Tr,
    nav: Nav,
    c: CaseView,
    kind: &'static str,
    published: String,
    error: Option<String>,
}

fn article(tr: Tr, viewer: &Viewer, mut c: CaseView, error: Option<String>) -> Response {
    let kind = kind_name(tr, c.kind);
    let published = c.published_at.as_deref().map(day).unwrap_or_default();
    for v in &mut c.versions {
        v.saved_at = day(&v.saved_at);
    }
    for r in &mut c.reviews {
        r.at = day(&r.at);
        if tr.en {
            r.step_name = step_en(r.step).to_owned();
        }
    }
    if tr.en {
        c.state_name = c.state.label_en().to_owned();
    }
    page(ArticlePage { tr, nav: viewer.nav(tr), c, kind, published, error })
}

fn step_en(s: Step) -> &'static str {
    match s {
        Step::Submit => "Submitted",
        Step::Return => "Returned",
        Step::Publish => "Published",
        Step::Withdraw => "Withdrawn",
    }
}

pub async fn show(State(state): State<AppState>, viewer: Viewer, tr: Tr, Path(id): Path<String>) -> Response {
    match state.app.scoped(viewer.actor.clone()).case(&id).await {
        Ok(c) => article(tr, &viewer, c, None),
        Err(e) => refusal(tr, &viewer, &e),
    }
}

/// A step of the review from the article's page; refused, the page says why.
pub async fn act(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Path((id, step)): Path<(String, String)>,
    request: Request,
) -> Response {
    let back = format!("/cases/{id}");
    let form = match posted(&state, &viewer, tr, &back, request).await {
        Ok(f) => f,
        Err(page) => return page,
    };
    let scoped = state.app.scoped(viewer.actor.clone());
    let result = match (step.parse::<Step>(), form.field("version").parse::<i64>()) {
        (Ok(s), Ok(v)) => scoped.case_step(&id, s, v, &form.field("comment")).await,
        _ => Err(bad("未知的审核操作或版本", "unknown review step or version")),
    };
    match result {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(e) => match scoped.case(&id).await {
            Ok(c) => {
                let mut r = article(tr, &viewer, c, Some(message(tr, &e)));
                *r.status_mut() = crate::error::status_of(&e);
                r
            }
            Err(_) => refusal(tr, &viewer, &e),
        },
    }
}

/// A photo of an article the viewer may read (public once it is published).
pub async fn image(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Path((id, image)): Path<(String, String)>,
) -> Response {
    photo_or_refusal(tr, &viewer, state.app.scoped(viewer.actor.clone()).case_image(&id, &image).await)
}

/// A photo the viewer may see, or the refusal as a page.
pub(crate) fn photo_or_refusal(tr: Tr, viewer: &Viewer, photo: shanzhi_app::AppResult<(String, Vec<u8>)>) -> Response {
    match photo {
        Ok((content_type, data)) => crate::routes::attachments::photo_response(content_type, data),
        Err(e) => refusal(tr, viewer, &e),
    }
}

/// The newest published articles as an Atom feed (RFC 4287), every text escaped.
pub async fn feed(State(state): State<AppState>, viewer: Viewer) -> Response {
    let cases =
        match state.app.scoped(shanzhi_app::access::Actor::anonymous()).published_cases(&CaseFilter::default()).await {
            Ok(c) => c,
            Err(e) => return refusal(Tr::default(), &viewer, &e),
        };
    let updated =
        cases.iter().filter_map(|c| c.published_at.clone()).max().unwrap_or_else(|| "2026-01-01T00:00:00Z".to_owned());
    let mut x =
        String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    x.push_str("<title>善治成都 · 案例库</title>\n<subtitle>政策解读、书记访谈、案例展示、创新经验</subtitle>\n");
    // Links are absolute (public_url), as feed readers resolve them without a base.
    let mut base = String::new();
    escape(&state.public_url, &mut base);
    x.push_str(&format!(
        "<id>urn:shanzhi:cases</id>\n<link rel=\"self\" href=\"{base}/cases/feed.atom\"/>\n<link href=\"{base}/cases\"/>\n"
    ));
    x.push_str(&format!("<updated>{updated}</updated>\n<author><name>善治成都</name></author>\n"));
    for c in &cases {
        let element = |name: &str, text: &str| {
            let mut e = format!("<{name}>");
            escape(text, &mut e);
            e.push_str(&format!("</{name}>"));
            e
        };
        x.push_str("<entry>\n");
        x.push_str(&format!("<id>urn:uuid:{}</id>\n", c.id));
        x.push_str(&element("title", &c.title));
        x.push_str(&format!("\n<link href=\"{base}/cases/{}\"/>\n", c.id));
        let at = c.published_at.as_deref().unwrap_or(&c.updated_at);
        x.push_str(&format!("<published>{at}</published>\n<updated>{at}</updated>\n"));
        x.push_str(&format!("<category term=\"{}\" label=\"{}\"/>\n", c.kind.as_str(), c.kind.label_zh()));
        x.push_str(&element("summary", &c.summary));
        x.push_str("\n<author>");
        x.push_str(&element("name", &c.source));
        x.push_str("</author>\n</entry>\n");
    }
    x.push_str("</feed>\n");
    let mut r = x.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/atom+xml; charset=utf-8"));
    r
}
