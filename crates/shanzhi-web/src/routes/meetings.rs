//! Council meetings and residents' polls over HTTP: open one on a
//! proposal's vote step, read it, vote once, close it with the tally.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use serde::Deserialize;
use shanzhi_app::deliberation::{MeetingForm, MeetingView};
use shanzhi_domain::deliberation::Choice;
use utoipa_axum::router::OpenApiRouter;

use crate::extract::{Api, ApiJson, PublicApi};
use crate::openapi::Refusals;
use crate::{ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    api_router![open; show; vote; close]
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct VoteBody {
    choice: Choice,
}

/// 召开议事会（或发起居民表决） / open a meeting on the proposal's vote step.
#[utoipa::path(post, path = "/proposals/{id}/meetings", operation_id = "openMeeting", tag = "deliberation",
    params(("id" = String, Path)),
    request_body(content = MeetingForm, example = json!({"step": "decide", "agenda": "审议 3 栋加装电梯",
        "attendance": ["council0", "council1", "council2"]})),
    responses((status = 201, body = MeetingView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn open(
    api: Api,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MeetingForm>,
) -> ApiResult<(StatusCode, Json<MeetingView>)> {
    Ok((StatusCode::CREATED, Json(api.scoped().open_meeting(&id, &b).await?)))
}

/// 会议、到会与表决 / a meeting, who attended and how each voted.
#[utoipa::path(get, path = "/meetings/{id}", operation_id = "showMeeting", tag = "deliberation",
    params(("id" = String, Path)), responses((status = 200, body = MeetingView), Refusals))]
async fn show(api: PublicApi, Path(id): Path<String>) -> ApiResult<Json<MeetingView>> {
    Ok(Json(api.scoped().meeting(&id).await?))
}

/// 表决（到会成员，每人一次） / a member present votes, once.
#[utoipa::path(post, path = "/meetings/{id}/votes", operation_id = "castVote", tag = "deliberation",
    params(("id" = String, Path)), request_body(content = VoteBody, example = json!({"choice": "for"})),
    responses((status = 200, body = MeetingView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn vote(api: Api, Path(id): Path<String>, ApiJson(b): ApiJson<VoteBody>) -> ApiResult<Json<MeetingView>> {
    Ok(Json(api.scoped().vote(&id, b.choice).await?))
}

/// 结束表决并计票 / close the vote: the tally under the rule in force.
#[utoipa::path(post, path = "/meetings/{id}/close", operation_id = "closeMeeting", tag = "deliberation",
    params(("id" = String, Path)), responses((status = 200, body = MeetingView), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn close(api: Api, Path(id): Path<String>) -> ApiResult<Json<MeetingView>> {
    Ok(Json(api.scoped().close_meeting(&id).await?))
}
