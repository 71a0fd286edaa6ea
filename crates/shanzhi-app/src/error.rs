use shanzhi_domain::text::Bilingual;
use shanzhi_store::StoreError;

use crate::divisions::ImportRejection;
use crate::grids::GridImportRejection;

pub type AppResult<T> = Result<T, AppError>;

/// What a use case can answer besides success. Each variant knows its stable
/// machine code; interfaces choose the status and render the bilingual text.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    NotFound { code: &'static str, message: Bilingual },
    /// The request itself is malformed (an interface answers 400).
    #[error("{message}")]
    BadRequest { code: &'static str, message: Bilingual },
    /// Well-formed but refused by the rules (422).
    #[error("{message}")]
    Invalid { code: &'static str, message: Bilingual },
    /// No valid sign-in (401).
    #[error("{0}")]
    Unauthorized(Bilingual),
    /// Signed in, but not allowed (403).
    #[error("{0}")]
    Forbidden(Bilingual),
    /// The command does not fit the matter's state (409): what would fit.
    #[error("{message}")]
    WrongState { message: Bilingual, allowed: Vec<shanzhi_domain::CommandKind> },
    /// The request conflicts with what the server holds (409), e.g. a
    /// witness that saw another tree size; `details` say what it holds.
    #[error("{message}")]
    Conflict { code: &'static str, message: Bilingual, details: Option<serde_json::Value> },
    /// Too many failed sign-ins: try again later (429).
    #[error("too many attempts, retry after {retry_after_secs} s")]
    TooManyAttempts { retry_after_secs: u64 },
    /// Too many requests from one client (anonymous reports, uploads): 429.
    #[error("rate limited, retry after {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// The server is at its bound for expensive work (password checks): 503.
    #[error("busy, retry after {retry_after_secs} s")]
    Busy { retry_after_secs: u64 },
    #[error("{0}")]
    ImportRejected(ImportRejection),
    #[error("{0}")]
    GridImportRejected(GridImportRejection),
    #[error("storage unavailable: {0}")]
    Unavailable(StoreError),
    #[error("storage failure: {0}")]
    Store(StoreError),
}

impl AppError {
    pub fn bad_request(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        AppError::BadRequest { code, message: Bilingual::new(zh, en) }
    }

    pub fn not_found(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        AppError::NotFound { code, message: Bilingual::new(zh, en) }
    }

    /// A failure of ours, not the caller's (logged, shown as "internal error").
    pub fn internal(what: impl Into<String>) -> Self {
        AppError::Store(StoreError::Database(what.into()))
    }

    pub fn invalid(code: &'static str, message: Bilingual) -> Self {
        AppError::Invalid { code, message }
    }

    /// Seconds a client should wait before trying again, for `Retry-After`.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::TooManyAttempts { retry_after_secs }
            | AppError::RateLimited { retry_after_secs }
            | AppError::Busy { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound { code, .. }
            | AppError::BadRequest { code, .. }
            | AppError::Invalid { code, .. }
            | AppError::Conflict { code, .. } => code,
            AppError::Unauthorized(_) => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::WrongState { .. } => "wrong_state",
            AppError::TooManyAttempts { .. } => "too_many_attempts",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Busy { .. } => "busy",
            AppError::ImportRejected(_) | AppError::GridImportRejected(_) => "import_rejected",
            AppError::Unavailable(_) => "storage_unavailable",
            AppError::Store(_) => "internal_error",
        }
    }

    /// The text a user reads. Storage failures are not described to users:
    /// their details go to the log.
    pub fn message(&self) -> Bilingual {
        match self {
            AppError::NotFound { message, .. }
            | AppError::BadRequest { message, .. }
            | AppError::Invalid { message, .. } => message.clone(),
            AppError::Unauthorized(m) | AppError::Forbidden(m) => m.clone(),
            AppError::WrongState { message, .. } | AppError::Conflict { message, .. } => message.clone(),
            AppError::TooManyAttempts { retry_after_secs } => Bilingual::new(
                format!("登录失败次数过多，账号已暂时锁定，请 {} 分钟后再试", retry_after_secs.div_ceil(60)),
                format!(
                    "too many failed sign-ins; the account is locked, try again in {} min",
                    retry_after_secs.div_ceil(60)
                ),
            ),
            AppError::RateLimited { retry_after_secs } => Bilingual::new(
                format!("请求过于频繁，请 {retry_after_secs} 秒后再试"),
                format!("too many requests; try again in {retry_after_secs} s"),
            ),
            AppError::Busy { retry_after_secs } => Bilingual::new(
                format!("服务器繁忙，请 {retry_after_secs} 秒后再试"),
                format!("the server is busy; try again in {retry_after_secs} s"),
            ),
            AppError::ImportRejected(r) => r.summary(),
            AppError::GridImportRejected(r) => r.summary(),
            AppError::Unavailable(_) => {
                Bilingual::new("数据库暂时不可用，请稍后重试", "the database is unavailable, try again later")
            }
            AppError::Store(_) => Bilingual::new("服务器内部错误", "internal server error"),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(_) => AppError::Unavailable(e),
            _ => AppError::Store(e),
        }
    }
}
