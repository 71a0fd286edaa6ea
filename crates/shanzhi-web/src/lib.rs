//! Shanzhi's HTTP interface (axum): the JSON API under `/api/v1`, `/healthz`,
//! one error format (DESIGN.md §4), and the middleware every request passes:
//! request ids, tracing, body-size limit, timeout, panic catcher.
//!
//! Handlers stay thin: parse the request, call one use case, render.

mod client;
mod error;
mod extract;
#[cfg(feature = "fuzzing")]
pub mod fuzz;
mod middleware;
mod openapi;
mod params;
mod routes;
mod schema;
mod throttle;
mod ui;

use std::time::Duration;

use axum::Router;
use shanzhi_app::App;

pub use client::ClientInfo;
pub use error::{ApiError, ApiResult};
pub use ipnet::IpNet;

/// Limits and settings applied to every request.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Largest request body accepted, in bytes.
    pub body_bytes: usize,
    /// Longest a request may take before the server answers 503.
    pub timeout: Duration,
    /// Mark the session cookie `Secure` (behind TLS). It is also set when a
    /// proxy says `X-Forwarded-Proto: https`.
    pub secure_cookies: bool,
    /// The UI maps' base-map tile URL (`…/{z}/{x}/{y}…`); none by default.
    pub map_tiles_url: Option<String>,
    /// A PMTiles file served at `/map/tiles.pmtiles` (byte ranges) and drawn
    /// in the browser by the vendored protomaps-leaflet; none by default.
    pub map_tiles_file: Option<std::path::PathBuf>,
    /// This service's address as clients reach it (`https://shanzhi.example.gov.cn`):
    /// Open311 discovery and media links are built from it, never from the
    /// request's `Host`, which a client may forge.
    pub public_url: String,
    /// Proxies whose `X-Forwarded-For` / `X-Forwarded-Proto` are believed.
    pub trusted_proxies: Vec<IpNet>,
    /// Reports without an account, per client address and hour.
    pub anonymous_reports_per_hour: u32,
    /// Photo uploads per client address and hour.
    pub uploads_per_hour: u32,
    /// Sign-in codes (text messages) asked for per client address and hour.
    pub sms_codes_per_hour: u32,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            body_bytes: 6 * 1024 * 1024,
            timeout: Duration::from_secs(30),
            secure_cookies: false,
            map_tiles_url: None,
            map_tiles_file: None,
            public_url: "http://127.0.0.1:8080".to_owned(),
            trusted_proxies: Vec::new(),
            anonymous_reports_per_hour: 30,
            uploads_per_hour: 300,
            sms_codes_per_hour: 20,
        }
    }
}

/// State shared by all handlers.
#[derive(Debug, Clone)]
pub struct AppState {
    pub app: App,
    pub secure_cookies: bool,
    pub map_tiles_url: Option<std::sync::Arc<str>>,
    pub map_tiles_file: Option<std::sync::Arc<std::path::Path>>,
    /// [`HttpOptions::public_url`], without a trailing slash.
    pub public_url: std::sync::Arc<str>,
    pub trusted_proxies: std::sync::Arc<[IpNet]>,
    pub throttles: std::sync::Arc<throttle::Throttles>,
}

/// The native API's routes and the OpenAPI document they declare.
fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    use utoipa::OpenApi;
    let api = utoipa_axum::router::OpenApiRouter::new()
        .merge(routes::accounts::routes())
        .merge(routes::attachments::routes())
        .merge(routes::auth::routes())
        .merge(routes::signup::routes())
        .merge(routes::calendar::routes())
        .merge(routes::callbacks::routes())
        .merge(routes::audit::routes())
        .merge(routes::departments::routes())
        .merge(routes::dictionary::routes())
        .merge(routes::divisions::routes())
        .merge(routes::figures::routes())
        .merge(routes::rankings::routes())
        .merge(routes::grids::routes())
        .merge(routes::hotspots::routes())
        .merge(routes::locate::routes())
        .merge(routes::log::routes())
        .merge(routes::matters::routes())
        .merge(routes::self_handle::routes())
        .merge(routes::patrols::routes())
        .merge(routes::places::routes())
        .merge(routes::people::routes())
        .merge(routes::proposals::routes())
        .merge(routes::cases::routes())
        .merge(routes::volunteers::routes())
        .merge(routes::register::routes())
        .merge(routes::register_map::routes())
        .merge(routes::visits::routes())
        .merge(routes::tasks::routes())
        .merge(routes::meetings::routes())
        .merge(routes::notifications::routes())
        .merge(routes::communities::routes());
    utoipa_axum::router::OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(routes::health::routes())
        .nest("/api/v1", api)
        .split_for_parts()
}

/// The whole HTTP service.
pub fn router(app: App, limits: HttpOptions) -> Router {
    let (api, document) = api();
    let docs = Router::new()
        .route("/api/openapi.json", axum::routing::get(openapi::document))
        .with_state(openapi::ApiDocument(document.to_json().unwrap_or_default().into()));
    let routes = api
        .route("/api/docs", axum::routing::get(openapi::docs_page))
        .merge(routes::open311::routes())
        .merge(ui::routes())
        .fallback(routes::not_found)
        .with_state(AppState {
            app,
            secure_cookies: limits.secure_cookies,
            map_tiles_url: limits.map_tiles_url.as_deref().map(std::sync::Arc::from),
            map_tiles_file: limits.map_tiles_file.as_deref().map(std::sync::Arc::from),
            public_url: std::sync::Arc::from(limits.public_url.trim_end_matches('/')),
            trusted_proxies: std::sync::Arc::from(limits.trusted_proxies.clone()),
            throttles: std::sync::Arc::new(throttle::Throttles {
                anonymous_reports: throttle::Limiter::per_hour(limits.anonymous_reports_per_hour),
                uploads: throttle::Limiter::per_hour(limits.uploads_per_hour),
                sms_codes: throttle::Limiter::per_hour(limits.sms_codes_per_hour),
            }),
        })
        .merge(docs);
    middleware::wrap(routes, limits)
}
