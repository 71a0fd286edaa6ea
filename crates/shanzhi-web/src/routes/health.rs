//! `GET /healthz`: the store answered just now; backend and schema version.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use shanzhi_app::health::Health;

use crate::{ApiError, AppState};

pub fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    Ok(Json(state.app.health().await?))
}
