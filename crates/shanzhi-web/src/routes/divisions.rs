//! `GET /api/v1/divisions/{code}` and `GET /api/v1/divisions?parent=CODE`.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{CodeSystem, Division, DivisionCode, DivisionLevel};

use crate::extract::ApiQuery;
use crate::{ApiError, AppState};

pub fn routes() -> Router<AppState> {
    Router::new().route("/divisions", get(list)).route("/divisions/{code}", get(show))
}

/// A division as the API shows it.
#[derive(Debug, Serialize)]
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SystemQuery {
    code_system: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    parent: Option<String>,
    code_system: Option<String>,
}

fn parse_code(text: &str) -> Result<DivisionCode, ApiError> {
    DivisionCode::parse(text).map_err(|e| ApiError::bad_request("invalid_division_code", e.message(text)))
}

fn parse_system(text: Option<&str>) -> Result<CodeSystem, ApiError> {
    match text {
        None => Ok(CodeSystem::Nbs2023),
        Some(t) => t.parse().map_err(|m: Bilingual| ApiError::bad_request("invalid_code_system", m)),
    }
}

#[derive(Debug, Serialize)]
struct ShowBody {
    division: DivisionJson,
    /// From the root down to the parent.
    ancestors: Vec<DivisionJson>,
    children: Vec<DivisionJson>,
    /// Divisions under this one, per level.
    descendant_counts: BTreeMap<DivisionLevel, u64>,
}

async fn show(
    State(state): State<AppState>,
    Path(code): Path<String>,
    ApiQuery(query): ApiQuery<SystemQuery>,
) -> Result<Json<ShowBody>, ApiError> {
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

#[derive(Debug, Serialize)]
struct ListBody {
    parent: Option<DivisionCode>,
    count: usize,
    items: Vec<DivisionJson>,
}

async fn list(State(state): State<AppState>, ApiQuery(query): ApiQuery<ListQuery>) -> Result<Json<ListBody>, ApiError> {
    let parent = query.parent.as_deref().map(parse_code).transpose()?;
    let system = parse_system(query.code_system.as_deref())?;
    let items = state.app.child_divisions(system, parent.as_ref()).await?;
    Ok(Json(ListBody { parent, count: items.len(), items: json_list(items) }))
}
