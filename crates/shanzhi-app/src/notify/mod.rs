//! Notifications (通知): matter events tell the reporter and the holders
//! through an outbox written in the event's own transaction
//! ([`recipients`]), delivered by a leased worker with retries
//! ([`worker`]) through channels behind one trait ([`NoticeChannel`]). The
//! in-app inbox is delivered by the row itself ([`inbox`]).

mod channels;
mod digest;
mod email;
mod import;
mod inbox;
mod phone;
pub(crate) mod recipients;
mod worker;

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use shanzhi_domain::notify::NotificationChannel;
use shanzhi_store::NotificationRecord;

pub use channels::{LogChannel, SmsChannel, SmsGateway, WebhookChannel, WebhookConfig, sign_webhook};
pub use digest::DIGEST_DONE;
pub use email::{EmailChannel, SmtpConfig};
pub use inbox::{FailedNotification, InboxNotice, InboxPage, NotificationPreferences};
pub use phone::REPORTER_PHONE;
pub use worker::{DeliveryReport, NotifierConfig, run_notifier};

/// One delivery attempt as a channel sees it.
#[derive(Debug, Clone)]
pub struct Delivery<'a> {
    /// Pass this on: receivers de-duplicate by it (delivery is at least once).
    pub idempotency_key: &'a str,
    pub record: &'a NotificationRecord,
    /// The recipient's address on this channel (a phone number, an e-mail
    /// address), if the channel needs one and the person has one.
    pub address: Option<String>,
    /// The recipient's name, for the greeting.
    pub recipient_name: Option<String>,
}

/// A way out of the platform. `Err` is a failure worth retrying; the text
/// is kept on the row for the administrator.
#[async_trait]
pub trait NoticeChannel: Send + Sync + std::fmt::Debug {
    async fn deliver(&self, delivery: &Delivery<'_>) -> Result<(), String>;
}

/// The channels this server delivers through (the inbox needs none).
#[derive(Debug, Clone, Default)]
pub struct Notifier {
    channels: BTreeMap<NotificationChannel, Arc<dyn NoticeChannel>>,
    /// Text messages reach phones (an SMS channel was set with
    /// [`Notifier::with`], not the development log).
    texts_phones: bool,
}

impl Notifier {
    /// Development's default: every external channel writes to the log.
    pub fn development() -> Notifier {
        let log: Arc<dyn NoticeChannel> = Arc::new(LogChannel);
        let mut n = Notifier::default();
        for c in [
            NotificationChannel::Log,
            NotificationChannel::Webhook,
            NotificationChannel::Email,
            NotificationChannel::Sms,
        ] {
            n.channels.insert(c, log.clone());
        }
        n
    }

    /// Deliver `channel` through `via` (replacing what was there).
    #[must_use]
    pub fn with(mut self, channel: NotificationChannel, via: Arc<dyn NoticeChannel>) -> Notifier {
        self.texts_phones |= channel == NotificationChannel::Sms;
        self.channels.insert(channel, via);
        self
    }

    pub fn can_deliver(&self, channel: NotificationChannel) -> bool {
        channel == NotificationChannel::Inbox || self.channels.contains_key(&channel)
    }

    /// Whether text messages reach phones here (a gateway is configured):
    /// only then are reporters without an account told by SMS.
    pub fn texts_phones(&self) -> bool {
        self.texts_phones
    }

    fn channel(&self, channel: NotificationChannel) -> Option<&Arc<dyn NoticeChannel>> {
        self.channels.get(&channel)
    }

    /// The external channels a person may choose here.
    pub fn external(&self) -> Vec<NotificationChannel> {
        self.channels.keys().copied().filter(|c| c.is_external()).collect()
    }
}
