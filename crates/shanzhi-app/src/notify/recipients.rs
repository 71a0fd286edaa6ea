//! Who a matter event tells, and what: the one place that turns a timeline
//! entry (a command's, or the sweep's) into outbox rows, written by the
//! store in the entry's own transaction.

use std::collections::{BTreeSet, HashMap};

use shanzhi_domain::notify::{NoticeKind, NotificationChannel, first_attempt};
use shanzhi_domain::{Command, DivisionLevel, Level, Matter, MatterId, MatterState, Micros, Role, Scope, Warning};
use shanzhi_store::{NUMBER_SLOT, NewNotification, StoredPreferences, SweepUpdate};

use crate::matters::HolderNames;
use crate::{App, AppResult};

/// One thing to tell some people.
#[derive(Debug, Clone)]
pub(crate) struct Tell {
    pub kind: NoticeKind,
    pub recipients: BTreeSet<String>,
    pub title: (String, String),
    pub body: (String, String),
}

/// At most this much of a description in a notice.
const EXCERPT_CHARS: usize = 40;

fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(EXCERPT_CHARS).collect();
    if text.chars().count() > EXCERPT_CHARS {
        out.push('…');
    }
    out
}

/// What the reporter hears of a command, if anything.
fn reporter_notice(command: &Command, after: &Matter, holder: Option<&str>) -> Option<(NoticeKind, String, String)> {
    let n = &after.number;
    let unit = holder.unwrap_or("承办单位");
    match command {
        Command::Accept => {
            Some((NoticeKind::Accepted, format!("您反映的问题（{n}）已受理"), format!("Your report {n} was accepted")))
        }
        Command::Reject { reason } => Some((
            NoticeKind::Rejected,
            format!("您反映的问题（{n}）不予受理，理由：{reason}"),
            format!("Your report {n} was not accepted: {reason}"),
        )),
        Command::Dispatch { .. } => Some((
            NoticeKind::Dispatched,
            format!("您反映的问题（{n}）已派给{unit}办理"),
            format!("Your report {n} was passed to {unit}"),
        )),
        Command::Respond { text } => Some((
            NoticeKind::Responded,
            format!("您反映的问题（{n}）已处置：{}", excerpt(text)),
            format!("Your report {n} was handled: {}", excerpt(text)),
        )),
        _ if after.status.state == MatterState::Closed => Some((
            NoticeKind::Closed,
            format!("您反映的问题（{n}）已办结，请对办理结果进行评价"),
            format!("Your report {n} is closed; please rate how it was handled"),
        )),
        _ => None,
    }
}

/// What the matter's (new) holders hear of a command, if anything.
fn holder_notice(command: &Command, before: &Matter, after: &Matter) -> Option<(NoticeKind, String, String)> {
    let n = &after.number;
    let what = excerpt(&after.description);
    match command {
        Command::Dispatch { .. } | Command::Reopen { .. } => {
            Some((NoticeKind::NewOnDesk, format!("新待办：{n} {what}"), format!("New on your desk: {n} {what}")))
        }
        Command::Respond { .. } => {
            Some((NoticeKind::NewOnDesk, format!("待核查：{n} {what}"), format!("To verify on site: {n} {what}")))
        }
        Command::Verify { passed: false, note } => Some((
            NoticeKind::Returned,
            format!("核查未通过，请重新处置：{n}（{}）", excerpt(note)),
            format!("Verification failed, please handle again: {n} ({})", excerpt(note)),
        )),
        Command::Return { reason } => Some((
            NoticeKind::Returned,
            format!("事件被退回：{n}，理由：{}", excerpt(reason)),
            format!("Returned to you: {n}: {}", excerpt(reason)),
        )),
        Command::Escalate { reason } if after.status.level != before.status.level => Some((
            NoticeKind::Escalated,
            format!("上报至本级：{n}，理由：{}", excerpt(reason)),
            format!("Escalated to you: {n}: {}", excerpt(reason)),
        )),
        Command::Supervise { note, .. } => Some((
            NoticeKind::Supervised,
            format!("督办：{n} {}", excerpt(note)),
            format!("Supervision (督办): {n} {}", excerpt(note)),
        )),
        _ => None,
    }
}

/// The warning notice of a clock that turned `colour`.
pub(crate) fn warning_notice(m: &Matter, colour: Warning) -> Option<(NoticeKind, String, String)> {
    let n = &m.number;
    let what = excerpt(&m.description);
    match colour {
        Warning::Yellow => Some((NoticeKind::Yellow, format!("黄灯预警：{n} {what}"), format!("Yellow: {n} {what}"))),
        Warning::Orange => Some((NoticeKind::Orange, format!("橙灯预警：{n} {what}"), format!("Orange: {n} {what}"))),
        Warning::Red => {
            Some((NoticeKind::Red, format!("红灯（已超期）：{n} {what}"), format!("Red (overdue): {n} {what}")))
        }
        Warning::None => None,
    }
}

impl App {
    /// The users whose desk a matter is on now (its holders): the assigned
    /// department's handlers, the community's workers, the dispatchers of
    /// the level it waits at, or the grid's workers for the check on site.
    pub(crate) async fn desk_users(&self, m: &Matter) -> AppResult<BTreeSet<String>> {
        let community = m.grid.community();
        let at_level = |level: DivisionLevel| community.ancestors().into_iter().find(|a| a.level() == level);
        enum Desk {
            Department(shanzhi_domain::DepartmentCode),
            Community,
            Dispatch(shanzhi_domain::DivisionCode),
            Grid,
        }
        use shanzhi_domain::Assignee;
        let desk = match (m.status.state, &m.status.assignee, m.status.level) {
            (
                MatterState::Dispatched | MatterState::InProgress | MatterState::Parked,
                Some(Assignee::Department(d)),
                _,
            ) => Desk::Department(d.clone()),
            (MatterState::Dispatched | MatterState::InProgress | MatterState::Parked, _, _) => Desk::Community,
            (MatterState::Responded, _, _) => Desk::Grid,
            (MatterState::Reported | MatterState::Filed, _, Level::Grid | Level::Community) => Desk::Community,
            (MatterState::Reported | MatterState::Filed, _, Level::Town) => match at_level(DivisionLevel::Town) {
                Some(t) => Desk::Dispatch(t),
                None => return Ok(BTreeSet::new()),
            },
            (MatterState::Reported | MatterState::Filed, _, Level::District) => {
                match at_level(DivisionLevel::District) {
                    Some(d) => Desk::Dispatch(d),
                    None => return Ok(BTreeSet::new()),
                }
            }
            _ => return Ok(BTreeSet::new()),
        };
        let root = match &desk {
            Desk::Department(d) => d.division(),
            Desk::Dispatch(d) => d.clone(),
            Desk::Community | Desk::Grid => community.clone(),
        };
        let day = self.now().to_zoned_datetime(shanzhi_domain::calendar::china()).date();
        let mut out = BTreeSet::new();
        for a in self.store.assignments_within(&root, day).await? {
            let fits = match (&desk, a.role, &a.scope) {
                (Desk::Department(d), Role::DeptHandler, Some(Scope::Department(s))) => s == d,
                (Desk::Community, Role::CommunityWorker, Some(Scope::Division(s))) => *s == community,
                (Desk::Dispatch(d), Role::Dispatcher, Some(Scope::Division(s))) => s == d,
                (Desk::Grid, Role::GridWorker, Some(Scope::Grid(g))) => {
                    *g == m.grid || m.general_grid.as_ref() == Some(g)
                }
                _ => false,
            };
            if fits {
                out.insert(a.user_id);
            }
        }
        Ok(out)
    }

    /// [`Self::desk_users`], asked once per desk (matters on the same desk
    /// share the answer in `desks`).
    pub(crate) async fn desk_users_once(
        &self,
        desks: &mut HashMap<String, BTreeSet<String>>,
        m: &Matter,
    ) -> AppResult<BTreeSet<String>> {
        let key = desk_key(m);
        if let Some(users) = desks.get(&key) {
            return Ok(users.clone());
        }
        let users = self.desk_users(m).await?;
        desks.insert(key, users.clone());
        Ok(users)
    }

    /// What a new report tells whom, written with it (numbered by the
    /// store): the reporter gets a receipt with the number, the desk it
    /// lands on hears of it (the reporter apart).
    pub(crate) async fn report_notices(
        &self,
        m: &Matter,
        first: &shanzhi_domain::MatterEvent,
    ) -> AppResult<Vec<NewNotification>> {
        let n = NUMBER_SLOT;
        let what = excerpt(&m.description);
        let mut tells = Vec::new();
        if let Some(reporter) = &m.reporter.user_id {
            tells.push(Tell {
                kind: NoticeKind::Received,
                recipients: BTreeSet::from([reporter.clone()]),
                title: (format!("您反映的问题已收到，编号 {n}"), format!("Your report was received: number {n}")),
                body: (what.clone(), what.clone()),
            });
        }
        let mut desk = self.desk_users(m).await?;
        if let Some(reporter) = &m.reporter.user_id {
            desk.remove(reporter);
        }
        if !desk.is_empty() {
            tells.push(Tell {
                kind: NoticeKind::NewOnDesk,
                recipients: desk,
                title: (format!("新上报：{n} {what}"), format!("New report: {n} {what}")),
                body: (m.address.clone().unwrap_or_default(), m.address.clone().unwrap_or_default()),
            });
        }
        let mut rows = self.notices_for(m, first.seq, tells).await?;
        rows.extend(self.phone_notice(m, first.seq, NoticeKind::Received));
        Ok(rows)
    }

    /// What a command's entry tells whom: the reporter (with an account)
    /// and the matter's new holders, never the one who gave it.
    pub(crate) async fn command_tells(
        &self,
        command: &Command,
        before: &Matter,
        after: &Matter,
        actor_id: Option<&str>,
    ) -> AppResult<Vec<Tell>> {
        let mut tells = Vec::new();
        let names = self.holder_names(std::slice::from_ref(after)).await?;
        let holder = names.of(after).or_else(|| Some(names.agency(after)));
        if let Some(reporter) = &after.reporter.user_id
            && let Some((kind, zh, en)) = reporter_notice(command, after, holder.as_deref())
        {
            tells.push(Tell {
                kind,
                recipients: BTreeSet::from([reporter.clone()]),
                title: (zh.clone(), en.clone()),
                body: (excerpt(&after.description), excerpt(&after.description)),
            });
        }
        if let Some((kind, zh, en)) = holder_notice(command, before, after) {
            let recipients = self.desk_users(after).await?;
            tells.push(Tell { kind, recipients, title: (zh, en), body: body_of(after, &names) });
        }
        for t in &mut tells {
            if let Some(me) = actor_id {
                t.recipients.remove(me);
            }
        }
        tells.retain(|t| !t.recipients.is_empty());
        Ok(tells)
    }

    /// Outbox rows for `tells`, caused by entry `seq` of `m`.
    pub(crate) async fn notices_for(&self, m: &Matter, seq: i64, tells: Vec<Tell>) -> AppResult<Vec<NewNotification>> {
        let mut batch = vec![(m, seq, tells)];
        Ok(self.notices_for_batch(&mut batch).await?.pop().unwrap_or_default())
    }

    /// Outbox rows for each (matter, entry, tells): the inbox for everyone,
    /// and each person's chosen external channels that this server can
    /// deliver, deferred past their quiet hours unless urgent. Everyone's
    /// choices are read once.
    pub(crate) async fn notices_for_batch(
        &self,
        batch: &mut [(&Matter, i64, Vec<Tell>)],
    ) -> AppResult<Vec<Vec<NewNotification>>> {
        let people: Vec<String> = batch
            .iter()
            .flat_map(|(_, _, tells)| tells.iter().flat_map(|t| t.recipients.iter().cloned()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let prefs: HashMap<String, StoredPreferences> = if people.is_empty() {
            HashMap::new()
        } else {
            self.store.notification_preferences(&people).await?.into_iter().collect()
        };
        let now = self.now_micros();
        let mut out = Vec::with_capacity(batch.len());
        for (m, seq, tells) in batch.iter_mut() {
            let mut rows = Vec::new();
            for t in std::mem::take(tells) {
                let event_key = format!("matter:{}:{seq}:{}", m.id, t.kind);
                let about = About { event_key: &event_key, matter_id: Some(&m.id), link: matter_link(m, t.kind) };
                self.rows_for(&about, &t, &prefs, now, &mut rows);
            }
            out.push(rows);
        }
        Ok(out)
    }

    /// Where a notice of `kind` goes to a person with these choices, and
    /// when first: the inbox now, each chosen external channel this server
    /// can deliver, past their quiet hours unless urgent.
    pub(crate) fn channels_for(
        &self,
        p: Option<&StoredPreferences>,
        kind: NoticeKind,
        now: Micros,
    ) -> Vec<(NotificationChannel, Micros)> {
        let mut channels = vec![NotificationChannel::Inbox];
        if let Some(chosen) = p.and_then(|p| p.channels.get(&kind.group())) {
            channels.extend(chosen.iter().copied().filter(|c| c.is_external() && self.notifier.can_deliver(*c)));
        }
        channels.dedup();
        channels.into_iter().map(|c| (c, first_attempt(kind, c, p.and_then(|p| p.quiet), now))).collect()
    }

    /// Outbox rows telling each recipient of `t` on the inbox and their
    /// chosen external channels this server can deliver, deferred past
    /// their quiet hours unless urgent.
    fn rows_for(
        &self,
        about: &About<'_>,
        t: &Tell,
        prefs: &HashMap<String, StoredPreferences>,
        now: Micros,
        rows: &mut Vec<NewNotification>,
    ) {
        for person in &t.recipients {
            for (channel, due) in self.channels_for(prefs.get(person), t.kind, now) {
                rows.push(new_notice(about, person, channel, t, now, due));
            }
        }
    }

    /// Outbox rows for `tells` about something other than a matter (a task):
    /// each keyed `{key}:{kind}`, linking to `link`.
    pub(crate) async fn notices_about(
        &self,
        key: &str,
        link: &str,
        tells: Vec<Tell>,
    ) -> AppResult<Vec<NewNotification>> {
        let people: Vec<String> =
            tells.iter().flat_map(|t| t.recipients.iter().cloned()).collect::<BTreeSet<_>>().into_iter().collect();
        let prefs: HashMap<String, StoredPreferences> = if people.is_empty() {
            HashMap::new()
        } else {
            self.store.notification_preferences(&people).await?.into_iter().collect()
        };
        let now = self.now_micros();
        let mut rows = Vec::new();
        for t in tells {
            let event_key = format!("{key}:{}", t.kind);
            let about = About { event_key: &event_key, matter_id: None, link: link.to_owned() };
            self.rows_for(&about, &t, &prefs, now, &mut rows);
        }
        Ok(rows)
    }

    /// The sweep's notices, set on each update: a clock that changed
    /// colour tells the holders (keyed by the entry count read, so a colour
    /// is told once per stage), an automatic 督办 tells them too.
    pub(crate) async fn sweep_notices(
        &self,
        updates: &mut [SweepUpdate],
        before: &HashMap<MatterId, Warning>,
    ) -> AppResult<()> {
        let mut desks: HashMap<String, BTreeSet<String>> = HashMap::new();
        let mut batch: Vec<(usize, i64, Vec<Tell>)> = Vec::new();
        for (i, u) in updates.iter().enumerate() {
            let m = &u.matter;
            let colour = m.warning();
            let mut found = Vec::new();
            if before.get(&m.id).is_some_and(|w| *w != colour)
                && let Some(t) = warning_notice(m, colour)
            {
                found.push((u.read_event_count, t));
            }
            if let Some(e) = &u.event {
                let n = &m.number;
                let note = match serde_json::from_str::<Command>(&e.body) {
                    Ok(Command::Supervise { note, .. }) => excerpt(&note),
                    _ => String::new(),
                };
                found.push((
                    e.seq,
                    (NoticeKind::Supervised, format!("督办：{n} {note}"), format!("Supervision (督办): {n} {note}")),
                ));
            }
            if found.is_empty() {
                continue;
            }
            let recipients = self.desk_users_once(&mut desks, m).await?;
            if recipients.is_empty() {
                continue;
            }
            for (seq, (kind, zh, en)) in found {
                let body = (excerpt(&m.description), excerpt(&m.description));
                let tell = Tell { kind, recipients: recipients.clone(), title: (zh, en), body };
                batch.push((i, seq, vec![tell]));
            }
        }
        let mut with_matters: Vec<(&Matter, i64, Vec<Tell>)> =
            batch.iter_mut().map(|(i, seq, t)| (&updates[*i].matter, *seq, std::mem::take(t))).collect();
        let rows = self.notices_for_batch(&mut with_matters).await?;
        let targets: Vec<usize> = batch.iter().map(|(i, _, _)| *i).collect();
        for (i, r) in targets.into_iter().zip(rows) {
            updates[i].notices.extend(r);
        }
        Ok(())
    }
}

/// Matters with the same key are on the same desk.
fn desk_key(m: &Matter) -> String {
    format!(
        "{}|{:?}|{}|{}|{}",
        m.status.state,
        m.status.assignee,
        m.status.level,
        m.grid,
        m.general_grid.as_ref().map(|g| g.as_str()).unwrap_or("")
    )
}

fn body_of(m: &Matter, names: &HolderNames) -> (String, String) {
    let holder = names.of(m).unwrap_or_default();
    let place = m.address.clone().unwrap_or_default();
    (
        format!("{}｜{}｜{}", excerpt(&m.description), place, holder).trim_matches('｜').to_owned(),
        format!("{} | {} | {}", excerpt(&m.description), place, holder).trim_matches([' ', '|']).to_owned(),
    )
}

/// What a notice is about: its event, its matter if any, the page it links.
struct About<'a> {
    event_key: &'a str,
    matter_id: Option<&'a MatterId>,
    link: String,
}

fn new_notice(
    about: &About<'_>,
    person: &str,
    channel: NotificationChannel,
    t: &Tell,
    now: Micros,
    due: Micros,
) -> NewNotification {
    NewNotification {
        id: uuid::Uuid::now_v7().to_string(),
        event_key: about.event_key.to_owned(),
        recipient: person.to_owned(),
        channel,
        kind: t.kind,
        matter_id: about.matter_id.cloned(),
        title_zh: t.title.0.clone(),
        title_en: t.title.1.clone(),
        body_zh: t.body.0.clone(),
        body_en: t.body.1.clone(),
        link: Some(about.link.clone()),
        urgent: t.kind.is_urgent(),
        created_at: now,
        due_at: due,
    }
}

/// Where a notice of `kind` about `m` leads: its page, and for the closure
/// straight to the rating form there (one tap from the notice to rating).
fn matter_link(m: &Matter, kind: NoticeKind) -> String {
    // A matter not yet numbered: the store puts its number in.
    let number = if m.number.is_empty() { NUMBER_SLOT } else { m.number.as_str() };
    match kind {
        NoticeKind::Closed => format!("/m/{number}#rate"),
        _ => format!("/m/{number}"),
    }
}
