//! 事件 — the matter lifecycle (数字城管 seven-stage loop, DESIGN.md §2) as a
//! pure state machine: a [`Status`] and a [`Command`] give the next status or a
//! refusal that lists what is allowed. The timeline stores commands; replaying
//! them through [`Status::apply`] reproduces the stored status.
//!
//! ```text
//! reported ─accept─▶ filed ─dispatch─▶ dispatched ─sign─▶ in_progress ─respond─▶ responded
//!    └─reject─▶ rejected        ▲  └─escalate (吹哨)──┘          │        ─verify ok─▶ closed ─rate─▶ rated
//!                               └──────── return ◀──────────────┘   verify fail ─▶ in_progress (rework)
//! side flows: extend/park (request → approve/deny), resume, supervise, merge, void, reopen
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::access::Role;
use crate::people::DepartmentCode;
use crate::text::Bilingual;
use crate::timing::Stage;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MatterState {
    Reported,
    Filed,
    Dispatched,
    InProgress,
    Parked,
    Responded,
    Closed,
    Rated,
    Rejected,
    Merged,
    Voided,
}

impl MatterState {
    pub const ALL: [MatterState; 11] = [
        MatterState::Reported,
        MatterState::Filed,
        MatterState::Dispatched,
        MatterState::InProgress,
        MatterState::Parked,
        MatterState::Responded,
        MatterState::Closed,
        MatterState::Rated,
        MatterState::Rejected,
        MatterState::Merged,
        MatterState::Voided,
    ];

    /// The states in which someone still has to act.
    pub fn open() -> Vec<MatterState> {
        MatterState::ALL.into_iter().filter(|s| s.is_open()).collect()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MatterState::Reported => "reported",
            MatterState::Filed => "filed",
            MatterState::Dispatched => "dispatched",
            MatterState::InProgress => "in_progress",
            MatterState::Parked => "parked",
            MatterState::Responded => "responded",
            MatterState::Closed => "closed",
            MatterState::Rated => "rated",
            MatterState::Rejected => "rejected",
            MatterState::Merged => "merged",
            MatterState::Voided => "voided",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            MatterState::Reported => "已上报",
            MatterState::Filed => "已立案",
            MatterState::Dispatched => "已派遣",
            MatterState::InProgress => "处置中",
            MatterState::Parked => "已挂账",
            MatterState::Responded => "已反馈",
            MatterState::Closed => "已结案",
            MatterState::Rated => "已评价",
            MatterState::Rejected => "不予立案",
            MatterState::Merged => "已合并",
            MatterState::Voided => "已作废",
        }
    }

    /// No command applies any more.
    pub fn is_final(self) -> bool {
        matches!(self, MatterState::Rejected | MatterState::Merged | MatterState::Voided)
    }

    /// Still waiting for someone to act (for counts and warnings).
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            MatterState::Closed
                | MatterState::Rated
                | MatterState::Rejected
                | MatterState::Merged
                | MatterState::Voided
        )
    }
}

impl fmt::Display for MatterState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for MatterState {
    type Err = Bilingual;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MatterState::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| Bilingual::new(format!("未知的事件状态“{s}”"), format!("unknown matter state '{s}'")))
    }
}

/// Who dispatches the matter now: it starts low and climbs when escalated
/// (吹哨: grid → community → town → district).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Grid,
    Community,
    Town,
    District,
}

impl Level {
    pub fn up(self) -> Option<Level> {
        match self {
            Level::Grid => Some(Level::Community),
            Level::Community => Some(Level::Town),
            Level::Town => Some(Level::District),
            Level::District => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Grid => "grid",
            Level::Community => "community",
            Level::Town => "town",
            Level::District => "district",
        }
    }
}

/// Who handles a dispatched matter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "code", rename_all = "snake_case")]
pub enum Assignee {
    Department(DepartmentCode),
    /// The matter's own community handles it (社区自治).
    Community,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// 满意
    Satisfied,
    /// 基本满意
    BasicallySatisfied,
    /// 不满意
    Unsatisfied,
}

/// A command with its arguments: what the timeline stores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    Accept,
    Reject {
        reason: String,
    },
    Dispatch {
        to: Assignee,
    },
    Sign,
    Return {
        reason: String,
    },
    Respond {
        text: String,
    },
    Verify {
        passed: bool,
        note: String,
    },
    Rate {
        rating: Rating,
        reason: Option<String>,
    },
    Reopen {
        reason: String,
    },
    Escalate {
        reason: String,
    },
    /// Ask for more time (hours).
    Extend {
        hours: u32,
        reason: String,
    },
    ApproveExtension,
    DenyExtension {
        reason: String,
    },
    /// Ask to leave the timed flow (挂账).
    Park {
        reason: String,
    },
    ApprovePark,
    DenyPark {
        reason: String,
    },
    Resume,
    Supervise {
        note: String,
        /// Set by the sweep only: the automatic supervision of an overdue stage.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        overdue: Option<Overdue>,
    },
    Merge {
        into: String,
    },
    Void {
        reason: String,
    },
}

/// What an automatic supervision (逾期督办) was for: counted against `unit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overdue {
    pub stage: Stage,
    pub deadline: jiff::Timestamp,
    /// The unit that held the matter when the deadline passed
    /// (`department:510104-chengguan`, `community`, `level:town` …).
    pub unit: String,
}

/// A command's name as people say it (`dispatch` → 派遣); `None` for a name
/// that is not a command (`report`, the first entry, is named by each reader).
pub fn command_label_zh(name: &str) -> Option<&'static str> {
    Some(match name {
        "accept" => "受理立案",
        "reject" => "不予立案",
        "dispatch" => "派遣",
        "sign" => "签收",
        "return" => "退回",
        "respond" => "处置反馈",
        "verify" => "核查",
        "rate" => "评价",
        "reopen" => "重新办理",
        "escalate" => "上报（吹哨）",
        "extend" => "申请延期",
        "approve_extension" => "同意延期",
        "deny_extension" => "不同意延期",
        "park" => "申请挂账",
        "approve_park" => "同意挂账",
        "deny_park" => "不同意挂账",
        "resume" => "恢复办理",
        "supervise" => "督办",
        "merge" => "合并",
        "void" => "作废",
        _ => return None,
    })
}

/// The name of every command, for refusals ("allowed: …") and routes.
pub const COMMAND_NAMES: [&str; 20] = [
    "accept",
    "reject",
    "dispatch",
    "sign",
    "return",
    "respond",
    "verify",
    "rate",
    "reopen",
    "escalate",
    "extend",
    "approve_extension",
    "deny_extension",
    "park",
    "approve_park",
    "deny_park",
    "resume",
    "supervise",
    "merge",
    "void",
];

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Command::Accept => "accept",
            Command::Reject { .. } => "reject",
            Command::Dispatch { .. } => "dispatch",
            Command::Sign => "sign",
            Command::Return { .. } => "return",
            Command::Respond { .. } => "respond",
            Command::Verify { .. } => "verify",
            Command::Rate { .. } => "rate",
            Command::Reopen { .. } => "reopen",
            Command::Escalate { .. } => "escalate",
            Command::Extend { .. } => "extend",
            Command::ApproveExtension => "approve_extension",
            Command::DenyExtension { .. } => "deny_extension",
            Command::Park { .. } => "park",
            Command::ApprovePark => "approve_park",
            Command::DenyPark { .. } => "deny_park",
            Command::Resume => "resume",
            Command::Supervise { .. } => "supervise",
            Command::Merge { .. } => "merge",
            Command::Void { .. } => "void",
        }
    }

    /// The roles that may give this command (the scope is checked by the
    /// application: the matter's grid/community, or the assigned department).
    pub fn roles(name: &str) -> &'static [Role] {
        use Role::*;
        match name {
            "accept" | "reject" | "dispatch" | "merge" | "void" => &[Dispatcher, CommunityWorker],
            "escalate" => &[Dispatcher, CommunityWorker, GridWorker, DeptHandler],
            "sign" | "return" | "respond" | "extend" | "park" => &[DeptHandler, CommunityWorker],
            "approve_extension" | "deny_extension" | "approve_park" | "deny_park" | "resume" | "reopen" => {
                &[Dispatcher]
            }
            "verify" => &[GridWorker, CommunityWorker],
            "rate" => &[Resident, Dispatcher],
            "supervise" => &[Supervisor],
            _ => &[],
        }
    }

    /// Check the arguments themselves (lengths, ranges), before any state.
    pub fn validate(&self) -> Result<(), Bilingual> {
        let text = |t: &str, what: &str, required: bool| -> Result<(), Bilingual> {
            let n = t.trim().chars().count();
            if (required && n == 0) || n > 2000 {
                return Err(Bilingual::new(
                    format!("{what}应为 1–2000 个字符"),
                    format!("the {what} must have 1–2000 characters"),
                ));
            }
            Ok(())
        };
        match self {
            Command::Reject { reason }
            | Command::Return { reason }
            | Command::Reopen { reason }
            | Command::Escalate { reason }
            | Command::DenyExtension { reason }
            | Command::Park { reason }
            | Command::DenyPark { reason }
            | Command::Void { reason } => text(reason, "理由 (reason)", true),
            Command::Respond { text: t } => text(t, "处置情况 (text)", true),
            Command::Verify { note, .. } => text(note, "核查意见 (note)", false),
            Command::Supervise { note, .. } => text(note, "督办意见 (note)", true),
            Command::Rate { reason, rating } => {
                if *rating == Rating::Unsatisfied && reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                    return Err(Bilingual::new("不满意时请说明理由", "an unsatisfied rating needs a reason"));
                }
                reason.as_deref().map_or(Ok(()), |r| text(r, "理由 (reason)", false))
            }
            Command::Extend { hours, reason } => {
                if !(1..=24 * 90).contains(hours) {
                    return Err(Bilingual::new("延期应为 1–2160 小时", "an extension must be 1–2160 hours"));
                }
                text(reason, "理由 (reason)", true)
            }
            Command::Merge { into } if into.trim().is_empty() => {
                Err(Bilingual::new("请给出合并到的事件", "give the matter to merge into"))
            }
            _ => Ok(()),
        }
    }
}

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
    pub allowed: Vec<&'static str>,
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

    /// The commands that fit now (whoever gives them).
    pub fn allowed(&self) -> Vec<&'static str> {
        COMMAND_NAMES.iter().copied().filter(|name| self.clone().fits(name)).collect()
    }

    fn fits(self, name: &str) -> bool {
        use MatterState::*;
        let pending = self.extension_requested.is_some() || self.park_requested;
        match (self.state, name) {
            (_, "supervise") => self.state.is_open(),
            (Reported, "accept" | "reject" | "merge" | "void") => true,
            (Filed, "dispatch" | "merge" | "void") => true,
            (Filed | Dispatched | InProgress, "escalate") => self.level.up().is_some() && !pending,
            (Dispatched, "sign" | "return") => true,
            (InProgress, "respond" | "return") => !pending,
            (InProgress, "extend" | "park") => !pending,
            (InProgress, "approve_extension" | "deny_extension") => self.extension_requested.is_some(),
            (InProgress, "approve_park" | "deny_park") => self.park_requested,
            (Parked, "resume") => true,
            (Responded, "verify") => true,
            (Closed, "rate") => true,
            (Rated, "reopen") => self.rating == Some(Rating::Unsatisfied),
            _ => false,
        }
    }

    /// The status after `command`, or why it does not fit (nothing changes).
    pub fn apply(&self, command: &Command) -> Result<Status, Refusal> {
        if !self.clone().fits(command.name()) {
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
        }
        debug_assert!(next.is_valid(), "{next:?}");
        Ok(next)
    }

    /// The invariants every reachable status keeps.
    pub fn is_valid(&self) -> bool {
        use MatterState::*;
        let handled = matches!(self.state, Dispatched | InProgress | Parked | Responded | Closed | Rated);
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
        assert_eq!(refusal.allowed, ["accept", "reject", "supervise", "merge", "void"]);
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

    #[test]
    fn arguments_are_checked() {
        assert!(Command::Reject { reason: " ".into() }.validate().is_err());
        assert!(Command::Rate { rating: Rating::Unsatisfied, reason: None }.validate().is_err());
        assert!(Command::Extend { hours: 0, reason: reason() }.validate().is_err());
        assert!(Command::Respond { text: "字".repeat(2001) }.validate().is_err());
        assert!(Command::Accept.validate().is_ok());
        let json = serde_json::to_string(&Command::Dispatch { to: dept() }).expect("json");
        assert_eq!(json, r#"{"command":"dispatch","to":{"kind":"department","code":"510104-chengguan"}}"#);
        assert_eq!(serde_json::from_str::<Command>(&json).expect("back"), Command::Dispatch { to: dept() });
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
                        applied.push(c.clone());
                        status = next;
                    }
                    Err(refusal) => {
                        prop_assert!(!refusal.allowed.contains(&c.name()));
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
