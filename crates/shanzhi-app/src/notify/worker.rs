//! The delivery worker: leases due notifications (a row at a time per
//! server, so any number of servers share the outbox), hands each to its
//! channel, and marks it sent or schedules a retry with exponential backoff;
//! after the last attempt it is failed, and the administrator sees it. A
//! server killed mid-round leaves leases that run out: another server (or
//! this one, restarted) takes those rows again, with the same idempotency
//! key, so a receiver that de-duplicates sees each notification once.

use std::future::Future;
use std::time::Duration;

use serde::Serialize;
use shanzhi_domain::notify::{MAX_ATTEMPTS, NotificationChannel, backoff_seconds};
use shanzhi_store::{DeliveryOutcome, NotificationRecord};

use super::Delivery;
use crate::{App, AppResult};

/// How a server takes part in delivering.
#[derive(Debug, Clone)]
pub struct NotifierConfig {
    /// This server's name on the rows it leases.
    pub holder: String,
    /// Pause between rounds when nothing was due.
    pub interval: Duration,
    /// A row leased this long and not finished goes back (its server died).
    pub lease_ttl: Duration,
    /// Rows per round.
    pub batch: usize,
    /// Attempts before a row is failed.
    pub max_attempts: i64,
}

impl NotifierConfig {
    pub fn new(holder: impl Into<String>) -> NotifierConfig {
        NotifierConfig {
            holder: holder.into(),
            interval: Duration::from_secs(2),
            lease_ttl: Duration::from_secs(60),
            batch: 50,
            max_attempts: MAX_ATTEMPTS,
        }
    }
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryReport {
    pub leased: usize,
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
}

impl App {
    /// One round: lease what is due, deliver, record the outcomes.
    pub async fn deliver_due(&self, config: &NotifierConfig) -> AppResult<DeliveryReport> {
        let now = self.now_micros();
        let ttl = i64::try_from(config.lease_ttl.as_secs()).unwrap_or(i64::MAX).max(1);
        let leased = self.store.lease_notifications(&config.holder, now, now.plus_seconds(ttl), config.batch).await?;
        let mut report = DeliveryReport { leased: leased.len(), ..DeliveryReport::default() };
        for r in &leased {
            let outcome = self.attempt(r, config).await;
            match &outcome {
                DeliveryOutcome::Sent { .. } => report.sent += 1,
                DeliveryOutcome::Retry { error, .. } => {
                    report.retried += 1;
                    tracing::warn!(id = %r.notice.id, channel = %r.notice.channel, attempts = r.attempts, error = %error, "notification retry");
                }
                DeliveryOutcome::Failed { error } => {
                    report.failed += 1;
                    tracing::error!(id = %r.notice.id, channel = %r.notice.channel, attempts = r.attempts, error = %error, "notification failed");
                }
            }
            if !self.store.finish_notification(&r.notice.id, &config.holder, &outcome).await? {
                tracing::warn!(id = %r.notice.id, "notification lease lost before its outcome was recorded");
            }
        }
        Ok(report)
    }

    async fn attempt(&self, r: &NotificationRecord, config: &NotifierConfig) -> DeliveryOutcome {
        let result = match self.notifier.channel(r.notice.channel) {
            _ if r.attempts > config.max_attempts => Err("尝试次数已用完 (attempts used up)".to_owned()),
            None => Err(format!("本服务器未配置渠道 {} (channel not configured here)", r.notice.channel)),
            Some(channel) => match self.address_of(r).await {
                Ok((address, name)) => {
                    let d = Delivery { idempotency_key: &r.notice.id, record: r, address, recipient_name: name };
                    channel.deliver(&d).await
                }
                Err(e) => Err(e.to_string()),
            },
        };
        match result {
            Ok(()) => DeliveryOutcome::Sent { at: self.now_micros() },
            Err(error) if r.attempts >= config.max_attempts => DeliveryOutcome::Failed { error },
            Err(error) => {
                DeliveryOutcome::Retry { at: self.now_micros().plus_seconds(backoff_seconds(r.attempts)), error }
            }
        }
    }

    /// The recipient's address on the row's channel, and their name.
    async fn address_of(&self, r: &NotificationRecord) -> AppResult<(Option<String>, Option<String>)> {
        // A reporter without an account: the number as the matter holds it now.
        if let Some(id) = super::phone::reporter_phone_of(&r.notice.recipient) {
            let reporter = self.store.matter(&id).await?.map(|m| m.reporter);
            let phone = reporter.as_ref().and_then(|p| p.phone.as_ref()).map(|p| p.reveal().to_owned());
            let address = if r.notice.channel == NotificationChannel::Sms { phone } else { None };
            return Ok((address, reporter.and_then(|p| p.name)));
        }
        let user = self.store.user_by_id(&r.notice.recipient).await?;
        let name = user.as_ref().map(|u| u.display_name.clone());
        let address = match r.notice.channel {
            NotificationChannel::Sms => user.and_then(|u| u.phone).map(|p| p.reveal().to_owned()),
            NotificationChannel::Email => {
                let prefs = self.store.notification_preferences(std::slice::from_ref(&r.notice.recipient)).await?;
                prefs.into_iter().next().and_then(|(_, p)| p.email)
            }
            _ => None,
        };
        Ok((address, name))
    }
}

/// Deliver until `shutdown` resolves: a round, then at once again while
/// rounds come back full, else a pause of `interval`.
pub async fn run_notifier(app: App, config: NotifierConfig, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    loop {
        let pause = match app.deliver_due(&config).await {
            Ok(r) if r.leased >= config.batch => Duration::ZERO,
            Ok(_) => config.interval,
            Err(e) => {
                tracing::warn!(error = %e, "notification round failed; retrying");
                config.interval
            }
        };
        tokio::select! {
            () = &mut shutdown => break,
            () = tokio::time::sleep(pause) => {}
        }
    }
}
