//! Sign-in and sign-out: `POST /api/v1/auth/login`, `POST /api/v1/auth/logout`,
//! `GET /api/v1/me`.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use shanzhi_app::access::{Me, SESSION_COOKIE};

use crate::extract::{ApiJson, Caller};
use crate::{ApiError, AppState};

pub fn routes() -> Router<AppState> {
    Router::new().route("/auth/login", post(login)).route("/auth/logout", post(logout)).route("/me", get(me))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginBody {
    username: String,
    password: String,
}

// The password never reaches a log: this type has no Debug of its content.
impl std::fmt::Debug for LoginBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginBody").field("username", &self.username).finish_non_exhaustive()
    }
}

#[derive(Debug, Serialize)]
struct LoginAnswer {
    token: String,
    csrf_token: String,
    expires_at: String,
    username: String,
}

fn cookie(value: &str, max_age: i64, secure: bool) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .ok()
}

fn secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Response, ApiError> {
    let outcome = state.app.login(&body.username, &body.password).await?;
    let max_age = (outcome.expires_at - jiff::Timestamp::now().as_microsecond()) / 1_000_000;
    let set_cookie = cookie(&outcome.token, max_age, secure(&state, &headers));
    let expires_at = jiff::Timestamp::from_microsecond(outcome.expires_at).map(|t| t.to_string()).unwrap_or_default();
    let answer =
        LoginAnswer { token: outcome.token, csrf_token: outcome.csrf_token, expires_at, username: outcome.username };
    let mut response = Json(answer).into_response();
    if let Some(c) = set_cookie {
        response.headers_mut().insert(header::SET_COOKIE, c);
    }
    Ok(response)
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Caller(actor): Caller,
) -> Result<Response, ApiError> {
    state.app.logout(&actor).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Some(c) = cookie("", 0, secure(&state, &headers)) {
        response.headers_mut().insert(header::SET_COOKIE, c);
    }
    Ok(response)
}

async fn me(State(state): State<AppState>, Caller(actor): Caller) -> Json<Me> {
    Json(state.app.scoped(actor).me())
}
