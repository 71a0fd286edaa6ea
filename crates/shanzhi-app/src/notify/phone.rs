//! Reporters without an account who left a phone number (an anonymous
//! report, a 12345 caller) hear by text message — the receipt with the
//! number, and the closure — when a gateway is configured. The outbox keeps
//! no number: the recipient is [`REPORTER_PHONE`] and the matter's id, and
//! the worker reads the number from the matter when it delivers (a number
//! erased from the matter is never texted).

use shanzhi_domain::notify::{NoticeKind, NotificationChannel};
use shanzhi_domain::{Channel, Matter, MatterId, MatterState};
use shanzhi_store::{NUMBER_SLOT, NewNotification};

use crate::App;

/// The recipient of a text to a matter's reporter: this, then the matter's id.
pub const REPORTER_PHONE: &str = "reporter-phone:";

/// The matter whose reporter's phone `recipient` stands for, if it does.
pub(crate) fn reporter_phone_of(recipient: &str) -> Option<MatterId> {
    recipient.strip_prefix(REPORTER_PHONE).and_then(|id| MatterId::parse(id).ok())
}

impl App {
    /// The text of `kind` (received or closed) to the phone of `m`'s
    /// reporter, caused by entry `seq`: only for a reporter with a phone and
    /// no account (an account hears in its inbox), and only where texts
    /// reach phones.
    pub(crate) fn phone_notice(&self, m: &Matter, seq: i64, kind: NoticeKind) -> Option<NewNotification> {
        if !self.notifier.texts_phones() || m.reporter.user_id.is_some() || m.reporter.phone.is_none() {
            return None;
        }
        // A matter not yet numbered: the store puts its number in.
        let n = if m.number.is_empty() { NUMBER_SLOT } else { m.number.as_str() };
        let (zh, en) = match kind {
            NoticeKind::Received => {
                (format!("您反映的问题已收到，编号 {n}"), format!("Your report was received: number {n}"))
            }
            NoticeKind::Closed if m.channel == Channel::Hotline => (
                format!("您反映的问题（{n}）已办结，12345 热线将回访听取您的评价"),
                format!("Your report {n} is closed; the 12345 hotline will call you back for your rating"),
            ),
            NoticeKind::Closed => (
                format!("您反映的问题（{n}）已办结，请通过上报时获得的查询链接对办理结果进行评价"),
                format!("Your report {n} is closed; please rate it through the tracking link you were given"),
            ),
            _ => return None,
        };
        let now = self.now_micros();
        Some(NewNotification {
            id: uuid::Uuid::now_v7().to_string(),
            event_key: format!("matter:{}:{seq}:{kind}", m.id),
            recipient: format!("{REPORTER_PHONE}{}", m.id),
            channel: NotificationChannel::Sms,
            kind,
            matter_id: Some(m.id.clone()),
            title_zh: zh,
            title_en: en,
            body_zh: String::new(),
            body_en: String::new(),
            link: Some(format!("/track?number={n}")),
            urgent: false,
            created_at: now,
            due_at: now,
        })
    }

    /// The closing text to a phone reporter, if entry `seq` closed `after`.
    pub(crate) fn phone_closure(&self, before: &Matter, after: &Matter, seq: i64) -> Option<NewNotification> {
        let closed = after.status.state == MatterState::Closed && before.status.state != MatterState::Closed;
        if closed { self.phone_notice(after, seq, NoticeKind::Closed) } else { None }
    }
}
