//! Residents' own pages: `/signup` (手机验证码登录: phone, code, consent on a
//! first sign-in), `/privacy` (个人信息保护说明), `/account` (earlier reports
//! to claim, account deletion) and the claim from the tracking page.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use shanzhi_app::AppError;
use shanzhi_app::access::{CONSENT_VERSION, MyMatter};
use shanzhi_domain::{Micros, Role};

use crate::AppState;
use crate::client::ClientInfo;
use crate::routes::auth::{cookie, secure};
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal};

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    tr: Tr,
    nav: Nav,
    phone: String,
    /// A code was sent: the second step.
    sent: bool,
    /// The number has no account yet: the consent box is shown.
    first: bool,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "privacy.html")]
struct PrivacyPage {
    tr: Tr,
    nav: Nav,
    version: &'static str,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    tr: Tr,
    nav: Nav,
    /// The user name, for a sign-in by password once one is set.
    username: String,
    claimable: Vec<MyMatter>,
    code_sent: bool,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct PhoneForm {
    phone: String,
}

#[derive(Deserialize)]
pub struct CodeForm {
    phone: String,
    code: String,
    consent: Option<String>,
    first: Option<String>,
}

fn message(tr: Tr, e: &AppError) -> String {
    let m = e.message();
    if tr.en { m.en } else { m.zh }
}

fn signup_page(tr: Tr, phone: String, sent: bool, first: bool, error: Option<String>) -> Response {
    page(SignupPage { tr, nav: Nav::default(), phone, sent, first, error })
}

/// `GET /signup`: the phone number.
pub async fn form(tr: Tr) -> Response {
    signup_page(tr, String::new(), false, false, None)
}

/// `POST /signup/code`: send a code, then ask for it.
pub async fn send_code(
    State(state): State<AppState>,
    tr: Tr,
    client: ClientInfo,
    Form(f): Form<PhoneForm>,
) -> Response {
    let sent = match state.throttles.sms_codes.check(client.ip) {
        Ok(()) => state.app.request_sms_code(&f.phone).await,
        Err(e) => Err(e),
    };
    let phone: String = f.phone.chars().take(32).collect();
    match sent {
        Ok(s) => signup_page(tr, phone, true, !s.registered, None),
        Err(e) => {
            let mut r = signup_page(tr, phone, false, false, Some(message(tr, &e)));
            *r.status_mut() = crate::error::status_of(&e);
            r
        }
    }
}

/// `POST /signup`: sign in (or up) with the code; to one's reports.
pub async fn submit(State(state): State<AppState>, tr: Tr, client: ClientInfo, Form(f): Form<CodeForm>) -> Response {
    let consent = f.consent.is_some();
    match state.app.sms_login(&f.phone, &f.code, consent, &client.client()).await {
        Ok(outcome) => {
            let max_age = outcome.login.expires_at.seconds_since(Micros::now());
            let mut r = Redirect::to("/account").into_response();
            if let Some(v) = cookie(&outcome.login.token, max_age, secure(&state, &client)) {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            r
        }
        Err(e) => {
            let first = f.first.is_some() || e.code() == "consent_required";
            let phone: String = f.phone.chars().take(32).collect();
            let mut r = signup_page(tr, phone, true, first, Some(message(tr, &e)));
            *r.status_mut() = crate::error::status_of(&e);
            r
        }
    }
}

/// `GET /privacy`: the privacy notice a consent refers to.
pub async fn privacy(viewer: Viewer, tr: Tr) -> Response {
    page(PrivacyPage { tr, nav: viewer.nav(tr), version: CONSENT_VERSION })
}

#[derive(Debug, Deserialize)]
pub struct AccountQuery {
    sent: Option<String>,
}

async fn account_page(state: &AppState, viewer: &Viewer, tr: Tr, code_sent: bool, error: Option<String>) -> Response {
    let claimable = state.app.scoped(viewer.actor.clone()).claimable_by_phone().await.unwrap_or_default();
    let username = viewer.actor.user().map(|u| u.username.to_string()).unwrap_or_default();
    page(AccountPage { tr, nav: viewer.nav(tr), username, claimable, code_sent, error })
}

/// The account page again, saying why something was refused.
async fn account_refused(state: &AppState, viewer: &Viewer, tr: Tr, code_sent: bool, e: &AppError) -> Response {
    let mut r = account_page(state, viewer, tr, code_sent, Some(message(tr, e))).await;
    *r.status_mut() = crate::error::status_of(e);
    r
}

/// `GET /account`: a resident's account (others: to the sign-in).
pub async fn show(State(state): State<AppState>, viewer: Viewer, tr: Tr, Query(q): Query<AccountQuery>) -> Response {
    if !viewer.has(Role::Resident) {
        return Redirect::to("/signup").into_response();
    }
    account_page(&state, &viewer, tr, q.sent.is_some(), None).await
}

#[derive(Debug, Deserialize)]
pub struct ClaimForm {
    csrf: Option<String>,
    number: String,
    key: Option<String>,
}

fn csrf_refused(tr: Tr, viewer: &Viewer) -> Response {
    let e = AppError::Forbidden(shanzhi_domain::text::Bilingual::new(
        "页面已过期，请刷新后重试",
        "the page has expired; reload it and try again",
    ));
    refusal(tr, viewer, &e)
}

/// `POST /account/claim`: 认领 by the private link (from the tracking page)
/// or by the verified phone number (from the account page).
pub async fn claim(State(state): State<AppState>, viewer: Viewer, tr: Tr, Form(f): Form<ClaimForm>) -> Response {
    if !viewer.csrf_ok(f.csrf.as_deref()) {
        return csrf_refused(tr, &viewer);
    }
    let scoped = state.app.scoped(viewer.actor.clone());
    let done = match f.key.as_deref().filter(|k| !k.is_empty()) {
        Some(key) => scoped.claim_with_key(&f.number, key).await,
        None => scoped.claim_by_phone(&f.number).await,
    };
    match done {
        Ok(()) => Redirect::to(&format!("/track?number={}", f.number.trim())).into_response(),
        Err(e) => refusal(tr, &viewer, &e),
    }
}

#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    csrf: Option<String>,
}

/// `POST /account/erase-code`: a code to the account's phone, to confirm deletion.
pub async fn erase_code(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    client: ClientInfo,
    Form(f): Form<CsrfOnly>,
) -> Response {
    if !viewer.csrf_ok(f.csrf.as_deref()) {
        return csrf_refused(tr, &viewer);
    }
    let phone = viewer.actor.user().and_then(|u| u.phone.clone());
    let Some(phone) = phone.filter(|_| viewer.has(Role::Resident)) else {
        return Redirect::to("/account").into_response();
    };
    let sent = match state.throttles.sms_codes.check(client.ip) {
        Ok(()) => state.app.request_sms_code(phone.reveal()).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match sent {
        Ok(()) => Redirect::to("/account?sent=1").into_response(),
        Err(e) => account_refused(&state, &viewer, tr, false, &e).await,
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf: Option<String>,
    password: String,
}

/// `POST /account/password`: an optional first password.
pub async fn password(State(state): State<AppState>, viewer: Viewer, tr: Tr, Form(f): Form<PasswordForm>) -> Response {
    if !viewer.csrf_ok(f.csrf.as_deref()) {
        return csrf_refused(tr, &viewer);
    }
    match state.app.scoped(viewer.actor.clone()).set_first_password(&f.password).await {
        Ok(()) => Redirect::to("/account").into_response(),
        Err(e) => account_refused(&state, &viewer, tr, false, &e).await,
    }
}

#[derive(Deserialize)]
pub struct EraseForm {
    csrf: Option<String>,
    code: String,
}

/// `POST /account/erase`: delete the account with the code; signed out.
pub async fn erase(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    client: ClientInfo,
    Form(f): Form<EraseForm>,
) -> Response {
    if !viewer.csrf_ok(f.csrf.as_deref()) {
        return csrf_refused(tr, &viewer);
    }
    match state.app.scoped(viewer.actor.clone()).delete_my_account(&f.code).await {
        Ok(()) => {
            let mut r = (StatusCode::SEE_OTHER, [(header::LOCATION, "/privacy?erased=1")]).into_response();
            if let Some(v) = cookie("", 0, secure(&state, &client)) {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            r
        }
        Err(e) => account_refused(&state, &viewer, tr, true, &e).await,
    }
}
