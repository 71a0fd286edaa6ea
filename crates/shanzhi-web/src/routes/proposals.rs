//! 以事聚人、聚人成事 over HTTP: `/api/v1/proposals` (raise, list, read),
//! support, comments, objections and notes (`/remarks`), a step finished,
//! a notice ended, withdrawal. Reads are public for a noticed proposal.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use serde::Deserialize;
use shanzhi_app::deliberation::{BudgetForm, NoteForm, ProposalForm, ProposalView, RemarkView, StepForm};
use shanzhi_domain::deliberation::Origin;
use utoipa_axum::router::OpenApiRouter;

use crate::extract::{Api, ApiJson, ApiQuery, PublicApi};
use crate::openapi::Refusals;
use crate::schema;
use crate::{ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    api_router![list, propose; show; support; remarks; comment; object; note; finish_step; end_notice; withdraw; set_budget]
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewProposal {
    /// 社区（村）代码 / the community
    #[schema(value_type = schema::CommunityCodeText)]
    community: String,
    #[schema(max_length = 100)]
    title: String,
    #[schema(max_length = 5000)]
    body: String,
    origin: Origin,
    /// 议事规则代码（five_step、four_two 或社区自定） / the method's code
    #[schema(max_length = 32)]
    method: String,
    /// 由事件转为议题时：事件 ID / the matter it is raised from
    #[serde(default)]
    matter: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// 社区或其上级区划 / a community, or a division above it
    #[param(value_type = schema::DivisionCodeText)]
    within: String,
    /// gathering、working、noticed、done、rejected 或 withdrawn
    #[serde(default)]
    status: Option<String>,
    /// 由此事件转来的议题（事件 ID） / those raised from this matter
    #[serde(default)]
    matter: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct TextBody {
    #[schema(max_length = 5000)]
    text: String,
}

/// 提出议题 / raise a proposal.
#[utoipa::path(post, path = "/proposals", operation_id = "propose", tag = "deliberation",
    request_body(content = NewProposal, example = json!({"community": "510104022006", "title": "3 栋加装电梯",
        "body": "老人上下楼难", "origin": "resident", "method": "five_step"})),
    responses((status = 201, body = ProposalView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn propose(api: Api, ApiJson(b): ApiJson<NewProposal>) -> ApiResult<(StatusCode, Json<ProposalView>)> {
    let form = ProposalForm { title: b.title, body: b.body, origin: b.origin, method: b.method, matter: b.matter };
    Ok((StatusCode::CREATED, Json(api.scoped().propose(&b.community, &form).await?)))
}

/// 议题列表（本人可见的） / the proposals of a community or subtree one may read.
#[utoipa::path(get, path = "/proposals", operation_id = "listProposals", tag = "deliberation", params(ListQuery),
    responses((status = 200, body = Vec<ProposalView>), Refusals))]
async fn list(api: PublicApi, ApiQuery(q): ApiQuery<ListQuery>) -> ApiResult<Json<Vec<ProposalView>>> {
    let scoped = api.scoped();
    let mut found = scoped.proposals(&q.within, q.status.as_deref()).await?;
    if let Some(matter) = &q.matter {
        found.retain(|p| p.matter.as_deref() == Some(matter.as_str()));
    }
    Ok(Json(found))
}

/// 一个议题及其各步骤 / one proposal and its steps.
#[utoipa::path(get, path = "/proposals/{id}", operation_id = "showProposal", tag = "deliberation",
    params(("id" = String, Path)), responses((status = 200, body = ProposalView), Refusals))]
async fn show(api: PublicApi, Path(id): Path<String>) -> ApiResult<Json<ProposalView>> {
    Ok(Json(api.scoped().proposal(&id).await?))
}

/// 居民附议（每人一次） / a resident of the community supports it, once.
#[utoipa::path(post, path = "/proposals/{id}/supports", operation_id = "supportProposal", tag = "deliberation",
    params(("id" = String, Path)), responses((status = 200, body = ProposalView), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn support(api: Api, Path(id): Path<String>) -> ApiResult<Json<ProposalView>> {
    Ok(Json(api.scoped().support(&id).await?))
}

/// 评论、异议与各类记录 / comments, objections and notes.
#[utoipa::path(get, path = "/proposals/{id}/remarks", operation_id = "listProposalRemarks", tag = "deliberation",
    params(("id" = String, Path)), responses((status = 200, body = Vec<RemarkView>), Refusals))]
async fn remarks(api: PublicApi, Path(id): Path<String>) -> ApiResult<Json<Vec<RemarkView>>> {
    Ok(Json(api.scoped().remarks(&id).await?))
}

/// 评论 / a comment by a member of the community.
#[utoipa::path(post, path = "/proposals/{id}/comments", operation_id = "commentProposal", tag = "deliberation",
    params(("id" = String, Path)), request_body(content = TextBody, example = json!({"text": "支持，建议公开报价"})),
    responses((status = 201, body = Vec<RemarkView>), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn comment(
    api: Api,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TextBody>,
) -> ApiResult<(StatusCode, Json<Vec<RemarkView>>)> {
    let scoped = api.scoped();
    scoped.comment(&id, &b.text).await?;
    Ok((StatusCode::CREATED, Json(scoped.remarks(&id).await?)))
}

/// 公示期内提出异议 / an objection while the notice runs.
#[utoipa::path(post, path = "/proposals/{id}/objections", operation_id = "objectToNotice", tag = "deliberation",
    params(("id" = String, Path)), request_body(content = TextBody, example = json!({"text": "费用偏高"})),
    responses((status = 201, body = Vec<RemarkView>), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn object(
    api: Api,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TextBody>,
) -> ApiResult<(StatusCode, Json<Vec<RemarkView>>)> {
    let scoped = api.scoped();
    scoped.object(&id, &b.text).await?;
    Ok((StatusCode::CREATED, Json(scoped.remarks(&id).await?)))
}

/// 实施进度、满意度测评或监督意见 / a milestone, the acceptance survey or a supervisory note.
#[utoipa::path(post, path = "/proposals/{id}/notes", operation_id = "noteProposal", tag = "deliberation",
    params(("id" = String, Path)), request_body(content = NoteForm, example = json!({"kind": "survey", "text": "测评 52 户", "percent": 92})),
    responses((status = 201, body = Vec<RemarkView>), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn note(
    api: Api,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<NoteForm>,
) -> ApiResult<(StatusCode, Json<Vec<RemarkView>>)> {
    let scoped = api.scoped();
    scoped.add_note(&id, &b).await?;
    Ok((StatusCode::CREATED, Json(scoped.remarks(&id).await?)))
}

/// 办结当前步骤（附材料；表决步骤附表决会议） / the current step's body finishes it.
#[utoipa::path(post, path = "/proposals/{id}/steps", operation_id = "finishStep", tag = "deliberation",
    params(("id" = String, Path)), request_body(content = StepForm, example = json!({"step": "propose", "artefacts": ["minutes"]})),
    responses((status = 200, body = ProposalView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn finish_step(api: Api, Path(id): Path<String>, ApiJson(b): ApiJson<StepForm>) -> ApiResult<Json<ProposalView>> {
    Ok(Json(api.scoped().finish_step(&id, &b).await?))
}

/// 公示期满，进入下一步 / the notice has run its time: the next step.
#[utoipa::path(post, path = "/proposals/{id}/notice/end", operation_id = "endNotice", tag = "deliberation",
    params(("id" = String, Path)), responses((status = 200, body = ProposalView), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn end_notice(api: Api, Path(id): Path<String>) -> ApiResult<Json<ProposalView>> {
    Ok(Json(api.scoped().end_notice(&id).await?))
}

/// 提议人撤回（决议前） / the proposer withdraws it before a decision.
#[utoipa::path(post, path = "/proposals/{id}/withdraw", operation_id = "withdrawProposal", tag = "deliberation",
    params(("id" = String, Path)), responses((status = 200, body = ProposalView), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn withdraw(api: Api, Path(id): Path<String>) -> ApiResult<Json<ProposalView>> {
    Ok(Json(api.scoped().withdraw(&id).await?))
}

/// 设定预算明细（议事会决议或居委会实施步骤中；安排资金不得超过合计，支付须指明项目） / set the proposal's budget lines.
#[utoipa::path(put, path = "/proposals/{id}/budget", operation_id = "setProposalBudget", tag = "deliberation",
    params(("id" = String, Path)),
    request_body(content = BudgetForm, example = json!({"lines": [{"item": "电梯设备", "amount": "150,000"}, {"item": "安装施工", "amount": "30,000"}]})),
    responses((status = 200, body = ProposalView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn set_budget(
    api: Api,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<BudgetForm>,
) -> ApiResult<Json<ProposalView>> {
    Ok(Json(api.scoped().set_budget(&id, &b).await?))
}
