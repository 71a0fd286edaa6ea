//! Residents by phone: `POST /api/v1/auth/sms-code` (a one-time code by text
//! message), `POST /api/v1/auth/sms-login` (sign in, or sign up with
//! consent), `GET /api/v1/me/claimable` and `POST /api/v1/me/claims` (follow
//! earlier reports), `POST /api/v1/me/first-password` (optional), `POST
//! /api/v1/me/erase` (delete one's account).

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shanzhi_app::access::{MyMatter, SmsCodeSent};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{cookie, secure, signed_in};
use crate::client::ClientInfo;
use crate::extract::{Api, ApiJson};
use crate::openapi::Refusals;
use crate::{ApiResult, AppState, schema};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sms_code))
        .routes(routes!(sms_login))
        .routes(routes!(claimable))
        .routes(routes!(claim))
        .routes(routes!(erase))
        .routes(routes!(first_password))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct FirstPassword {
    #[schema(min_length = 10, max_length = 128)]
    new_password: String,
}

// The password never reaches a log.
impl std::fmt::Debug for FirstPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FirstPassword").finish_non_exhaustive()
    }
}

/// 居民设置首个密码（手机号注册后可选） / a resident who signed up by phone sets a first password (optional).
#[utoipa::path(post, path = "/me/first-password", operation_id = "setFirstPassword", tag = "auth",
    request_body(content = FirstPassword, example = json!({"new_password": "Chunxi-Road-2027"})),
    responses((status = 204, description = "已设置 / set"), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn first_password(api: Api, ApiJson(b): ApiJson<FirstPassword>) -> ApiResult<StatusCode> {
    api.scoped().set_first_password(&b.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct SmsCodeRequest {
    #[schema(value_type = schema::PhoneText)]
    phone: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct SmsLoginBody {
    #[schema(value_type = schema::PhoneText)]
    phone: String,
    #[schema(value_type = schema::SmsCodeText)]
    code: String,
    /// 同意《个人信息保护说明》（首次登录即注册时必需） / consent to the privacy notice (needed to sign up).
    #[serde(default)]
    consent: bool,
}

// The code never reaches a log.
impl std::fmt::Debug for SmsLoginBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsLoginBody").field("consent", &self.consent).finish_non_exhaustive()
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct MatterClaimBody {
    /// 事件编号 / the matter's number.
    #[schema(min_length = 1, max_length = 64)]
    number: String,
    /// 匿名上报时获得的私密查询密钥（省略：按已验证的手机号认领） / the private key of an
    /// anonymous report (omitted: claim by the verified phone number).
    #[schema(min_length = 1, max_length = 100)]
    key: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct AccountEraseBody {
    /// 发送到本人手机的验证码 / a code sent to the account's phone.
    #[schema(value_type = schema::SmsCodeText)]
    code: String,
}

impl std::fmt::Debug for AccountEraseBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountEraseBody").finish_non_exhaustive()
    }
}

/// 发送手机验证码（登录、注册、注销共用） / send a one-time code by text message.
#[utoipa::path(post, path = "/auth/sms-code", operation_id = "sendSmsCode", tag = "auth",
    request_body(content = SmsCodeRequest, example = json!({"phone": "13800138000"})),
    responses((status = 200, body = SmsCodeSent), Refusals))]
async fn sms_code(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiJson(body): ApiJson<SmsCodeRequest>,
) -> ApiResult<Json<SmsCodeSent>> {
    state.throttles.sms_codes.check(client.ip)?;
    Ok(Json(state.app.request_sms_code(&body.phone).await?))
}

/// 手机验证码登录（首次登录即注册为居民） / sign in by code (a first sign-in creates a resident's account).
#[utoipa::path(post, path = "/auth/sms-login", operation_id = "signInBySms", tag = "auth",
    request_body(content = SmsLoginBody, example = json!({"phone": "13800138000", "code": "123456", "consent": true})),
    responses((status = 200, body = super::auth::LoginAnswer), Refusals))]
async fn sms_login(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiJson(body): ApiJson<SmsLoginBody>,
) -> ApiResult<Response> {
    let outcome = state.app.sms_login(&body.phone, &body.code, body.consent, &client.client()).await?;
    Ok(signed_in(&state, &client, outcome.login))
}

/// 可按已验证手机号认领的早先上报 / earlier reports filed under one's verified phone number.
#[utoipa::path(get, path = "/me/claimable", operation_id = "listClaimableMatters", tag = "auth",
    responses((status = 200, body = Vec<MyMatter>), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn claimable(api: Api) -> ApiResult<Json<Vec<MyMatter>>> {
    Ok(Json(api.scoped().claimable_by_phone().await?))
}

/// 认领事件（私密链接或已验证的手机号） / claim a matter (by its private link or the verified phone).
#[utoipa::path(post, path = "/me/claims", operation_id = "claimMatter", tag = "auth",
    request_body(content = MatterClaimBody),
    responses((status = 204, description = "已认领 / claimed"), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn claim(api: Api, ApiJson(body): ApiJson<MatterClaimBody>) -> ApiResult<StatusCode> {
    match &body.key {
        Some(key) => api.scoped().claim_with_key(&body.number, key).await?,
        None => api.scoped().claim_by_phone(&body.number).await?,
    }
    Ok(StatusCode::NO_CONTENT)
}

/// 注销本人居民账号（需验证码）：姓名、手机号、登录方式不可恢复地删除，事件保留 /
/// delete one's resident account (by code): name, phone and login are erased, the matters stay.
#[utoipa::path(post, path = "/me/erase", operation_id = "eraseMyAccount", tag = "auth",
    request_body(content = AccountEraseBody),
    responses((status = 204, description = "已注销 / deleted"), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn erase(api: Api, client: ClientInfo, ApiJson(body): ApiJson<AccountEraseBody>) -> ApiResult<Response> {
    api.scoped().delete_my_account(&body.code).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Some(c) = cookie("", 0, secure(&api.state, &client)) {
        response.headers_mut().insert(header::SET_COOKIE, c);
    }
    Ok(response)
}
