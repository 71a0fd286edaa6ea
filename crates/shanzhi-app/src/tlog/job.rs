//! Signing a checkpoint every `interval`, by one server at a time (a lease
//! row, as the sweep does). A tree that has not grown since the last
//! checkpoint is not signed again.

use std::future::Future;
use std::time::Duration;

use crate::App;

/// The lease row the checkpointers share.
pub const CHECKPOINT_LEASE: &str = "checkpoint";

/// How a server takes part in checkpointing.
#[derive(Debug, Clone)]
pub struct CheckpointerConfig {
    pub holder: String,
    pub interval: Duration,
}

impl App {
    /// Take the lease and, if the tree grew since the latest checkpoint, sign one.
    pub async fn checkpoint_if_leader(&self, config: &CheckpointerConfig) -> crate::AppResult<Option<u64>> {
        let ttl = i64::try_from((config.interval * 2).as_micros()).unwrap_or(i64::MAX);
        if !self.store.take_lease(CHECKPOINT_LEASE, &config.holder, self.now_micros(), ttl).await? {
            return Ok(None);
        }
        let head = self.store.log_head().await?;
        let latest = self.store.checkpoints(1).await?;
        if latest.first().is_some_and(|c| c.size == head.size) {
            return Ok(None);
        }
        let (signed, _) = self.sign_checkpoint().await?;
        Ok(Some(signed.checkpoint.size))
    }
}

/// Sign checkpoints every `interval` while this server holds the lease;
/// ends when `shutdown` resolves, handing the lease back.
pub async fn run_checkpointer(app: App, config: CheckpointerConfig, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    loop {
        if let Err(e) = app.checkpoint_if_leader(&config).await {
            tracing::warn!(error = %e, "checkpoint failed; retrying next round");
        }
        tokio::select! {
            () = &mut shutdown => break,
            () = tokio::time::sleep(config.interval) => {}
        }
    }
    if let Err(e) = app.store.release_lease(CHECKPOINT_LEASE, &config.holder).await {
        tracing::warn!(error = %e, "could not release the checkpoint lease");
    }
}
