//! A matter's derived status: what its timeline adds up to. A [`Status`]
//! and a [`Command`] give the next status or a refusal that lists what fits.
//! Replaying a timeline's commands reproduces the stored status.
//!
//! ```text
//! reported ─accept─▶ filed ─dispatch─▶ dispatched ─sign─▶ in_progress ─respond─▶ responded
//!    └─reject─▶ rejected        ▲  └─escalate (吹哨)──┘          │        ─verify ok─▶ closed ─rate─▶ rated
//!                               └──────── return ◀──────────────┘   verify fail ─▶ in_progress (rework)
//! side flows: extend/park (request → approve/deny), resume, supervise, merge, void, reopen
//! ```

use serde::{Deserialize, Serialize};

use super::{Assignee, Command, CommandKind, Level, MatterState, Rating};
use crate::text::Bilingual;

/// [`Status::holder`] from the stored columns.
pub fn holder_of(state: MatterState, level: Level, assignee: Option<&Assignee>) -> String {
    use MatterState::*;
    match (state, assignee) {
        (Reported | Filed, _) => format!("level:{}", level.as_str()),
        (Dispatched | InProgress | Parked, Some(Assignee::Department(d))) => format!("department:{d}"),
        (Dispatched | InProgress | Parked, _) => "community".to_owned(),
        (Responded, _) => "verifier".to_owned(),
        _ => "none".to_owned(),
    }
}

/// A matter's derived status: what the timeline adds up to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    pub state: MatterState,
    pub level: Level,
    pub assignee: Option<Assignee>,
    /// A pending extension request (hours asked).
    pub extension_requested: Option<u32>,
    pub park_requested: bool,
    /// Hours granted by approved extensions.
    pub extended_hours: u32,
    pub reworks: u32,
    pub returns: u32,
    pub escalations: u32,
    pub supervisions: u32,
    pub reopens: u32,
    pub rating: Option<Rating>,
    pub merged_into: Option<String>,
}

/// Why a command does not fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub message: Bilingual,
    /// What the matter accepts now.
    pub allowed: Vec<CommandKind>,
}

impl Status {
    /// A new matter, reported at `level`.
    pub fn reported(level: Level) -> Self {
        Status {
            state: MatterState::Reported,
            level,
            assignee: None,
            extension_requested: None,
            park_requested: false,
            extended_hours: 0,
            reworks: 0,
            returns: 0,
            escalations: 0,
            supervisions: 0,
            reopens: 0,
            rating: None,
            merged_into: None,
        }
    }

    /// Who the current stage waits on, to count warnings and overdue
    /// supervision against: `level:community` (accepting or dispatching at
    /// that level), `department:510104-chengguan` or `community` (handling),
    /// `verifier` (verification on site), `none` (not waiting).
    pub fn holder(&self) -> String {
        holder_of(self.state, self.level, self.assignee.as_ref())
    }

    /// The next steps the state allows (whoever gives them). A note fits
    /// every state and is no step; 自行处置 comes only with the report
    /// itself: neither is listed.
    pub fn allowed(&self) -> Vec<CommandKind> {
        let listed =
            |k: &CommandKind| !matches!(k, CommandKind::Note | CommandKind::SelfHandle | CommandKind::Callback);
        CommandKind::ALL.iter().copied().filter(|k| listed(k) && self.fits(*k)).collect()
    }

    /// Does a command of this kind fit the status now?
    pub fn fits(&self, kind: CommandKind) -> bool {
        use CommandKind as K;
        use MatterState::*;
        let s = self.state;
        let pending = self.extension_requested.is_some() || self.park_requested;
        match kind {
            K::Supervise => s.is_open(),
            // Words may be added at any time, after the end too (a reporter
            // who says the fix did not hold).
            K::Note => true,
            // After closure (rated or not): the hotline's call-back.
            K::Callback => matches!(s, Closed | Rated),
            K::Accept | K::Reject | K::SelfHandle => s == Reported,
            K::Merge | K::Void => matches!(s, Reported | Filed),
            K::Dispatch => s == Filed,
            K::Escalate => matches!(s, Filed | Dispatched | InProgress) && self.level.up().is_some() && !pending,
            K::Sign => s == Dispatched,
            K::Return => s == Dispatched || (s == InProgress && !pending),
            K::Respond | K::Extend | K::Park => s == InProgress && !pending,
            K::ApproveExtension | K::DenyExtension => s == InProgress && self.extension_requested.is_some(),
            K::ApprovePark | K::DenyPark => s == InProgress && self.park_requested,
            K::Resume => s == Parked,
            K::Verify => s == Responded,
            K::Rate => s == Closed,
            K::Reopen => s == Rated && self.rating == Some(Rating::Unsatisfied),
        }
    }

    /// The status after `command`, or why it does not fit (nothing changes).
    pub fn apply(&self, command: &Command) -> Result<Status, Refusal> {
        if !self.fits(command.kind()) {
            return Err(Refusal {
                message: Bilingual::new(
                    format!("事件当前为“{}”，不能执行 {}", self.state.label_zh(), command.name()),
                    format!("a matter in state {} does not accept {}", self.state, command.name()),
                ),
                allowed: self.allowed(),
            });
        }
        use MatterState::*;
        let mut next = self.clone();
        match command {
            Command::Accept => next.state = Filed,
            Command::Reject { .. } => next.state = Rejected,
            Command::Dispatch { to } => {
                next.state = Dispatched;
                next.assignee = Some(to.clone());
            }
            Command::Sign => next.state = InProgress,
            Command::Return { .. } => {
                next.state = Filed;
                next.assignee = None;
                next.returns += 1;
            }
            Command::Respond { .. } => next.state = Responded,
            Command::Verify { passed: true, .. } => next.state = Closed,
            Command::Verify { passed: false, .. } => {
                next.state = InProgress;
                next.reworks += 1;
            }
            Command::Rate { rating, .. } => {
                next.state = Rated;
                next.rating = Some(*rating);
            }
            Command::Reopen { .. } => {
                // Back to the same unit, which signs again.
                next.state = Dispatched;
                next.rating = None;
                next.reopens += 1;
            }
            Command::Escalate { .. } => {
                next.state = Filed;
                next.assignee = None;
                next.level = self.level.up().expect("checked by fits");
                next.escalations += 1;
            }
            Command::Extend { hours, .. } => next.extension_requested = Some(*hours),
            Command::ApproveExtension => {
                next.extended_hours += next.extension_requested.take().unwrap_or(0);
            }
            Command::DenyExtension { .. } => next.extension_requested = None,
            Command::Park { .. } => next.park_requested = true,
            Command::ApprovePark => {
                next.park_requested = false;
                next.state = Parked;
            }
            Command::DenyPark { .. } => next.park_requested = false,
            Command::Resume => next.state = InProgress,
            Command::Supervise { .. } => next.supervisions += 1,
            Command::Merge { into } => {
                next.state = Merged;
                next.merged_into = Some(into.clone());
            }
            Command::Void { .. } => next.state = Voided,
            // Handled within the community, by its own grid worker.
            Command::SelfHandle { .. } => {
                next.state = Closed;
                next.assignee = Some(Assignee::Community);
            }
            // A note is words on the record: the state stays as it is.
            Command::Note { .. } => {}
            // A call-back's answers are on the record; they rate nothing
            // (docs/callbacks.md: the 三率 are counted from them alone).
            Command::Callback { .. } => {}
        }
        debug_assert!(next.is_valid(), "{next:?}");
        Ok(next)
    }

    /// The invariants every reachable status keeps.
    pub fn is_valid(&self) -> bool {
        use MatterState::*;
        let handled = self.state.is_handled();
        let unassigned = matches!(self.state, Reported | Filed | Rejected);
        (!handled || self.assignee.is_some())
            && (!unassigned || self.assignee.is_none())
            && ((self.state == Rated) == self.rating.is_some())
            && ((self.state == Merged) == self.merged_into.is_some())
            && (self.state == InProgress || (self.extension_requested.is_none() && !self.park_requested))
            && !(self.extension_requested.is_some() && self.park_requested)
    }

    /// Replay a timeline's commands from the report.
    pub fn replay<'a>(level: Level, commands: impl IntoIterator<Item = &'a Command>) -> Result<Status, Refusal> {
        commands.into_iter().try_fold(Status::reported(level), |s, c| s.apply(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::DepartmentCode;
    use proptest::prelude::*;

    fn dept() -> Assignee {
        Assignee::Department(DepartmentCode::parse("510104-chengguan").expect("dept"))
    }

    fn reason() -> String {
        "理由".to_owned()
    }

    #[test]
    fn the_full_loop() {
        let steps = [
            Command::Accept,
            Command::Dispatch { to: dept() },
            Command::Sign,
            Command::Respond { text: "已修复".into() },
            Command::Verify { passed: true, note: String::new() },
            Command::Rate { rating: Rating::Satisfied, reason: None },
        ];
        let end = Status::replay(Level::Community, &steps).expect("loop");
        assert_eq!(end.state, MatterState::Rated);
        assert_eq!(end.rating, Some(Rating::Satisfied));
        assert!(end.allowed().is_empty(), "a satisfied rating ends it");
    }

    #[test]
    fn wrong_commands_are_refused_with_what_is_allowed() {
        let s = Status::reported(Level::Community);
        let refusal = s.apply(&Command::Sign).expect_err("not yet");
        use CommandKind as K;
        assert_eq!(refusal.allowed, [K::Accept, K::Reject, K::Supervise, K::Merge, K::Void]);
        assert!(refusal.message.en.contains("reported"));
    }

    #[test]
    fn rework_returns_escalation_and_side_flows() {
        let mut s = Status::replay(Level::Grid, &[Command::Accept, Command::Dispatch { to: dept() }, Command::Sign])
            .expect("in progress");
        s = s.apply(&Command::Extend { hours: 24, reason: reason() }).expect("ask");
        assert!(s.apply(&Command::Park { reason: reason() }).is_err(), "one request at a time");
        s = s.apply(&Command::ApproveExtension).expect("approve");
        assert_eq!((s.extended_hours, s.extension_requested), (24, None));
        s = s.apply(&Command::Park { reason: reason() }).expect("park");
        s = s.apply(&Command::ApprovePark).expect("approve");
        assert_eq!(s.state, MatterState::Parked);
        s = s.apply(&Command::Resume).expect("resume");
        s = s.apply(&Command::Respond { text: "好了".into() }).expect("respond");
        s = s.apply(&Command::Verify { passed: false, note: "未修好".into() }).expect("rework");
        assert_eq!((s.state, s.reworks), (MatterState::InProgress, 1));
        s = s.apply(&Command::Return { reason: reason() }).expect("return");
        assert_eq!((s.state, s.assignee.clone(), s.returns), (MatterState::Filed, None, 1));
        for level in [Level::Community, Level::Town, Level::District] {
            s = s.apply(&Command::Escalate { reason: reason() }).expect("吹哨");
            assert_eq!(s.level, level);
        }
        assert!(s.apply(&Command::Escalate { reason: reason() }).is_err(), "no higher than the district");
    }

    #[test]
    fn only_an_unsatisfied_rating_reopens() {
        let closed = Status::replay(
            Level::Community,
            &[
                Command::Accept,
                Command::Dispatch { to: Assignee::Community },
                Command::Sign,
                Command::Respond { text: "x".into() },
                Command::Verify { passed: true, note: String::new() },
            ],
        )
        .expect("closed");
        let happy = closed.apply(&Command::Rate { rating: Rating::BasicallySatisfied, reason: None }).expect("rate");
        assert!(happy.apply(&Command::Reopen { reason: reason() }).is_err());
        let unhappy =
            closed.apply(&Command::Rate { rating: Rating::Unsatisfied, reason: Some("没修".into()) }).expect("rate");
        let again = unhappy.apply(&Command::Reopen { reason: reason() }).expect("reopen");
        assert_eq!((again.state, again.reopens, again.rating), (MatterState::Dispatched, 1, None));
        assert!(again.assignee.is_some(), "back to the same unit");
    }

    fn arb_command() -> impl Strategy<Value = Command> {
        let r = || Just("理由".to_owned());
        prop_oneof![
            Just(Command::Accept),
            r().prop_map(|reason| Command::Reject { reason }),
            prop_oneof![Just(dept()), Just(Assignee::Community)].prop_map(|to| Command::Dispatch { to }),
            Just(Command::Sign),
            r().prop_map(|reason| Command::Return { reason }),
            r().prop_map(|text| Command::Respond { text }),
            any::<bool>().prop_map(|passed| Command::Verify { passed, note: String::new() }),
            prop_oneof![Just(Rating::Satisfied), Just(Rating::BasicallySatisfied), Just(Rating::Unsatisfied)]
                .prop_map(|rating| Command::Rate { rating, reason: Some("x".into()) }),
            r().prop_map(|reason| Command::Reopen { reason }),
            r().prop_map(|reason| Command::Escalate { reason }),
            (1u32..100).prop_map(|hours| Command::Extend { hours, reason: "x".into() }),
            Just(Command::ApproveExtension),
            r().prop_map(|reason| Command::DenyExtension { reason }),
            r().prop_map(|reason| Command::Park { reason }),
            Just(Command::ApprovePark),
            r().prop_map(|reason| Command::DenyPark { reason }),
            Just(Command::Resume),
            r().prop_map(|note| Command::Supervise { note, overdue: None }),
            Just(Command::Merge { into: "m1".into() }),
            r().prop_map(|reason| Command::Void { reason }),
            r().prop_map(|text| Command::Note { text, partner: None }),
            r().prop_map(|text| Command::SelfHandle { text }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn any_sequence_keeps_a_valid_state_and_replays_to_it(
            level in prop_oneof![Just(Level::Grid), Just(Level::Community), Just(Level::Town)],
            commands in proptest::collection::vec(arb_command(), 0..60),
        ) {
            let mut status = Status::reported(level);
            let mut applied = Vec::new();
            for c in &commands {
                match status.apply(c) {
                    Ok(next) => {
                        prop_assert!(next.is_valid(), "{next:?}");
                        if c.kind() == CommandKind::Note {
                            prop_assert_eq!(&next, &status, "a note changes nothing");
                        }
                        applied.push(c.clone());
                        status = next;
                    }
                    Err(refusal) => {
                        prop_assert!(!refusal.allowed.contains(&c.kind()));
                        prop_assert_eq!(refusal.allowed, status.allowed(), "what is allowed is what fits");
                    }
                }
                prop_assert!(status.is_valid());
                if status.state.is_final() {
                    prop_assert!(status.allowed().is_empty(), "nothing applies to a final state");
                }
            }
            prop_assert_eq!(Status::replay(level, &applied).expect("replay"), status);
        }
    }
}
