//! The JSON error of DESIGN.md §4:
//! `{"error": {"code", "message" (中文), "message_en", "details"}}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use shanzhi_app::AppError;
use shanzhi_domain::text::Bilingual;

/// What a handler answers: a value or the JSON error.
pub type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: Bilingual,
    pub details: Option<serde_json::Value>,
    /// Seconds, for `Retry-After` (429).
    pub retry_after: Option<u64>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
    message_en: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<&'a serde_json::Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: Bilingual) -> Self {
        ApiError { status, code, message, details: None, retry_after: None }
    }

    pub fn bad_request(code: &'static str, message: Bilingual) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn with_details(mut self, details: impl Serialize) -> Self {
        self.details = serde_json::to_value(details).ok();
        self
    }

    /// The standard error for a status produced outside the handlers
    /// (router, body limit, timeout, panic).
    pub fn for_status(status: StatusCode) -> Self {
        let (code, zh, en) = match status {
            StatusCode::NOT_FOUND => ("not_found", "请求的地址不存在", "no such resource"),
            StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "该地址不支持此请求方法", "method not allowed"),
            StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "请求体过大", "request body too large"),
            StatusCode::REQUEST_TIMEOUT | StatusCode::SERVICE_UNAVAILABLE => {
                ("timeout", "请求处理超时，请稍后重试", "the request timed out, try again later")
            }
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                "unsupported_media_type",
                "不支持的内容类型，请使用 application/json",
                "unsupported content type; send application/json",
            ),
            StatusCode::UNAUTHORIZED => ("unauthorized", "请先登录", "sign in first"),
            StatusCode::INTERNAL_SERVER_ERROR => ("internal_error", "服务器内部错误", "internal server error"),
            s if s.is_client_error() => ("bad_request", "请求无效", "bad request"),
            _ => ("internal_error", "服务器内部错误", "internal server error"),
        };
        Self::new(status, code, Bilingual::new(zh, en))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: Inner {
                code: self.code,
                message: &self.message.zh,
                message_en: &self.message.en,
                details: self.details.as_ref(),
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        // RFC 9110 §11.6.1: a 401 names the scheme that would do.
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"shanzhi\""),
            );
        }
        if let Some(secs) = self.retry_after
            && let Ok(value) = axum::http::HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, value);
        }
        response
    }
}

/// The HTTP status of an application error: one mapping for the API and the
/// pages alike.
pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::NotFound { .. } => StatusCode::NOT_FOUND,
        AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::TooManyAttempts { .. } | AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
        AppError::WrongState { .. } | AppError::Conflict { .. } => StatusCode::CONFLICT,
        AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
        AppError::Invalid { .. } | AppError::ImportRejected(_) | AppError::GridImportRejected(_) => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let status = status_of(&e);
        if status.is_server_error() {
            tracing::error!(error = %e, "request failed");
        }
        let mut error = ApiError::new(status, e.code(), e.message());
        error.retry_after = e.retry_after();
        if let AppError::WrongState { allowed, .. } = &e {
            return error.with_details(serde_json::json!({ "allowed_commands": allowed }));
        }
        match e {
            AppError::ImportRejected(r) => error.with_details(r),
            AppError::GridImportRejected(r) => error.with_details(r),
            AppError::Conflict { details: Some(d), .. } => error.with_details(d),
            _ => error,
        }
    }
}
