//! Sign-in and sign-out: `POST /api/v1/auth/login`, `POST /api/v1/auth/logout`,
//! `GET /api/v1/me`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use shanzhi_app::access::{LoginOutcome, Me, SESSION_COOKIE};
use shanzhi_domain::Micros;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::client::ClientInfo;
use crate::extract::{Api, ApiJson, Caller};
use crate::openapi::Refusals;
use crate::{ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(login)).routes(routes!(logout)).routes(routes!(me))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct LoginBody {
    #[schema(min_length = 1, max_length = 64)]
    username: String,
    #[schema(min_length = 1, max_length = 128)]
    password: String,
}

// The password never reaches a log: this type has no Debug of its content.
impl std::fmt::Debug for LoginBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginBody").field("username", &self.username).finish_non_exhaustive()
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct LoginAnswer {
    token: String,
    csrf_token: String,
    expires_at: String,
    username: String,
}

/// The answer to a sign-in and its session cookie.
pub(crate) fn signed_in(state: &AppState, client: &ClientInfo, outcome: LoginOutcome) -> Response {
    let max_age = outcome.expires_at.seconds_since(Micros::now());
    let set_cookie = cookie(&outcome.token, max_age, secure(state, client));
    let expires_at = outcome.expires_at.to_string();
    let answer =
        LoginAnswer { token: outcome.token, csrf_token: outcome.csrf_token, expires_at, username: outcome.username };
    let mut response = Json(answer).into_response();
    if let Some(c) = set_cookie {
        response.headers_mut().insert(header::SET_COOKIE, c);
    }
    response
}

/// The session cookie (`value` empty and `max_age` 0 clear it); the web UI sets the same.
pub(crate) fn cookie(value: &str, max_age: i64, secure: bool) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .ok()
}

/// Mark cookies `Secure`: configured, or a trusted proxy says the client used TLS.
pub(crate) fn secure(state: &AppState, client: &ClientInfo) -> bool {
    state.secure_cookies || client.https
}

/// 登录：返回 Bearer 令牌，并设置会话 Cookie / sign in: a bearer token and a session cookie.
#[utoipa::path(post, path = "/auth/login", operation_id = "signIn", tag = "auth", request_body(content = LoginBody, example = json!({"username": "demo_dispatcher", "password": "Shanzhi-Demo-2026"})),
    responses((status = 200, body = LoginAnswer), Refusals))]
async fn login(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiJson(body): ApiJson<LoginBody>,
) -> ApiResult<Response> {
    let outcome = state.app.login(&body.username, &body.password, &client.client()).await?;
    Ok(signed_in(&state, &client, outcome))
}

/// 退出登录（吊销会话） / sign out (revokes the session).
#[utoipa::path(post, path = "/auth/logout", operation_id = "signOut", tag = "auth",
    responses((status = 204, description = "已退出 / signed out"), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn logout(State(state): State<AppState>, client: ClientInfo, Caller(actor): Caller) -> ApiResult<Response> {
    state.app.logout(&actor).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Some(c) = cookie("", 0, secure(&state, &client)) {
        response.headers_mut().insert(header::SET_COOKIE, c);
    }
    Ok(response)
}

/// 当前用户及其角色与范围 / who is calling, with roles and scopes.
#[utoipa::path(get, path = "/me", operation_id = "showMe", tag = "auth", responses((status = 200, body = Me), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn me(api: Api) -> Json<Me> {
    Json(api.scoped().me())
}
