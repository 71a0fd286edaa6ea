use shanzhi_domain::text::Bilingual;
use shanzhi_store::StoreError;

use crate::divisions::ImportRejection;

pub type AppResult<T> = Result<T, AppError>;

/// What a use case can answer besides success. Each variant knows its stable
/// machine code; interfaces choose the status and render the bilingual text.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    NotFound { code: &'static str, message: Bilingual },
    #[error("{message}")]
    Invalid { code: &'static str, message: Bilingual },
    #[error("{0}")]
    ImportRejected(ImportRejection),
    #[error("storage unavailable: {0}")]
    Unavailable(StoreError),
    #[error("storage failure: {0}")]
    Store(StoreError),
}

impl AppError {
    pub fn not_found(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        AppError::NotFound { code, message: Bilingual::new(zh, en) }
    }

    pub fn invalid(code: &'static str, message: Bilingual) -> Self {
        AppError::Invalid { code, message }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound { code, .. } | AppError::Invalid { code, .. } => code,
            AppError::ImportRejected(_) => "import_rejected",
            AppError::Unavailable(_) => "storage_unavailable",
            AppError::Store(_) => "internal_error",
        }
    }

    /// The text a user reads. Storage failures are not described to users:
    /// their details go to the log.
    pub fn message(&self) -> Bilingual {
        match self {
            AppError::NotFound { message, .. } | AppError::Invalid { message, .. } => message.clone(),
            AppError::ImportRejected(r) => r.summary(),
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
