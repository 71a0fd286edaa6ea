//! `/api/v1/inbox…` and `/api/v1/me/notifications`: one's own in-app
//! notices (站内消息) and choices of channels and quiet hours; and
//! `/api/v1/notifications/failed` for the administrator.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use serde::Deserialize;
use shanzhi_app::notify::{FailedNotification, InboxPage, NotificationPreferences};

use utoipa_axum::router::OpenApiRouter;

use crate::extract::{Api, ApiJson, ApiQuery};
use crate::openapi::Refusals;
use crate::schema;
use crate::{ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    api_router![inbox; mark_read; preferences, put_preferences; failed]
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct InboxQuery {
    /// 上一页的 next / the `next` of the page before
    #[param(value_type = Option<schema::InboxCursorText>)]
    before: Option<String>,
    /// 每页条数（默认 20，最多 100） / notices per page (default 20, at most 100)
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u16>,
}

/// 我的站内消息（最新在前），含未读数 / my in-app notices, newest first, with the unread count.
#[utoipa::path(get, path = "/inbox", operation_id = "listInbox", tag = "notifications", params(InboxQuery),
    responses((status = 200, body = InboxPage), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn inbox(api: Api, ApiQuery(q): ApiQuery<InboxQuery>) -> ApiResult<Json<InboxPage>> {
    let limit = usize::from(q.limit.unwrap_or(20));
    Ok(Json(api.scoped().inbox(q.before.as_deref(), limit).await?))
}

/// 标记一条消息为已读 / mark one of my notices read.
#[utoipa::path(post, path = "/inbox/{id}/read", operation_id = "markInboxNoticeRead", tag = "notifications",
    params(("id" = schema::NoticeIdText, Path, description = "通知编号 / the notice's id")),
    responses((status = 204, description = "已读 / read"), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn mark_read(api: Api, Path(id): Path<String>) -> ApiResult<StatusCode> {
    api.scoped().mark_notice_read(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 我的通知设置：各类通知的外部渠道（站内消息始终开启）、免打扰时段 / my notification settings.
#[utoipa::path(get, path = "/me/notifications", operation_id = "showNotificationPreferences", tag = "notifications",
    responses((status = 200, body = NotificationPreferences), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn preferences(api: Api) -> ApiResult<Json<NotificationPreferences>> {
    Ok(Json(api.scoped().notification_preferences().await?))
}

/// 修改我的通知设置（整体替换；有误则不做任何修改） / replace my notification settings.
#[utoipa::path(put, path = "/me/notifications", operation_id = "updateNotificationPreferences", tag = "notifications",
    request_body(content = NotificationPreferences, example = json!({"channels": {"warnings": ["sms"], "my_reports": []}, "quiet_start": "22:00", "quiet_end": "07:00"})),
    responses((status = 200, body = NotificationPreferences), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn put_preferences(
    api: Api,
    ApiJson(b): ApiJson<NotificationPreferences>,
) -> ApiResult<Json<NotificationPreferences>> {
    Ok(Json(api.scoped().set_notification_preferences(b).await?))
}

/// 发送失败的通知（系统管理员） / notifications given up after their last attempt (administrators).
#[utoipa::path(get, path = "/notifications/failed", operation_id = "listFailedNotifications", tag = "notifications",
    responses((status = 200, body = Vec<FailedNotification>), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn failed(api: Api) -> ApiResult<Json<Vec<FailedNotification>>> {
    Ok(Json(api.scoped().failed_notifications(100).await?))
}
