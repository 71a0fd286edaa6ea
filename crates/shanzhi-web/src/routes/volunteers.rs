//! Volunteers and 公益积分 over HTTP: activities (public reads; sign-up,
//! cancel, check-in and check-out for the signed-in; the code and roster
//! for organisers), a community's activities, organisations, rewards and
//! leaderboard, and the caller's profile, points and redemptions.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use serde::Deserialize;
use shanzhi_app::volunteers::{
    ActivitySignup, CheckInCode, CheckInForm, ConfirmedRedemption, LeaderboardLine, PointsAccount, RewardItem,
    RewardItemForm, RewardRedemption, VolunteerActivity, VolunteerActivityForm, VolunteerOrg, VolunteerOrgForm,
    VolunteerProfile, VolunteerProfileForm,
};
use utoipa_axum::router::OpenApiRouter;

use crate::extract::{Api, ApiJson, ApiQuery, PublicApi};
use crate::openapi::Refusals;
use crate::schema;
use crate::{ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    api_router![
        community_activities, publish;
        show, edit;
        sign_up, cancel;
        check_in;
        check_out;
        code;
        roster;
        orgs, create_org;
        leaderboard;
        rewards;
        offer;
        redeem;
        confirm;
        profile, set_profile;
        points;
        redemptions
    ]
}

/// 社区即将举行的志愿活动（尚未结束，按开始时间，最多 50 项；公开） / the community's upcoming activities.
#[utoipa::path(get, path = "/communities/{code}/activities", operation_id = "listCommunityActivities",
    tag = "volunteers", params(("code" = schema::CommunityCodeText, Path)),
    responses((status = 200, body = Vec<VolunteerActivity>), Refusals))]
async fn community_activities(api: PublicApi, Path(code): Path<String>) -> ApiResult<Json<Vec<VolunteerActivity>>> {
    Ok(Json(api.scoped().community_activities(&code, 50).await?))
}

/// 发布志愿活动（本社区的社区工作者，或社会组织、志愿队的成员） / publish an activity.
#[utoipa::path(post, path = "/communities/{code}/activities", operation_id = "publishActivity", tag = "volunteers",
    params(("code" = schema::CommunityCodeText, Path)),
    request_body(content = VolunteerActivityForm, example = json!({"title": "府河步道清洁", "description": "捡拾垃圾",
        "place": "党群服务中心门口", "starts_at": "2026-12-05T09:00:00+08:00", "ends_at": "2026-12-05T11:00:00+08:00",
        "capacity": 20, "points": 20})),
    responses((status = 201, body = VolunteerActivity), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn publish(
    api: Api,
    Path(code): Path<String>,
    ApiJson(f): ApiJson<VolunteerActivityForm>,
) -> ApiResult<(StatusCode, Json<VolunteerActivity>)> {
    Ok((StatusCode::CREATED, Json(api.scoped().publish_activity(&code, &f).await?)))
}

/// 一项志愿活动（公开；登录后含本人的报名状态） / one activity.
#[utoipa::path(get, path = "/activities/{id}", operation_id = "showActivity", tag = "volunteers",
    params(("id" = String, Path, max_length = 64)), responses((status = 200, body = VolunteerActivity), Refusals))]
async fn show(api: PublicApi, Path(id): Path<String>) -> ApiResult<Json<VolunteerActivity>> {
    Ok(Json(api.scoped().activity(&id).await?))
}

/// 修改活动（组织者；扩大名额时候补者依次递补） / edit an activity (its organisers).
#[utoipa::path(put, path = "/activities/{id}", operation_id = "editActivity", tag = "volunteers",
    params(("id" = String, Path, max_length = 64)), request_body = VolunteerActivityForm,
    responses((status = 200, body = VolunteerActivity), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn edit(
    api: Api,
    Path(id): Path<String>,
    ApiJson(f): ApiJson<VolunteerActivityForm>,
) -> ApiResult<Json<VolunteerActivity>> {
    Ok(Json(api.scoped().edit_activity(&id, &f).await?))
}

/// 报名（满员则候补） / sign up (the waiting list when full).
#[utoipa::path(post, path = "/activities/{id}/signup", operation_id = "signUpForActivity", tag = "volunteers",
    params(("id" = String, Path, max_length = 64)),
    responses((status = 200, body = VolunteerActivity), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn sign_up(api: Api, Path(id): Path<String>) -> ApiResult<Json<VolunteerActivity>> {
    Ok(Json(api.scoped().sign_up_for_activity(&id).await?))
}

/// 取消报名（名额递补给第一位候补者） / cancel one's sign-up.
#[utoipa::path(delete, path = "/activities/{id}/signup", operation_id = "cancelActivitySignup", tag = "volunteers",
    params(("id" = String, Path, max_length = 64)),
    responses((status = 200, body = VolunteerActivity), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn cancel(api: Api, Path(id): Path<String>) -> ApiResult<Json<VolunteerActivity>> {
    Ok(Json(api.scoped().cancel_activity_signup(&id).await?))
}

/// 凭组织者的签到码签到（可附手机位置） / check in with the organiser's code.
#[utoipa::path(post, path = "/activities/{id}/checkin", operation_id = "checkInActivity", tag = "volunteers",
    params(("id" = String, Path, max_length = 64)),
    request_body(content = CheckInForm, example = json!({"code": "123456", "lng": 104.08, "lat": 30.66})),
    responses((status = 200, body = VolunteerActivity), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn check_in(
    api: Api,
    Path(id): Path<String>,
    ApiJson(f): ApiJson<CheckInForm>,
) -> ApiResult<Json<VolunteerActivity>> {
    Ok(Json(api.scoped().check_in_activity(&id, &f).await?))
}

/// 凭签到码签退：记录时长并获得积分 / check out with the code: minutes recorded, points earned.
#[utoipa::path(post, path = "/activities/{id}/checkout", operation_id = "checkOutActivity", tag = "volunteers",
    params(("id" = String, Path, max_length = 64)),
    request_body(content = CheckInForm, example = json!({"code": "123456"})),
    responses((status = 200, body = VolunteerActivity), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn check_out(
    api: Api,
    Path(id): Path<String>,
    ApiJson(f): ApiJson<CheckInForm>,
) -> ApiResult<Json<VolunteerActivity>> {
    Ok(Json(api.scoped().check_out_activity(&id, &f).await?))
}

/// 当前签到码（每 2 分钟更换；组织者） / the check-in code shown now (organisers).
#[utoipa::path(get, path = "/activities/{id}/code", operation_id = "showActivityCode", tag = "volunteers",
    params(("id" = String, Path, max_length = 64)),
    responses((status = 200, body = CheckInCode), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn code(api: Api, Path(id): Path<String>) -> ApiResult<Json<CheckInCode>> {
    Ok(Json(api.scoped().activity_code(&id).await?))
}

/// 报名名单与签到情况（组织者） / the roster and attendance (organisers).
#[utoipa::path(get, path = "/activities/{id}/roster", operation_id = "showActivityRoster", tag = "volunteers",
    params(("id" = String, Path, max_length = 64)),
    responses((status = 200, body = Vec<ActivitySignup>), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn roster(api: Api, Path(id): Path<String>) -> ApiResult<Json<Vec<ActivitySignup>>> {
    Ok(Json(api.scoped().activity_roster(&id).await?))
}

/// 社区的社会组织、志愿队和商家（公开） / the community's organisations.
#[utoipa::path(get, path = "/communities/{code}/organisations", operation_id = "listVolunteerOrgs",
    tag = "volunteers", params(("code" = schema::CommunityCodeText, Path)),
    responses((status = 200, body = Vec<VolunteerOrg>), Refusals))]
async fn orgs(api: PublicApi, Path(code): Path<String>) -> ApiResult<Json<Vec<VolunteerOrg>>> {
    Ok(Json(api.scoped().volunteer_orgs(&code).await?))
}

/// 登记组织及其成员（本社区的社区工作者） / register an organisation and its members.
#[utoipa::path(post, path = "/communities/{code}/organisations", operation_id = "createVolunteerOrg",
    tag = "volunteers", params(("code" = schema::CommunityCodeText, Path)),
    request_body(content = VolunteerOrgForm, example = json!({"name": "便民超市", "kind": "shop", "members": []})),
    responses((status = 201, body = VolunteerOrg), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn create_org(
    api: Api,
    Path(code): Path<String>,
    ApiJson(f): ApiJson<VolunteerOrgForm>,
) -> ApiResult<(StatusCode, Json<VolunteerOrg>)> {
    Ok((StatusCode::CREATED, Json(api.scoped().create_volunteer_org(&code, &f).await?)))
}

/// 本年度公益积分排行（不含选择不上榜的居民；公开） / the year's leaderboard.
#[utoipa::path(get, path = "/communities/{code}/leaderboard", operation_id = "showLeaderboard", tag = "volunteers",
    params(("code" = schema::CommunityCodeText, Path)), responses((status = 200, body = Vec<LeaderboardLine>), Refusals))]
async fn leaderboard(api: PublicApi, Path(code): Path<String>) -> ApiResult<Json<Vec<LeaderboardLine>>> {
    Ok(Json(api.scoped().leaderboard(&code).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct RewardQuery {
    /// 社区代码（不填则为全部） / a community (all when left out)
    #[serde(default)]
    #[param(value_type = Option<schema::CommunityCodeText>)]
    community: Option<String>,
}

/// 积分兑换目录（公开） / the rewards catalogue.
#[utoipa::path(get, path = "/rewards", operation_id = "listRewards", tag = "volunteers", params(RewardQuery),
    responses((status = 200, body = Vec<RewardItem>), Refusals))]
async fn rewards(api: PublicApi, ApiQuery(q): ApiQuery<RewardQuery>) -> ApiResult<Json<Vec<RewardItem>>> {
    Ok(Json(api.scoped().rewards(q.community.as_deref()).await?))
}

/// 上架兑换项目（社区工作者，或商家人员为本店） / offer a reward.
#[utoipa::path(post, path = "/communities/{code}/rewards", operation_id = "offerReward", tag = "volunteers",
    params(("code" = schema::CommunityCodeText, Path)),
    request_body(content = RewardItemForm, example = json!({"name": "大米 2.5 公斤", "price": 30, "stock": 20})),
    responses((status = 201, body = RewardItem), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn offer(
    api: Api,
    Path(code): Path<String>,
    ApiJson(f): ApiJson<RewardItemForm>,
) -> ApiResult<(StatusCode, Json<RewardItem>)> {
    Ok((StatusCode::CREATED, Json(api.scoped().offer_reward(&code, &f).await?)))
}

/// 兑换：扣积分、减库存，返回一次性兑换码（仅此一次显示） / redeem: the code is in this answer only.
#[utoipa::path(post, path = "/rewards/{id}/redeem", operation_id = "redeemReward", tag = "volunteers",
    params(("id" = String, Path, max_length = 64)),
    responses((status = 201, body = RewardRedemption), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn redeem(api: Api, Path(id): Path<String>) -> ApiResult<(StatusCode, Json<RewardRedemption>)> {
    Ok((StatusCode::CREATED, Json(api.scoped().redeem_reward(&id).await?)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RedemptionCodeBody {
    /// 居民出示的兑换码 / the code the resident shows
    #[schema(max_length = 20, example = "K7M2P9QX4R")]
    code: String,
}

/// 商家核销兑换码（每个码只能核销一次） / a shop confirms a code, once.
#[utoipa::path(post, path = "/redemptions/confirm", operation_id = "confirmRedemption", tag = "volunteers",
    request_body = RedemptionCodeBody,
    responses((status = 200, body = ConfirmedRedemption), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn confirm(api: Api, ApiJson(b): ApiJson<RedemptionCodeBody>) -> ApiResult<Json<ConfirmedRedemption>> {
    Ok(Json(api.scoped().confirm_redemption(&b.code).await?))
}

/// 本人的志愿者资料（未登记则为 null） / one's volunteer profile (null before opting in).
#[utoipa::path(get, path = "/me/volunteer", operation_id = "showVolunteerProfile", tag = "volunteers",
    responses((status = 200, body = Option<VolunteerProfile>), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn profile(api: Api) -> ApiResult<Json<Option<VolunteerProfile>>> {
    Ok(Json(api.scoped().volunteer_profile().await?))
}

/// 登记或修改志愿者资料（技能、可服务时间、是否上榜） / opt in or change one's profile.
#[utoipa::path(put, path = "/me/volunteer", operation_id = "setVolunteerProfile", tag = "volunteers",
    request_body(content = VolunteerProfileForm, example = json!({"skills": ["elderly"], "skill_note": "会修手机",
        "availability": "周末上午", "on_board": true})),
    responses((status = 200, body = VolunteerProfile), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn set_profile(api: Api, ApiJson(f): ApiJson<VolunteerProfileForm>) -> ApiResult<Json<VolunteerProfile>> {
    Ok(Json(api.scoped().set_volunteer_profile(&f).await?))
}

/// 本人的公益积分：余额、本年合计和台账 / one's points: balance, the year's totals, the ledger.
#[utoipa::path(get, path = "/me/points", operation_id = "showMyPoints", tag = "volunteers",
    responses((status = 200, body = PointsAccount), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn points(api: Api) -> ApiResult<Json<PointsAccount>> {
    Ok(Json(api.scoped().my_points().await?))
}

/// 本人的兑换记录 / one's redemptions.
#[utoipa::path(get, path = "/me/redemptions", operation_id = "listMyRedemptions", tag = "volunteers",
    responses((status = 200, body = Vec<RewardRedemption>), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn redemptions(api: Api) -> ApiResult<Json<Vec<RewardRedemption>>> {
    Ok(Json(api.scoped().my_redemptions().await?))
}
