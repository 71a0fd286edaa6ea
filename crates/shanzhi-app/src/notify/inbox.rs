//! Each person's side: the in-app inbox (站内消息), their choices of
//! channels and quiet hours, and, for the administrator, what failed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use shanzhi_domain::Micros;
use shanzhi_domain::notify::{EmailAddress, NoticeGroup, NoticeKind, NotificationChannel, QuietHours};
use shanzhi_domain::text::Bilingual;
use shanzhi_store::{NotificationRecord, StoredPreferences};

use crate::access::Scoped;
use crate::{AppError, AppResult};

/// Notices per page at most.
pub const INBOX_PAGE_MAX: usize = 100;

/// One notice in a person's inbox.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxNotice {
    pub id: String,
    pub kind: NoticeKind,
    /// What kind of notice, in words.
    pub kind_name: &'static str,
    pub title: String,
    pub title_en: String,
    pub body: String,
    pub body_en: String,
    /// Where it leads in the UI (the matter's page).
    pub link: Option<String>,
    pub urgent: bool,
    pub created_at: Micros,
    pub read: bool,
}

impl From<NotificationRecord> for InboxNotice {
    fn from(r: NotificationRecord) -> Self {
        let n = r.notice;
        InboxNotice {
            kind_name: n.kind.label_zh(),
            id: n.id,
            kind: n.kind,
            title: n.title_zh,
            title_en: n.title_en,
            body: n.body_zh,
            body_en: n.body_en,
            link: n.link,
            urgent: n.urgent,
            created_at: n.created_at,
            read: r.read_at.is_some(),
        }
    }
}

/// A page of the inbox, newest first.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxPage {
    pub notices: Vec<InboxNotice>,
    pub unread: u64,
    /// Pass as `before` for the next page.
    pub next: Option<String>,
}

/// What a person chose: external channels per group (the inbox is always
/// on), quiet hours (`HH:MM`, China time) and an e-mail address.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NotificationPreferences {
    #[serde(default)]
    pub channels: BTreeMap<NoticeGroup, Vec<NotificationChannel>>,
    /// 免打扰开始时刻 HH:MM（北京时间） / quiet hours start (China time)
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "22:00"))]
    pub quiet_start: Option<String>,
    /// 免打扰结束时刻 HH:MM / quiet hours end
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "07:00"))]
    pub quiet_end: Option<String>,
    /// 接收通知的电子邮件地址 / the e-mail address for e-mail notices
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 254,
            pattern = "^[^@\\s<>\\x00-\\x1f\\x7f]+@[^@\\s<>.\\x00-\\x1f\\x7f]+(\\.[^@\\s<>.\\x00-\\x1f\\x7f]+)+$"
        )
    )]
    pub email: Option<String>,
    /// The channels this server can deliver (read only: ignored when sent).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(read_only))]
    pub available: Vec<NotificationChannel>,
}

/// A notification given up, for the administrator.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FailedNotification {
    pub id: String,
    pub channel: NotificationChannel,
    pub kind: NoticeKind,
    pub recipient: String,
    pub title: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: Micros,
}

fn sign_in_first() -> AppError {
    AppError::Unauthorized(Bilingual::new("请先登录", "sign in first"))
}

impl Scoped<'_> {
    fn me_id(&self) -> AppResult<String> {
        self.actor.user_id().map(str::to_owned).ok_or_else(sign_in_first)
    }

    /// My notices, newest first, before the cursor `before` (from `next`).
    pub async fn inbox(&self, before: Option<&str>, limit: usize) -> AppResult<InboxPage> {
        let me = self.me_id()?;
        let before = before.map(parse_cursor).transpose()?;
        let limit = limit.clamp(1, INBOX_PAGE_MAX);
        let rows = self.app.store.inbox(&me, before, limit).await?;
        let next = (rows.len() == limit)
            .then(|| rows.last().map(|r| format!("{}.{}", r.notice.created_at.get(), r.notice.id)))
            .flatten();
        let unread = self.app.store.unread_count(&me).await?;
        Ok(InboxPage { notices: rows.into_iter().map(InboxNotice::from).collect(), unread, next })
    }

    /// How many of my notices are unread (the bell).
    pub async fn unread_notices(&self) -> AppResult<u64> {
        match self.actor.user_id() {
            Some(me) => Ok(self.app.store.unread_count(me).await?),
            None => Ok(0),
        }
    }

    /// Mark one of my notices read.
    pub async fn mark_notice_read(&self, id: &str) -> AppResult<()> {
        let me = self.me_id()?;
        if id.len() > 64 || !self.app.store.mark_read(&me, id, self.app.now_micros()).await? {
            return Err(AppError::not_found("notice_not_found", "没有这条消息", "no such notice"));
        }
        Ok(())
    }

    pub async fn notification_preferences(&self) -> AppResult<NotificationPreferences> {
        let me = self.me_id()?;
        let stored = self.app.store.notification_preferences(std::slice::from_ref(&me)).await?;
        let p = stored.into_iter().next().map(|(_, p)| p).unwrap_or_default();
        Ok(NotificationPreferences {
            channels: p.channels,
            quiet_start: p.quiet.map(|q| QuietHours::format_time(q.start_minute)),
            quiet_end: p.quiet.map(|q| QuietHours::format_time(q.end_minute)),
            email: p.email,
            available: self.app.notifier.external(),
        })
    }

    /// Replace my choices; refused whole (nothing changed) if any part is wrong.
    pub async fn set_notification_preferences(
        &self,
        wanted: NotificationPreferences,
    ) -> AppResult<NotificationPreferences> {
        let me = self.me_id()?;
        let bad = |zh: String, en: String| AppError::invalid("invalid_preferences", Bilingual::new(zh, en));
        let mut channels = BTreeMap::new();
        for (group, list) in wanted.channels {
            let mut chosen: Vec<NotificationChannel> = Vec::new();
            for c in list.into_iter().take(NotificationChannel::ALL.len() + 1) {
                // The inbox is always on; chosen for the digest, it asks for
                // the digest (dispatchers and community workers opt in).
                let asks_for_digest = group == NoticeGroup::Digest && c == NotificationChannel::Inbox;
                if !c.is_external() && !asks_for_digest {
                    continue;
                }
                if !self.app.notifier.can_deliver(c) {
                    return Err(bad(
                        format!("本平台未开通“{}”渠道", c.label_zh()),
                        format!("the channel {c} is not available here"),
                    ));
                }
                if !chosen.contains(&c) {
                    chosen.push(c);
                }
            }
            chosen.sort();
            channels.insert(group, chosen);
        }
        let quiet = match (wanted.quiet_start.as_deref(), wanted.quiet_end.as_deref()) {
            (None | Some(""), None | Some("")) => None,
            (Some(s), Some(e)) => {
                let start = QuietHours::parse_time(s).map_err(|m| bad(m.zh, m.en))?;
                let end = QuietHours::parse_time(e).map_err(|m| bad(m.zh, m.en))?;
                Some(QuietHours::new(start, end).map_err(|m| bad(m.zh, m.en))?)
            }
            _ => {
                return Err(bad(
                    "免打扰时段须同时填写开始和结束时刻".to_owned(),
                    "quiet hours need both a start and an end".to_owned(),
                ));
            }
        };
        let email = match wanted.email.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(e) => Some(EmailAddress::parse(e).map_err(|m| bad(m.zh, m.en))?.to_string()),
        };
        if channels.values().any(|l: &Vec<NotificationChannel>| l.contains(&NotificationChannel::Email))
            && email.is_none()
        {
            return Err(bad(
                "选择电子邮件通知须填写电子邮件地址".to_owned(),
                "e-mail notices need an e-mail address".to_owned(),
            ));
        }
        let prefs = StoredPreferences { channels, quiet, email, updated_at: self.app.now_micros() };
        self.app.store.put_notification_preferences(&me, &prefs).await?;
        self.notification_preferences().await
    }

    /// Notifications given up after their last attempt (administrators).
    pub async fn failed_notifications(&self, limit: usize) -> AppResult<Vec<FailedNotification>> {
        if !(self.actor.via == crate::access::Via::System || self.actor.has_role(shanzhi_domain::Role::Admin)) {
            return Err(AppError::Forbidden(Bilingual::new(
                "只有系统管理员可以查看发送失败的通知",
                "only an administrator may see failed notifications",
            )));
        }
        let rows = self.app.store.failed_notifications(limit.clamp(1, INBOX_PAGE_MAX)).await?;
        Ok(rows
            .into_iter()
            .map(|r| FailedNotification {
                id: r.notice.id,
                channel: r.notice.channel,
                kind: r.notice.kind,
                recipient: r.notice.recipient,
                title: r.notice.title_zh,
                attempts: r.attempts,
                last_error: r.last_error,
                created_at: r.notice.created_at,
            })
            .collect())
    }
}

fn parse_cursor(text: &str) -> AppResult<(Micros, String)> {
    let bad = || AppError::bad_request("invalid_cursor", "翻页参数不正确", "the page cursor is not valid");
    let (at, id) = text.split_once('.').ok_or_else(bad)?;
    if id.is_empty() || id.len() > 64 {
        return Err(bad());
    }
    Ok((Micros::new(at.parse().map_err(|_| bad())?), id.to_owned()))
}
