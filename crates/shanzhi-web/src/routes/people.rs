//! People, their assignments and the roster: `/api/v1/users…`, `/api/v1/roster`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use jiff::civil::Date;
use serde::Deserialize;
use shanzhi_app::access::{AssignmentView, NewStaff, RosterEntry, UserView};
use shanzhi_domain::{DivisionCode, Role};

use crate::extract::{ApiJson, ApiQuery, Caller};
use crate::{ApiError, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", post(create))
        .route("/users/{username}", get(show))
        .route("/users/{username}/assignments", post(assign))
        .route("/users/{username}/assignments/{id}/end", post(end))
        .route("/roster", get(roster))
}

fn parse_role(text: &str) -> Result<Role, ApiError> {
    text.parse().map_err(|m| ApiError::bad_request("invalid_role", m))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    username: String,
    display_name: String,
    phone: Option<String>,
    password: Option<String>,
    role: String,
    scope: Option<String>,
    valid_from: Option<Date>,
    valid_to: Option<Date>,
}

async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(b): ApiJson<CreateBody>,
) -> Result<(StatusCode, Json<UserView>), ApiError> {
    let new = NewStaff {
        role: parse_role(&b.role)?,
        username: b.username,
        display_name: b.display_name,
        phone: b.phone,
        password: b.password,
        scope: b.scope,
        from: b.valid_from,
        to: b.valid_to,
    };
    Ok((StatusCode::CREATED, Json(state.app.scoped(actor).create_user(new).await?)))
}

async fn show(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(username): Path<String>,
) -> Result<Json<UserView>, ApiError> {
    Ok(Json(state.app.scoped(actor).user(&username).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AssignBody {
    role: String,
    scope: Option<String>,
    valid_from: Option<Date>,
    valid_to: Option<Date>,
}

async fn assign(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(username): Path<String>,
    ApiJson(b): ApiJson<AssignBody>,
) -> Result<(StatusCode, Json<AssignmentView>), ApiError> {
    let role = parse_role(&b.role)?;
    let view =
        state.app.scoped(actor).add_assignment(&username, role, b.scope.as_deref(), b.valid_from, b.valid_to).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct EndBody {
    on: Option<Date>,
}

async fn end(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((username, id)): Path<(String, String)>,
    ApiJson(b): ApiJson<EndBody>,
) -> Result<Json<AssignmentView>, ApiError> {
    Ok(Json(state.app.scoped(actor).end_assignment(&username, &id, b.on).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RosterQuery {
    division: String,
}

async fn roster(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<RosterQuery>,
) -> Result<Json<Vec<RosterEntry>>, ApiError> {
    let division = DivisionCode::parse(&q.division)
        .map_err(|e| ApiError::bad_request("invalid_division_code", e.message(&q.division)))?;
    Ok(Json(state.app.scoped(actor).roster(&division).await?))
}
