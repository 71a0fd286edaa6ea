//! `GET /api/v1/locate?lng=&lat=&crs=wgs84|gcj02|bd09`: where a point falls.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use shanzhi_app::grids::LocateAnswer;
use shanzhi_domain::text::Bilingual;
use shanzhi_geo::Crs;

use crate::extract::ApiQuery;
use crate::{ApiError, AppState};

pub fn routes() -> Router<AppState> {
    Router::new().route("/locate", get(locate))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LocateQuery {
    lng: f64,
    lat: f64,
    crs: Option<String>,
}

async fn locate(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<LocateQuery>,
) -> Result<Json<LocateAnswer>, ApiError> {
    let crs = match q.crs.as_deref() {
        None => Crs::Wgs84,
        Some(text) => text.parse().map_err(|m: Bilingual| ApiError::bad_request("invalid_crs", m))?,
    };
    Ok(Json(state.app.locate(q.lng, q.lat, crs)?))
}
