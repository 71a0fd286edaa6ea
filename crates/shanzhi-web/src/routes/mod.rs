/// The router of a resource's handlers: `api_router![a, b; c]` routes `a` and
/// `b` (two methods of one path) and `c`, each with its OpenAPI operation.
macro_rules! api_router {
    ($($($handler:ident),+);+ $(;)?) => {
        utoipa_axum::router::OpenApiRouter::new()$(.routes(utoipa_axum::routes!($($handler),+)))+
    };
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
pub mod self_handle;
pub mod signup;
pub mod volunteers;

use axum::http::StatusCode;
use shanzhi_domain::text::Bilingual;

use crate::ApiError;

/// Unknown paths.
pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", Bilingual::new("请求的地址不存在", "no such resource"))
}
