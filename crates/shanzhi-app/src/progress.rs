//! Progress of long use cases (imports), for a bar in the terminal.

/// Told what a long task is doing; implementations must be cheap.
pub trait Progress: Send + Sync {
    /// A new stage with `total` steps (0 when unknown).
    fn stage(&self, label: &str, total: u64);
    fn advance(&self, steps: u64);
    fn finish(&self);
}

/// Reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn stage(&self, _label: &str, _total: u64) {}
    fn advance(&self, _steps: u64) {}
    fn finish(&self) {}
}
