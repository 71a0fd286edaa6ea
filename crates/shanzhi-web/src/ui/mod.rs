//! The web UI at `/`: server-rendered pages (askama) made lively with htmx,
//! every script, style and image served from `assets/` (vendored from npm):
//! nothing is fetched from another host. Chinese first, English by a switch
//! (the `lang` cookie). Handlers stay thin: who is asking, one use case,
//! one template.

mod assets;
pub(crate) mod form;
mod pages;
mod session;
mod text;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use shanzhi_app::AppError;

use crate::AppState;
pub use session::Viewer;
pub use text::Tr;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home::home))
        .route("/login", get(pages::login::form).post(pages::login::submit))
        .route("/logout", post(pages::login::logout))
        .route("/signup", get(pages::account::form).post(pages::account::submit))
        .route("/signup/code", post(pages::account::send_code))
        .route("/privacy", get(pages::account::privacy))
        .route("/account", get(pages::account::show))
        .route("/account/claim", post(pages::account::claim))
        .route("/account/erase-code", post(pages::account::erase_code))
        .route("/account/password", post(pages::account::password))
        .route("/account/erase", post(pages::account::erase))
        .route("/lang/{lang}", get(text::switch))
        .route("/admin", get(pages::admin::show))
        .route("/admin/{section}", post(pages::admin::submit))
        .route("/admin/pick/tree", get(pages::admin::pick::tree))
        .route("/admin/pick/{kind}", get(pages::admin::pick::pick))
        .route("/admin/users/{username}", get(pages::admin::person::show))
        .route("/admin/users/{username}/{action}", post(pages::admin::person::submit))
        .route("/admin/categories/{code}", get(pages::admin::category::show).post(pages::admin::category::submit))
        .route("/desk", get(pages::desk::desk))
        .route("/tasks", get(pages::desk::tasks))
        .route("/tasks/new", get(pages::task_new::new_form).post(pages::task_new::create))
        .route("/tasks/{id}", get(pages::tasks::show))
        .route("/tasks/{id}/sites/{seq}", post(pages::tasks::mark))
        .route("/tasks/{id}/complete", post(pages::tasks::complete))
        .route("/callbacks", get(pages::callbacks::list))
        .route("/callbacks/{id}", post(pages::callbacks::record))
        .route("/desk/batch", post(pages::desk::submit))
        .route("/supervise", get(pages::supervise::supervise))
        .route("/supervise/matters", get(pages::supervise::matters))
        .route("/supervise/report", get(pages::supervise::report))
        .route("/supervise/topics", get(pages::supervise::topics))
        .route("/rankings", get(pages::rankings::show))
        .route("/rankings/publish", post(pages::rankings::publish))
        .route("/m/{id}", get(pages::matter::show))
        .route("/m/{id}/do/{command}", post(pages::matter::command))
        .route("/grid", get(pages::grid::home))
        .route("/grid/report", get(pages::grid::report_form).post(pages::grid::report_submit))
        .route("/grid/register", get(pages::register::list).post(pages::register::add))
        .route("/grid/register/map", get(pages::register_map::map))
        .route("/grid/register/{id}/edit", get(pages::register_edit::form).post(pages::register_edit::save))
        .route("/grid/care", get(pages::register::care))
        .route("/grid/today", get(pages::visits::today))
        .route("/grid/visit", get(pages::visits::visit_form))
        .route("/grid/log/{date}", get(pages::visits::log).post(pages::visits::write_notes))
        .route("/grid/log/{date}/comment", post(pages::visits::comment))
        .route("/grid/logs", get(pages::visits::logs))
        .route("/grid/tasks", get(pages::tasks::mine))
        .route("/grid/self-handle", get(pages::grid::self_handle_form).post(pages::grid::self_handle_submit))
        .route("/patrol/start", post(pages::patrol::start))
        .route("/patrol/end", post(pages::patrol::end))
        .route("/report", get(pages::report::form).post(pages::report::submit))
        .route("/track", get(pages::track::track))
        .route("/track/rate", post(pages::track::rate))
        .route("/inbox", get(pages::inbox::show))
        .route("/inbox/{id}/open", post(pages::inbox::open))
        .route("/settings/notifications", get(pages::inbox::settings).post(pages::inbox::save_settings))
        .route("/map", get(pages::map::map))
        .route("/map/counts", get(pages::map::counts))
        .route("/map/districts.geojson", get(pages::map::districts))
        .route("/map/cell/{code}", get(pages::map::cell))
        .route("/map/tiles.pmtiles", get(pages::tiles::pmtiles))
        .route("/c/{code}", get(pages::community::show))
        .route("/c/{code}/propose", post(pages::community::propose))
        .route("/c/{code}/p/{id}", get(pages::proposal::show))
        .route("/c/{code}/p/{id}/notice", get(pages::proposal::notice_sheet))
        .route("/c/{code}/p/{id}/images/{image}", get(pages::proposal::image))
        .route("/c/{code}/p/{id}/do/{action}", post(pages::proposal::act))
        .route("/cases", get(pages::cases::list))
        .route("/cases/feed.atom", get(pages::cases::feed))
        .route("/cases/desk", get(pages::case_edit::desk))
        .route("/cases/new", get(pages::case_edit::new_form).post(pages::case_edit::create))
        .route("/cases/{id}", get(pages::cases::show))
        .route("/cases/{id}/edit", get(pages::case_edit::edit_form).post(pages::case_edit::edit))
        .route("/cases/{id}/images/{image}", get(pages::cases::image))
        .route("/cases/{id}/do/{step}", post(pages::cases::act))
        .route("/activities/new", get(pages::activity::new_form).post(pages::activity::create))
        .route("/activities/{id}", get(pages::activity::show))
        .route("/activities/{id}/edit", get(pages::activity::edit_form).post(pages::activity::edit))
        .route("/activities/{id}/do/{action}", post(pages::activity::act))
        .route("/volunteer", get(pages::volunteer::show).post(pages::volunteer::save))
        .route("/shop", get(pages::volunteer::shop))
        .route("/shop/redeem/{id}", post(pages::volunteer::redeem))
        .route("/shop/confirm", post(pages::volunteer::confirm))
        .route("/c/{code}/leaderboard", get(pages::volunteer::leaderboard))
        .route("/assets/{*path}", get(assets::serve))
}

/// A rendered page (or fragment).
pub fn page(t: impl askama::Template) -> Response {
    match t.render() {
        Ok(html) => {
            let mut r = Html(html).into_response();
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "页面生成失败 / the page could not be built").into_response()
        }
    }
}

/// Where a signed-out visitor goes, coming back afterwards.
pub fn to_login(next: &str) -> Response {
    let next = url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>();
    Redirect::to(&format!("/login?next={next}")).into_response()
}

/// A refusal as a page: the status and the message in the viewer's language.
pub fn refusal(tr: Tr, viewer: &Viewer, e: &AppError) -> Response {
    let status = crate::error::status_of(e);
    if status.is_server_error() {
        tracing::error!(error = %e, "page failed");
    }
    let message = e.message();
    let text = if tr.en { message.en } else { message.zh };
    let mut r = page(pages::ErrorPage { tr, nav: viewer.nav(tr), status: status.as_u16(), message: text });
    *r.status_mut() = status;
    r
}
