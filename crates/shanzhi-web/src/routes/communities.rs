//! A community's deliberation over HTTP: its work methods (shipped and its
//! own), the members of its bodies with their terms, and its fund — the
//! public ledger, allocations, and money committed, paid and released for
//! a proposal.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use shanzhi_app::deliberation::{FundListsView, FundView, MemberForm, MemberView, PaymentForm};
use shanzhi_domain::deliberation::{FundLists, WorkMethod};
use utoipa_axum::router::OpenApiRouter;

use super::figures::{XLSX, file_download};
use crate::extract::{Api, ApiJson, PublicApi};
use crate::openapi::{Binary, Refusals};
use crate::schema;
use crate::{ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    api_router![methods, define_method; members, appoint; fund; ledger_xlsx; fund_lists, set_fund_lists; allocate; commit; pay; release]
}

/// 社区可用的议事规则 / the work methods a community may follow.
#[utoipa::path(get, path = "/communities/{code}/methods", operation_id = "listWorkMethods", tag = "deliberation",
    params(("code" = schema::CommunityCodeText, Path)), responses((status = 200, body = Vec<WorkMethod>), Refusals))]
async fn methods(api: PublicApi, Path(code): Path<String>) -> ApiResult<Json<Vec<WorkMethod>>> {
    Ok(Json(api.scoped().work_methods(&code).await?))
}

/// 社区自定议事规则（如五线工作法） / a community defines its own method.
#[utoipa::path(post, path = "/communities/{code}/methods", operation_id = "defineWorkMethod", tag = "deliberation",
    params(("code" = schema::CommunityCodeText, Path)), request_body(content = WorkMethod),
    responses((status = 201, body = Vec<WorkMethod>), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn define_method(
    api: Api,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<WorkMethod>,
) -> ApiResult<(StatusCode, Json<Vec<WorkMethod>>)> {
    let scoped = api.scoped();
    scoped.define_work_method(&code, &b).await?;
    Ok((StatusCode::CREATED, Json(scoped.work_methods(&code).await?)))
}

/// 议事会、居委会、监委会等成员 / the members of the community's bodies.
#[utoipa::path(get, path = "/communities/{code}/members", operation_id = "listCommunityMembers", tag = "deliberation",
    params(("code" = schema::CommunityCodeText, Path)), responses((status = 200, body = Vec<MemberView>), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn members(api: Api, Path(code): Path<String>) -> ApiResult<Json<Vec<MemberView>>> {
    Ok(Json(api.scoped().community_members(&code).await?))
}

/// 任命成员（含任期） / appoint a member for a term.
#[utoipa::path(post, path = "/communities/{code}/members", operation_id = "appointMember", tag = "deliberation",
    params(("code" = schema::CommunityCodeText, Path)),
    request_body(content = MemberForm, example = json!({"body": "council", "username": "zhang_wei", "from": "2026-01-01", "to": "2029-01-01"})),
    responses((status = 201, body = MemberView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn appoint(
    api: Api,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<MemberForm>,
) -> ApiResult<(StatusCode, Json<MemberView>)> {
    Ok((StatusCode::CREATED, Json(api.scoped().appoint_member(&code, &b).await?)))
}

/// 社区保障激励资金台账（公开） / the community fund's public ledger.
#[utoipa::path(get, path = "/communities/{code}/fund", operation_id = "showCommunityFund", tag = "deliberation",
    params(("code" = schema::CommunityCodeText, Path)), responses((status = 200, body = FundView), Refusals))]
async fn fund(api: PublicApi, Path(code): Path<String>) -> ApiResult<Json<FundView>> {
    Ok(Json(api.scoped().fund(&code).await?))
}

/// 资金台账导出为 XLSX（一个工作表；中文表头；金额以元计；与公开页同样公开） / the public ledger as XLSX.
#[utoipa::path(get, path = "/communities/{code}/fund/ledger.xlsx", operation_id = "exportFundLedger", tag = "deliberation",
    params(("code" = schema::CommunityCodeText, Path)),
    responses(
        (status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = inline(Binary)),
        Refusals))]
async fn ledger_xlsx(api: PublicApi, Path(code): Path<String>) -> ApiResult<Response> {
    let (file, name) = api.scoped().fund_ledger_file(&code).await?;
    Ok(file_download(file, &name, XLSX))
}

/// 资金负面清单与优先清单（全市清单 + 本社区增补；公开） / the fund's negative and priority lists.
#[utoipa::path(get, path = "/communities/{code}/fund/lists", operation_id = "showFundLists", tag = "deliberation",
    params(("code" = schema::CommunityCodeText, Path)), responses((status = 200, body = FundListsView), Refusals))]
async fn fund_lists(api: PublicApi, Path(code): Path<String>) -> ApiResult<Json<FundListsView>> {
    Ok(Json(api.scoped().fund_lists(&code).await?))
}

/// 设定本社区增补的负面清单与优先清单（整体替换；全市清单始终适用） / a community's own list items.
#[utoipa::path(put, path = "/communities/{code}/fund/lists", operation_id = "setFundLists", tag = "deliberation",
    params(("code" = schema::CommunityCodeText, Path)),
    request_body(content = FundLists, example = json!({"negative": [{"name": "商业广告", "keywords": ["广告"]}], "priority": [{"name": "适老化改造", "keywords": ["加装电梯", "扶手"]}]})),
    responses((status = 200, body = FundListsView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn set_fund_lists(
    api: Api,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<FundLists>,
) -> ApiResult<Json<FundListsView>> {
    Ok(Json(api.scoped().set_fund_lists(&code, &b).await?))
}

/// 资金拨付入账 / the year's money arrives from a source.
#[utoipa::path(post, path = "/communities/{code}/fund/allocations", operation_id = "allocateFunds", tag = "deliberation",
    params(("code" = schema::CommunityCodeText, Path)),
    request_body(content = PaymentForm, example = json!({"amount": "200,000", "source": "city", "reference": "成社治发〔2026〕1号"})),
    responses((status = 201, body = FundView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn allocate(
    api: Api,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<PaymentForm>,
) -> ApiResult<(StatusCode, Json<FundView>)> {
    Ok((StatusCode::CREATED, Json(api.scoped().allocate_funds(&code, &b).await?)))
}

/// 依据决议安排资金 / the committee reserves money a vote decided.
#[utoipa::path(post, path = "/proposals/{id}/fund/commitments", operation_id = "commitFunds", tag = "deliberation",
    params(("id" = String, Path)), request_body(content = PaymentForm, example = json!({"amount": "60,000", "meeting": "…"})),
    responses((status = 201, body = FundView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn commit(
    api: Api,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PaymentForm>,
) -> ApiResult<(StatusCode, Json<FundView>)> {
    Ok((StatusCode::CREATED, Json(api.scoped().commit_funds(&id, &b).await?)))
}

/// 凭凭证支付 / a payment against the commitment, with its voucher.
#[utoipa::path(post, path = "/proposals/{id}/fund/payments", operation_id = "payFunds", tag = "deliberation",
    params(("id" = String, Path)),
    request_body(content = PaymentForm, example = json!({"amount": "55,000", "voucher": "记-031", "payee": "某某电梯公司"})),
    responses((status = 201, body = FundView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn pay(
    api: Api,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PaymentForm>,
) -> ApiResult<(StatusCode, Json<FundView>)> {
    Ok((StatusCode::CREATED, Json(api.scoped().pay_funds(&id, &b).await?)))
}

/// 结余退回 / what was not spent goes back to the fund.
#[utoipa::path(post, path = "/proposals/{id}/fund/releases", operation_id = "releaseFunds", tag = "deliberation",
    params(("id" = String, Path)), request_body(content = PaymentForm, example = json!({"amount": "5,000"})),
    responses((status = 201, body = FundView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn release(
    api: Api,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PaymentForm>,
) -> ApiResult<(StatusCode, Json<FundView>)> {
    Ok((StatusCode::CREATED, Json(api.scoped().release_funds(&id, &b).await?)))
}
