/// The router of a resource's handlers: `api_router![a, b; c]` routes `a` and
/// `b` (two methods of one path) and `c`, each with its OpenAPI operation.
/// Handlers grouped together must share one path: `utoipa_axum` would route
/// every method of a mixed group on each of its paths (a `POST` on the wrong
/// path answered 500), so building the router refuses such a group.
macro_rules! api_router {
    ($($($handler:ident),+);+ $(;)?) => {
        utoipa_axum::router::OpenApiRouter::new()$(.routes($crate::routes::one_path(
            utoipa_axum::routes!($($handler),+),
            stringify!($($handler),+),
        )))+
    };
}

/// A group of [`api_router!`] whose handlers do not all share one path is a
/// programming error: debug builds (every test) stop on it at router build.
pub(crate) fn one_path<S>(
    group: utoipa_axum::router::UtoipaMethodRouter<S>,
    handlers: &str,
) -> utoipa_axum::router::UtoipaMethodRouter<S> {
    debug_assert!(
        group.1.paths.len() == 1,
        "api_router!: the handlers `{handlers}` are grouped but do not share one path: {:?}",
        group.1.paths.keys().collect::<Vec<_>>()
    );
    group
}

pub mod accounts;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod callbacks;
pub mod cases;
pub mod communities;
pub mod departments;
pub mod dictionary;
pub mod divisions;
pub mod figures;
pub mod grids;
pub mod health;
pub mod hotspots;
pub mod locate;
pub mod log;
pub mod matters;
pub mod meetings;
pub mod notifications;
pub mod open311;
pub mod patrols;
pub mod people;
pub mod places;
pub mod proposals;
pub mod rankings;
pub mod register;
pub mod register_map;
pub mod self_handle;
pub mod signup;
pub mod tasks;
pub mod visits;
pub mod volunteers;

use axum::http::StatusCode;
use shanzhi_domain::text::Bilingual;

use crate::ApiError;

/// Unknown paths.
pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", Bilingual::new("请求的地址不存在", "no such resource"))
}
