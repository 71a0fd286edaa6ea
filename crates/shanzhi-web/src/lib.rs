//! Shanzhi's HTTP interface (axum): the JSON API under `/api/v1`, `/healthz`,
//! one error format (DESIGN.md §4), and the middleware every request passes:
//! request ids, tracing, body-size limit, timeout, panic catcher.
//!
//! Handlers stay thin: parse the request, call one use case, render.

mod error;
mod extract;
mod middleware;
mod routes;

use std::time::Duration;

use axum::Router;
use shanzhi_app::App;

pub use error::ApiError;

/// Limits applied to every request.
#[derive(Debug, Clone, Copy)]
pub struct HttpLimits {
    /// Largest request body accepted, in bytes.
    pub body_bytes: usize,
    /// Longest a request may take before the server answers 503.
    pub timeout: Duration,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits { body_bytes: 2 * 1024 * 1024, timeout: Duration::from_secs(30) }
    }
}

/// State shared by all handlers.
#[derive(Debug, Clone)]
pub struct AppState {
    pub app: App,
}

/// The whole HTTP service.
pub fn router(app: App, limits: HttpLimits) -> Router {
    let api =
        Router::new().merge(routes::divisions::routes()).merge(routes::grids::routes()).merge(routes::locate::routes());
    let routes = Router::new()
        .merge(routes::health::routes())
        .nest("/api/v1", api)
        .fallback(routes::not_found)
        .with_state(AppState { app });
    middleware::wrap(routes, limits)
}
