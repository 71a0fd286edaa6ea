//! The notices of a bulk import (12345 hotline orders): the holders hear
//! once per batch, not once per order — one notice each, naming how many
//! new orders landed on their desk and the first numbers — written by the
//! store in the import's own transaction (nothing for orders imported
//! before, nothing at all if the import is refused).

use std::collections::{BTreeMap, HashMap};

use shanzhi_domain::Matter;
use shanzhi_domain::notify::NoticeKind;
use shanzhi_store::{COUNT_SLOT, GroupedNotice, NUMBERS_SLOT, NewNotification, StoredPreferences};

use crate::{App, AppResult};

impl App {
    /// One notice per holder (and channel) for the matters of an import
    /// (in batch order; indices into it), the importer apart. Bounded: one
    /// row per holder and channel, whatever the number of orders.
    pub(crate) async fn import_notices(
        &self,
        matters: &[&Matter],
        importer: Option<&str>,
    ) -> AppResult<Vec<GroupedNotice>> {
        let mut desks = HashMap::new();
        let mut mine: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, m) in matters.iter().enumerate() {
            for person in self.desk_users_once(&mut desks, m).await? {
                if Some(person.as_str()) != importer {
                    mine.entry(person).or_default().push(i);
                }
            }
        }
        if mine.is_empty() {
            return Ok(Vec::new());
        }
        let people: Vec<String> = mine.keys().cloned().collect();
        let prefs: HashMap<String, StoredPreferences> =
            self.store.notification_preferences(&people).await?.into_iter().collect();
        let now = self.now_micros();
        let kind = NoticeKind::NewOnDesk;
        let event_key = format!("import:{}:{kind}", uuid::Uuid::now_v7());
        let mut out = Vec::new();
        for (person, indices) in mine {
            for (channel, due) in self.channels_for(prefs.get(&person), kind, now) {
                let notice = NewNotification {
                    id: uuid::Uuid::now_v7().to_string(),
                    event_key: event_key.clone(),
                    recipient: person.clone(),
                    channel,
                    kind,
                    matter_id: None,
                    title_zh: format!("新导入 12345 热线工单 {COUNT_SLOT} 件待受理"),
                    title_en: format!("{COUNT_SLOT} new 12345 hotline orders on your desk"),
                    body_zh: format!("编号：{NUMBERS_SLOT}"),
                    body_en: format!("Numbers: {NUMBERS_SLOT}"),
                    link: Some("/desk".to_owned()),
                    urgent: kind.is_urgent(),
                    created_at: now,
                    due_at: due,
                };
                out.push(GroupedNotice { notice, matters: indices.clone() });
            }
        }
        Ok(out)
    }
}
