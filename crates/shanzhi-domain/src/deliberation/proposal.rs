//! A proposal's way through its work method: support gathered from
//! residents until the threshold, then each step in order — done by its
//! body with its artefacts, decided by a vote where the step says so,
//! publicly noticed where it says so — until the last step is done, or a
//! vote rejects it. The method is data: any valid method drives it.

use std::collections::BTreeSet;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::method::{Artefact, Body, WorkMethod};
use super::notice::Notice;
use super::vote::Tally;
use crate::calendar::Calendar;
use crate::text::Bilingual;

crate::code_enum! {
    /// Who raised a proposal.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum Origin {
        /// A resident of the community, signed in.
        Resident => "resident", "居民提议";
        /// The community's Party organisation.
        Party => "party", "党组织提议";
        /// A social organisation working in the community.
        Social => "social", "社会组织提议";
        /// Raised from a matter that recurs or no department can take (以事聚人).
        Matter => "matter", "由事件转为议题";
    }
    from_str(s: s.trim()) -> Bilingual {
        Bilingual::new(format!("未知的提议来源“{s}”"), format!("unknown origin '{s}'"))
    }
}

/// Where a proposal stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum Stage {
    /// Residents support it until `needed` have.
    Gathering { supporters: u32, needed: u32 },
    /// The step at `step` is under way.
    Working { step: usize },
    /// The step at `step` is done and publicly noticed.
    Noticed { step: usize, notice: Notice },
    /// Every step done.
    Done,
    /// A vote at `step` did not pass.
    Rejected { step: usize },
    /// Withdrawn by its proposer before a decision.
    Withdrawn,
}

/// What a step's body hands in to finish it.
#[derive(Debug, Clone, Default)]
pub struct StepReport {
    pub artefacts: BTreeSet<Artefact>,
    /// The vote, for a step decided by one.
    pub tally: Option<Tally>,
}

fn step_out_of_turn() -> Bilingual {
    Bilingual::new("该提案当前不在此步骤，不能办理", "the proposal is not at this step now")
}

impl Stage {
    /// A new proposal: it gathers support, or, with no threshold (a
    /// proposal of the Party organisation itself), starts at the first step.
    pub fn new(needed: u32) -> Stage {
        if needed == 0 { Stage::Working { step: 0 } } else { Stage::Gathering { supporters: 0, needed } }
    }

    /// One more resident supports it (the caller has checked that this
    /// resident lives in the community and has not supported it before).
    pub fn support(&self) -> Result<Stage, Bilingual> {
        match *self {
            Stage::Gathering { supporters, needed } if supporters + 1 >= needed => Ok(Stage::Working { step: 0 }),
            Stage::Gathering { supporters, needed } => Ok(Stage::Gathering { supporters: supporters + 1, needed }),
            _ => Err(Bilingual::new("该提案已不再征集附议", "the proposal no longer gathers support")),
        }
    }

    /// `body` finishes the current step `code` with `report` at `now`.
    pub fn finish_step(
        &self,
        method: &WorkMethod,
        code: &str,
        body: Body,
        report: &StepReport,
        now: Timestamp,
        calendar: &Calendar,
    ) -> Result<Stage, Bilingual> {
        let Stage::Working { step } = *self else { return Err(step_out_of_turn()) };
        let Some(current) = method.steps.get(step).filter(|s| s.code == code) else { return Err(step_out_of_turn()) };
        if current.body != body {
            return Err(Bilingual::new(
                format!("“{}”由{}办理", current.name, current.body.label_zh()),
                format!("the step '{}' is taken by the {}", current.name_en_or_code(), current.body.label_en()),
            ));
        }
        let missing: Vec<Artefact> =
            current.artefacts.iter().copied().filter(|a| !report.artefacts.contains(a)).collect();
        if !missing.is_empty() {
            let zh: Vec<&str> = missing.iter().map(|a| a.label_zh()).collect();
            let en: Vec<&str> = missing.iter().map(|a| a.as_str()).collect();
            return Err(Bilingual::new(
                format!("“{}”还缺少：{}", current.name, zh.join("、")),
                format!("the step '{}' still needs: {}", current.name_en_or_code(), en.join(", ")),
            ));
        }
        match (current.vote, report.tally) {
            (true, None) => {
                return Err(Bilingual::new(
                    "此步骤须经表决，请先记录表决结果",
                    "this step is decided by a vote: record it first",
                ));
            }
            (true, Some(t)) if !t.passed => return Ok(Stage::Rejected { step }),
            (false, Some(_)) => {
                return Err(Bilingual::new("此步骤不经表决", "this step is not decided by a vote"));
            }
            _ => {}
        }
        Ok(match current.notice_days {
            Some(days) => Stage::Noticed { step, notice: Notice::posted(calendar, now, days) },
            None => Self::after(method, step),
        })
    }

    /// The notice of the current step has run its time: the next step.
    pub fn end_notice(&self, method: &WorkMethod, now: Timestamp) -> Result<Stage, Bilingual> {
        let Stage::Noticed { step, notice } = *self else {
            return Err(Bilingual::new("该提案当前没有公示", "the proposal is not under notice"));
        };
        notice.allows_next_step(now)?;
        Ok(Self::after(method, step))
    }

    /// The proposer withdraws it, before any vote decided it.
    pub fn withdraw(&self, method: &WorkMethod) -> Result<Stage, Bilingual> {
        // Has a vote been taken in the steps before `done`?
        let voted = |done: usize| method.steps[..done.min(method.steps.len())].iter().any(|s| s.vote);
        match *self {
            Stage::Gathering { .. } => Ok(Stage::Withdrawn),
            Stage::Working { step } if !voted(step) => Ok(Stage::Withdrawn),
            Stage::Noticed { step, .. } if !voted(step + 1) => Ok(Stage::Withdrawn),
            _ => Err(Bilingual::new(
                "已经决议或已结束的提案不能撤回",
                "a decided or finished proposal cannot be withdrawn",
            )),
        }
    }

    fn after(method: &WorkMethod, step: usize) -> Stage {
        if step + 1 < method.steps.len() { Stage::Working { step: step + 1 } } else { Stage::Done }
    }

    /// The kind of stage, as lists file it.
    pub fn status(&self) -> &'static str {
        match self {
            Stage::Gathering { .. } => "gathering",
            Stage::Working { .. } => "working",
            Stage::Noticed { .. } => "noticed",
            Stage::Done => "done",
            Stage::Rejected { .. } => "rejected",
            Stage::Withdrawn => "withdrawn",
        }
    }

    /// The step under way or under notice, if any.
    pub fn step(&self) -> Option<usize> {
        match *self {
            Stage::Working { step } | Stage::Noticed { step, .. } => Some(step),
            _ => None,
        }
    }

    pub fn is_finished(&self) -> bool {
        matches!(self, Stage::Done | Stage::Rejected { .. } | Stage::Withdrawn)
    }
}

impl super::method::Step {
    fn name_en_or_code(&self) -> &str {
        if self.name_en.is_empty() { &self.code } else { &self.name_en }
    }
}

#[cfg(test)]
mod tests;
