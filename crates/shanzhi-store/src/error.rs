use std::fmt;

pub type StoreResult<T> = Result<T, StoreError>;

/// A storage failure, stripped of driver types so the ports stay backend-free.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or the pool is closed.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A constraint refused the write (unknown parent, duplicate key …).
    #[error("write refused by a constraint: {0}")]
    Constraint(String),
    /// A stored row does not parse into a domain value.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// Migrations failed or the schema is newer than this build.
    #[error("schema migration failed: {0}")]
    Migration(String),
    /// Anything else the driver reported.
    #[error("database error: {0}")]
    Database(String),
}

/// For conversions that cannot fail, so that one generic read serves rows
/// that always decode and rows that may be corrupt.
impl From<std::convert::Infallible> for StoreError {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

impl StoreError {
    pub fn corrupt(what: impl fmt::Display) -> Self {
        StoreError::Corrupt(what.to_string())
    }
}
