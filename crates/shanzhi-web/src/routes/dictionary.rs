//! `/api/v1/categories` and `/api/v1/duties`: read by anyone signed in,
//! edited by a city-wide admin (each edit a new version).

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use shanzhi_domain::{Category, DutyItem};

use crate::extract::{ApiJson, ApiQuery, Caller};
use crate::{ApiError, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/categories", get(list))
        .route("/categories/{code}", get(show).put(put))
        .route("/duties", get(duties).put(put_duty))
}

#[derive(Debug, Serialize)]
struct Versioned {
    version: i64,
    #[serde(flatten)]
    category: Category,
}

async fn list(State(state): State<AppState>, Caller(actor): Caller) -> Result<Json<Vec<Versioned>>, ApiError> {
    let all = state.app.scoped(actor).categories().await?;
    Ok(Json(all.into_iter().map(|(category, version)| Versioned { version, category }).collect()))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VersionQuery {
    version: Option<i64>,
}

async fn show(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> Result<Json<Versioned>, ApiError> {
    let (category, version) = state.app.scoped(actor).category(&code, q.version).await?;
    Ok(Json(Versioned { version, category }))
}

async fn put(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(code): Path<String>,
    ApiJson(category): ApiJson<Category>,
) -> Result<Json<Versioned>, ApiError> {
    if category.code.as_str() != code {
        return Err(ApiError::bad_request(
            "code_mismatch",
            shanzhi_domain::text::Bilingual::new(
                "路径与正文中的分类代码不一致",
                "the code in the path and the body differ",
            ),
        ));
    }
    let version = state.app.scoped(actor).put_category(category.clone()).await?;
    Ok(Json(Versioned { version, category }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DutyQuery {
    category: Option<String>,
}

async fn duties(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<DutyQuery>,
) -> Result<Json<Vec<DutyItem>>, ApiError> {
    Ok(Json(state.app.scoped(actor).duties(q.category.as_deref()).await?))
}

async fn put_duty(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(duty): ApiJson<DutyItem>,
) -> Result<Json<DutyItem>, ApiError> {
    state.app.scoped(actor).put_duty(duty.clone()).await?;
    Ok(Json(duty))
}
