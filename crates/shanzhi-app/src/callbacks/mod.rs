//! 满意度回访 (docs/callbacks.md): the call-back tasks of closed hotline
//! orders for the hotline's clerks (dispatchers), their attempts, the
//! settings that say which closures get one, and the 三率 from the record
//! export. The results back to 12345 are in [`results`].

pub mod push;
pub mod results;

use serde::{Deserialize, Serialize};
use shanzhi_domain::callback::{
    CallbackAnswer, CallbackRates, CallbackSettings, CallbackState, CallbackTask, callback_rates,
};
use shanzhi_domain::{
    Channel, CommandKind, DivisionCode, Matter, MatterEvent, MatterId, MatterState, Rating, Role, Scope,
};
use shanzhi_store::{CallbackQuery, StoreError};

use crate::access::{Scoped, Via};
use crate::figures::FigureQuery;
use crate::matters::{iso, matter_not_found};
use crate::{AppError, AppResult};
use shanzhi_domain::text::Bilingual;

/// The setting that holds [`CallbackSettings`] (JSON).
pub const SETTINGS_KEY: &str = "callbacks.settings";
/// Tasks a list page holds at most.
pub const MAX_PAGE: usize = 200;

/// One task as the clerk's list shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallbackTaskView {
    pub id: String,
    pub matter_id: String,
    pub number: String,
    pub state: CallbackState,
    /// 待回访 / 已回访 / 无效回访.
    pub state_label: String,
    pub attempts: u32,
    pub created_at: String,
    pub last_attempt_at: Option<String>,
    /// The matter's description, for the clerk to read out.
    pub description: String,
    /// The reporter's phone, masked (the matter page shows it whole).
    pub phone_masked: Option<String>,
}

/// `GET /callbacks`: the script, the attempts allowed, and a page of tasks.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallbackTaskPage {
    /// 话术.
    pub script: String,
    pub max_attempts: u32,
    pub items: Vec<CallbackTaskView>,
    /// Give as `after` for the next page.
    pub next: Option<String>,
}

/// One call: `reached` false (unreachable: try again later), or the three
/// answers.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CallbackAttempt {
    pub reached: bool,
    #[serde(default)]
    pub contacted: Option<bool>,
    #[serde(default)]
    pub solved: Option<bool>,
    #[serde(default)]
    pub satisfaction: Option<Rating>,
    #[serde(default)]
    pub note: Option<String>,
}

impl CallbackAttempt {
    /// The answers, if reached; all three or none.
    fn answers(&self) -> AppResult<Option<CallbackAnswer>> {
        match (self.reached, self.contacted, self.solved, self.satisfaction) {
            (true, Some(contacted), Some(solved), Some(satisfaction)) => {
                Ok(Some(CallbackAnswer { contacted, solved, satisfaction }))
            }
            (false, None, None, None) => Ok(None),
            (true, ..) => Err(AppError::bad_request(
                "callback_answers_missing",
                "接通后请回答全部三个问题：是否联系、是否解决、满意度",
                "when reached, answer all three: contacted, solved, satisfaction",
            )),
            (false, ..) => Err(AppError::bad_request(
                "callback_answers_unreached",
                "未接通时不能填写回答",
                "an unreachable call has no answers",
            )),
        }
    }
}

/// `GET /indicators/callback-rates`: the 三率 of the call-backs in a period.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallbackRatesAnswer {
    pub period: String,
    pub as_of: String,
    /// The weight of 基本满意 (the indicators' k).
    pub k: f64,
    pub rates: CallbackRates,
}

fn task_not_found() -> AppError {
    AppError::not_found(
        "callback_not_found",
        "未找到该回访任务，或不在您的管辖范围内",
        "no such call-back task in your scope",
    )
}

impl Scoped<'_> {
    /// The divisions this caller works call-backs in (`None`: everywhere,
    /// the operator); refused without a dispatcher's grant.
    pub(crate) fn callback_divisions(&self, roles: &[Role]) -> AppResult<Option<Vec<DivisionCode>>> {
        if self.actor.via == Via::System {
            return Ok(None);
        }
        let today = crate::grids::today();
        let divisions: Vec<DivisionCode> = self
            .actor
            .grants
            .iter()
            .filter(|g| roles.contains(&g.role) && g.term.contains(today))
            .filter_map(|g| match &g.scope {
                Some(Scope::Division(d)) => Some(d.clone()),
                _ => None,
            })
            .collect();
        if divisions.is_empty() {
            return Err(AppError::Forbidden(Bilingual::new(
                "满意度回访由 12345 热线话务员（调度员）办理",
                "call-backs are for the hotline's clerks (dispatchers)",
            )));
        }
        Ok(Some(divisions))
    }

    /// The settings in force (the defaults until an administrator sets them).
    pub async fn callback_settings(&self) -> AppResult<CallbackSettings> {
        let stored = self.app.store.setting(SETTINGS_KEY).await?;
        Ok(stored
            .and_then(|s| serde_json::from_str::<CallbackSettings>(&s).ok())
            .filter(|s| s.validate().is_ok())
            .unwrap_or_default())
    }

    /// Set them (an administrator, or the operator).
    pub async fn put_callback_settings(&self, settings: &CallbackSettings) -> AppResult<CallbackSettings> {
        let admin = self.actor.via == Via::System || self.actor.has_role(Role::Admin);
        if !admin {
            return Err(AppError::Forbidden(Bilingual::new(
                "只有系统管理员可以设置回访抽样",
                "only an administrator sets the call-back sampling",
            )));
        }
        settings.validate().map_err(|m| AppError::invalid("invalid_callback_settings", m))?;
        let json = serde_json::to_string(settings).map_err(|e| AppError::internal(e.to_string()))?;
        self.app.store.put_setting(SETTINGS_KEY, &json, &self.audit("callbacks.settings", SETTINGS_KEY)).await?;
        Ok(settings.clone())
    }

    /// The task the closure recorded by `event` gets, if any: closures of
    /// hotline orders, sampled as the settings say.
    pub(crate) async fn callback_task_for(
        &self,
        before: &Matter,
        after: &Matter,
        event: &MatterEvent,
    ) -> AppResult<Option<CallbackTask>> {
        let closes = after.status.state == MatterState::Closed && before.status.state != MatterState::Closed;
        if !closes || before.channel != Channel::Hotline {
            return Ok(None);
        }
        let settings = self.callback_settings().await?;
        let community = after.grid.community();
        if !settings.selects(after.id.as_str(), after.status.assignee.as_ref(), &community) {
            return Ok(None);
        }
        Ok(Some(CallbackTask::new(after.id.as_str(), &after.number, community, event.seq, event.at)))
    }

    /// Tasks in the caller's divisions (open ones by default), oldest first.
    pub async fn callback_tasks(
        &self,
        states: Vec<CallbackState>,
        after: Option<&str>,
        limit: usize,
    ) -> AppResult<CallbackTaskPage> {
        let within = self.callback_divisions(&[Role::Dispatcher])?;
        let limit = limit.clamp(1, MAX_PAGE);
        let after = after.map(decode_cursor).transpose()?;
        let states = if states.is_empty() { vec![CallbackState::Open] } else { states };
        let query = CallbackQuery { within, states, after, limit };
        let tasks = self.app.store.callback_tasks(&query).await?;
        let ids: Vec<MatterId> = tasks.iter().filter_map(|t| MatterId::parse(&t.matter_id).ok()).collect();
        let matters = self.app.store.matters_by_ids(&ids).await?;
        let next =
            (tasks.len() == limit).then(|| tasks.last().map(|t| format!("{}_{}", t.created_at.get(), t.id))).flatten();
        let items = tasks
            .iter()
            .map(|t| {
                let m = matters.iter().find(|m| m.id.as_str() == t.matter_id);
                CallbackTaskView {
                    id: t.id.clone(),
                    matter_id: t.matter_id.clone(),
                    number: t.number.clone(),
                    state: t.state,
                    state_label: t.state.label_zh().to_owned(),
                    attempts: t.attempts,
                    created_at: iso(t.created_at),
                    last_attempt_at: t.last_attempt_at.map(iso),
                    description: m.map(|m| m.description.clone()).unwrap_or_default(),
                    phone_masked: m.and_then(|m| m.reporter.phone.as_ref()).map(|p| p.masked()),
                }
            })
            .collect();
        let settings = self.callback_settings().await?;
        Ok(CallbackTaskPage { script: settings.script, max_attempts: settings.max_attempts, items, next })
    }

    /// Record one call of task `id`: unreachable keeps it open until the
    /// last attempt (无效回访); answers close it. The outcome goes on the
    /// matter's timeline (command `callback`) in the same transaction.
    pub async fn record_callback(&self, id: &str, attempt: &CallbackAttempt) -> AppResult<CallbackTaskView> {
        let answers = attempt.answers()?;
        let note = attempt.note.as_deref().unwrap_or_default();
        if note.chars().count() > 2000 {
            return Err(AppError::bad_request(
                "invalid_note",
                "回访记录不超过 2000 个字符",
                "the note has at most 2000 characters",
            ));
        }
        if id.len() > 200 {
            return Err(task_not_found());
        }
        let task = self.app.store.callback_task(id).await?.ok_or_else(task_not_found)?;
        let matter_id = MatterId::parse(&task.matter_id).map_err(|_| task_not_found())?;
        let m = self.app.store.matter(&matter_id).await?.ok_or_else(matter_not_found)?;
        let role = self.acting_role(CommandKind::Callback, &m).ok_or_else(task_not_found)?;
        let settings = self.callback_settings().await?;
        let now = self.app.now_micros();
        let (next, command) = task
            .attempt(answers, note, settings.max_attempts, now)
            .map_err(|message| AppError::Conflict { code: "callback_closed", message, details: None })?;
        let entry = match &command {
            Some(c) => {
                let (after, mut event) = m
                    .apply(c, now, &self.actor.name, self.acting_as(role), Vec::new())
                    .map_err(|r| AppError::WrongState { message: r.message, allowed: r.allowed })?;
                let after = after.timed(m.clock.clone(), &mut event);
                Some((after, event))
            }
            None => None,
        };
        self.app.store.record_callback(&next, task.attempts, entry.as_ref().map(|(m, e)| (m, e))).await.map_err(
            |e| match e {
                StoreError::Constraint(_) => AppError::Conflict {
                    code: "callback_changed",
                    message: Bilingual::new(
                        "该回访刚被他人记录，请刷新后重试",
                        "the call-back changed meanwhile; reload and retry",
                    ),
                    details: None,
                },
                other => other.into(),
            },
        )?;
        tracing::info!(number = %m.number, state = %next.state, attempts = next.attempts, "call-back");
        Ok(CallbackTaskView {
            id: next.id.clone(),
            matter_id: next.matter_id.clone(),
            number: next.number.clone(),
            state: next.state,
            state_label: next.state.label_zh().to_owned(),
            attempts: next.attempts,
            created_at: iso(next.created_at),
            last_attempt_at: next.last_attempt_at.map(iso),
            description: m.description.clone(),
            phone_masked: m.reporter.phone.as_ref().map(|p| p.masked()),
        })
    }

    /// The 三率 of the call-backs in `q.period` within view, counted from
    /// the record export's rows alone.
    pub async fn callback_rates(&self, q: &FigureQuery) -> AppResult<CallbackRatesAnswer> {
        let read = self.read_figures(q).await?;
        let rows = read.timelines.iter().flatten();
        let rates = callback_rates(rows, read.start, read.end, read.k);
        Ok(CallbackRatesAnswer {
            period: q.period.to_string(),
            as_of: shanzhi_domain::indicators::record::export_time(read.as_of),
            k: read.k,
            rates,
        })
    }
}

fn decode_cursor(c: &str) -> AppResult<(shanzhi_domain::Micros, String)> {
    let bad = || AppError::bad_request("invalid_cursor", "翻页游标无效", "invalid page cursor");
    if c.len() > 200 {
        return Err(bad());
    }
    let (at, id) = c.split_once('_').ok_or_else(bad)?;
    Ok((shanzhi_domain::Micros::new(at.parse().map_err(|_| bad())?), id.to_owned()))
}
