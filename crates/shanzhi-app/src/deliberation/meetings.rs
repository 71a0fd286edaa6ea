//! Council meetings and residents' polls on a step decided by a vote: the
//! agenda and who attended (members of the body only), each member's vote
//! (present members only, once, chained in the store), and the tally under
//! the rule in force when the meeting closes.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use shanzhi_domain::Username;
use shanzhi_domain::deliberation::vote::tally;
use shanzhi_domain::deliberation::{Ballots, Body, Choice, Step, Tally, VoteRule};
use shanzhi_domain::text::Bilingual;
use shanzhi_store::{MeetingRecord, StoreError};

use super::proposals::Loaded;
use super::{MAX_TEXT, conflict, text};
use crate::access::Scoped;
use crate::{AppError, AppResult};

/// Most members a meeting's attendance may name.
pub const MAX_ATTENDANCE: usize = 500;

/// A meeting to open on the current step.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MeetingForm {
    pub step: String,
    pub agenda: String,
    /// User names of the members present (ignored for a residents' poll).
    #[serde(default)]
    pub attendance: Vec<String>,
    /// The rule in force; the council's usual rule (a poll's) if absent.
    #[serde(default)]
    pub rule: Option<VoteRule>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoteView {
    pub name: String,
    pub choice: Choice,
    pub choice_name: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeetingView {
    pub id: String,
    pub proposal: String,
    pub step: String,
    pub agenda: String,
    pub held_at: String,
    pub members: u32,
    pub present: Vec<String>,
    /// Each vote by name; empty in a secret poll.
    pub votes: Vec<VoteView>,
    /// A secret poll (无记名投票): who took part is known, not what they chose.
    pub secret: bool,
    /// Who took part in a secret poll, by name in name order (not the
    /// order they voted); empty otherwise.
    pub voters: Vec<String>,
    pub closed: bool,
    pub tally: Option<Tally>,
}

fn corrupt(e: impl std::fmt::Display) -> AppError {
    AppError::internal(e.to_string())
}

fn meeting_not_found() -> AppError {
    AppError::not_found("meeting_not_found", "会议不存在，或您无权查看", "no such meeting, or not yours to see")
}

impl Scoped<'_> {
    /// The member ids of the body deciding `step` today.
    async fn voters(&self, community: &str, step: &Step) -> AppResult<BTreeSet<String>> {
        let day = self.day().to_string();
        let members = self.app.store.members(community, Some(step.body), &day).await?;
        Ok(members.into_iter().map(|m| m.user_id).collect())
    }

    /// The convener: the step's body (the council), or the committee.
    async fn require_convener(&self, community: &str, step: &Step) -> AppResult<()> {
        let bodies = self.bodies_in(community).await?;
        if bodies.contains(&Body::Committee) || (step.body != Body::Residents && bodies.contains(&step.body)) {
            return Ok(());
        }
        Err(AppError::Forbidden(Bilingual::new(
            format!("会议由{}或居民委员会召集", step.body.label_zh()),
            format!("the meeting is convened by the {} or the committee", step.body.label_en()),
        )))
    }

    /// The proposal, meeting and step of a meeting the caller may read.
    async fn meeting_of(&self, id: &str) -> AppResult<(Loaded, MeetingRecord, Step)> {
        let meeting = self.app.store.meeting(id).await?.ok_or_else(meeting_not_found)?;
        let p = self.readable(&meeting.proposal_id).await.map_err(|_| meeting_not_found())?;
        let step = p.method.step(&meeting.step_code).map(|(_, s)| s.clone()).ok_or_else(meeting_not_found)?;
        Ok((p, meeting, step))
    }

    /// Open a meeting (or a poll) on the proposal's current step.
    pub async fn open_meeting(&self, proposal: &str, form: &MeetingForm) -> AppResult<MeetingView> {
        let p = self.readable(proposal).await?;
        let step = p.current_step().filter(|s| s.code == form.step && s.vote).cloned().ok_or_else(|| {
            AppError::invalid(
                "no_vote_here",
                Bilingual::new(
                    "该议题当前不在需要表决的这一步",
                    "the proposal is not at this step, or it takes no vote",
                ),
            )
        })?;
        self.require_convener(&p.record.community, &step).await?;
        let agenda = text(("议程", "agenda"), &form.agenda, MAX_TEXT)?;
        if form.attendance.len() > MAX_ATTENDANCE {
            return Err(AppError::bad_request(
                "too_many_present",
                format!("到会名单最多 {MAX_ATTENDANCE} 人"),
                format!("at most {MAX_ATTENDANCE} attend"),
            ));
        }
        let members = self.voters(&p.record.community, &step).await?;
        let poll = step.body == Body::Residents;
        let mut present = BTreeSet::new();
        if !poll {
            for name in &form.attendance {
                let username =
                    Username::parse(name).map_err(|e| AppError::BadRequest { code: "invalid_username", message: e })?;
                let user = self.app.store.user_by_name(&username).await?.filter(|u| members.contains(&u.id));
                let Some(user) = user else {
                    return Err(AppError::invalid(
                        "not_a_member",
                        Bilingual::new(
                            format!("“{name}”不是本届{}成员，不能计入到会人数", step.body.label_zh()),
                            format!("not a member of the {} this term: {name}", step.body.label_en()),
                        ),
                    ));
                };
                present.insert(user.id);
            }
        }
        let rule = form.rule.unwrap_or(if poll { VoteRule::POLL } else { VoteRule::COUNCIL });
        let record = MeetingRecord {
            id: uuid::Uuid::now_v7().to_string(),
            proposal_id: p.record.id.clone(),
            step_code: step.code.clone(),
            held_at: self.app.now_micros(),
            agenda,
            minutes: None,
            vote_rule: serde_json::to_string(&rule).map_err(corrupt)?,
            members: u32::try_from(members.len()).unwrap_or(u32::MAX),
            attendance: present.into_iter().collect(),
            closed_at: None,
            tally: None,
        };
        self.app.store.create_meeting(&record).await?;
        self.meeting(&record.id).await
    }

    /// The caller votes in an open meeting: a member present (or, in a
    /// poll, a resident of the community), once.
    pub async fn vote(&self, meeting: &str, choice: Choice) -> AppResult<MeetingView> {
        let (p, m, step) = self.meeting_of(meeting).await?;
        if m.closed_at.is_some() {
            return Err(AppError::invalid("meeting_closed", Bilingual::new("表决已结束", "the vote is closed")));
        }
        let members = self.voters(&p.record.community, &step).await?;
        let present =
            if step.body == Body::Residents { members.clone() } else { m.attendance.iter().cloned().collect() };
        let me = self.actor.user_id().unwrap_or_default().to_owned();
        let secret = step.secret_poll();
        if secret {
            // The store keeps each voter once; the rule of who may vote is the domain's.
            let mut ballots = Ballots::open(members.clone(), members).map_err(corrupt)?;
            ballots.cast(&me, choice).map_err(AppError::Forbidden)?;
        } else {
            let mut ballots = Ballots::open(members, present).map_err(|e| AppError::invalid("not_a_member", e))?;
            for v in self.app.store.votes(meeting).await? {
                ballots.cast(&v.user_id, v.choice).map_err(corrupt)?;
            }
            ballots.cast(&me, choice).map_err(AppError::Forbidden)?;
        }
        let at = self.app.now_micros();
        let cast = if secret {
            self.app.store.cast_secret_ballot(meeting, &me, choice, at).await
        } else {
            self.app.store.cast_vote(meeting, &me, choice, at).await
        };
        match cast {
            Err(StoreError::Constraint(_)) => {
                return Err(conflict("already_voted", "每位成员只能表决一次", "each member votes once"));
            }
            other => other?,
        };
        self.meeting(meeting).await
    }

    /// Close the vote: the tally under the meeting's rule.
    pub async fn close_meeting(&self, meeting: &str) -> AppResult<MeetingView> {
        let (p, m, step) = self.meeting_of(meeting).await?;
        self.require_convener(&p.record.community, &step).await?;
        let rule: VoteRule = serde_json::from_str(&m.vote_rule).map_err(corrupt)?;
        let votes = self.app.store.votes(meeting).await?;
        let count = |c: Choice| u32::try_from(votes.iter().filter(|v| v.choice == c).count()).unwrap_or(u32::MAX);
        let cast = u32::try_from(votes.len()).unwrap_or(u32::MAX);
        let present =
            if step.body == Body::Residents { cast } else { u32::try_from(m.attendance.len()).unwrap_or(u32::MAX) };
        let t = tally(rule, m.members, present, [count(Choice::For), count(Choice::Against), count(Choice::Abstain)]);
        let json = serde_json::to_string(&t).map_err(corrupt)?;
        match self.app.store.close_meeting(meeting, self.app.now_micros(), &json).await {
            Err(StoreError::Constraint(_)) => {
                return Err(conflict("meeting_closed", "表决已结束", "the vote is closed already"));
            }
            other => other?,
        }
        self.meeting(meeting).await
    }

    /// A meeting with its attendance and votes, by name.
    pub async fn meeting(&self, id: &str) -> AppResult<MeetingView> {
        let (_, m, step) = self.meeting_of(id).await?;
        let secret = step.secret_poll();
        let name = |id: String| async move {
            Ok::<_, AppError>(self.app.store.user_by_id(&id).await?.map(|u| u.display_name).unwrap_or_default())
        };
        let mut present = Vec::new();
        for u in &m.attendance {
            present.push(name(u.clone()).await?);
        }
        let (mut votes, mut voters) = (Vec::new(), Vec::new());
        if secret {
            for u in self.app.store.poll_voters(id).await? {
                voters.push(name(u).await?);
            }
            voters.sort();
        } else {
            for v in self.app.store.votes(id).await? {
                votes.push(VoteView {
                    name: name(v.user_id).await?,
                    choice: v.choice,
                    choice_name: v.choice.label_zh().to_owned(),
                });
            }
        }
        Ok(MeetingView {
            id: m.id,
            proposal: m.proposal_id,
            step: m.step_code,
            agenda: m.agenda,
            held_at: m.held_at.to_string(),
            members: m.members,
            present,
            votes,
            secret,
            voters,
            closed: m.closed_at.is_some(),
            tally: m.tally.as_deref().map(serde_json::from_str).transpose().map_err(corrupt)?,
        })
    }

    /// The tally of a closed meeting on `step` of `proposal`: the decision a
    /// step or a commitment of money rests on.
    pub(crate) async fn decided_tally(&self, proposal: &str, step: &str, meeting: &str) -> AppResult<Tally> {
        let m = self.app.store.meeting(meeting).await?.filter(|m| m.proposal_id == proposal && m.step_code == step);
        let Some(m) = m else {
            return Err(AppError::invalid(
                "no_decision",
                Bilingual::new("没有找到该议题这一步的表决会议", "no meeting voted on this step of the proposal"),
            ));
        };
        match m.tally.as_deref() {
            Some(t) => serde_json::from_str(t).map_err(corrupt),
            None => Err(AppError::invalid("vote_open", Bilingual::new("表决尚未结束", "the vote is still open"))),
        }
    }
}
