//! 善治成都 over HTTP: `/api/v1/cases` (published articles, public; write
//! one), `/cases/desk` (an editor's or reviewer's articles), `/cases/{id}`
//! (read, edit as a new version) and `/cases/{id}/{step}` (submit, return,
//! publish, withdraw).

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use serde::Deserialize;
use shanzhi_app::AppError;
use shanzhi_app::cases::{CaseFilter, CaseForm, CaseView};
use shanzhi_domain::case::Step;
use utoipa_axum::router::OpenApiRouter;

use crate::extract::{Api, ApiJson, ApiQuery, PublicApi};
use crate::openapi::Refusals;
use crate::schema;
use crate::{ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    api_router![list, create; desk; show, edit; step]
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewCase {
    /// 文章所属区划（编辑的管辖范围内） / the division it is written for (in the editor's scope)
    #[schema(value_type = schema::DivisionCodeText)]
    division: String,
    article: CaseForm,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct EditedCase {
    /// 修改所依据的版本号 / the version the edit starts from
    #[schema(minimum = 1)]
    version: i64,
    article: CaseForm,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct StepBody {
    /// 所审的版本号 / the version the step is taken on
    #[schema(minimum = 1)]
    version: i64,
    /// 审核意见（退回时必填） / the comment (required to return)
    #[serde(default)]
    #[schema(max_length = 2000)]
    comment: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// 栏目 / the column
    #[serde(default)]
    #[param(value_type = Option<schema::CaseKindName>)]
    kind: Option<String>,
    /// 标签 / a tag
    #[serde(default)]
    #[param(max_length = 20)]
    tag: Option<String>,
    /// 搜索词（空格分隔，最多 5 个） / words to find (at most 5)
    #[serde(default)]
    #[param(max_length = 50)]
    q: Option<String>,
}

/// 已发布的文章（可按栏目、标签和关键词筛选） / published articles, by column, tag and words.
#[utoipa::path(get, path = "/cases", operation_id = "listCases", tag = "cases", params(ListQuery),
    responses((status = 200, body = Vec<CaseView>), Refusals))]
async fn list(api: PublicApi, ApiQuery(q): ApiQuery<ListQuery>) -> ApiResult<Json<Vec<CaseView>>> {
    let filter = CaseFilter { kind: q.kind, tag: q.tag, q: q.q };
    Ok(Json(api.scoped().published_cases(&filter).await?))
}

/// 编辑撰写文章（草稿） / an editor writes an article (a draft).
#[utoipa::path(post, path = "/cases", operation_id = "createCase", tag = "cases",
    request_body(content = NewCase, example = json!({"division": "510104022000", "article": {"kind": "case",
        "title": "院落自治", "summary": "居民自己议定院落的事", "body": "## 起因\n\n院落停车难。", "tags": ["院落治理"],
        "places": ["510104022006"], "links": [], "source": "春熙路街道供稿"}})),
    responses((status = 201, body = CaseView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn create(api: Api, ApiJson(b): ApiJson<NewCase>) -> ApiResult<(StatusCode, Json<CaseView>)> {
    Ok((StatusCode::CREATED, Json(api.scoped().create_case(&b.division, &b.article).await?)))
}

/// 编辑台：本人撰写或待审的文章 / the articles an editor writes or a reviewer reviews.
#[utoipa::path(get, path = "/cases/desk", operation_id = "caseDesk", tag = "cases",
    responses((status = 200, body = Vec<CaseView>), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn desk(api: Api) -> ApiResult<Json<Vec<CaseView>>> {
    Ok(Json(api.scoped().case_desk().await?))
}

/// 一篇文章（未发布的仅编辑和审核人员可见，含各版本和审核意见） / one article.
#[utoipa::path(get, path = "/cases/{id}", operation_id = "showCase", tag = "cases",
    params(("id" = String, Path, max_length = 64)), responses((status = 200, body = CaseView), Refusals))]
async fn show(api: PublicApi, Path(id): Path<String>) -> ApiResult<Json<CaseView>> {
    Ok(Json(api.scoped().case(&id).await?))
}

/// 修改草稿或退回的文章（保存为新版本） / edit a draft or returned article (a new version).
#[utoipa::path(put, path = "/cases/{id}", operation_id = "editCase", tag = "cases",
    params(("id" = String, Path, max_length = 64)), request_body = EditedCase,
    responses((status = 200, body = CaseView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn edit(api: Api, Path(id): Path<String>, ApiJson(b): ApiJson<EditedCase>) -> ApiResult<Json<CaseView>> {
    Ok(Json(api.scoped().edit_case(&id, b.version, &b.article).await?))
}

/// 提交审核、退回修改、发布或撤下 / submit, return (with a comment), publish or withdraw.
#[utoipa::path(post, path = "/cases/{id}/{step}", operation_id = "caseStep", tag = "cases",
    params(("id" = String, Path, max_length = 64), ("step" = schema::CaseStepName, Path)),
    request_body(content = StepBody, example = json!({"version": 1, "comment": "请补充居民议事的经过"})),
    responses((status = 200, body = CaseView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn step(
    api: Api,
    Path((id, step)): Path<(String, String)>,
    ApiJson(b): ApiJson<StepBody>,
) -> ApiResult<Json<CaseView>> {
    let step: Step = step.parse().map_err(|m| AppError::BadRequest { code: "invalid_step", message: m })?;
    Ok(Json(api.scoped().case_step(&id, step, b.version, &b.comment).await?))
}
