//! The log of views of personal data (个人信息访问记录), one entry per use:
//! a page that reads the same person's data several times in one request
//! (a phone search feeds the list and the tab counts; htmx refreshes a
//! part), or the same view reloaded, is one use of it. The same actor,
//! subject, field and purpose within [`SAME_USE`] is recorded once. The
//! memory is per process: with several servers a use may be recorded once
//! on each, never not at all.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use shanzhi_store::PiiAccess;

use super::Scoped;
use crate::AppResult;

/// How long a repeat counts as the same use.
const SAME_USE: Duration = Duration::from_secs(60);

/// Remembered uses before the old ones are dropped (bounded memory).
const REMEMBERED: usize = 4096;

type Key = (String, String, String, String);

/// Recent uses, by (actor, subject, field, purpose).
#[derive(Debug, Default)]
pub(crate) struct RecentUses(Mutex<HashMap<Key, Instant>>);

impl RecentUses {
    /// True when `key` was not used within [`SAME_USE`]; remembers it now.
    fn first_use(&self, key: Key, now: Instant) -> bool {
        let mut seen = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if seen.get(&key).is_some_and(|at| now.duration_since(*at) < SAME_USE) {
            return false;
        }
        if seen.len() >= REMEMBERED {
            seen.retain(|_, at| now.duration_since(*at) < SAME_USE);
            if seen.len() >= REMEMBERED {
                seen.clear();
            }
        }
        seen.insert(key, now);
        true
    }
}

impl Scoped<'_> {
    /// Record that the caller saw `field` of `subject` for `purpose`, unless
    /// this is the same use as one just recorded.
    pub(crate) async fn record_pii(&self, subject: String, field: &str, purpose: &str) -> AppResult<()> {
        let key = (self.actor.name.clone(), subject.clone(), field.to_owned(), purpose.to_owned());
        let now = Instant::now();
        if !self.app.pii_uses.first_use(key.clone(), now) {
            return Ok(());
        }
        let access = PiiAccess {
            at: self.app.now_micros(),
            actor: self.actor.name.clone(),
            subject,
            field: field.to_owned(),
            purpose: purpose.to_owned(),
        };
        if let Err(e) = self.app.store.record_pii_access(&access).await {
            // Not recorded: forget it, so the next use tries again.
            self.app.pii_uses.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&key);
            return Err(e.into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(actor: &str) -> Key {
        (actor.to_owned(), "matter:1".to_owned(), "reporter".to_owned(), "matter".to_owned())
    }

    #[test]
    fn a_repeat_within_the_window_is_the_same_use() {
        let uses = RecentUses::default();
        let t0 = Instant::now();
        assert!(uses.first_use(key("a"), t0));
        assert!(!uses.first_use(key("a"), t0 + Duration::from_secs(59)));
        assert!(uses.first_use(key("b"), t0), "another actor is another use");
        assert!(uses.first_use(key("a"), t0 + Duration::from_secs(61)), "after the window it is recorded again");
    }

    #[test]
    fn memory_stays_bounded() {
        let uses = RecentUses::default();
        let t0 = Instant::now();
        for i in 0..REMEMBERED * 3 {
            assert!(uses.first_use(key(&i.to_string()), t0));
        }
        assert!(uses.0.lock().expect("lock").len() <= REMEMBERED);
    }
}
