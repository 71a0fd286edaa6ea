//! Extractors whose rejections speak the JSON error format.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use shanzhi_domain::text::Bilingual;

use crate::ApiError;

/// `Query<T>` answering a bad query string with a 400 JSON error.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(ApiQuery(v)),
            Err(e) => Err(ApiError::bad_request(
                "invalid_query",
                Bilingual::new("查询参数无效，请检查参数名和取值", format!("invalid query: {}", e.body_text())),
            )),
        }
    }
}
