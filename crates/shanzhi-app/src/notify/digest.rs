//! The supervisors' daily digest (每日摘要): the sweep's leader writes, once
//! per working day from the set time, one notice per supervisor (and per
//! dispatcher or community worker who asked for it) with the figures of their
//! scope. Idempotent twice over: the day done is kept as a push cursor (a
//! later sweep that day does nothing), and the rows' `(event_key, recipient,
//! channel)` is unique with the key `digest:<day>` (two servers never write
//! two). Delivered like any notice, quiet hours respected (not urgent).

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use shanzhi_domain::digest::{DigestFigures, TOP_OVERDUE, digest_day, digest_period, digest_text};
use shanzhi_domain::notify::{NoticeGroup, NoticeKind, NotificationChannel, first_attempt};
use shanzhi_domain::{CodeSystem, DivisionCode, MatterState, Micros, Role, Scope, Warning};
use shanzhi_store::{MatterOrder, MatterQuery, MatterScope, NewNotification, StoredPreferences};

use crate::{App, AppResult};

/// The push cursor that holds the last day done, as `yyyymmdd`.
pub const DIGEST_DONE: &str = "daily_digest";
/// Matters read per page while counting, and pages at most (a scope of
/// more than 100,000 open matters is counted in part).
const PAGE: usize = 500;
const MAX_PAGES: usize = 200;

/// One reader of the digest: who, over which part, called what.
#[derive(Debug, Clone)]
struct Reader {
    user: String,
    scope: MatterScope,
    divisions: Vec<DivisionCode>,
}

fn stamp(day: Date) -> i64 {
    i64::from(day.year()) * 10_000 + i64::from(day.month()) * 100 + i64::from(day.day())
}

/// Has the person asked for the digest (any channel, the inbox included,
/// chosen for the group)?
fn opted_in(p: Option<&StoredPreferences>) -> bool {
    p.and_then(|p| p.channels.get(&NoticeGroup::Digest)).is_some_and(|l| !l.is_empty())
}

impl App {
    /// Write the digests due now (the sweep's leader calls this each round);
    /// the number of people written to (0 when none is due or today's are
    /// done). `minute`: the time of day, minutes after midnight China time.
    pub async fn write_digests(&self, minute: u16) -> AppResult<usize> {
        let now = self.now();
        let timing = self.timing();
        let Some(day) = digest_day(&timing.calendar, now, minute) else { return Ok(0) };
        let done = self.store.push_cursor(DIGEST_DONE).await?;
        if done >= stamp(day) {
            return Ok(0);
        }
        let (from, to) = digest_period(&timing.calendar, day);
        let readers = self.digest_readers(day).await?;
        let people: Vec<String> = readers.iter().map(|r| r.user.clone()).collect();
        let prefs: HashMap<String, StoredPreferences> =
            self.store.notification_preferences(&people).await?.into_iter().collect();
        let divisions: Vec<DivisionCode> = readers.iter().flat_map(|r| r.divisions.iter().cloned()).collect();
        let names = self.division_names(&divisions).await?;
        let now_micros = Micros::from(now);
        let mut rows = Vec::new();
        for r in &readers {
            let figures = self.digest_figures(&r.scope, Micros::from(from), Micros::from(to)).await?;
            let scope: Vec<&str> = r.divisions.iter().filter_map(|d| names.get(d).map(String::as_str)).collect();
            let scope = if scope.is_empty() { "管辖范围".to_owned() } else { scope.join("、") };
            let (title_zh, title_en, body_zh, body_en) = digest_text(day, &scope, &figures);
            let p = prefs.get(&r.user);
            let mut channels = vec![NotificationChannel::Inbox];
            if let Some(chosen) = p.and_then(|p| p.channels.get(&NoticeGroup::Digest)) {
                channels.extend(chosen.iter().copied().filter(|c| c.is_external() && self.notifier.can_deliver(*c)));
            }
            channels.dedup();
            for channel in channels {
                rows.push(NewNotification {
                    id: uuid::Uuid::now_v7().to_string(),
                    event_key: format!("digest:{day}"),
                    recipient: r.user.clone(),
                    channel,
                    kind: NoticeKind::Digest,
                    matter_id: None,
                    title_zh: title_zh.clone(),
                    title_en: title_en.clone(),
                    body_zh: body_zh.clone(),
                    body_en: body_en.clone(),
                    link: Some("/matters?warning=red".to_owned()),
                    urgent: false,
                    created_at: now_micros,
                    due_at: first_attempt(NoticeKind::Digest, channel, p.and_then(|p| p.quiet), now_micros),
                });
            }
        }
        self.store.write_notifications(&rows).await?;
        self.store.advance_push_cursor(DIGEST_DONE, done, stamp(day), now_micros).await?;
        tracing::info!(%day, people = readers.len(), "daily digests written");
        Ok(readers.len())
    }

    /// Supervisors, and the dispatchers and community workers who opted in,
    /// with the scope of those roles on `day`.
    async fn digest_readers(&self, day: Date) -> AppResult<Vec<Reader>> {
        let mut by_user: BTreeMap<String, (bool, Reader)> = BTreeMap::new();
        for top in self.store.child_divisions(CodeSystem::Nbs2023, None).await? {
            for a in self.store.assignments_within(&top.code, day).await? {
                if !matches!(a.role, Role::Supervisor | Role::Dispatcher | Role::CommunityWorker) {
                    continue;
                }
                let entry = by_user.entry(a.user_id.clone()).or_insert_with(|| {
                    (false, Reader { user: a.user_id.clone(), scope: MatterScope::default(), divisions: Vec::new() })
                });
                entry.0 |= a.role == Role::Supervisor;
                match a.scope {
                    Some(Scope::Division(d)) => {
                        entry.1.scope.divisions.push(d.clone());
                        entry.1.divisions.push(d);
                    }
                    Some(Scope::Grid(g)) => entry.1.scope.grids.push(g),
                    Some(Scope::Department(d)) => entry.1.scope.departments.push(d),
                    None => {}
                }
            }
        }
        let others: Vec<String> = by_user.iter().filter(|(_, (s, _))| !s).map(|(u, _)| u.clone()).collect();
        let opted: HashMap<String, StoredPreferences> =
            self.store.notification_preferences(&others).await?.into_iter().collect();
        Ok(by_user
            .into_values()
            .filter(|(supervisor, r)| *supervisor || opted_in(opted.get(&r.user)))
            .map(|(_, mut r)| {
                r.divisions.sort();
                r.divisions.dedup();
                r
            })
            .collect())
    }

    /// The figures of `scope`: reported and closed in `[from, to)`, and the
    /// open matters now.
    pub(crate) async fn digest_figures(
        &self,
        scope: &MatterScope,
        from: Micros,
        to: Micros,
    ) -> AppResult<DigestFigures> {
        let base = MatterQuery { scope: scope.clone(), ..MatterQuery::default() };
        let reported = MatterQuery { from: Some(from), to: Some(to), ..base.clone() };
        let mut f = DigestFigures {
            new: self.store.count_matters(&reported).await?.values().sum(),
            ..DigestFigures::default()
        };
        let entries = MatterQuery { limit: PAGE, ..base.clone() };
        for page in 0..MAX_PAGES {
            let updates = self.store.matter_updates(&entries, from, to, page * PAGE).await?;
            f.closed += updates
                .iter()
                .filter(|(_, e)| e.to_state == MatterState::Closed && e.from_state != Some(MatterState::Closed))
                .count() as u64;
            if updates.len() < PAGE {
                break;
            }
        }
        let states: Vec<MatterState> = MatterState::ALL.into_iter().filter(|s| s.is_open()).collect();
        let mut open = MatterQuery { states, order: MatterOrder::Newest, limit: PAGE, ..base };
        let mut overdue: Vec<(Micros, String)> = Vec::new();
        for _ in 0..MAX_PAGES {
            let page = self.store.matters(&open).await?;
            for m in &page {
                match m.warning() {
                    Warning::Yellow => f.yellow += 1,
                    Warning::Orange => f.orange += 1,
                    Warning::Red => {
                        f.red += 1;
                        overdue.push((m.deadline_at().unwrap_or(Micros::new(i64::MAX)), m.number.clone()));
                    }
                    Warning::None => {}
                }
                f.supervised += u64::from(m.status.supervisions > 0);
            }
            match page.last() {
                Some(last) if page.len() == PAGE => open.after = Some((MatterOrder::Newest.key(last), last.id.clone())),
                _ => break,
            }
        }
        overdue.sort();
        f.top_overdue = overdue.into_iter().take(TOP_OVERDUE).map(|(_, n)| n).collect();
        Ok(f)
    }
}
