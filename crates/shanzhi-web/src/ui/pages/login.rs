//! `/login` and `/logout`: the session cookie, as the API's sign-in sets it.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use shanzhi_app::AppError;
use shanzhi_domain::Micros;

use crate::AppState;
use crate::client::ClientInfo;
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    tr: Tr,
    nav: Nav,
    next: String,
    error: Option<String>,
    username: String,
}

#[derive(Debug, Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// Only a path of this site: never an open redirect. Browsers drop tabs and
/// newlines inside URLs (so `/\t/evil.example` is `//evil.example`), and a
/// control character cannot go into a `Location` header at all: only a
/// plain path of printable characters, not starting `//` or `/\\`, passes.
fn safe_next(next: Option<&str>) -> String {
    next.filter(|n| {
        n.starts_with('/')
            && n.len() <= 2000
            && n.bytes().all(|b| b.is_ascii_graphic())
            && !n.contains('\\')
            && !n[1..].starts_with(['/', '\\'])
            && n.parse::<axum::http::uri::PathAndQuery>().is_ok()
    })
    .unwrap_or("/")
    .to_owned()
}

pub async fn form(tr: Tr, Query(q): Query<Next>) -> Response {
    page(LoginPage {
        tr,
        nav: Nav::default(),
        next: safe_next(q.next.as_deref()),
        error: None,
        username: String::new(),
    })
}

#[derive(Deserialize)]
pub struct Credentials {
    username: String,
    password: String,
    next: Option<String>,
}

fn cookie(value: &str, max_age: i64, client: &ClientInfo, state: &AppState) -> Option<HeaderValue> {
    crate::routes::auth::cookie(value, max_age, crate::routes::auth::secure(state, client))
}

pub async fn submit(State(state): State<AppState>, tr: Tr, client: ClientInfo, Form(c): Form<Credentials>) -> Response {
    let next = safe_next(c.next.as_deref());
    match state.app.login(&c.username, &c.password, &client.client()).await {
        Ok(outcome) => {
            let max_age = outcome.expires_at.seconds_since(Micros::now());
            let mut r = Redirect::to(&next).into_response();
            if let Some(v) = cookie(&outcome.token, max_age, &client, &state) {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            r
        }
        Err(e) => {
            let status = match e {
                AppError::TooManyAttempts { .. } | AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
                AppError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::UNAUTHORIZED,
            };
            let m = e.message();
            let mut r = page(LoginPage {
                tr,
                nav: Nav::default(),
                next,
                error: Some(if tr.en { m.en } else { m.zh }),
                username: c.username,
            });
            *r.status_mut() = status;
            r
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: Option<String>,
}

pub async fn logout(
    State(state): State<AppState>,
    viewer: Viewer,
    client: ClientInfo,
    Form(f): Form<CsrfForm>,
) -> Response {
    if viewer.signed_in() && viewer.csrf_ok(f.csrf.as_deref()) {
        let _ = state.app.logout(&viewer.actor).await;
    }
    let mut r = Redirect::to("/login").into_response();
    if let Some(v) = cookie("", 0, &client, &state) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}
