//! Proposals: raised by a resident, the Party organisation, a social
//! organisation or from a matter (以事聚人, linked both ways); supported by
//! residents of the community up to the method's threshold; then taken step
//! by step by each step's body, noticed where the method says, objected to
//! while the notice runs, with milestones, the acceptance survey and the
//! supervisory committee's notes on the record.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use shanzhi_domain::deliberation::method::DEFAULT_SUPPORT;
use shanzhi_domain::deliberation::{Artefact, Body, Origin, Stage, StepReport, Tally, WorkMethod};
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{MatterId, Micros};
use shanzhi_store::{NoticeRecord, ProposalQuery, ProposalRecord, Remark, StageChange, StepDone, StoreError};

use super::fund_lists::proposal_text;
use super::{MAX_TEXT, MAX_TITLE, community_code, conflict, not_found, text};
use crate::access::Scoped;
use crate::{AppError, AppResult};

/// A new proposal.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProposalForm {
    pub title: String,
    pub body: String,
    pub origin: Origin,
    /// The method's code (`five_step`, or the community's own).
    pub method: String,
    /// For a proposal raised from a matter: the matter's id.
    #[serde(default)]
    pub matter: Option<String>,
}

/// What a step's body hands in to finish it.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StepForm {
    pub step: String,
    #[serde(default)]
    pub artefacts: Vec<Artefact>,
    /// For a step decided by a vote: the closed meeting that voted.
    #[serde(default)]
    pub meeting: Option<String>,
}

/// A comment, an objection or a note as people read it: by name.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RemarkView {
    pub seq: i64,
    pub author: String,
    pub at: String,
    pub text: String,
    /// 进度 / 满意度测评 / 监督意见 (notes), 异议 (objections), 评论 (comments).
    pub kind: String,
    /// The step it concerns (objections, notes).
    pub step: Option<String>,
    pub percent: Option<u8>,
    /// Photos (milestones and the survey), served only to those who may
    /// read the proposal.
    pub images: Vec<super::notes::NoteImage>,
}

/// One step of a proposal's method, where it stands.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepView {
    pub code: String,
    pub name: String,
    /// The step's English name, when its method gives one.
    pub name_en: String,
    pub body_name: String,
    /// 待办 / 办理中 / 公示中 / 已完成 / 未通过.
    pub state: String,
    pub done_at: Option<String>,
    pub done_by: Option<String>,
    pub artefacts: Vec<String>,
    pub notice_start: Option<String>,
    pub notice_end: Option<String>,
}

/// A proposal as people read it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalView {
    pub id: String,
    pub community: String,
    pub title: String,
    pub body: String,
    pub origin: Origin,
    pub origin_name: String,
    pub matter: Option<String>,
    pub method_name: String,
    pub status: String,
    pub status_name: String,
    pub supporters: u32,
    pub support_needed: u32,
    /// Noticed at least once: everyone may read it.
    pub public: bool,
    pub steps: Vec<StepView>,
    pub created_at: String,
    /// 优先：the item of the fund's priority list it hits, by name.
    pub priority: Option<String>,
    /// 预算明细, once the council or the committee set it.
    pub budget: Option<super::BudgetView>,
}

fn status_name(status: &str) -> &'static str {
    match status {
        "gathering" => "征集附议",
        "working" => "办理中",
        "noticed" => "公示中",
        "done" => "已办结",
        "rejected" => "未通过",
        _ => "已撤回",
    }
}

fn corrupt(e: impl std::fmt::Display) -> AppError {
    AppError::internal(e.to_string())
}

/// A proposal read back: its record, method and stage.
pub(crate) struct Loaded {
    pub record: ProposalRecord,
    pub method: WorkMethod,
    pub stage: Stage,
}

impl Loaded {
    pub(crate) fn current_step(&self) -> Option<&shanzhi_domain::deliberation::Step> {
        self.stage.step().and_then(|i| self.method.steps.get(i))
    }

    fn change(&self, stage: &Stage, at: Micros) -> AppResult<StageChange> {
        Ok(StageChange {
            proposal_id: self.record.id.clone(),
            expected_version: self.record.version,
            stage: serde_json::to_string(stage).map_err(corrupt)?,
            status: stage.status().to_owned(),
            at,
            step: None,
            notice: None,
        })
    }
}

fn moved_on() -> AppError {
    conflict("proposal_changed", "议题刚被他人更新，请刷新后重试", "the proposal changed meanwhile: reload and retry")
}

impl Scoped<'_> {
    pub(crate) async fn load_proposal(&self, id: &str) -> AppResult<Loaded> {
        if id.len() > 64 {
            return Err(not_found());
        }
        let record = self.app.store.proposal(id).await?.ok_or_else(not_found)?;
        let method = serde_json::from_str(&record.method).map_err(corrupt)?;
        let stage = serde_json::from_str(&record.stage).map_err(corrupt)?;
        Ok(Loaded { record, method, stage })
    }

    /// May the caller read this proposal? Noticed: everyone. Otherwise its
    /// community's members and those who oversee the community.
    async fn may_read(&self, p: &ProposalRecord) -> AppResult<bool> {
        let now = self.app.now_micros();
        let noticed = self.app.store.notices(&p.id).await?.iter().any(|n| n.start <= now);
        Ok(noticed || self.oversees(&p.community) || !self.bodies_in(&p.community).await?.is_empty())
    }

    /// A proposal the caller may read, or "not found".
    pub(crate) async fn readable(&self, id: &str) -> AppResult<Loaded> {
        let loaded = self.load_proposal(id).await?;
        if self.may_read(&loaded.record).await? { Ok(loaded) } else { Err(not_found()) }
    }

    /// Raise a proposal in `community`.
    pub async fn propose(&self, community: &str, form: &ProposalForm) -> AppResult<ProposalView> {
        let code = community_code(community)?;
        let community = code.as_str();
        let title = text(("标题", "title"), &form.title, MAX_TITLE)?;
        let body = text(("内容", "text"), &form.body, MAX_TEXT)?;
        let method = self.work_method(community, &form.method).await?;
        self.check_negative_list(community, &proposal_text(&title, &body)).await?;
        let bodies = self.bodies_in(community).await?;
        let mut matter_id = None;
        let needed = match form.origin {
            Origin::Resident => {
                self.require_body(community, Body::Residents).await?;
                method.support.unwrap_or(DEFAULT_SUPPORT)
            }
            Origin::Party => {
                self.require_body(community, Body::Party).await?;
                0
            }
            Origin::Social | Origin::Matter => {
                if !self.oversees(community) && !bodies.contains(&Body::Committee) {
                    return Err(AppError::Forbidden(Bilingual::new(
                        "社会组织或事件的提议由社区工作人员或居委会登记",
                        "a social organisation's or a matter's proposal is entered by community staff or the committee",
                    )));
                }
                if form.origin == Origin::Matter {
                    let id = form.matter.as_deref().unwrap_or_default();
                    let parsed = MatterId::parse(id).map_err(|_| {
                        AppError::bad_request(
                            "invalid_matter",
                            "请指明由哪件事件转为议题",
                            "name the matter the proposal is raised from",
                        )
                    })?;
                    let matter = self
                        .app
                        .store
                        .matter(&parsed)
                        .await?
                        .ok_or_else(|| AppError::not_found("matter_not_found", "事件不存在", "no such matter"))?;
                    if matter.grid.community().as_str() != community {
                        return Err(AppError::bad_request(
                            "matter_elsewhere",
                            "该事件不在本社区，不能转为本社区的议题",
                            "the matter is not in this community",
                        ));
                    }
                    matter_id = Some(parsed.to_string());
                }
                if form.origin == Origin::Social { method.support.unwrap_or(DEFAULT_SUPPORT) } else { 0 }
            }
        };
        let Some(proposer) =
            self.actor.user_id().map(str::to_owned).or_else(|| self.is_op().then(|| self.actor.name.clone()))
        else {
            return Err(AppError::Unauthorized(Bilingual::new("请先登录", "sign in first")));
        };
        let stage = Stage::new(needed);
        let now = self.app.now_micros();
        let record = ProposalRecord {
            id: uuid::Uuid::now_v7().to_string(),
            community: community.to_owned(),
            title,
            body,
            origin: form.origin,
            matter_id,
            proposer,
            method_code: method.code.clone(),
            method: serde_json::to_string(&method).map_err(corrupt)?,
            support_needed: needed,
            supporters: 0,
            stage: serde_json::to_string(&stage).map_err(corrupt)?,
            status: stage.status().to_owned(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        self.app.store.create_proposal(&record).await?;
        self.proposal(&record.id).await
    }

    /// Move a proposal on; "changed meanwhile" if someone else did first.
    async fn change_stage(&self, change: &StageChange) -> AppResult<()> {
        match self.app.store.change_stage(change).await {
            Err(StoreError::Constraint(_)) => Err(moved_on()),
            other => Ok(other?),
        }
    }

    fn is_op(&self) -> bool {
        self.actor.via == crate::access::Via::System
    }

    /// One proposal, with its steps.
    pub async fn proposal(&self, id: &str) -> AppResult<ProposalView> {
        let loaded = self.readable(id).await?;
        self.proposal_view(&loaded).await
    }

    /// The proposals of a community or a subtree the caller may read, newest first.
    pub async fn proposals(&self, within: &str, status: Option<&str>) -> AppResult<Vec<ProposalView>> {
        let code = shanzhi_domain::DivisionCode::parse(within.trim())
            .map_err(|e| AppError::BadRequest { code: "invalid_division", message: e.message(within.trim()) })?;
        let query = ProposalQuery {
            within: Some(code.significant().to_owned()),
            matter_id: None,
            status: status.map(str::to_owned),
            limit: 200,
        };
        self.visible(&query).await
    }

    /// The proposals raised from a matter (the link from the matter's side).
    pub async fn proposals_of_matter(&self, matter_id: &str) -> AppResult<Vec<ProposalView>> {
        let query = ProposalQuery { matter_id: Some(matter_id.to_owned()), limit: 100, ..ProposalQuery::default() };
        self.visible(&query).await
    }

    async fn visible(&self, query: &ProposalQuery) -> AppResult<Vec<ProposalView>> {
        let mut out = Vec::new();
        for record in self.app.store.proposals(query).await? {
            if self.may_read(&record).await? {
                let loaded = Loaded {
                    method: serde_json::from_str(&record.method).map_err(corrupt)?,
                    stage: serde_json::from_str(&record.stage).map_err(corrupt)?,
                    record,
                };
                out.push(self.proposal_view(&loaded).await?);
            }
        }
        Ok(out)
    }

    pub(crate) async fn proposal_view(&self, p: &Loaded) -> AppResult<ProposalView> {
        let done = self.app.store.proposal_steps(&p.record.id).await?;
        let notices = self.app.store.notices(&p.record.id).await?;
        let now = self.app.now_micros();
        let mut steps = Vec::new();
        for (i, s) in p.method.steps.iter().enumerate() {
            let record = done.iter().find(|d| d.step_code == s.code);
            let notice = notices.iter().find(|n| n.step_code == s.code);
            let state = match (record, p.stage.step()) {
                (Some(d), _) if d.outcome == "rejected" => "未通过",
                (Some(_), _) if notice.is_some_and(|n| n.end > now) => "公示中",
                (Some(_), _) => "已完成",
                (None, Some(cur)) if cur == i => "办理中",
                _ => "待办",
            };
            let done_by = match record {
                Some(d) => self.app.store.user_by_id(&d.done_by).await?.map(|u| u.display_name),
                None => None,
            };
            steps.push(StepView {
                code: s.code.clone(),
                name: s.name.clone(),
                name_en: s.name_en.clone(),
                body_name: s.body.label_zh().to_owned(),
                state: state.to_owned(),
                done_at: record.map(|d| d.done_at.to_string()),
                done_by,
                artefacts: record
                    .and_then(|d| serde_json::from_str::<Vec<Artefact>>(&d.artefacts).ok())
                    .unwrap_or_default()
                    .iter()
                    .map(|a| a.label_zh().to_owned())
                    .collect(),
                notice_start: notice.map(|n| n.start.to_string()),
                notice_end: notice.map(|n| n.end.to_string()),
            });
        }
        let r = &p.record;
        let priority = self.priority_item(&r.community, &proposal_text(&r.title, &r.body)).await?;
        let budget = self.budget_view(p).await?;
        Ok(ProposalView {
            id: r.id.clone(),
            community: r.community.clone(),
            title: r.title.clone(),
            body: r.body.clone(),
            origin: r.origin,
            origin_name: r.origin.label_zh().to_owned(),
            matter: r.matter_id.clone(),
            method_name: p.method.name.clone(),
            status: r.status.clone(),
            status_name: status_name(&r.status).to_owned(),
            supporters: r.supporters,
            support_needed: r.support_needed,
            public: notices.iter().any(|n| n.start <= now),
            steps,
            created_at: r.created_at.to_string(),
            priority,
            budget,
        })
    }

    /// A resident of the community supports the proposal, once.
    pub async fn support(&self, id: &str) -> AppResult<ProposalView> {
        let p = self.readable(id).await?;
        self.require_body(&p.record.community, Body::Residents).await?;
        let user = self.actor.user_id().unwrap_or_default().to_owned();
        if self.app.store.has_supported(id, &user).await? {
            return Err(conflict(
                "already_supported",
                "您已附议过这一议题",
                "you have supported this proposal already",
            ));
        }
        let stage = p.stage.support().map_err(|e| AppError::invalid("not_gathering", e))?;
        let change = p.change(&stage, self.app.now_micros())?;
        match self.app.store.support_proposal(&user, &change).await {
            Err(StoreError::Constraint(_)) => return Err(moved_on()),
            other => other?,
        }
        self.proposal(id).await
    }

    /// The body of the current step finishes it with its artefacts (and,
    /// for a vote, the meeting that decided).
    pub async fn finish_step(&self, id: &str, form: &StepForm) -> AppResult<ProposalView> {
        let p = self.readable(id).await?;
        let community = p.record.community.clone();
        let step = p.current_step().filter(|s| s.code == form.step).cloned().ok_or_else(|| {
            AppError::invalid(
                "step_out_of_turn",
                Bilingual::new("该议题当前不在此步骤", "the proposal is not at this step now"),
            )
        })?;
        // A residents' poll is organised by the committee.
        let acting = if step.body == Body::Residents { Body::Committee } else { step.body };
        self.require_body(&community, acting).await?;
        let tally: Option<Tally> = match (&form.meeting, step.vote) {
            (Some(meeting), true) => Some(self.decided_tally(&p.record.id, &step.code, meeting).await?),
            _ => None,
        };
        let report = StepReport { artefacts: form.artefacts.iter().copied().collect::<BTreeSet<_>>(), tally };
        let calendar = self.app.timing().calendar.clone();
        let now = self.app.now();
        let stage = p
            .stage
            .finish_step(&p.method, &step.code, step.body, &report, now, &calendar)
            .map_err(|e| AppError::invalid("step_refused", e))?;
        let at = self.app.now_micros();
        let mut change = p.change(&stage, at)?;
        let index = u32::try_from(p.stage.step().unwrap_or_default()).unwrap_or(u32::MAX);
        change.step = Some(StepDone {
            step_index: index,
            step_code: step.code.clone(),
            done_by: self.actor.user_id().unwrap_or(&self.actor.name).to_owned(),
            done_at: at,
            artefacts: serde_json::to_string(&form.artefacts).map_err(corrupt)?,
            outcome: if matches!(stage, Stage::Rejected { .. }) { "rejected" } else { "done" }.to_owned(),
            meeting_id: form.meeting.clone(),
        });
        if let Stage::Noticed { notice, .. } = &stage {
            change.notice = Some(NoticeRecord {
                proposal_id: p.record.id.clone(),
                step_code: step.code.clone(),
                start: Micros::from(notice.start),
                end: Micros::from(notice.end),
            });
        }
        self.change_stage(&change).await?;
        self.proposal(id).await
    }

    /// The notice of the current step has run its time: on to the next step.
    pub async fn end_notice(&self, id: &str) -> AppResult<ProposalView> {
        let p = self.readable(id).await?;
        if !self.oversees(&p.record.community) && self.bodies_in(&p.record.community).await?.is_empty() {
            return Err(AppError::Forbidden(Bilingual::new(
                "只有本社区的成员可以办理",
                "only the community's members may",
            )));
        }
        let stage =
            p.stage.end_notice(&p.method, self.app.now()).map_err(|e| AppError::invalid("notice_running", e))?;
        self.change_stage(&p.change(&stage, self.app.now_micros())?).await?;
        self.proposal(id).await
    }

    /// The proposer withdraws it before a decision.
    pub async fn withdraw(&self, id: &str) -> AppResult<ProposalView> {
        let p = self.readable(id).await?;
        if self.actor.user_id() != Some(p.record.proposer.as_str()) {
            return Err(AppError::Forbidden(Bilingual::new("只有提议人可以撤回", "only the proposer may withdraw it")));
        }
        let stage = p.stage.withdraw(&p.method).map_err(|e| AppError::invalid("cannot_withdraw", e))?;
        self.change_stage(&p.change(&stage, self.app.now_micros())?).await?;
        self.proposal(id).await
    }

    /// A comment by a member of the community (a resident, or any body).
    pub async fn comment(&self, id: &str, body: &str) -> AppResult<i64> {
        let p = self.readable(id).await?;
        if self.bodies_in(&p.record.community).await?.is_empty() {
            return Err(AppError::Forbidden(Bilingual::new(
                "只有本社区居民可以评论",
                "only the community's residents may comment",
            )));
        }
        let body = text(("评论", "comment"), body, MAX_TEXT)?;
        let author = self.actor.user_id().unwrap_or_default();
        Ok(self.app.store.add_comment(id, author, self.app.now_micros(), &body).await?)
    }

    /// Comments, objections and notes of a proposal, by kind then in order.
    pub async fn remarks(&self, id: &str) -> AppResult<Vec<RemarkView>> {
        let p = self.readable(id).await?;
        let mut out = Vec::new();
        for r in self.app.store.comments(id).await? {
            out.push(self.remark_view(r, "评论", None, None).await?);
        }
        for (step, r) in self.app.store.objections(id).await? {
            out.push(self.remark_view(r, "异议", Some(step), None).await?);
        }
        for n in self.app.store.notes(id).await? {
            let kind = match n.kind.as_str() {
                "milestone" => "进度",
                "survey" => "满意度测评",
                _ => "监督意见",
            };
            let mut view = self.remark_view(n.remark, kind, Some(n.step_code), n.percent).await?;
            view.images = n
                .images
                .into_iter()
                .map(|i| super::notes::NoteImage {
                    href: format!("/c/{}/p/{id}/images/{i}", p.record.community),
                    id: i,
                })
                .collect();
            out.push(view);
        }
        Ok(out)
    }

    async fn remark_view(
        &self,
        r: Remark,
        kind: &str,
        step: Option<String>,
        percent: Option<u8>,
    ) -> AppResult<RemarkView> {
        let author = self.app.store.user_by_id(&r.author).await?.map(|u| u.display_name).unwrap_or_default();
        let at = r.at.to_string();
        Ok(RemarkView {
            seq: r.seq,
            author,
            at,
            text: r.body,
            kind: kind.to_owned(),
            step,
            percent,
            images: Vec::new(),
        })
    }

    /// An objection to the running notice, by a member of the community.
    pub async fn object(&self, id: &str, body: &str) -> AppResult<i64> {
        let p = self.readable(id).await?;
        if self.bodies_in(&p.record.community).await?.is_empty() {
            return Err(AppError::Forbidden(Bilingual::new(
                "只有本社区居民可以提出异议",
                "only the community's residents may object",
            )));
        }
        let Stage::Noticed { step, notice } = p.stage else {
            return Err(AppError::invalid(
                "no_notice",
                Bilingual::new("该议题当前没有公示", "the proposal is not under notice"),
            ));
        };
        notice.take_objection(self.app.now()).map_err(|e| AppError::invalid("notice_closed", e))?;
        let body = text(("异议", "objection"), body, MAX_TEXT)?;
        let code = p.method.steps.get(step).map(|s| s.code.clone()).unwrap_or_default();
        let author = self.actor.user_id().unwrap_or_default();
        Ok(self.app.store.add_objection(id, &code, author, self.app.now_micros(), &body).await?)
    }
}
