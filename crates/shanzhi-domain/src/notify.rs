//! Notifications (通知): what a matter event tells whom, through which
//! channel, and when. Pure rules: the kinds and their groups, the retry
//! backoff, quiet hours. The outbox itself lives in the store; delivery in
//! the application.

use jiff::civil::Time;
use serde::{Deserialize, Serialize};

use crate::Micros;
use crate::calendar::china;
use crate::text::Bilingual;

crate::code_enum! {
    /// Where a notification goes. The inbox is always on and delivered
    /// when the row is written; the others go through the worker.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum NotificationChannel {
        Inbox => "inbox", "站内消息";
        Log => "log", "日志（开发）";
        Webhook => "webhook", "Webhook 推送";
        Email => "email", "电子邮件";
        Sms => "sms", "短信";
    }
    from_str(s: s.trim()) -> Bilingual {
        Bilingual::new(format!("未知的通知渠道“{s}”"), format!("unknown notification channel '{s}'"))
    }
}

impl NotificationChannel {
    /// Channels that leave the platform (quiet hours apply to them).
    pub fn is_external(self) -> bool {
        self != NotificationChannel::Inbox
    }
}

crate::code_enum! {
    /// The groups a person chooses channels for.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum NoticeGroup {
        /// What happens to a report of mine.
        MyReports => "my_reports", "我的反映";
        /// Work on my desk: new, returned, escalated to me.
        MyDesk => "my_desk", "我的待办";
        /// Yellow/orange/red warnings and 督办.
        Warnings => "warnings", "预警与督办";
        /// The daily digest of one's scope (supervisors; others opt in).
        Digest => "digest", "每日摘要";
    }
    from_str(s: s.trim()) -> Bilingual {
        Bilingual::new(format!("未知的通知类别“{s}”"), format!("unknown notice group '{s}'"))
    }
}

crate::code_enum! {
    /// What a notification is about.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum NoticeKind {
        Received => "received", "已收到";
        Accepted => "accepted", "已受理";
        Rejected => "rejected", "不予受理";
        Dispatched => "dispatched", "已派遣";
        Responded => "responded", "已处置";
        Closed => "closed", "已办结";
        NewOnDesk => "new_on_desk", "新待办";
        Returned => "returned", "被退回";
        Escalated => "escalated", "上报至本级";
        Yellow => "yellow", "黄灯预警";
        Orange => "orange", "橙灯预警";
        Red => "red", "红灯（超期）";
        Supervised => "supervised", "督办";
        Digest => "digest", "每日摘要";
        /// A task (任务) given to me or my grid.
        TaskAssigned => "task_assigned", "新任务";
        /// A task I gave was completed.
        TaskCompleted => "task_completed", "任务已完成";
    }
    from_str(s: s.trim()) -> Bilingual {
        Bilingual::new(format!("未知的通知类型“{s}”"), format!("unknown notice kind '{s}'"))
    }
}

impl NoticeKind {
    pub fn group(self) -> NoticeGroup {
        use NoticeKind::*;
        match self {
            Received | Accepted | Rejected | Dispatched | Responded | Closed => NoticeGroup::MyReports,
            NewOnDesk | Returned | Escalated | TaskAssigned | TaskCompleted => NoticeGroup::MyDesk,
            Yellow | Orange | Red | Supervised => NoticeGroup::Warnings,
            Digest => NoticeGroup::Digest,
        }
    }

    /// Urgent notices ignore quiet hours: a red light and 督办.
    pub fn is_urgent(self) -> bool {
        matches!(self, NoticeKind::Red | NoticeKind::Supervised)
    }
}

/// Attempts before a notification is given up as failed.
pub const MAX_ATTEMPTS: i64 = 8;

/// The wait before retry `attempts` + 1, after `attempts` failures:
/// 30 s doubling each time, at most an hour.
pub fn backoff_seconds(attempts: i64) -> i64 {
    let doublings = attempts.clamp(1, 20) - 1;
    (30_i64 << doublings).min(3600)
}

/// Quiet hours in China time, `start` to `end` minutes after midnight; a
/// window that wraps midnight (22:00–07:00) is the usual one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietHours {
    pub start_minute: u16,
    pub end_minute: u16,
}

impl QuietHours {
    /// Minutes after midnight; both below 1440 and not equal.
    pub fn new(start_minute: u16, end_minute: u16) -> Result<QuietHours, Bilingual> {
        if start_minute >= 1440 || end_minute >= 1440 || start_minute == end_minute {
            return Err(Bilingual::new(
                "免打扰时段须为一天内两个不同的时刻（HH:MM）",
                "quiet hours must be two different times of day (HH:MM)",
            ));
        }
        Ok(QuietHours { start_minute, end_minute })
    }

    /// Read `HH:MM`.
    pub fn parse_time(text: &str) -> Result<u16, Bilingual> {
        let bad = || Bilingual::new(format!("时刻“{text}”应为 HH:MM"), format!("time '{text}' should be HH:MM"));
        let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
        if h.is_empty() || h.len() > 2 || m.len() != 2 {
            return Err(bad());
        }
        let h: u16 = h.parse().map_err(|_| bad())?;
        let m: u16 = m.parse().map_err(|_| bad())?;
        if h > 23 || m > 59 {
            return Err(bad());
        }
        Ok(h * 60 + m)
    }

    pub fn format_time(minute: u16) -> String {
        format!("{:02}:{:02}", minute / 60, minute % 60)
    }

    fn contains(self, minute: u16) -> bool {
        if self.start_minute < self.end_minute {
            (self.start_minute..self.end_minute).contains(&minute)
        } else {
            minute >= self.start_minute || minute < self.end_minute
        }
    }

    /// When a non-urgent notification due at `at` may go out: `at` itself
    /// outside quiet hours, else the end of the quiet window it falls in.
    pub fn release(self, at: Micros) -> Micros {
        let zoned = at.timestamp().to_zoned_datetime(china());
        let minute = u16::try_from(zoned.hour()).unwrap_or(0) * 60 + u16::try_from(zoned.minute()).unwrap_or(0);
        if !self.contains(minute) {
            return at;
        }
        let end = Time::new(
            i8::try_from(self.end_minute / 60).unwrap_or(0),
            i8::try_from(self.end_minute % 60).unwrap_or(0),
            0,
            0,
        )
        .unwrap_or(Time::midnight());
        let day =
            if minute >= self.end_minute { zoned.date().tomorrow().unwrap_or(zoned.date()) } else { zoned.date() };
        match day.to_datetime(end).to_zoned_datetime(china()) {
            Ok(z) => Micros::from(z.timestamp()),
            Err(_) => at,
        }
    }
}

/// When a notification of `kind` on `channel` is first due, written at `now`.
pub fn first_attempt(kind: NoticeKind, channel: NotificationChannel, quiet: Option<QuietHours>, now: Micros) -> Micros {
    match quiet {
        Some(q) if channel.is_external() && !kind.is_urgent() => q.release(now),
        _ => now,
    }
}

/// An e-mail address for notices: `local@domain`, at most 254 bytes, the
/// domain with a dot and no empty label, no spaces, controls, angle
/// brackets, quotes, commas or semicolons (nothing that could smuggle a
/// second recipient or a header into the message). Kept as typed, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    pub const MAX_LEN: usize = 254;

    pub fn parse(input: &str) -> Result<EmailAddress, Bilingual> {
        let bad = || Bilingual::new("电子邮件地址格式不正确", "the e-mail address is not valid");
        let e = input.trim();
        if e.is_empty() || e.len() > Self::MAX_LEN {
            return Err(bad());
        }
        let (local, domain) = e.rsplit_once('@').ok_or_else(bad)?;
        let forbidden = |c: char| c.is_whitespace() || c.is_control() || "<>\"(),;:[]\\@".contains(c);
        if local.is_empty() || local.len() > 64 || local.chars().any(forbidden) {
            return Err(bad());
        }
        if !domain.contains('.')
            || domain.split('.').any(|label| {
                label.is_empty()
                    || label.len() > 63
                    || label.starts_with('-')
                    || label.ends_with('-')
                    || !label.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
        {
            return Err(bad());
        }
        Ok(EmailAddress(e.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = Bilingual;
    fn try_from(s: String) -> Result<EmailAddress, Bilingual> {
        EmailAddress::parse(&s)
    }
}

impl From<EmailAddress> for String {
    fn from(e: EmailAddress) -> String {
        e.0
    }
}

impl std::fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Micros {
        let d: jiff::civil::DateTime = text.parse().unwrap();
        Micros::from(d.to_zoned_datetime(china()).unwrap().timestamp())
    }

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff_seconds(1), 30);
        assert_eq!(backoff_seconds(2), 60);
        assert_eq!(backoff_seconds(3), 120);
        assert_eq!(backoff_seconds(50), 3600);
    }

    #[test]
    fn quiet_hours_across_midnight() {
        let q = QuietHours::new(22 * 60, 7 * 60).unwrap();
        assert_eq!(q.release(at("2026-12-01T21:59")), at("2026-12-01T21:59"));
        assert_eq!(q.release(at("2026-12-01T22:00")), at("2026-12-02T07:00"));
        assert_eq!(q.release(at("2026-12-02T03:10")), at("2026-12-02T07:00"));
        assert_eq!(q.release(at("2026-12-02T07:00")), at("2026-12-02T07:00"));
    }

    #[test]
    fn urgent_and_inbox_ignore_quiet_hours() {
        let q = Some(QuietHours::new(22 * 60, 7 * 60).unwrap());
        let night = at("2026-12-01T23:30");
        assert_eq!(first_attempt(NoticeKind::Red, NotificationChannel::Sms, q, night), night);
        assert_eq!(first_attempt(NoticeKind::Dispatched, NotificationChannel::Inbox, q, night), night);
        assert_eq!(first_attempt(NoticeKind::Dispatched, NotificationChannel::Email, q, night), at("2026-12-02T07:00"));
    }

    #[test]
    fn times_parse_strictly() {
        assert_eq!(QuietHours::parse_time("22:00"), Ok(1320));
        assert_eq!(QuietHours::parse_time("7:05"), Ok(425));
        assert!(QuietHours::parse_time("24:00").is_err());
        assert!(QuietHours::parse_time("22").is_err());
        assert!(QuietHours::new(600, 600).is_err());
    }

    #[test]
    fn email_addresses_parse_strictly() {
        assert_eq!(
            EmailAddress::parse(" wang.li@jinjiang.gov.cn ").map(|e| e.to_string()),
            Ok("wang.li@jinjiang.gov.cn".to_owned())
        );
        assert!(EmailAddress::parse("张三@成都.中国").is_ok());
        for bad in [
            "",
            "a",
            "a@b",
            "@b.cn",
            "a@.cn",
            "a@b.",
            "a@b..cn",
            "a b@c.cn",
            "a@b.cn\r\nBcc: x@y.cn",
            "a,b@c.cn",
            "<a@b.cn>",
            "a@-b.cn",
            "a@b@c.cn",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?}");
        }
        assert!(EmailAddress::parse(&format!("{}@b.cn", "a".repeat(65))).is_err());
        assert!(EmailAddress::parse(&format!("a@{}.cn", "b".repeat(250))).is_err());
    }
}
