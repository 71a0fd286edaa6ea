//! The lifecycle's commands: [`Command`] with its arguments (what a timeline
//! entry stores) and [`CommandKind`], the field-less name of each, which every
//! table about commands matches on exhaustively — who may give it, when it
//! fits, how it is called. A new command is a new variant in the list below;
//! the compiler then names every place that must say something about it.

use serde::{Deserialize, Serialize};

use crate::access::Role;
use crate::callback::CallbackAnswer;
use crate::people::DepartmentCode;
use crate::text::Bilingual;
use crate::timing::Stage;

/// Who handles a dispatched matter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "code", rename_all = "snake_case")]
pub enum Assignee {
    Department(DepartmentCode),
    /// The matter's own community handles it (社区自治).
    Community,
}

crate::code_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum Rating {
        /// 满意
        Satisfied => "satisfied";
        /// 基本满意
        BasicallySatisfied => "basically_satisfied";
        /// 不满意
        Unsatisfied => "unsatisfied";
    }
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

/// Declares [`CommandKind`] with its wire name and the list of all of them,
/// from one table: a variant cannot be left out of [`CommandKind::ALL`].
macro_rules! command_kinds {
    ($($kind:ident => $name:literal, $zh:literal, $en:literal;)*) => {
        /// A command's name, without its arguments.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum CommandKind {
            $($kind,)*
        }

        impl CommandKind {
            /// Every command, in the order refusals list them.
            pub const ALL: &'static [CommandKind] = &[$(CommandKind::$kind,)*];

            /// The name in the API and the timeline (`approve_extension`).
            pub fn name(self) -> &'static str {
                match self {
                    $(CommandKind::$kind => $name,)*
                }
            }

            /// How people say it (`dispatch` → 派遣).
            pub fn label_zh(self) -> &'static str {
                match self {
                    $(CommandKind::$kind => $zh,)*
                }
            }

            pub fn label_en(self) -> &'static str {
                match self {
                    $(CommandKind::$kind => $en,)*
                }
            }
        }
    };
}

command_kinds! {
    Accept => "accept", "受理立案", "Accept";
    Reject => "reject", "不予立案", "Reject";
    Dispatch => "dispatch", "派遣", "Dispatch";
    Sign => "sign", "签收", "Sign for";
    Return => "return", "退回", "Return";
    Respond => "respond", "处置反馈", "Report the result";
    Verify => "verify", "核查", "Verify on site";
    Rate => "rate", "评价", "Rate";
    Reopen => "reopen", "重新办理", "Reopen";
    Escalate => "escalate", "上报（吹哨）", "Escalate";
    Extend => "extend", "申请延期", "Ask for more time";
    ApproveExtension => "approve_extension", "同意延期", "Approve the extension";
    DenyExtension => "deny_extension", "不同意延期", "Deny the extension";
    Park => "park", "申请挂账", "Ask to park";
    ApprovePark => "approve_park", "同意挂账", "Approve parking";
    DenyPark => "deny_park", "不同意挂账", "Deny parking";
    Resume => "resume", "恢复办理", "Resume";
    Supervise => "supervise", "督办", "Supervise";
    Merge => "merge", "合并", "Merge";
    Void => "void", "作废", "Void";
    Note => "note", "补充说明", "Add a note";
    SelfHandle => "self_handle", "自行处置", "Handled on the spot";
    Callback => "callback", "满意度回访", "Call-back";
}

impl CommandKind {
    /// The roles that may give this command (the scope is checked by the
    /// application: the matter's grid/community, or the assigned department).
    pub fn roles(self) -> &'static [Role] {
        use CommandKind::*;
        use Role::*;
        match self {
            Accept | Reject | Dispatch | Merge | Void => &[Dispatcher, CommunityWorker],
            Escalate => &[Dispatcher, CommunityWorker, GridWorker, DeptHandler],
            Sign | Return | Respond | Extend | Park => &[DeptHandler, CommunityWorker],
            ApproveExtension | DenyExtension | ApprovePark | DenyPark | Resume | Reopen => &[Dispatcher],
            Verify => &[GridWorker, CommunityWorker],
            // Given only with the worker's own report (see `Status::allowed`).
            SelfHandle => &[GridWorker],
            Rate => &[Resident, Dispatcher],
            // The hotline's clerks, from the call-back task list only.
            Callback => &[Dispatcher],
            Supervise => &[Supervisor],
            // A reporter on their own matter, staff on what they may see.
            Note => &[Resident, GridWorker, CommunityWorker, Dispatcher, DeptHandler, Supervisor],
        }
    }

    /// The unit that does the work of this command, in the handling chain:
    /// the one a matter is dispatched to (a department or the community).
    pub fn is_handling(self) -> bool {
        use CommandKind::*;
        match self {
            Sign | Return | Respond | Extend | Park => true,
            Accept | Reject | Dispatch | Merge | Void | Escalate | ApproveExtension | DenyExtension | ApprovePark
            | DenyPark | Resume | Reopen | Verify | Rate | Supervise | Note | SelfHandle | Callback => false,
        }
    }

    /// Given by whoever dispatches at the matter's level.
    pub fn is_dispatching(self) -> bool {
        use CommandKind::*;
        match self {
            Accept | Reject | Dispatch | Merge | Void | Escalate => true,
            Sign | Return | Respond | Extend | Park | ApproveExtension | DenyExtension | ApprovePark | DenyPark
            | Resume | Reopen | Verify | Rate | Supervise | Note | SelfHandle | Callback => false,
        }
    }

    /// A command of this kind with plain arguments (for tests and examples).
    pub fn example(self) -> Command {
        use CommandKind as K;
        let reason = || "理由".to_owned();
        match self {
            K::Accept => Command::Accept,
            K::Reject => Command::Reject { reason: reason() },
            K::Dispatch => Command::Dispatch { to: Assignee::Community },
            K::Sign => Command::Sign,
            K::Return => Command::Return { reason: reason() },
            K::Respond => Command::Respond { text: "已处理".to_owned() },
            K::Verify => Command::Verify { passed: true, note: String::new() },
            K::Rate => Command::Rate { rating: Rating::Satisfied, reason: None },
            K::Reopen => Command::Reopen { reason: reason() },
            K::Escalate => Command::Escalate { reason: reason() },
            K::Extend => Command::Extend { hours: 24, reason: reason() },
            K::ApproveExtension => Command::ApproveExtension,
            K::DenyExtension => Command::DenyExtension { reason: reason() },
            K::Park => Command::Park { reason: reason() },
            K::ApprovePark => Command::ApprovePark,
            K::DenyPark => Command::DenyPark { reason: reason() },
            K::Resume => Command::Resume,
            K::Supervise => Command::Supervise { note: "请加快办理".to_owned(), overdue: None },
            K::Merge => Command::Merge { into: "m1".to_owned() },
            K::Void => Command::Void { reason: reason() },
            K::Note => Command::Note { text: "补充：夜间更明显".to_owned(), partner: None },
            K::SelfHandle => Command::SelfHandle { text: "已劝离摊贩并清理现场".to_owned() },
            K::Callback => Command::Callback {
                answers: Some(CallbackAnswer { contacted: true, solved: true, satisfaction: Rating::Satisfied }),
                attempts: 1,
                note: String::new(),
            },
        }
    }
}

impl std::fmt::Display for CommandKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for CommandKind {
    type Err = Bilingual;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CommandKind::ALL.iter().copied().find(|k| k.name() == s).ok_or_else(|| {
            let known: Vec<&str> = CommandKind::ALL.iter().map(|k| k.name()).collect();
            Bilingual::new(
                format!("未知的命令“{s}”，可用：{}", known.join("、")),
                format!("unknown command '{s}'; known: {}", known.join(", ")),
            )
        })
    }
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
    /// Words added to the record without changing the state: a reporter's
    /// or a handler's remark, or a partner system's update (Open311
    /// `POST servicerequestupdates`).
    Note {
        text: String,
        /// Set by the Open311 interface only: what the partner sent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        partner: Option<PartnerUpdate>,
    },
    /// 自行处置: the grid worker who reported it handled it on the spot and
    /// closes it (a category that allows it; the app gives it only together
    /// with the report, with a photo of the result).
    SelfHandle {
        text: String,
    },
    /// 满意度回访: the hotline's call-back of a closed hotline order, given
    /// from its call-back task (docs/callbacks.md). Words on the record: the
    /// state stays as it is.
    Callback {
        /// The reporter's answers; none when the task closed unreachable
        /// after its attempts (无效回访).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        answers: Option<CallbackAnswer>,
        /// Calls made, this one included.
        attempts: u32,
        #[serde(default)]
        note: String,
    },
}

/// A partner system's update as it came (FixMyStreet's `update_id`, its
/// status word and time): kept so that a repeat is recognised and the
/// partner's own words stay on the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerUpdate {
    /// The partner's id of the update (unique per partner).
    pub update_id: String,
    /// The partner's status word, lower case (`fixed`, `reopen` …).
    pub status: String,
    /// When the partner says it happened (ISO 8601, as sent).
    pub updated_datetime: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_url: Option<String>,
}

impl PartnerUpdate {
    /// Bounds on what a partner sends (the words are checked as the note's).
    pub fn validate(&self) -> Result<(), Bilingual> {
        let id_ok = (1..=64).contains(&self.update_id.len()) && self.update_id.bytes().all(|b| b.is_ascii_graphic());
        if !id_ok {
            return Err(Bilingual::new(
                "update_id 应为 1–64 个可见 ASCII 字符",
                "update_id must be 1–64 visible ASCII characters",
            ));
        }
        if self.media_url.as_deref().is_some_and(|u| u.len() > 500) {
            return Err(Bilingual::new("media_url 不超过 500 个字符", "media_url has at most 500 characters"));
        }
        Ok(())
    }
}

impl Command {
    pub fn kind(&self) -> CommandKind {
        use CommandKind as K;
        match self {
            Command::Accept => K::Accept,
            Command::Reject { .. } => K::Reject,
            Command::Dispatch { .. } => K::Dispatch,
            Command::Sign => K::Sign,
            Command::Return { .. } => K::Return,
            Command::Respond { .. } => K::Respond,
            Command::Verify { .. } => K::Verify,
            Command::Rate { .. } => K::Rate,
            Command::Reopen { .. } => K::Reopen,
            Command::Escalate { .. } => K::Escalate,
            Command::Extend { .. } => K::Extend,
            Command::ApproveExtension => K::ApproveExtension,
            Command::DenyExtension { .. } => K::DenyExtension,
            Command::Park { .. } => K::Park,
            Command::ApprovePark => K::ApprovePark,
            Command::DenyPark { .. } => K::DenyPark,
            Command::Resume => K::Resume,
            Command::Supervise { .. } => K::Supervise,
            Command::Merge { .. } => K::Merge,
            Command::Void { .. } => K::Void,
            Command::Note { .. } => K::Note,
            Command::SelfHandle { .. } => K::SelfHandle,
            Command::Callback { .. } => K::Callback,
        }
    }

    pub fn name(&self) -> &'static str {
        self.kind().name()
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
            Command::Respond { text: t } | Command::SelfHandle { text: t } => text(t, "处置情况 (text)", true),
            Command::Verify { note, .. } => text(note, "核查意见 (note)", false),
            Command::Callback { note, attempts, .. } => {
                if !(1..=crate::callback::MAX_ATTEMPTS_LIMIT).contains(attempts) {
                    return Err(Bilingual::new("回访次数不正确", "wrong number of call-back attempts"));
                }
                text(note, "回访记录 (note)", false)
            }
            Command::Supervise { note, .. } => text(note, "督办意见 (note)", true),
            Command::Note { text: t, partner } => {
                text(t, "说明 (text)", true)?;
                partner.as_ref().map_or(Ok(()), PartnerUpdate::validate)
            }
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

    /// `{"command": name, ...args}` as a command: what the API and the UI
    /// send, checked for shape (not yet for the matter's state).
    pub fn from_json(
        kind: CommandKind,
        args: serde_json::Map<String, serde_json::Value>,
    ) -> Result<Command, Bilingual> {
        let mut object = args;
        object.insert("command".to_owned(), serde_json::Value::String(kind.name().to_owned()));
        serde_json::from_value::<Command>(serde_json::Value::Object(object)).map_err(|e| {
            Bilingual::new(format!("命令 {kind} 的参数不正确：{e}"), format!("wrong arguments for {kind}: {e}"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_one_name_and_an_example_of_itself() {
        let mut names: Vec<&str> = CommandKind::ALL.iter().map(|k| k.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CommandKind::ALL.len(), "names are unique");
        for k in CommandKind::ALL {
            assert_eq!(k.name().parse::<CommandKind>().expect("parses"), *k);
            assert_eq!(k.example().kind(), *k);
            assert_eq!(serde_json::to_value(k).expect("json"), serde_json::Value::from(k.name()));
            assert!(!k.roles().is_empty(), "{k}: someone may give it");
            assert!(!k.label_zh().is_empty() && !k.label_en().is_empty());
        }
        assert!("report".parse::<CommandKind>().is_err(), "a report is not a command");
    }

    #[test]
    fn arguments_are_checked() {
        assert!(Command::Reject { reason: " ".into() }.validate().is_err());
        assert!(Command::Rate { rating: Rating::Unsatisfied, reason: None }.validate().is_err());
        assert!(Command::Extend { hours: 0, reason: "理由".into() }.validate().is_err());
        assert!(Command::Respond { text: "字".repeat(2001) }.validate().is_err());
        assert!(Command::Accept.validate().is_ok());
        let dept = Assignee::Department(DepartmentCode::parse("510104-chengguan").expect("dept"));
        let json = serde_json::to_string(&Command::Dispatch { to: dept.clone() }).expect("json");
        assert_eq!(json, r#"{"command":"dispatch","to":{"kind":"department","code":"510104-chengguan"}}"#);
        assert_eq!(serde_json::from_str::<Command>(&json).expect("back"), Command::Dispatch { to: dept });
        let mut args = serde_json::Map::new();
        args.insert("hours".into(), 3.into());
        assert!(Command::from_json(CommandKind::Extend, args).is_err(), "a reason is missing");
    }
}
