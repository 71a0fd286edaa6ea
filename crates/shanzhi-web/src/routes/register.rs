//! The grid's register and care marks over HTTP: `/register` (list, add),
//! `/register/{id}` (read, edit as a new version), `/register/{id}/versions`,
//! `/register/import` (a street's file), `/register/{id}/care` (mark for
//! care), `/care` (marks, masked), `/care/due`, `/care/{id}` (opened, the view
//! recorded), `/care/{id}/visits` and `/care/{id}/end`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use serde::Deserialize;
use shanzhi_app::AppError;
use shanzhi_app::register::{
    CareDue, CareMarkInput, CareMarkView, CareVisitInput, RegisterDraft, RegisterEntry, RegisterImportReport,
    RegisterListQuery, RegisterVersionView,
};
use shanzhi_domain::register::RegisterKind;
use shanzhi_domain::{DivisionCode, GridCode};
use utoipa_axum::router::OpenApiRouter;

use crate::extract::{Api, ApiJson, ApiQuery};
use crate::openapi::Refusals;
use crate::schema;
use crate::{ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    api_router![list, create; import; show, edit; versions; mark; care_list; care_due; care_show; visit; end]
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// 网格（默认本人网格或社区） / the grid (default: the caller's own)
    #[param(value_type = Option<schema::GridCodeText>)]
    grid: Option<String>,
    /// 社区 / the community
    #[param(value_type = Option<schema::CommunityCodeText>)]
    community: Option<String>,
    /// 类型 / the kind
    kind: Option<RegisterKind>,
    /// 上级记录（楼栋或住户） / the parent record
    #[param(max_length = 64)]
    parent: Option<String>,
    /// 搜索（地址、房号、姓名） / search
    #[param(max_length = 64)]
    q: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct PlaceParams {
    /// 网格（默认本人网格或社区） / the grid (default: the caller's own)
    #[param(value_type = Option<schema::GridCodeText>)]
    grid: Option<String>,
    /// 社区 / the community
    #[param(value_type = Option<schema::CommunityCodeText>)]
    community: Option<String>,
}

impl PlaceParams {
    fn parse(&self) -> Result<(Option<GridCode>, Option<DivisionCode>), AppError> {
        place_codes(self.grid.as_deref(), self.community.as_deref())
    }
}

/// A grid and a community as a query gives them, parsed.
pub(crate) fn place_codes(
    grid: Option<&str>,
    community: Option<&str>,
) -> Result<(Option<GridCode>, Option<DivisionCode>), AppError> {
    let grid =
        grid.map(GridCode::parse).transpose().map_err(|m| AppError::BadRequest { code: "invalid_grid", message: m })?;
    let community = community
        .map(|c| {
            DivisionCode::parse(c)
                .map_err(|e| AppError::BadRequest { code: "invalid_community", message: e.message(c) })
        })
        .transpose()?;
    Ok((grid, community))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ImportParams {
    /// 街道 / the street
    #[param(value_type = schema::StreetCodeText)]
    street: String,
}

/// 本人网格或社区的登记（楼栋、住户、居民、单位和商户、公共设施；电话已遮蔽） / the register of a grid or community.
#[utoipa::path(get, path = "/register", operation_id = "listRegister", tag = "register", params(ListParams),
    responses((status = 200, body = Vec<RegisterEntry>), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn list(api: Api, ApiQuery(p): ApiQuery<ListParams>) -> ApiResult<Json<Vec<RegisterEntry>>> {
    let query = RegisterListQuery { grid: p.grid, community: p.community, kind: p.kind, parent: p.parent, q: p.q };
    Ok(Json(api.scoped().register_list(&query).await?))
}

/// 新增一条登记（按经纬度、网格编码或上级记录定位） / add a record, placed by its point, grid or parent.
#[utoipa::path(post, path = "/register", operation_id = "addRegisterRecord", tag = "register",
    request_body(content = RegisterDraft, example = json!({"kind": "building", "name": "总府路 1 号 1 栋", "grid": "510104022006001", "category": "住宅"})),
    responses((status = 201, body = RegisterEntry), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn create(api: Api, ApiJson(d): ApiJson<RegisterDraft>) -> ApiResult<(StatusCode, Json<RegisterEntry>)> {
    Ok((StatusCode::CREATED, Json(api.scoped().add_register_record(&d).await?)))
}

/// 导入一个街道的登记（CSV 或 XLSX，整体校验，有错整体退回并给出行号） / import a street's register.
#[utoipa::path(post, path = "/register/import", operation_id = "importRegister", tag = "register", params(ImportParams),
    request_body(content = String, content_type = "text/csv", description = "登记文件（CSV 或 XLSX） / the file",
        example = json!("类别,楼栋地址,楼栋类型,网格编码,单元,房号,户主,姓名,身份证号,性别,出生年份,联系电话,人口类型\n居民,总府路1号1栋,住宅,510104022006001,1,101,是,张三,,男,1950,,户籍\n")),
    responses((status = 200, body = RegisterImportReport), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn import(
    api: Api,
    ApiQuery(p): ApiQuery<ImportParams>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<RegisterImportReport>> {
    let street = DivisionCode::parse(&p.street)
        .map_err(|e| AppError::BadRequest { code: "invalid_street", message: e.message(&p.street) })?;
    let is_xlsx =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|c| c.contains("spreadsheetml"));
    let name = if is_xlsx { "register.xlsx" } else { "register.csv" };
    Ok(Json(api.scoped().import_register(&body, name, &street).await?))
}

/// 一条登记 / one record.
#[utoipa::path(get, path = "/register/{id}", operation_id = "showRegisterRecord", tag = "register",
    params(("id" = String, Path, max_length = 64)), responses((status = 200, body = RegisterEntry), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn show(api: Api, Path(id): Path<String>) -> ApiResult<Json<RegisterEntry>> {
    Ok(Json(api.scoped().register_entry(&id).await?))
}

/// 修改一条登记（保存为新版本，旧版本保留） / edit a record (a new version; the old one is kept).
#[utoipa::path(put, path = "/register/{id}", operation_id = "editRegisterRecord", tag = "register",
    params(("id" = String, Path, max_length = 64)), request_body = RegisterDraft,
    responses((status = 200, body = RegisterEntry), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn edit(api: Api, Path(id): Path<String>, ApiJson(d): ApiJson<RegisterDraft>) -> ApiResult<Json<RegisterEntry>> {
    Ok(Json(api.scoped().edit_register_record(&id, &d).await?))
}

/// 一条登记的各个版本（谁、何时） / every version of a record, with who and when.
#[utoipa::path(get, path = "/register/{id}/versions", operation_id = "registerRecordVersions", tag = "register",
    params(("id" = String, Path, max_length = 64)), responses((status = 200, body = Vec<RegisterVersionView>), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn versions(api: Api, Path(id): Path<String>) -> ApiResult<Json<Vec<RegisterVersionView>>> {
    Ok(Json(api.scoped().register_history(&id).await?))
}

/// 列为关爱对象（原因和备注加密保存） / mark a resident for care (reason and notes sealed).
#[utoipa::path(post, path = "/register/{id}/care", operation_id = "markForCare", tag = "register",
    params(("id" = String, Path, max_length = 64)),
    request_body(content = CareMarkInput, example = json!({"reason": "独居老人", "notes": "", "every_days": 5})),
    responses((status = 201, body = CareMarkView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn mark(
    api: Api,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<CareMarkInput>,
) -> ApiResult<(StatusCode, Json<CareMarkView>)> {
    Ok((StatusCode::CREATED, Json(api.scoped().mark_for_care(&id, &b).await?)))
}

/// 关爱对象（不含原因） / care marks of a grid or community, masked.
#[utoipa::path(get, path = "/care", operation_id = "listCareMarks", tag = "register", params(PlaceParams),
    responses((status = 200, body = Vec<CareMarkView>), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn care_list(api: Api, ApiQuery(p): ApiQuery<PlaceParams>) -> ApiResult<Json<Vec<CareMarkView>>> {
    let (grid, community) = p.parse()?;
    Ok(Json(api.scoped().care_marks(grid.as_ref(), community.as_ref()).await?))
}

/// 今日到期和逾期的关爱走访（按工作日计算） / care visits due today or overdue, on working days.
#[utoipa::path(get, path = "/care/due", operation_id = "careVisitsDue", tag = "register", params(PlaceParams),
    responses((status = 200, body = Vec<CareDue>), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn care_due(api: Api, ApiQuery(p): ApiQuery<PlaceParams>) -> ApiResult<Json<Vec<CareDue>>> {
    let (grid, community) = p.parse()?;
    Ok(Json(api.scoped().care_due(grid.as_ref(), community.as_ref()).await?))
}

/// 查看关爱原因和备注（仅本网格和本社区工作人员，每次查看均记录） / open a care mark (recorded).
#[utoipa::path(get, path = "/care/{id}", operation_id = "showCareMark", tag = "register",
    params(("id" = String, Path, max_length = 64)), responses((status = 200, body = CareMarkView), Refusals),
    security(("bearer" = []), ("session_cookie" = [])))]
async fn care_show(api: Api, Path(id): Path<String>) -> ApiResult<Json<CareMarkView>> {
    Ok(Json(api.scoped().care_mark_unmasked(&id).await?))
}

/// 记录一次关爱走访 / record a care visit.
#[utoipa::path(post, path = "/care/{id}/visits", operation_id = "recordCareVisit", tag = "register",
    params(("id" = String, Path, max_length = 64)), request_body(content = CareVisitInput, example = json!({})),
    responses((status = 200, body = CareMarkView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn visit(api: Api, Path(id): Path<String>, ApiJson(b): ApiJson<CareVisitInput>) -> ApiResult<Json<CareMarkView>> {
    Ok(Json(api.scoped().record_care_visit(&id, &b).await?))
}

/// 结束关爱（原因和备注在保留期满后删除） / end a care marking (its reason is deleted after the retention period).
#[utoipa::path(post, path = "/care/{id}/end", operation_id = "endCareMark", tag = "register",
    params(("id" = String, Path, max_length = 64)),
    responses((status = 200, body = CareMarkView), Refusals), security(("bearer" = []), ("session_cookie" = [])))]
async fn end(api: Api, Path(id): Path<String>) -> ApiResult<Json<CareMarkView>> {
    Ok(Json(api.scoped().end_care_mark(&id).await?))
}
