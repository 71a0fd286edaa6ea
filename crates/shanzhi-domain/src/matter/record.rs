//! The matter as a record: what was reported, where, by whom, through which
//! channel, and the status its timeline adds up to. Every change goes through
//! [`Matter::apply`], which builds the next timeline entry and the next record
//! together, so the record's tail (count, last hash, time) is always its
//! timeline's; [`Matter::verify`] checks a stored pair against each other.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::timeline::{ActingRole, ClockMark, EventKind, MATTER_GENESIS, MatterEvent, check_chain};
use super::{Command, Level, Refusal, Status};
use crate::access::Place;
use crate::category::{CategoryCode, Line, Severity};
use crate::grid::GridCode;
use crate::instant::Micros;
use crate::people::Phone;
use crate::text::Bilingual;
use crate::timing::{StageClock, Warning};

/// A matter's id (a UUIDv7 from the platform; shown to staff, never a key).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MatterId(String);

impl MatterId {
    /// A fresh id, time-ordered.
    pub fn new() -> MatterId {
        MatterId(uuid::Uuid::now_v7().to_string())
    }

    /// An id as stored or sent: 1–64 letters, digits, `-` or `_`.
    pub fn parse(s: &str) -> Result<MatterId, Bilingual> {
        let ok = (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(MatterId(s.to_owned()))
        } else {
            Err(Bilingual::new(format!("事件编号“{s}”无效"), format!("invalid matter id '{s}'")))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for MatterId {
    fn default() -> Self {
        MatterId::new()
    }
}

impl fmt::Display for MatterId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for MatterId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for MatterId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

crate::code_enum! {
    /// How a matter reached the platform.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum Channel {
        /// A resident, on the web or a phone.
        Resident => "resident", "居民上报";
        /// A grid worker's patrol.
        GridWorker => "grid_worker", "网格员上报";
        /// The 12345 hotline.
        Hotline => "hotline", "12345 热线";
        /// An Open311 client.
        Open311 => "open311", "Open311 接入";
        /// Another system through the API.
        Api => "api", "系统接口";
        /// A WeChat mini-program.
        Wechat => "wechat", "微信小程序";
    }
    from_str(s: s) -> Bilingual { Bilingual::new(format!("未知的渠道“{s}”"), format!("unknown channel '{s}'")) }
}

/// A point in WGS-84 longitude and latitude.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LngLat {
    pub lng: f64,
    pub lat: f64,
}

/// Who reported a matter: their account (if they used one), name and phone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reporter {
    pub user_id: Option<String>,
    pub name: Option<String>,
    pub phone: Option<Phone>,
}

impl Reporter {
    pub fn has_contact(&self) -> bool {
        self.name.is_some() || self.phone.is_some()
    }
}

/// A matter as stored: the report, where it is, and its derived status.
#[derive(Debug, Clone, PartialEq)]
pub struct Matter {
    pub id: MatterId,
    pub number: String,
    pub channel: Channel,
    pub category: CategoryCode,
    pub category_version: i64,
    pub line: Line,
    pub severity: Severity,
    pub description: String,
    pub address: Option<String>,
    pub location: Option<LngLat>,
    pub grid: GridCode,
    /// The general grid `grid` belongs to (itself for a general grid).
    pub general_grid: Option<GridCode>,
    pub reporter: Reporter,
    /// The hotline's own order number, for idempotent imports.
    pub external_ref: Option<String>,
    pub duplicate_of: Option<String>,
    pub status: Status,
    pub reported_at: Micros,
    pub updated_at: Micros,
    /// The clock of the stage the matter is in (`None`: not timed).
    pub clock: Option<StageClock>,
    pub event_count: i64,
    pub last_hash: String,
    /// SHA-256 of the private key given to a reporter without an account
    /// (to follow and rate the matter); the key itself is never stored.
    pub reporter_key_hash: Option<String>,
    /// SHA-256 of the request that created the matter: a repeated
    /// idempotency key or order number must come with the same request.
    pub request_hash: Option<String>,
}

/// What does not add up between a matter and its timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimelineProblem {
    /// Entry N (1-based) was edited, removed or moved.
    Broken(usize),
    /// Entry N does not read as a command.
    Unreadable(usize),
    /// The record does not end where its timeline ends.
    Tail,
    /// Replaying the commands gives another status.
    Replay,
    /// A command in the timeline does not fit the status before it.
    Misfit,
}

impl fmt::Display for TimelineProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimelineProblem::Broken(i) => write!(f, "timeline entry {i} was changed, removed or moved"),
            TimelineProblem::Unreadable(i) => write!(f, "timeline entry {i} cannot be read"),
            TimelineProblem::Tail => f.write_str("the stored matter does not end where its timeline ends"),
            TimelineProblem::Replay => f.write_str("replaying the timeline gives another status"),
            TimelineProblem::Misfit => f.write_str("the timeline holds a command that does not fit"),
        }
    }
}

/// The level a matter started at, as its report recorded it.
pub fn report_level(report_body: &str) -> Level {
    serde_json::from_str::<serde_json::Value>(report_body)
        .ok()
        .and_then(|v| v.get("level").cloned())
        .and_then(|l| serde_json::from_value(l).ok())
        .unwrap_or(Level::Community)
}

impl Matter {
    pub fn deadline_at(&self) -> Option<Micros> {
        self.clock.as_ref().and_then(|c| c.deadline).map(Micros::from)
    }

    pub fn warning(&self) -> Warning {
        self.clock.as_ref().map_or(Warning::None, |c| c.warning)
    }

    /// When the sweep must look at this matter next.
    pub fn next_alarm_at(&self) -> Option<Micros> {
        self.clock.as_ref().and_then(StageClock::next_alarm).map(Micros::from)
    }

    /// The place, for grants: its grid, with the general grid above it.
    pub fn place(&self) -> Place {
        Place::Grid { code: self.grid.clone(), parent: self.general_grid.clone() }
    }

    /// Did this account report the matter?
    pub fn reported_by(&self, user_id: Option<&str>) -> bool {
        user_id.is_some() && self.reporter.user_id.as_deref() == user_id
    }

    pub fn is_urgent(&self) -> bool {
        self.severity == Severity::Urgent
    }

    /// The first entry of a new matter's timeline, chained to the genesis
    /// hash; the record takes its hash as `last_hash`.
    pub fn report_entry(&self, actor: &str, role: ActingRole, body: String, attachments: Vec<String>) -> MatterEvent {
        MatterEvent {
            seq: 1,
            at: self.reported_at,
            actor: actor.to_owned(),
            role,
            kind: EventKind::Report,
            body,
            from_state: None,
            to_state: self.status.state,
            attachments,
            prev_hash: String::new(),
            hash: String::new(),
            mark: ClockMark::of(self.clock.as_ref()),
        }
        .sealed(self.id.as_str(), MATTER_GENESIS)
    }

    /// A command given at `at`: the matter after it (same clock; the caller
    /// times the new stage) and the timeline entry that records it, chained
    /// to this record's last. Refused, with what fits, if it does not fit.
    pub fn apply(
        &self,
        command: &Command,
        at: Micros,
        actor: &str,
        role: ActingRole,
        attachments: Vec<String>,
    ) -> Result<(Matter, MatterEvent), Refusal> {
        let status = self.status.apply(command)?;
        // Entries never go back in time, whatever a clock says.
        let at = at.max(self.updated_at);
        let event = MatterEvent {
            seq: self.event_count + 1,
            at,
            actor: actor.to_owned(),
            role,
            kind: EventKind::Command(command.kind()),
            body: serde_json::to_string(command).unwrap_or_default(),
            from_state: Some(self.status.state),
            to_state: status.state,
            attachments,
            prev_hash: String::new(),
            hash: String::new(),
            mark: ClockMark::default(),
        }
        .sealed(self.id.as_str(), &self.last_hash);
        let next =
            Matter { status, updated_at: at, event_count: event.seq, last_hash: event.hash.clone(), ..self.clone() };
        Ok((next, event))
    }

    /// This matter with the stage clock `clock`, which `event` (the entry
    /// that led here) records as its mark.
    #[must_use]
    pub fn timed(self, clock: Option<StageClock>, event: &mut MatterEvent) -> Matter {
        event.mark = ClockMark::of(clock.as_ref());
        Matter { clock, ..self }
    }

    /// Check a stored matter against its timeline: the chain, that the
    /// record ends where the timeline ends, and that replaying the commands
    /// gives the stored status.
    pub fn verify(&self, events: &[MatterEvent]) -> Result<(), TimelineProblem> {
        check_chain(self.id.as_str(), events).map_err(TimelineProblem::Broken)?;
        let tail = events.last().map(|e| e.hash.as_str()).unwrap_or_default();
        if tail != self.last_hash || events.len() as i64 != self.event_count {
            return Err(TimelineProblem::Tail);
        }
        let level = events.first().map_or(Level::Community, |e| report_level(&e.body));
        let mut commands = Vec::with_capacity(events.len());
        for (i, e) in events.iter().enumerate().skip(1) {
            commands.push(e.command().ok_or(TimelineProblem::Unreadable(i + 1))?);
        }
        match Status::replay(level, &commands) {
            Ok(s) if s == self.status => Ok(()),
            Ok(_) => Err(TimelineProblem::Replay),
            Err(_) => Err(TimelineProblem::Misfit),
        }
    }
}

#[cfg(test)]
impl Matter {
    /// A resident's matter in 总府路社区 just reported (for tests).
    pub(crate) fn example() -> Matter {
        Matter {
            id: MatterId::parse("m1").expect("id"),
            number: "510104-20261130-000001".to_owned(),
            channel: Channel::Resident,
            category: CategoryCode::parse("0110").expect("code"),
            category_version: 1,
            line: Line::Development,
            severity: Severity::Normal,
            description: "井盖破损".to_owned(),
            address: None,
            location: Some(LngLat { lng: 104.07, lat: 30.65 }),
            grid: GridCode::parse("510104022006001").expect("grid"),
            general_grid: None,
            reporter: Reporter::default(),
            external_ref: None,
            duplicate_of: None,
            status: Status::reported(Level::Community),
            reported_at: Micros::new(1_000),
            updated_at: Micros::new(1_000),
            clock: None,
            event_count: 0,
            last_hash: String::new(),
            reporter_key_hash: None,
            request_hash: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matter::{Assignee, CommandKind, MatterState};

    fn matter() -> Matter {
        Matter::example()
    }

    #[test]
    fn commands_extend_the_record_and_its_timeline_together_and_verify() {
        let mut m = matter();
        let first = m.report_entry("anonymous", ActingRole::Anonymous, r#"{"level":"community"}"#.into(), vec![]);
        m.event_count = 1;
        m.last_hash = first.hash.clone();
        let mut events = vec![first];
        for (at, command) in [(2_000, Command::Accept), (500, Command::Dispatch { to: Assignee::Community })] {
            let (next, event) = m
                .apply(&command, Micros::new(at), "d", ActingRole::Role(crate::Role::Dispatcher), vec![])
                .expect("fits");
            assert_eq!((next.event_count, &next.last_hash, next.updated_at), (event.seq, &event.hash, event.at));
            events.push(event);
            m = next;
        }
        assert_eq!(m.updated_at, Micros::new(2_000), "never back in time");
        assert_eq!(m.status.state, MatterState::Dispatched);
        assert_eq!(m.verify(&events), Ok(()));
        let refused = m.apply(&Command::Accept, Micros::new(3_000), "d", ActingRole::System, vec![]);
        assert_eq!(refused.expect_err("does not fit").allowed.first(), Some(&CommandKind::Sign));
        // A record that does not end where its timeline does.
        let short = &events[..2];
        assert_eq!(m.verify(short), Err(TimelineProblem::Tail));
        let mut forged = m.clone();
        forged.status.state = MatterState::Closed;
        assert_eq!(forged.verify(&events), Err(TimelineProblem::Replay));
    }

    #[test]
    fn ids_and_channels_parse() {
        assert!(MatterId::parse("").is_err() && MatterId::parse("a b").is_err());
        let id = MatterId::new();
        assert_eq!(id.as_str().len(), 36);
        assert_eq!(&id.as_str()[14..15], "7", "version 7");
        assert!(MatterId::new() != id);
        for c in Channel::ALL {
            assert_eq!(c.as_str().parse::<Channel>().expect("channel"), c);
        }
        assert!("fax".parse::<Channel>().is_err());
    }
}
