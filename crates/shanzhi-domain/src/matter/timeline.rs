//! The timeline (处置记录): append-only entries, each hash-chained to the one
//! before it. An entry commits to the matter, the previous hash and every
//! field; the hash scheme is fixed (stored timelines verify with it).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Command, CommandKind, MatterState};
use crate::access::Role;
use crate::instant::Micros;
use crate::text::Bilingual;
use crate::timing::{Stage, StageClock};

/// The hash before a matter's first entry.
pub const MATTER_GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an entry records: the report that opened the matter, or a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    Report,
    Command(CommandKind),
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Report => "report",
            EventKind::Command(k) => k.name(),
        }
    }

    pub fn command(self) -> Option<CommandKind> {
        match self {
            EventKind::Report => None,
            EventKind::Command(k) => Some(k),
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            EventKind::Report => "上报",
            EventKind::Command(k) => k.label_zh(),
        }
    }
}

crate::display_as_str!(EventKind, ActingRole);

impl std::str::FromStr for EventKind {
    type Err = Bilingual;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "report" { Ok(EventKind::Report) } else { s.parse().map(EventKind::Command) }
    }
}

impl Serialize for EventKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(|e: Bilingual| serde::de::Error::custom(e.en))
    }
}

/// In what capacity an entry was made: a role, the system (the sweep), or
/// someone without an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActingRole {
    Role(Role),
    System,
    Anonymous,
}

impl ActingRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ActingRole::Role(r) => r.as_str(),
            ActingRole::System => "system",
            ActingRole::Anonymous => "anonymous",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ActingRole::Role(r) => r.label_zh(),
            ActingRole::System => "系统",
            ActingRole::Anonymous => "匿名居民",
        }
    }
}

impl std::str::FromStr for ActingRole {
    type Err = Bilingual;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "system" => Ok(ActingRole::System),
            "anonymous" => Ok(ActingRole::Anonymous),
            _ => s.parse().map(ActingRole::Role),
        }
    }
}

impl Serialize for ActingRole {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One entry of a matter's timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatterEvent {
    pub seq: i64,
    pub at: Micros,
    /// Who: a username, `anonymous`, or `system:sweep`.
    pub actor: String,
    pub role: ActingRole,
    pub kind: EventKind,
    /// The command (or the report) as JSON: replaying these reproduces the status.
    pub body: String,
    pub from_state: Option<MatterState>,
    pub to_state: MatterState,
    pub attachments: Vec<String>,
    pub prev_hash: String,
    pub hash: String,
    /// The stage clock in force after this entry. Not part of the hash: it
    /// follows from the category's limits and the calendar of the day, and
    /// the record export and the indicators read it.
    pub mark: ClockMark,
}

/// A stage clock as the record export shows it: the stage whose time runs
/// and its deadline; both empty when no clock runs (parked, closed, untimed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ClockMark {
    pub stage: Option<Stage>,
    pub deadline: Option<Micros>,
}

impl ClockMark {
    pub fn of(clock: Option<&StageClock>) -> ClockMark {
        match clock {
            Some(c) if c.counting_from.is_some() => {
                ClockMark { stage: Some(c.stage), deadline: c.deadline.map(Micros::from) }
            }
            _ => ClockMark::default(),
        }
    }
}

impl MatterEvent {
    /// The command this entry records (none for the report, or a body that
    /// does not read as one).
    pub fn command(&self) -> Option<Command> {
        self.kind.command().and_then(|_| serde_json::from_str(&self.body).ok())
    }

    /// The hash this entry must carry after `prev_hash`, for `matter_id`.
    pub fn expected_hash(&self, matter_id: &str, prev_hash: &str) -> String {
        let mut h = Sha256::new();
        let parts: [&str; 8] = [
            matter_id,
            prev_hash,
            &self.actor,
            self.role.as_str(),
            self.kind.as_str(),
            &self.body,
            self.from_state.map_or("", |s| s.as_str()),
            self.to_state.as_str(),
        ];
        for p in parts {
            h.update((p.len() as u64).to_le_bytes());
            h.update(p.as_bytes());
        }
        h.update(self.seq.to_le_bytes());
        h.update(self.at.get().to_le_bytes());
        h.update((self.attachments.len() as u64).to_le_bytes());
        for a in &self.attachments {
            h.update((a.len() as u64).to_le_bytes());
            h.update(a.as_bytes());
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Link this entry after `prev_hash`: set its previous and own hash.
    pub fn sealed(mut self, matter_id: &str, prev_hash: &str) -> MatterEvent {
        self.prev_hash = prev_hash.to_owned();
        self.hash = self.expected_hash(matter_id, prev_hash);
        self
    }
}

/// Check a matter's timeline: numbered 1.., each entry linked to the one
/// before and hashed over its content. Returns the first entry (1-based)
/// that was edited, removed or moved.
pub fn check_chain(matter_id: &str, events: &[MatterEvent]) -> Result<(), usize> {
    let mut prev = MATTER_GENESIS;
    for (i, e) in events.iter().enumerate() {
        if e.seq != i as i64 + 1 || e.prev_hash != prev || e.hash != e.expected_hash(matter_id, prev) {
            return Err(i + 1);
        }
        prev = &e.hash;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn chain(n: usize) -> Vec<MatterEvent> {
        let mut out: Vec<MatterEvent> = Vec::new();
        for i in 0..n {
            let prev = out.last().map_or(MATTER_GENESIS.to_owned(), |e| e.hash.clone());
            let e = MatterEvent {
                seq: i as i64 + 1,
                at: Micros::new(1_000 * i as i64),
                actor: format!("a{i}"),
                role: ActingRole::Role(Role::Dispatcher),
                kind: EventKind::Command(CommandKind::Supervise),
                body: format!("{{\"note\":\"{i}\"}}"),
                from_state: Some(MatterState::Filed),
                to_state: MatterState::Filed,
                attachments: vec![],
                prev_hash: String::new(),
                hash: String::new(),
                mark: ClockMark::default(),
            };
            out.push(e.sealed("m", &prev));
        }
        out
    }

    #[test]
    fn the_hash_scheme_is_the_one_stored_timelines_were_written_with() {
        // A report entry as written before the types moved to the domain.
        let e = MatterEvent {
            seq: 1,
            at: Micros::new(1_764_489_600_000_000),
            actor: "anonymous".to_owned(),
            role: ActingRole::Anonymous,
            kind: EventKind::Report,
            body: "{}".to_owned(),
            from_state: None,
            to_state: MatterState::Reported,
            attachments: vec!["p1".to_owned()],
            prev_hash: String::new(),
            hash: String::new(),
            mark: ClockMark::default(),
        };
        assert_eq!(
            e.sealed("m1", MATTER_GENESIS).hash,
            "9300d9b31624ea4a2a6ea992b32d1dba4a3dfa32cc925224e746d9d4ec9a534f"
        );
    }

    #[test]
    fn names_parse_back() {
        for k in ["report", "dispatch", "approve_extension"] {
            assert_eq!(k.parse::<EventKind>().expect("kind").as_str(), k);
        }
        for r in ["system", "anonymous", "dispatcher", "resident"] {
            assert_eq!(r.parse::<ActingRole>().expect("role").as_str(), r);
        }
        assert!("wizard".parse::<ActingRole>().is_err());
    }

    proptest! {
        #[test]
        fn any_edit_removal_or_reordering_is_detected(n in 2usize..20, pick in 0usize..1000, kind in 0u8..6) {
            let good = chain(n);
            prop_assert_eq!(check_chain("m", &good), Ok(()));
            let i = pick % n;
            let mut bad = good.clone();
            match kind {
                0 => bad[i].body.push(' '),
                1 => bad[i].actor = "someone else".to_owned(),
                2 => bad[i].at = bad[i].at.plus_seconds(1),
                3 => { bad.remove(i); }
                4 => { let j = (i + 1) % n; bad.swap(i, j); }
                _ => bad[i].to_state = MatterState::Closed,
            }
            // Removing the last entry leaves a valid shorter chain: the stored
            // matter's event count and last hash catch that (Matter::verify).
            if kind == 3 && i == n - 1 {
                prop_assert_eq!(check_chain("m", &bad), Ok(()));
                prop_assert_ne!(bad.last().map(|e| e.hash.clone()), good.last().map(|e| e.hash.clone()));
            } else {
                prop_assert!(check_chain("m", &bad).is_err());
            }
            prop_assert!(check_chain("another matter", &good).is_err(), "a timeline cannot be moved to another matter");
        }
    }
}
