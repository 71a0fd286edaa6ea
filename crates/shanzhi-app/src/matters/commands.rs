//! The lifecycle's commands. Each goes through the same gate, in order: the
//! arguments (400), the matter visible to the caller (404), a role allowed to
//! give the command here (403), the state (409, listing what fits), then the
//! rules of the command (422: a department that exists, the community
//! negative list, a merge target). Only then is the event appended, with the
//! new status, in one transaction.

use serde::Serialize;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{
    ActingRole, Assignee, Command, CommandKind, DepartmentCode, DivisionLevel, DutyLevel, DutyList, Level, Matter, Role,
};
use shanzhi_store::StoreError;

use super::{MatterView, matter_not_found};
use crate::access::Scoped;
use crate::{AppError, AppResult};

/// The unit suggested for a matter where it stands now: the one that most
/// often handled this category's closed matters in its place (智能分拨),
/// else the one the duty list names.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Suggestion {
    pub assignee: Assignee,
    pub name: String,
    /// The duty list the category is on here (none for a suggestion from
    /// history where the duty list names nobody).
    pub list: Option<DutyList>,
    pub list_name: Option<&'static str>,
    pub co_departments: Vec<String>,
    pub source: SuggestionSource,
    /// For a suggestion from history: the unit's share of the closed
    /// matters counted (0–1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// What a suggestion from history rests on, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<Bilingual>,
}

/// Where a suggestion comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SuggestionSource {
    /// 职责清单: the category's duty list.
    DutyList,
    /// 智能分拨: the units that handled closed matters of the category.
    History,
}

fn duty_level(level: Level) -> DutyLevel {
    match level {
        Level::Grid | Level::Community => DutyLevel::Community,
        Level::Town => DutyLevel::Town,
        Level::District => DutyLevel::District,
    }
}

impl Scoped<'_> {
    /// The unit history suggests, else the duty list's.
    pub(crate) async fn suggestion_for(&self, m: &Matter) -> AppResult<Option<Suggestion>> {
        let duty = self.duty_suggestion(m).await?;
        Ok(self.learned_suggestion(m, duty.as_ref()).await?.or(duty))
    }

    /// The department (the matter's district's, else the city's) or the
    /// community that the duty list names for this matter's category and level.
    pub(crate) async fn duty_suggestion(&self, m: &Matter) -> AppResult<Option<Suggestion>> {
        let dictionary = self.app.dictionary().await?;
        let level = duty_level(m.status.level);
        if level == DutyLevel::Community
            && let Some(d) = dictionary.duty(&m.category, DutyLevel::Community)
            && d.list == DutyList::Lawful
        {
            return Ok(Some(Suggestion {
                assignee: Assignee::Community,
                name: "本社区".to_owned(),
                list: Some(d.list),
                list_name: Some(d.list.label_zh()),
                co_departments: Vec::new(),
                source: SuggestionSource::DutyList,
                confidence: None,
                basis: None,
            }));
        }
        // Above the community, or where the community only assists or may
        // not take it: the town list names the lead department.
        let duty =
            match dictionary.duty(&m.category, if level == DutyLevel::Community { DutyLevel::Town } else { level }) {
                Some(d) => d,
                None => return Ok(None),
            };
        let Some(key) = duty.lead.as_deref() else { return Ok(None) };
        let community = m.grid.community();
        let district = community.ancestors().into_iter().find(|a| a.level() == DivisionLevel::District);
        let mut candidates = Vec::new();
        if let Some(d) = district {
            candidates.push(format!("{}-{key}", d.significant()));
        }
        candidates.push(format!("510100-{key}"));
        for code in candidates {
            let Ok(code) = DepartmentCode::parse(&code) else { continue };
            if let Some(name) = dictionary.department_name(code.as_str()) {
                return Ok(Some(Suggestion {
                    name: name.to_owned(),
                    assignee: Assignee::Department(code),
                    list: Some(duty.list),
                    list_name: Some(duty.list.label_zh()),
                    co_departments: duty.co.clone(),
                    source: SuggestionSource::DutyList,
                    confidence: None,
                    basis: None,
                }));
            }
        }
        Ok(None)
    }

    /// The duty list's suggestion for a matter the caller can see.
    pub async fn suggestion(&self, id: &str) -> AppResult<Option<Suggestion>> {
        let m = self.visible_matter(id).await?;
        self.suggestion_for(&m).await
    }

    /// Give a command. `args` are the command's arguments as JSON (an object;
    /// `attachments` may list uploaded files to attach to the event).
    pub async fn command(&self, id: &str, name: &str, args: serde_json::Value) -> AppResult<MatterView> {
        let (command, attachments) = parse_command(name, args)?;
        let kind = command.kind();
        command.validate().map_err(|m| AppError::BadRequest { code: "invalid_arguments", message: m })?;
        if let Some(message) = system_only(&command) {
            return Err(AppError::BadRequest { code: "invalid_arguments", message });
        }
        if kind == CommandKind::SelfHandle {
            // It needs the category's permission, the worker's own grid and
            // a photo: only the report that carries them may give it.
            return Err(AppError::bad_request(
                "self_handle_with_report",
                "自行处置须在上报时一并提交（POST /api/v1/matters/self-handle）",
                "handling on the spot is sent with the report itself (POST /api/v1/matters/self-handle)",
            ));
        }
        let m = self.visible_matter(id).await?;
        let Some(role) = self.acting_role(kind, &m) else {
            return Err(AppError::Forbidden(Bilingual::new(
                format!("您在此事件上不能执行 {kind}（需要角色：{}）", roles_text(kind)),
                format!("you may not {kind} this matter (needs: {})", roles_text(kind)),
            )));
        };
        self.apply_command(m, self.acting_as(role), command, attachments).await
    }

    /// A reporter without an account rates their matter with the private
    /// key shown to them once, when they reported it.
    pub async fn rate_as_reporter(&self, number: &str, key: &str, args: serde_json::Value) -> AppResult<MatterView> {
        let (command, attachments) = parse_command(CommandKind::Rate.name(), args)?;
        command.validate().map_err(|m| AppError::BadRequest { code: "invalid_arguments", message: m })?;
        let m = self.matter_with_key(number, key).await?.ok_or_else(matter_not_found)?;
        self.apply_command(m, ActingRole::Role(Role::Resident), command, attachments).await
    }

    /// The matter numbered `number` if `key` is its reporter's private key.
    pub(crate) async fn matter_with_key(&self, number: &str, key: &str) -> AppResult<Option<Matter>> {
        if !key.starts_with("szk_") || key.len() > 100 {
            return Ok(None);
        }
        let hash = crate::access::auth::token_hash(key);
        Ok(self.app.store.matter_by_reporter_key(&hash).await?.filter(|m| m.number == number.trim()))
    }

    pub(crate) async fn apply_command(
        &self,
        m: Matter,
        role: ActingRole,
        command: Command,
        attachments: Vec<String>,
    ) -> AppResult<MatterView> {
        let (next, mut event) = m
            .apply(&command, self.app.now_micros(), &self.actor.name, role, attachments.clone())
            .map_err(|r| AppError::WrongState { message: r.message, allowed: r.allowed })?;
        let merged_into = self.check_rules(&m, &command).await?;
        self.check_own_uploads(&attachments).await?;
        let category = self.app.store.category(&m.category, Some(m.category_version)).await?.map(|(c, _)| c);
        let clock = match &category {
            Some(c) => self.app.timing().after(
                m.clock.as_ref(),
                &command,
                &m.status,
                &next.status,
                &c.limits,
                m.is_urgent(),
                event.at.timestamp(),
            ),
            None => m.clock.clone(),
        };
        let updated = next.timed(clock, &mut event);
        let tells = self.app.command_tells(&command, &m, &updated, self.actor.user_id()).await?;
        let mut notices = self.app.notices_for(&updated, event.seq, tells).await?;
        notices.extend(self.app.phone_closure(&m, &updated, event.seq));
        // A closed hotline order may get its call-back task (满意度回访),
        // written in the same transaction as the closing entry.
        let task = self.callback_task_for(&m, &updated, &event).await?;
        self.app.store.append_matter_event_with_task(&updated, &event, &notices, task.as_ref()).await.map_err(|e| {
            match e {
                StoreError::Constraint(_) => AppError::WrongState {
                    message: Bilingual::new(
                        "事件刚被他人更新，请刷新后重试",
                        "the matter changed meanwhile; reload and retry",
                    ),
                    allowed: Vec::new(),
                },
                other => other.into(),
            }
        })?;
        if !attachments.is_empty() {
            self.app.store.bind_attachments(&attachments, &m.id, &self.actor.name).await?;
        }
        if let Some(original) = merged_into {
            // Listed among the original's repeats from now on.
            self.app.store.mark_duplicates(std::slice::from_ref(&m.id), &original).await?;
        }
        tracing::info!(number = %m.number, command = %command.kind(), from = %m.status.state, to = %updated.status.state, "matter command");
        let stored = self.app.store.matter(&m.id).await?.ok_or_else(matter_not_found)?;
        self.view(&stored).await
    }

    /// What a command needs besides the state; for a merge, the number of
    /// the matter it goes into.
    async fn check_rules(&self, m: &Matter, command: &Command) -> AppResult<Option<String>> {
        match command {
            Command::Dispatch { to: Assignee::Department(code) } => {
                if self.app.store.department(code).await?.is_none() {
                    return Err(AppError::invalid(
                        "unknown_department",
                        Bilingual::new(format!("部门 {code} 不存在"), format!("no department {code}")),
                    ));
                }
                // Only the city's departments, or those of the matter's own
                // district or town, may take it.
                let community = m.grid.community();
                if !code.division().is_ancestor_of(&community) {
                    return Err(AppError::invalid(
                        "department_out_of_area",
                        Bilingual::new(
                            format!("部门 {code} 不负责该事件所在区域，请派给本区（市）或本街道的部门"),
                            format!(
                                "department {code} does not serve the matter's area; dispatch to a department of its city, district or town"
                            ),
                        ),
                    ));
                }
            }
            Command::Dispatch { to: Assignee::Community } => {
                if let Some(d) = self.app.store.duty(&m.category, DutyLevel::Community).await?
                    && d.list == DutyList::Negative
                {
                    return Err(AppError::invalid(
                        "negative_list",
                        Bilingual::new(
                            format!("该类事项在社区工作准入负面清单中，不能派给社区：{}", d.note),
                            format!(
                                "this category is on the community's negative list and may not be dispatched to it: {}",
                                d.note
                            ),
                        ),
                    ));
                }
            }
            Command::Merge { into } => {
                let target = self.visible_matter(into).await.map_err(|_| {
                    AppError::invalid(
                        "unknown_merge_target",
                        Bilingual::new("合并目标事件不存在", "the matter to merge into does not exist"),
                    )
                })?;
                if target.id == m.id || target.status.state.is_final() {
                    return Err(AppError::invalid(
                        "invalid_merge_target",
                        Bilingual::new("不能合并到自身或已终结的事件", "cannot merge into itself or a finished matter"),
                    ));
                }
                return Ok(Some(target.number));
            }
            _ => {}
        }
        Ok(None)
    }
}

fn roles_text(kind: CommandKind) -> String {
    kind.roles().iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
}

/// `{"command": name, ...args}` as a command; `attachments` taken aside.
pub(crate) fn parse_command(name: &str, args: serde_json::Value) -> AppResult<(Command, Vec<String>)> {
    let kind: CommandKind = name.parse().map_err(|message| AppError::NotFound { code: "unknown_command", message })?;
    let mut object = match args {
        serde_json::Value::Object(o) => o,
        serde_json::Value::Null => serde_json::Map::new(),
        _ => {
            return Err(AppError::bad_request(
                "invalid_arguments",
                "命令参数应为 JSON 对象",
                "command arguments must be a JSON object",
            ));
        }
    };
    let attachments = match object.remove("attachments") {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(v) => serde_json::from_value::<Vec<String>>(v).map_err(|_| {
            AppError::bad_request(
                "invalid_arguments",
                "attachments 应为附件编号数组",
                "attachments must be an array of attachment ids",
            )
        })?,
    };
    if attachments.len() > 9 {
        return Err(AppError::bad_request("too_many_attachments", "最多 9 个附件", "at most 9 attachments"));
    }
    let command = Command::from_json(kind, object)
        .map_err(|message| AppError::BadRequest { code: "invalid_arguments", message })?;
    Ok((command, attachments))
}

/// Arguments only the platform itself fills in: the sweep's automatic
/// supervision of an overdue stage, the Open311 interface's partner update.
fn system_only(command: &Command) -> Option<Bilingual> {
    match command {
        Command::Supervise { overdue: Some(_), .. } => {
            Some(Bilingual::new("逾期督办由系统自动记录，不能手工填写 overdue", "overdue is entered by the sweep only"))
        }
        Command::Note { partner: Some(_), .. } => Some(Bilingual::new(
            "partner 由 Open311 接口（POST servicerequestupdates）记录，不能手工填写",
            "partner is entered by the Open311 interface (POST servicerequestupdates) only",
        )),
        _ => None,
    }
}
