//! The notification outbox and each person's choices. Rows are written by
//! the matter writes themselves ([`crate::MatterStore::append_matter_event`],
//! [`crate::SweepUpdate::notices`]) in the event's transaction; this trait
//! is the worker's and the inbox's side.

use std::collections::BTreeMap;

use async_trait::async_trait;
use shanzhi_domain::notify::{NoticeGroup, NoticeKind, NotificationChannel, QuietHours};
use shanzhi_domain::{MatterId, Micros};

use crate::StoreResult;

/// Stands for a new matter's number in the texts and the link of the
/// notices written with it: the store numbers the matter in the same
/// transaction and puts the number in.
pub const NUMBER_SLOT: &str = "{number}";

/// A notification to write with its event. `(event_key, recipient,
/// channel)` is unique: writing the same again is a no-op, so one event never
/// tells one person twice on one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub id: String,
    /// What caused it, e.g. `matter:<id>:<seq>:dispatched`.
    pub event_key: String,
    /// The user id.
    pub recipient: String,
    pub channel: NotificationChannel,
    pub kind: NoticeKind,
    pub matter_id: Option<MatterId>,
    pub title_zh: String,
    pub title_en: String,
    pub body_zh: String,
    pub body_en: String,
    /// A path in the UI (`/matters/…`).
    pub link: Option<String>,
    pub urgent: bool,
    pub created_at: Micros,
    /// When the worker may first try (quiet hours push it on).
    pub due_at: Micros,
}

/// Stand for, in a [`GroupedNotice`]'s texts, how many of its matters were
/// new and the first of their numbers.
pub const COUNT_SLOT: &str = "{count}";
pub const NUMBERS_SLOT: &str = "{numbers}";
/// At most this many numbers are listed in a grouped notice.
pub const GROUPED_NUMBERS: usize = 5;

/// One notice for many matters of one batch (an import): written with the
/// batch if any of `matters` (indices into the batch) is new, its texts
/// naming how many and the first [`GROUPED_NUMBERS`] numbers; nothing if
/// every one was imported before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupedNotice {
    pub notice: NewNotification,
    pub matters: Vec<usize>,
}

impl GroupedNotice {
    /// The notice with the count and the first numbers of `new` (the
    /// numbers of its matters that were new, in batch order) put in; `None`
    /// if there are none.
    pub fn filled(&self, new: &[&str]) -> Option<NewNotification> {
        if new.is_empty() {
            return None;
        }
        let count = new.len().to_string();
        let mut zh = new.iter().take(GROUPED_NUMBERS).copied().collect::<Vec<_>>().join("、");
        let mut en = new.iter().take(GROUPED_NUMBERS).copied().collect::<Vec<_>>().join(", ");
        if new.len() > GROUPED_NUMBERS {
            zh.push_str(" 等");
            en.push_str(" …");
        }
        let fill = |s: &str, numbers: &str| s.replace(COUNT_SLOT, &count).replace(NUMBERS_SLOT, numbers);
        let n = &self.notice;
        Some(NewNotification {
            title_zh: fill(&n.title_zh, &zh),
            title_en: fill(&n.title_en, &en),
            body_zh: fill(&n.body_zh, &zh),
            body_en: fill(&n.body_en, &en),
            ..n.clone()
        })
    }
}

/// Where a notification stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryState {
    Pending,
    Leased,
    Sent,
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Leased => "leased",
            DeliveryState::Sent => "sent",
            DeliveryState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<DeliveryState> {
        [DeliveryState::Pending, DeliveryState::Leased, DeliveryState::Sent, DeliveryState::Failed]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

impl NewNotification {
    /// This notice with [`NUMBER_SLOT`] replaced by `number`.
    pub fn numbered(&self, number: &str) -> NewNotification {
        NewNotification {
            title_zh: self.title_zh.replace(NUMBER_SLOT, number),
            title_en: self.title_en.replace(NUMBER_SLOT, number),
            body_zh: self.body_zh.replace(NUMBER_SLOT, number),
            body_en: self.body_en.replace(NUMBER_SLOT, number),
            link: self.link.as_ref().map(|l| l.replace(NUMBER_SLOT, number)),
            ..self.clone()
        }
    }
}

/// A stored notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRecord {
    pub notice: NewNotification,
    pub state: DeliveryState,
    pub attempts: i64,
    pub next_attempt_at: Micros,
    pub lease_until: Option<Micros>,
    pub leased_by: Option<String>,
    pub sent_at: Option<Micros>,
    pub read_at: Option<Micros>,
    pub last_error: Option<String>,
}

/// What a delivery attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    Sent {
        at: Micros,
    },
    /// Try again from `at`.
    Retry {
        at: Micros,
        error: String,
    },
    /// Given up: visible to the administrator.
    Failed {
        error: String,
    },
}

/// A person's choices: external channels per group (the inbox is always
/// on), quiet hours, an e-mail address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredPreferences {
    pub channels: BTreeMap<NoticeGroup, Vec<NotificationChannel>>,
    pub quiet: Option<QuietHours>,
    pub email: Option<String>,
    pub updated_at: Micros,
}

#[async_trait]
pub trait NotificationStore {
    /// Take up to `limit` due notifications for `holder` until
    /// `lease_until`: pending ones due by `now` and leased ones whose lease
    /// ran out (their server died). Counts an attempt on each; one
    /// statement, so two workers never take the same row.
    async fn lease_notifications(
        &self,
        holder: &str,
        now: Micros,
        lease_until: Micros,
        limit: usize,
    ) -> StoreResult<Vec<NotificationRecord>>;
    /// Record an attempt's outcome, if `holder` still holds the lease;
    /// false otherwise (another worker took it over).
    async fn finish_notification(&self, id: &str, holder: &str, outcome: &DeliveryOutcome) -> StoreResult<bool>;
    async fn notification(&self, id: &str) -> StoreResult<Option<NotificationRecord>>;
    /// A person's inbox, newest first, before (created_at, id) if given.
    async fn inbox(
        &self,
        recipient: &str,
        before: Option<(Micros, String)>,
        limit: usize,
    ) -> StoreResult<Vec<NotificationRecord>>;
    async fn unread_count(&self, recipient: &str) -> StoreResult<u64>;
    /// Mark an inbox notice read; false if it is not `recipient`'s.
    async fn mark_read(&self, recipient: &str, id: &str, at: Micros) -> StoreResult<bool>;
    /// Notifications given up, newest first.
    async fn failed_notifications(&self, limit: usize) -> StoreResult<Vec<NotificationRecord>>;
    /// The notifications one event key caused.
    async fn notifications_of_event(&self, event_key: &str) -> StoreResult<Vec<NotificationRecord>>;
    async fn notification_preferences(&self, user_ids: &[String]) -> StoreResult<Vec<(String, StoredPreferences)>>;
    async fn put_notification_preferences(&self, user_id: &str, prefs: &StoredPreferences) -> StoreResult<()>;
    /// Write notices that no matter write causes (the daily digest), in a
    /// transaction of their own; one already written for the same (event,
    /// recipient, channel) is left as it is.
    async fn write_notifications(&self, notices: &[NewNotification]) -> StoreResult<()>;
    /// How far the push `name` has got (0 before its first).
    async fn push_cursor(&self, name: &str) -> StoreResult<i64>;
    /// Move the push `name` from `from` (as read) to `to`; false, and
    /// nothing changed, if it is no longer at `from` (another server moved it).
    async fn advance_push_cursor(&self, name: &str, from: i64, to: i64, at: Micros) -> StoreResult<bool>;
}
