//! The notification outbox: rows written inside the matter writes'
//! transactions ([`insert_notices`]), leased by the delivery worker, read as
//! each person's inbox; and the people's choices.

use std::collections::BTreeMap;

use async_trait::async_trait;
use shanzhi_domain::notify::{NoticeGroup, NotificationChannel, QuietHours};
use shanzhi_domain::{MatterId, Micros};
use shanzhi_store::{
    DeliveryOutcome, DeliveryState, NewNotification, NotificationRecord, NotificationStore, StoreError, StoreResult,
    StoredPreferences,
};
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};
use sqlx::{QueryBuilder, Row};

use crate::fragments::push_list;
use crate::{SqlStore, map_err};

const COLUMNS: &str = "id, event_key, recipient, channel, kind, matter_id, title_zh, title_en, body_zh, body_en, \
    link, urgent, state, attempts, created_at, next_attempt_at, lease_until, leased_by, sent_at, read_at, last_error";

/// Binds per row of [`insert_notices`].
const INSERT_COLUMNS: usize = 17;

/// Due for the worker at `now`: pending and due, or leased by a worker
/// whose lease ran out.
#[sql_bounds]
fn push_due<DB>(q: &mut QueryBuilder<DB>, now: i64) {
    q.push("((state = 'pending' AND next_attempt_at <= ").push_bind(now);
    q.push(") OR (state = 'leased' AND lease_until <= ").push_bind(now).push("))");
}

/// Write `notices` in the caller's transaction (the event's). A notice
/// already written for the same (event, recipient, channel) is left as it
/// is. Inbox notices are delivered by being written.
#[sql_bounds]
pub(crate) async fn insert_notices<DB>(conn: &mut DB::Connection, notices: &[NewNotification]) -> StoreResult<()> {
    for chunk in notices.chunks(DB::CHUNK_ROWS / INSERT_COLUMNS + 1) {
        let mut q = QueryBuilder::<DB>::new(
            "INSERT INTO notifications (id, event_key, recipient, channel, kind, matter_id, title_zh, title_en, \
             body_zh, body_en, link, urgent, state, attempts, created_at, next_attempt_at, sent_at) ",
        );
        q.push_values(chunk, |mut v, n| {
            let inbox = n.channel == NotificationChannel::Inbox;
            v.push_bind(n.id.clone())
                .push_bind(n.event_key.clone())
                .push_bind(n.recipient.clone())
                .push_bind(n.channel.as_str().to_owned())
                .push_bind(n.kind.as_str().to_owned())
                .push_bind(n.matter_id.as_ref().map(|m| m.as_str().to_owned()))
                .push_bind(n.title_zh.clone())
                .push_bind(n.title_en.clone())
                .push_bind(n.body_zh.clone())
                .push_bind(n.body_en.clone())
                .push_bind(n.link.clone())
                .push_bind(i64::from(n.urgent))
                .push_bind(if inbox { "sent" } else { "pending" }.to_owned())
                .push_bind(0_i64)
                .push_bind(n.created_at.get())
                .push_bind(n.due_at.get())
                .push_bind(inbox.then_some(n.created_at.get()));
        });
        q.push(" ON CONFLICT (event_key, recipient, channel) DO NOTHING");
        q.build().execute(&mut *conn).await.map_err(map_err)?;
    }
    Ok(())
}

/// [`insert_notices`] for a matter just numbered `number`.
#[sql_bounds]
pub(crate) async fn insert_numbered<DB>(
    conn: &mut DB::Connection,
    notices: &[NewNotification],
    number: &str,
) -> StoreResult<()> {
    if notices.is_empty() {
        return Ok(());
    }
    let numbered: Vec<NewNotification> = notices.iter().map(|n| n.numbered(number)).collect();
    insert_notices::<DB>(conn, &numbered).await
}

#[derive(SqlRow)]
struct IdRow {
    #[allow(dead_code)]
    id: String,
}

#[derive(SqlRow)]
struct NotificationRow {
    id: String,
    event_key: String,
    recipient: String,
    channel: String,
    kind: String,
    matter_id: Option<String>,
    title_zh: String,
    title_en: String,
    body_zh: String,
    body_en: String,
    link: Option<String>,
    urgent: i64,
    state: String,
    attempts: i64,
    created_at: i64,
    next_attempt_at: i64,
    lease_until: Option<i64>,
    leased_by: Option<String>,
    sent_at: Option<i64>,
    read_at: Option<i64>,
    last_error: Option<String>,
}

impl TryFrom<NotificationRow> for NotificationRecord {
    type Error = StoreError;
    fn try_from(r: NotificationRow) -> StoreResult<NotificationRecord> {
        Ok(NotificationRecord {
            notice: NewNotification {
                id: r.id,
                event_key: r.event_key,
                recipient: r.recipient,
                channel: r.channel.parse().map_err(StoreError::corrupt)?,
                kind: r.kind.parse().map_err(StoreError::corrupt)?,
                matter_id: r.matter_id.map(|m| MatterId::parse(&m)).transpose().map_err(StoreError::corrupt)?,
                title_zh: r.title_zh,
                title_en: r.title_en,
                body_zh: r.body_zh,
                body_en: r.body_en,
                link: r.link,
                urgent: r.urgent != 0,
                created_at: Micros::new(r.created_at),
                due_at: Micros::new(r.next_attempt_at),
            },
            state: DeliveryState::parse(&r.state).ok_or_else(|| StoreError::corrupt(r.state))?,
            attempts: r.attempts,
            next_attempt_at: Micros::new(r.next_attempt_at),
            lease_until: r.lease_until.map(Micros::new),
            leased_by: r.leased_by,
            sent_at: r.sent_at.map(Micros::new),
            read_at: r.read_at.map(Micros::new),
            last_error: r.last_error,
        })
    }
}

#[derive(SqlRow)]
struct PreferencesRow {
    user_id: String,
    channels: String,
    quiet_start: Option<i64>,
    quiet_end: Option<i64>,
    email: Option<String>,
    updated_at: i64,
}

impl TryFrom<PreferencesRow> for (String, StoredPreferences) {
    type Error = StoreError;
    fn try_from(r: PreferencesRow) -> StoreResult<(String, StoredPreferences)> {
        let channels: BTreeMap<NoticeGroup, Vec<NotificationChannel>> =
            serde_json::from_str(&r.channels).map_err(StoreError::corrupt)?;
        let quiet = match (r.quiet_start, r.quiet_end) {
            (Some(s), Some(e)) => Some(
                QuietHours::new(u16::try_from(s).unwrap_or(u16::MAX), u16::try_from(e).unwrap_or(u16::MAX))
                    .map_err(|m| StoreError::corrupt(m.en))?,
            ),
            _ => None,
        };
        Ok((r.user_id, StoredPreferences { channels, quiet, email: r.email, updated_at: Micros::new(r.updated_at) }))
    }
}

#[sql_bounds]
#[async_trait]
impl<DB> NotificationStore for SqlStore<DB> {
    async fn lease_notifications(
        &self,
        holder: &str,
        now: Micros,
        lease_until: Micros,
        limit: usize,
    ) -> StoreResult<Vec<NotificationRecord>> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q = QueryBuilder::<DB>::new("UPDATE notifications SET state = 'leased', leased_by = ");
        q.push_bind(holder.to_owned()).push(", lease_until = ").push_bind(lease_until.get());
        q.push(", attempts = attempts + 1 WHERE id IN (SELECT id FROM notifications WHERE ");
        push_due(&mut q, now.get());
        q.push(" ORDER BY next_attempt_at LIMIT ").push_bind(i64::try_from(limit).unwrap_or(i64::MAX));
        // Again on the row itself: a row another worker leased meanwhile is
        // no longer due, and PostgreSQL re-reads the condition on the row.
        q.push(") AND ");
        push_due(&mut q, now.get());
        q.push(format!(" RETURNING {COLUMNS}"));
        let rows = q.build_query_as::<NotificationRow>().fetch_all(&mut *tx).await.map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        let mut out = rows.into_iter().map(NotificationRecord::try_from).collect::<StoreResult<Vec<_>>>()?;
        out.sort_by(|a, b| a.next_attempt_at.cmp(&b.next_attempt_at).then_with(|| a.notice.id.cmp(&b.notice.id)));
        Ok(out)
    }

    async fn finish_notification(&self, id: &str, holder: &str, outcome: &DeliveryOutcome) -> StoreResult<bool> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q = QueryBuilder::<DB>::new("UPDATE notifications SET lease_until = NULL, leased_by = NULL, ");
        match outcome {
            DeliveryOutcome::Sent { at } => {
                q.push("state = 'sent', last_error = NULL, sent_at = ").push_bind(at.get());
            }
            DeliveryOutcome::Retry { at, error } => {
                q.push("state = 'pending', next_attempt_at = ").push_bind(at.get());
                q.push(", last_error = ").push_bind(error.clone());
            }
            DeliveryOutcome::Failed { error } => {
                q.push("state = 'failed', last_error = ").push_bind(error.clone());
            }
        }
        q.push(" WHERE id = ").push_bind(id.to_owned());
        q.push(" AND state = 'leased' AND leased_by = ").push_bind(holder.to_owned());
        q.push(" RETURNING id");
        let done = q.build_query_as::<IdRow>().fetch_optional(&mut *tx).await.map_err(map_err)?.is_some();
        tx.commit().await.map_err(map_err)?;
        Ok(done)
    }

    async fn notification(&self, id: &str) -> StoreResult<Option<NotificationRecord>> {
        self.fetch_by_key::<NotificationRow, _>(format!("SELECT {COLUMNS} FROM notifications WHERE id = "), id).await
    }

    async fn inbox(
        &self,
        recipient: &str,
        before: Option<(Micros, String)>,
        limit: usize,
    ) -> StoreResult<Vec<NotificationRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!("SELECT {COLUMNS} FROM notifications WHERE recipient = "));
        q.push_bind(recipient.to_owned()).push(" AND channel = 'inbox'");
        if let Some((at, id)) = before {
            q.push(" AND (created_at < ").push_bind(at.get());
            q.push(" OR (created_at = ").push_bind(at.get()).push(" AND id < ").push_bind(id).push("))");
        }
        q.push(" ORDER BY created_at DESC, id DESC LIMIT ").push_bind(i64::try_from(limit).unwrap_or(i64::MAX));
        self.fetch_records::<NotificationRow, _>(&mut q).await
    }

    async fn unread_count(&self, recipient: &str) -> StoreResult<u64> {
        let mut q = QueryBuilder::<DB>::new("SELECT COUNT(*) FROM notifications WHERE recipient = ");
        q.push_bind(recipient.to_owned()).push(" AND channel = 'inbox' AND read_at IS NULL");
        let (n,): (i64,) = q.build_query_as().fetch_one(self.pool()).await.map_err(map_err)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn mark_read(&self, recipient: &str, id: &str, at: Micros) -> StoreResult<bool> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q = QueryBuilder::<DB>::new("UPDATE notifications SET read_at = COALESCE(read_at, ");
        q.push_bind(at.get()).push(") WHERE id = ").push_bind(id.to_owned());
        q.push(" AND recipient = ").push_bind(recipient.to_owned()).push(" AND channel = 'inbox'");
        q.push(" RETURNING id");
        let done = q.build_query_as::<IdRow>().fetch_optional(&mut *tx).await.map_err(map_err)?.is_some();
        tx.commit().await.map_err(map_err)?;
        Ok(done)
    }

    async fn failed_notifications(&self, limit: usize) -> StoreResult<Vec<NotificationRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!(
            "SELECT {COLUMNS} FROM notifications WHERE state = 'failed' ORDER BY created_at DESC, id DESC LIMIT "
        ));
        q.push_bind(i64::try_from(limit).unwrap_or(i64::MAX));
        self.fetch_records::<NotificationRow, _>(&mut q).await
    }

    async fn notifications_of_event(&self, event_key: &str) -> StoreResult<Vec<NotificationRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!("SELECT {COLUMNS} FROM notifications WHERE event_key = "));
        q.push_bind(event_key.to_owned()).push(" ORDER BY recipient, channel");
        self.fetch_records::<NotificationRow, _>(&mut q).await
    }

    async fn notification_preferences(&self, user_ids: &[String]) -> StoreResult<Vec<(String, StoredPreferences)>> {
        let mut out = Vec::with_capacity(user_ids.len());
        for chunk in user_ids.chunks(DB::CHUNK_ROWS) {
            let mut q = QueryBuilder::<DB>::new(
                "SELECT user_id, channels, quiet_start, quiet_end, email, updated_at FROM notification_preferences \
                 WHERE user_id IN ",
            );
            push_list(&mut q, chunk.iter().cloned());
            out.extend(self.fetch_records::<PreferencesRow, _>(&mut q).await?);
        }
        Ok(out)
    }

    async fn put_notification_preferences(&self, user_id: &str, prefs: &StoredPreferences) -> StoreResult<()> {
        let channels = serde_json::to_string(&prefs.channels).map_err(StoreError::corrupt)?;
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q = QueryBuilder::<DB>::new(
            "INSERT INTO notification_preferences (user_id, channels, quiet_start, quiet_end, email, updated_at) ",
        );
        q.push_values([prefs], |mut v, p| {
            v.push_bind(user_id.to_owned())
                .push_bind(channels.clone())
                .push_bind(p.quiet.map(|h| i64::from(h.start_minute)))
                .push_bind(p.quiet.map(|h| i64::from(h.end_minute)))
                .push_bind(p.email.clone())
                .push_bind(p.updated_at.get());
        });
        q.push(
            " ON CONFLICT (user_id) DO UPDATE SET channels = excluded.channels, quiet_start = excluded.quiet_start, \
             quiet_end = excluded.quiet_end, email = excluded.email, updated_at = excluded.updated_at",
        );
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }

    async fn write_notifications(&self, notices: &[NewNotification]) -> StoreResult<()> {
        if notices.is_empty() {
            return Ok(());
        }
        let (_writer, mut tx) = self.begin_write().await?;
        insert_notices::<DB>(&mut tx, notices).await?;
        tx.commit().await.map_err(map_err)
    }

    async fn push_cursor(&self, name: &str) -> StoreResult<i64> {
        let mut q = QueryBuilder::<DB>::new("SELECT position FROM push_cursors WHERE name = ");
        q.push_bind(name.to_owned());
        let row = q.build().fetch_optional(self.pool()).await.map_err(map_err)?;
        Ok(row.map(|r| r.try_get::<i64, _>(0usize).map_err(map_err)).transpose()?.unwrap_or(0))
    }

    async fn advance_push_cursor(&self, name: &str, from: i64, to: i64, at: Micros) -> StoreResult<bool> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q = QueryBuilder::<DB>::new("SELECT position FROM push_cursors WHERE name = ");
        q.push_bind(name.to_owned());
        let row = q.build().fetch_optional(&mut *tx).await.map_err(map_err)?;
        let now = row.map(|r| r.try_get::<i64, _>(0usize).map_err(map_err)).transpose()?.unwrap_or(0);
        if now != from {
            return Ok(false);
        }
        // The condition again in the write: a concurrent first move (both
        // read "absent") makes one insert and the other's update find 0 rows.
        let mut q = QueryBuilder::<DB>::new("INSERT INTO push_cursors (name, position, updated_at) ");
        q.push_values([()], |mut v, ()| {
            v.push_bind(name.to_owned()).push_bind(to).push_bind(at.get());
        });
        q.push(
            " ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at \
             WHERE push_cursors.position = ",
        )
        .push_bind(from)
        .push(" RETURNING name AS id");
        let done = q.build_query_as::<IdRow>().fetch_optional(&mut *tx).await.map_err(map_err)?.is_some();
        tx.commit().await.map_err(map_err)?;
        Ok(done)
    }
}
