//! `GET /api/v1/divisions/{code}` and `GET /api/v1/divisions?parent=CODE`.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{CodeSystem, Division, DivisionCode, DivisionLevel};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::ApiQuery;
use crate::openapi::Refusals;
use crate::schema;
use crate::{ApiError, ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(show))
}

/// A division as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DivisionJson {
    pub code: DivisionCode,
    pub code_system: CodeSystem,
    pub name: String,
    pub level: DivisionLevel,
    pub level_name: &'static str,
    pub parent_code: Option<DivisionCode>,
}

impl From<Division> for DivisionJson {
    fn from(d: Division) -> Self {
        DivisionJson {
            level: d.level(),
            level_name: d.level().label_zh(),
            parent_code: d.parent(),
            code: d.code,
            code_system: d.code_system,
            name: d.name.as_str().to_owned(),
        }
    }
}

fn json_list(divisions: Vec<Division>) -> Vec<DivisionJson> {
    divisions.into_iter().map(DivisionJson::from).collect()
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct SystemQuery {
    /// nbs2023（默认）或 mca / the code system
    #[param(value_type = Option<schema::CodeSystemName>)]
    code_system: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// 上级区划代码（省略则列出根） / the parent (roots when absent)
    #[param(value_type = Option<schema::DivisionCodeText>)]
    parent: Option<String>,
    /// nbs2023（默认）或 mca / the code system
    #[param(value_type = Option<schema::CodeSystemName>)]
    code_system: Option<String>,
}

fn parse_code(text: &str) -> ApiResult<DivisionCode> {
    DivisionCode::parse(text).map_err(|e| ApiError::bad_request("invalid_division_code", e.message(text)))
}

fn parse_system(text: Option<&str>) -> ApiResult<CodeSystem> {
    match text {
        None => Ok(CodeSystem::Nbs2023),
        Some(t) => t.parse().map_err(|m: Bilingual| ApiError::bad_request("invalid_code_system", m)),
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct ShowBody {
    division: DivisionJson,
    /// From the root down to the parent.
    ancestors: Vec<DivisionJson>,
    children: Vec<DivisionJson>,
    /// Divisions under this one, per level.
    descendant_counts: BTreeMap<DivisionLevel, u64>,
}

/// 一个区划，及其上级、下级与各级数量 / a division with its ancestors, children and counts.
#[utoipa::path(get, path = "/divisions/{code}", operation_id = "showDivision", tag = "grid",
    params(("code" = schema::DivisionCodeText, Path, description = "区划代码（6–12 位）"), SystemQuery),
    responses((status = 200, body = ShowBody), Refusals))]
async fn show(
    State(state): State<AppState>,
    Path(code): Path<String>,
    ApiQuery(query): ApiQuery<SystemQuery>,
) -> ApiResult<Json<ShowBody>> {
    let code = parse_code(&code)?;
    let system = parse_system(query.code_system.as_deref())?;
    let view = state.app.division_view(system, &code).await?;
    Ok(Json(ShowBody {
        division: view.division.into(),
        ancestors: json_list(view.ancestors),
        children: json_list(view.children),
        descendant_counts: view.descendant_counts,
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct ListBody {
    parent: Option<DivisionCode>,
    count: usize,
    items: Vec<DivisionJson>,
}

/// 下级区划 / the children of a division.
#[utoipa::path(get, path = "/divisions", operation_id = "listDivisions", tag = "grid", params(ListQuery),
    responses((status = 200, body = ListBody), Refusals))]
async fn list(State(state): State<AppState>, ApiQuery(query): ApiQuery<ListQuery>) -> ApiResult<Json<ListBody>> {
    let parent = query.parent.as_deref().map(parse_code).transpose()?;
    let system = parse_system(query.code_system.as_deref())?;
    let items = state.app.child_divisions(system, parent.as_ref()).await?;
    Ok(Json(ListBody { parent, count: items.len(), items: json_list(items) }))
}
