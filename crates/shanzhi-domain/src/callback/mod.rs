//! 满意度回访: the hotline's call-backs of closed hotline orders
//! (docs/callbacks.md). Which closures get a task (all, or a sampled share
//! per unit, decided by the matter id's hash so the choice is reproducible),
//! what an attempt does to a task (unreachable N times → 无效回访), and the
//! 三率 over valid call-backs, counted from the record export alone.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::DivisionCode;
use crate::indicators::{Figure, TimelineRow};
use crate::instant::Micros;
use crate::matter::{Assignee, Command, CommandKind, EventKind, Rating};
use crate::text::Bilingual;

/// Attempts before an unreachable reporter makes a task invalid, by default.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
/// The most attempts a setting may ask for.
pub const MAX_ATTEMPTS_LIMIT: u32 = 10;
/// The most per-unit shares a setting holds.
pub const MAX_UNITS: usize = 500;
/// The most characters of the script (话术).
pub const MAX_SCRIPT_CHARS: usize = 2000;

/// The default script read to the reporter.
pub const DEFAULT_SCRIPT: &str = "您好，这里是 12345 热线回访。您反映的问题已经办结，耽误您一分钟：\
1. 承办单位是否与您联系？2. 您反映的问题是否已解决？3. 您对办理结果是满意、基本满意还是不满意？";

/// The three answers of a call-back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallbackAnswer {
    /// 是否联系: did the handling unit contact the reporter?
    pub contacted: bool,
    /// 是否解决: does the reporter find the problem solved?
    pub solved: bool,
    /// 满意 / 基本满意 / 不满意.
    pub satisfaction: Rating,
}

/// How call-back tasks are made: the share of closed hotline orders that
/// get one (per cent; a unit's own share first), the attempts before a task
/// is invalid, and the script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallbackSettings {
    /// Per cent of closures that get a task (0–100) where no unit says otherwise.
    pub share: u8,
    /// Per-unit shares: `department:510104-chengguan`, or a division code
    /// (community, town or district: the nearest one of the matter counts).
    #[serde(default)]
    pub units: BTreeMap<String, u8>,
    /// Unreachable attempts after which the task closes as 无效回访 (1–10).
    pub max_attempts: u32,
    /// 话术: what the clerk reads.
    pub script: String,
}

impl Default for CallbackSettings {
    fn default() -> Self {
        CallbackSettings {
            share: 100,
            units: BTreeMap::new(),
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            script: DEFAULT_SCRIPT.to_owned(),
        }
    }
}

impl CallbackSettings {
    /// Check bounds and unit keys.
    pub fn validate(&self) -> Result<(), Bilingual> {
        let bad_share = |s: u8| s > 100;
        if bad_share(self.share) || self.units.values().any(|s| bad_share(*s)) {
            return Err(Bilingual::new("抽样比例应为 0–100", "a share is 0–100 per cent"));
        }
        if self.units.len() > MAX_UNITS {
            return Err(Bilingual::new(
                format!("按单位的抽样比例最多 {MAX_UNITS} 项"),
                format!("at most {MAX_UNITS} unit shares"),
            ));
        }
        for key in self.units.keys() {
            let ok = match key.strip_prefix("department:") {
                Some(d) => crate::DepartmentCode::parse(d).is_ok(),
                None => DivisionCode::parse(key).is_ok(),
            };
            if !ok {
                return Err(Bilingual::new(
                    format!("单位“{key}”应为 department:部门编码 或 区划代码"),
                    format!("unit '{key}' must be department:CODE or a division code"),
                ));
            }
        }
        if !(1..=MAX_ATTEMPTS_LIMIT).contains(&self.max_attempts) {
            return Err(Bilingual::new(
                format!("回访次数上限应为 1–{MAX_ATTEMPTS_LIMIT}"),
                format!("max_attempts is 1–{MAX_ATTEMPTS_LIMIT}"),
            ));
        }
        let n = self.script.trim().chars().count();
        if n == 0 || n > MAX_SCRIPT_CHARS {
            return Err(Bilingual::new(
                format!("话术应为 1–{MAX_SCRIPT_CHARS} 个字符"),
                format!("the script has 1–{MAX_SCRIPT_CHARS} characters"),
            ));
        }
        Ok(())
    }

    /// The share for a matter handled by `assignee` in `community`: the
    /// department's own, else the nearest division's (community, town,
    /// district), else the default.
    pub fn share_for(&self, assignee: Option<&Assignee>, community: &DivisionCode) -> u8 {
        if let Some(Assignee::Department(d)) = assignee
            && let Some(s) = self.units.get(&format!("department:{d}"))
        {
            return *s;
        }
        let digits = community.significant();
        [12, 9, 6]
            .iter()
            .filter_map(|n| digits.get(..*n))
            .find_map(|code| self.units.get(code))
            .copied()
            .unwrap_or(self.share)
    }

    /// Does the closure of this matter get a call-back task?
    pub fn selects(&self, matter_id: &str, assignee: Option<&Assignee>, community: &DivisionCode) -> bool {
        is_sampled(matter_id, self.share_for(assignee, community))
    }
}

/// A matter's place in [0, 10000): the first bytes of SHA-256 of its id.
pub fn sample_point(matter_id: &str) -> u32 {
    let digest = Sha256::digest(matter_id.as_bytes());
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) % 10_000
}

/// Within a share of `percent`: the same id always gives the same answer.
pub fn is_sampled(matter_id: &str, percent: u8) -> bool {
    sample_point(matter_id) < u32::from(percent.min(100)) * 100
}

crate::code_enum! {
    /// Where a call-back task stands.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum CallbackState {
        Open => "open", "待回访";
        Done => "done", "已回访";
        Invalid => "invalid", "无效回访";
    }
    from_str(s: s) -> Bilingual {
        Bilingual::new(format!("未知的回访状态“{s}”"), format!("unknown call-back state '{s}'"))
    }
}

/// One call-back task: made with the closure of a hotline order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackTask {
    /// `{matter_id}:{seq}`: the closure it follows.
    pub id: String,
    pub matter_id: String,
    pub number: String,
    pub community: DivisionCode,
    /// The closing entry's seq.
    pub close_seq: i64,
    pub created_at: Micros,
    pub state: CallbackState,
    pub attempts: u32,
    pub last_attempt_at: Option<Micros>,
}

impl CallbackTask {
    /// The task of a closure (the entry `close_seq` of `matter_id`).
    pub fn new(matter_id: &str, number: &str, community: DivisionCode, close_seq: i64, at: Micros) -> Self {
        CallbackTask {
            id: format!("{matter_id}:{close_seq}"),
            matter_id: matter_id.to_owned(),
            number: number.to_owned(),
            community,
            close_seq,
            created_at: at,
            state: CallbackState::Open,
            attempts: 0,
            last_attempt_at: None,
        }
    }

    /// The task after a call: unreachable keeps it open until the last
    /// allowed attempt, which closes it as 无效回访; answers close it. The
    /// command is what goes on the matter's timeline (none while it stays open).
    pub fn attempt(
        &self,
        answers: Option<CallbackAnswer>,
        note: &str,
        max_attempts: u32,
        at: Micros,
    ) -> Result<(CallbackTask, Option<Command>), Bilingual> {
        if self.state != CallbackState::Open {
            return Err(Bilingual::new(
                format!("该回访已是“{}”，不能再记录", self.state.label_zh()),
                format!("this call-back is already {}", self.state),
            ));
        }
        let attempts = self.attempts + 1;
        let mut next = CallbackTask { attempts, last_attempt_at: Some(at), ..self.clone() };
        let last = attempts >= max_attempts.clamp(1, MAX_ATTEMPTS_LIMIT);
        if answers.is_none() && !last {
            return Ok((next, None));
        }
        next.state = if answers.is_some() { CallbackState::Done } else { CallbackState::Invalid };
        let command = Command::Callback { answers, attempts, note: note.trim().to_owned() };
        command.validate()?;
        Ok((next, Some(command)))
    }
}

/// The 三率 over valid call-backs (standards reference §4, 12345:
/// 响应率 = contacted / valid, 解决率 = solved / valid,
/// 满意率 = (满意 + k × 基本满意) / valid).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallbackRates {
    /// `callback` entries with answers (有效回访).
    pub valid: u64,
    /// `callback` entries without (无效回访: unreachable).
    pub invalid: u64,
    pub response_rate: Figure,
    pub resolution_rate: Figure,
    pub satisfaction_rate: Figure,
}

fn figure(numerator: f64, denominator: f64) -> Figure {
    let value = (denominator > 0.0).then(|| ((numerator / denominator) * 1e9).round() / 1e9);
    Figure { numerator, denominator, value }
}

/// The 三率 of the `callback` rows written in `[start, end)`, with `k` the
/// weight of 基本满意 (the export's `rating` is the satisfaction, `passed`
/// solved, `contacted` contacted).
pub fn callback_rates<'a>(
    rows: impl IntoIterator<Item = &'a TimelineRow>,
    start: Micros,
    end: Micros,
    k: f64,
) -> CallbackRates {
    let (mut valid, mut invalid, mut contacted, mut solved, mut satisfied) = (0u64, 0u64, 0u64, 0u64, 0.0f64);
    for r in rows {
        if r.command != EventKind::Command(CommandKind::Callback) || r.at < start || r.at >= end {
            continue;
        }
        let Some(rating) = r.rating else {
            invalid += 1;
            continue;
        };
        valid += 1;
        contacted += u64::from(r.contacted == Some(true));
        solved += u64::from(r.passed == Some(true));
        satisfied += match rating {
            Rating::Satisfied => 1.0,
            Rating::BasicallySatisfied => k,
            Rating::Unsatisfied => 0.0,
        };
    }
    let v = valid as f64;
    CallbackRates {
        valid,
        invalid,
        response_rate: figure(contacted as f64, v),
        resolution_rate: figure(solved as f64, v),
        satisfaction_rate: figure(satisfied, v),
    }
}

pub mod results;
#[cfg(test)]
mod tests;
