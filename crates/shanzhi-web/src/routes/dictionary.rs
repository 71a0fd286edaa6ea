//! `/api/v1/categories` and `/api/v1/duties`: read by anyone signed in,
//! edited by a city-wide admin (each edit a new version).

use axum::Json;
use axum::extract::Path;
use serde::{Deserialize, Serialize};
use shanzhi_app::access::CityDesk;
use shanzhi_domain::{Category, DutyItem};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{Api, ApiJson, ApiQuery};
use crate::openapi::Refusals;
use crate::schema;
use crate::{ApiError, ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(show, put)).routes(routes!(duties, put_duty))
}

/// A category with its version number.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Versioned {
    version: i64,
    #[serde(flatten)]
    category: Category,
}

/// 全部事项分类（当前版本） / every category, current version.
#[utoipa::path(get, path = "/categories", operation_id = "listCategories", tag = "dictionary",
    responses((status = 200, body = Vec<Versioned>), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn list(api: Api) -> ApiResult<Json<Vec<Versioned>>> {
    let all = api.scoped().categories().await?;
    Ok(Json(all.into_iter().map(|(category, version)| Versioned { version, category }).collect()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct VersionQuery {
    /// 历史版本号（默认当前） / an earlier version (default: current)
    #[param(minimum = 1)]
    version: Option<i64>,
}

/// 一个分类 / one category.
#[utoipa::path(get, path = "/categories/{code}", operation_id = "showCategory", tag = "dictionary",
    params(("code" = schema::CategoryCodeText, Path, description = "分类代码，如 0101、ZZ.0201"), VersionQuery),
    responses((status = 200, body = Versioned), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn show(api: Api, Path(code): Path<String>, ApiQuery(q): ApiQuery<VersionQuery>) -> ApiResult<Json<Versioned>> {
    let (category, version) = api.scoped().category(&code, q.version).await?;
    Ok(Json(Versioned { version, category }))
}

/// 新增或修改分类（每次保存为新版本） / create or change a category (a new version each time).
#[utoipa::path(put, path = "/categories/{code}", operation_id = "putCategory", tag = "dictionary",
    params(("code" = schema::CategoryCodeText, Path, description = "分类代码")), request_body(content = Category, example = json!({"code": "0110", "name": "道路破损", "parent": "01", "kind": "event", "line": "development", "severity": "normal", "limits": {"accept": {"amount": 1, "unit": "working_hours"}, "dispatch": {"amount": 1, "unit": "working_hours"}, "sign": {"amount": 2, "unit": "working_hours"}, "handle": {"amount": 3, "unit": "working_days"}, "verify": {"amount": 1, "unit": "working_days"}, "urgent": {"amount": 2, "unit": "hours"}}, "filing_condition": "道路破损，位于公共区域，经现场核实属实", "closing_condition": "道路破损已处置完毕，现场核查合格", "standard": "CJ/T 214-2007", "keywords": ["坑洼", "破损", "路面", "井盖"], "attributes": []})),
    responses((status = 200, body = Versioned), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn put(api: Api, Path(code): Path<String>, ApiJson(category): ApiJson<Category>) -> ApiResult<Json<Versioned>> {
    if category.code.as_str() != code {
        return Err(ApiError::bad_request(
            "code_mismatch",
            shanzhi_domain::text::Bilingual::new(
                "路径与正文中的分类代码不一致",
                "the code in the path and the body differ",
            ),
        ));
    }
    let version = api.scoped().desk::<CityDesk>()?.put_category(category.clone()).await?;
    Ok(Json(Versioned { version, category }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct DutyQuery {
    /// 只看该分类 / only this category
    #[param(value_type = Option<schema::CategoryCodeText>)]
    category: Option<String>,
}

/// 职责清单 / the duty lists.
#[utoipa::path(get, path = "/duties", operation_id = "listDuties", tag = "dictionary", params(DutyQuery),
    responses((status = 200, body = Vec<DutyItem>), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn duties(api: Api, ApiQuery(q): ApiQuery<DutyQuery>) -> ApiResult<Json<Vec<DutyItem>>> {
    Ok(Json(api.scoped().duties(q.category.as_deref()).await?))
}

/// 设置一条职责（分类 × 层级） / set one duty (category × level).
#[utoipa::path(put, path = "/duties", operation_id = "putDuty", tag = "dictionary", request_body(content = DutyItem, example = json!({"category": "0110", "level": "district", "lead": "chengguan", "co": ["jiaotong"], "list": "basic", "note": ""})),
    responses((status = 200, body = DutyItem), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn put_duty(api: Api, ApiJson(duty): ApiJson<DutyItem>) -> ApiResult<Json<DutyItem>> {
    api.scoped().desk::<CityDesk>()?.put_duty(duty.clone()).await?;
    Ok(Json(duty))
}
