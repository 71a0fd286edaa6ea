//! Accounts: `/api/v1/me/password`, `/api/v1/me/sign-out-everywhere`,
//! `/api/v1/me/tokens…` for oneself; `/api/v1/users/{username}/password`,
//! `…/disable`, `…/enable`, `…/tokens…` for administrators.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shanzhi_app::access::AdminDesk;
use shanzhi_app::access::TokenView;

use utoipa_axum::router::OpenApiRouter;

use crate::extract::{Api, ApiJson};
use crate::openapi::Refusals;
use crate::schema;
use crate::{ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    api_router![
        change_password;
        sign_out_everywhere;
        list_own_tokens, create_own_token;
        revoke_own_token;
        reset_password;
        disable_user;
        enable_user;
        list_user_tokens;
        revoke_user_token
    ]
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct PasswordChange {
    #[schema(min_length = 1, max_length = 128)]
    current_password: String,
    #[schema(min_length = 10, max_length = 128)]
    new_password: String,
}

// Passwords never reach a log.
impl std::fmt::Debug for PasswordChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordChange").finish_non_exhaustive()
    }
}

/// 修改本人密码（需当前密码；其他会话随即失效） / change one's own password; other sessions end.
#[utoipa::path(post, path = "/me/password", operation_id = "changeOwnPassword", tag = "auth", request_body(content = PasswordChange, example = json!({"current_password": "Shanzhi-Demo-2026", "new_password": "Chunxi-Road-2027"})),
    responses((status = 204, description = "已修改 / changed"), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn change_password(api: Api, ApiJson(b): ApiJson<PasswordChange>) -> ApiResult<StatusCode> {
    api.scoped().change_password(&b.current_password, &b.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct SignedOut {
    /// 结束的会话数 / sessions ended
    sessions: u64,
}

/// 在所有设备上退出（本会话也结束） / sign out everywhere, this session too.
#[utoipa::path(post, path = "/me/sign-out-everywhere", operation_id = "signOutEverywhere", tag = "auth",
    responses((status = 200, body = SignedOut), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn sign_out_everywhere(api: Api) -> ApiResult<Json<SignedOut>> {
    Ok(Json(SignedOut { sessions: api.scoped().sign_out_everywhere().await? }))
}

/// 本人的 API 令牌（不含令牌本身） / one's own API tokens (never the tokens themselves).
#[utoipa::path(get, path = "/me/tokens", operation_id = "listOwnTokens", tag = "auth",
    responses((status = 200, body = Vec<TokenView>), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn list_own_tokens(api: Api) -> ApiResult<Json<Vec<TokenView>>> {
    Ok(Json(api.scoped().tokens(None).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewTokenBody {
    /// 用途，如“12345 对接” / what it is for
    #[schema(min_length = 1, max_length = 100)]
    name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct CreatedToken {
    id: String,
    /// 令牌，仅此一次显示 / the token, shown this once
    token: String,
}

/// 新建本人的 API 令牌（仅显示一次） / create an API token (shown once).
#[utoipa::path(post, path = "/me/tokens", operation_id = "createOwnToken", tag = "auth", request_body(content = NewTokenBody, example = json!({"name": "12345 对接"})),
    responses((status = 201, body = CreatedToken), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn create_own_token(api: Api, ApiJson(b): ApiJson<NewTokenBody>) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    let t = api.scoped().create_token(None, &b.name).await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { id: t.id, token: t.token })))
}

/// 撤销本人的一个 API 令牌 / revoke one of one's own API tokens.
#[utoipa::path(delete, path = "/me/tokens/{id}", operation_id = "revokeOwnToken", tag = "auth", params(("id" = String, Path)),
    responses((status = 204, description = "已撤销 / revoked"), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn revoke_own_token(api: Api, Path(id): Path<String>) -> ApiResult<StatusCode> {
    api.scoped().revoke_token(None, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct PasswordReset {
    /// 新密码；不给则生成一个强密码并返回一次 / the new password; without it one is generated and returned once
    #[schema(min_length = 10, max_length = 128)]
    password: Option<String>,
}

impl std::fmt::Debug for PasswordReset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordReset").finish_non_exhaustive()
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct ResetAnswer {
    /// 生成的密码（仅此一次） / the generated password, shown once
    #[serde(skip_serializing_if = "Option::is_none")]
    password: Option<String>,
}

/// 管理员重置密码（该账号的会话全部失效） / an administrator resets a password; the account's sessions end.
#[utoipa::path(post, path = "/users/{username}/password", operation_id = "resetUserPassword", tag = "people", params(("username" = schema::UsernameText, Path)),
    request_body = PasswordReset, responses((status = 200, body = ResetAnswer), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn reset_password(
    api: Api,
    Path(username): Path<String>,
    ApiJson(b): ApiJson<PasswordReset>,
) -> ApiResult<Json<ResetAnswer>> {
    let password = api.scoped().desk::<AdminDesk>()?.reset_password(&username, b.password.as_deref()).await?;
    Ok(Json(ResetAnswer { password }))
}

/// 停用账号（其会话与令牌立即失效） / disable an account; its sessions and tokens stop at once.
#[utoipa::path(post, path = "/users/{username}/disable", operation_id = "disableUser", tag = "people", params(("username" = schema::UsernameText, Path)),
    responses((status = 204, description = "已停用 / disabled"), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn disable_user(api: Api, Path(username): Path<String>) -> ApiResult<StatusCode> {
    api.scoped().desk::<AdminDesk>()?.set_disabled(&username, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 启用账号 / enable an account.
#[utoipa::path(post, path = "/users/{username}/enable", operation_id = "enableUser", tag = "people", params(("username" = schema::UsernameText, Path)),
    responses((status = 204, description = "已启用 / enabled"), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn enable_user(api: Api, Path(username): Path<String>) -> ApiResult<StatusCode> {
    api.scoped().desk::<AdminDesk>()?.set_disabled(&username, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 某账号的 API 令牌 / an account's API tokens.
#[utoipa::path(get, path = "/users/{username}/tokens", operation_id = "listUserTokens", tag = "people", params(("username" = schema::UsernameText, Path)),
    responses((status = 200, body = Vec<TokenView>), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn list_user_tokens(api: Api, Path(username): Path<String>) -> ApiResult<Json<Vec<TokenView>>> {
    Ok(Json(api.scoped().tokens(Some(&username)).await?))
}

/// 撤销某账号的 API 令牌 / revoke an account's API token.
#[utoipa::path(delete, path = "/users/{username}/tokens/{id}", operation_id = "revokeUserToken", tag = "people",
    params(("username" = schema::UsernameText, Path), ("id" = String, Path)),
    responses((status = 204, description = "已撤销 / revoked"), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn revoke_user_token(api: Api, Path((username, id)): Path<(String, String)>) -> ApiResult<StatusCode> {
    api.scoped().revoke_token(Some(&username), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
