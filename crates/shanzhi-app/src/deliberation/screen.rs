//! What the pages show: a community's public page (its name, the proposals
//! the caller may read, the fund) and one proposal with its remarks, its
//! meetings and what the caller may do on it now — decided here by the
//! same rules the use cases enforce, so a page never offers a refused form.

use serde::Serialize;
use shanzhi_domain::DivisionCode;
use shanzhi_domain::deliberation::{Artefact, Body, Stage};

use super::community_code;
use super::{FundView, MeetingView, ProposalView, RemarkView};
use crate::AppResult;
use crate::access::Scoped;

/// Most activities the community's page lists.
const MAX_ACTIVITIES: usize = 10;

/// A community as its public page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct CommunityScreen {
    pub code: String,
    pub name: String,
    pub proposals: Vec<ProposalView>,
    pub fund: FundView,
    /// The fund's negative and priority lists.
    pub fund_lists: super::FundListsView,
    /// The caller is a resident of the community: may raise a proposal.
    pub may_propose: bool,
    /// Community staff over it or a committee member: may raise a proposal
    /// from a matter (以事聚人).
    pub may_raise: bool,
    /// The methods a proposal may follow: (code, name).
    pub methods: Vec<(String, String)>,
    /// Its grids and their workers' public contacts.
    pub grids: Vec<crate::community::GridContacts>,
    /// Published 善治成都 articles about it (newest first, bounded).
    pub cases: Vec<crate::cases::CaseView>,
    /// Its volunteer activities not yet ended, soonest first (bounded).
    pub activities: Vec<crate::volunteers::VolunteerActivity>,
}

/// What the caller may do on a proposal now.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Allowed {
    pub support: bool,
    pub comment: bool,
    pub object: bool,
    /// The current step's code, when the caller's body takes it.
    pub finish: Option<String>,
    /// The artefacts the current step needs (labels by code).
    pub artefacts: Vec<(String, String)>,
    /// The current step is decided by a vote and the caller convenes.
    pub convene: bool,
    /// Open meetings the caller may vote in.
    pub vote: Vec<String>,
    /// Open meetings the caller may close.
    pub close: Vec<String>,
    pub end_notice: bool,
    /// Note kinds the caller may record (`milestone`, `survey`, `supervision`).
    pub notes: Vec<String>,
    /// The committee: commit and pay money.
    pub money: bool,
    pub withdraw: bool,
    /// The council at its decision or the committee implementing: set the budget.
    pub budget: bool,
}

/// One proposal with everything its page shows.
#[derive(Debug, Clone, Serialize)]
pub struct ProposalScreen {
    pub community_name: String,
    pub proposal: ProposalView,
    pub remarks: Vec<RemarkView>,
    pub meetings: Vec<MeetingView>,
    pub objections: usize,
    pub allowed: Allowed,
}

impl Scoped<'_> {
    /// A community's name (its code when the dictionary has none).
    pub async fn community_name(&self, code: &DivisionCode) -> AppResult<String> {
        let mut names = self.app.division_names(std::slice::from_ref(code)).await?;
        Ok(names.remove(code).unwrap_or_else(|| code.as_str().to_owned()))
    }

    /// The community the caller takes part in today (a resident, or a
    /// member of one of its bodies): the first by code, if any.
    pub async fn my_community(&self) -> AppResult<Option<String>> {
        let Some(user) = self.actor.user_id() else { return Ok(None) };
        let mine = self.app.store.memberships(user, &self.day().to_string()).await?;
        Ok(mine.into_iter().map(|m| m.community).min())
    }

    /// The public page of a community: public for everyone, more for its
    /// members and those who oversee it.
    pub async fn community_screen(&self, community: &str) -> AppResult<CommunityScreen> {
        let code = community_code(community)?;
        let name = self.community_name(&code).await?;
        let proposals = self.proposals(code.as_str(), None).await?;
        let fund = self.fund(code.as_str()).await?;
        let fund_lists = self.fund_lists(code.as_str()).await?;
        let bodies = self.bodies_in(code.as_str()).await?;
        let may_propose = bodies.contains(&Body::Residents);
        let may_raise = self.oversees(code.as_str()) || bodies.contains(&Body::Committee);
        let methods = self.work_methods(code.as_str()).await?.into_iter().map(|m| (m.code, m.name)).collect();
        let grids = self.community_contacts(&code).await?;
        let cases = self.community_cases(&code).await?;
        let activities = self.community_activities(code.as_str(), MAX_ACTIVITIES).await?;
        Ok(CommunityScreen {
            code: code.as_str().to_owned(),
            name,
            proposals,
            fund,
            fund_lists,
            may_propose,
            may_raise,
            methods,
            grids,
            cases,
            activities,
        })
    }

    /// One proposal of `community` with its remarks, meetings and what the
    /// caller may do now; "not found" if it is another community's.
    pub async fn proposal_screen(&self, community: &str, id: &str) -> AppResult<ProposalScreen> {
        let code = community_code(community)?;
        let p = self.readable(id).await?;
        if p.record.community != code.as_str() {
            return Err(super::not_found());
        }
        let proposal = self.proposal_view(&p).await?;
        let remarks = self.remarks(id).await?;
        let records = self.app.store.meetings(id).await?;
        let mut meetings = Vec::new();
        for m in &records {
            meetings.push(self.meeting(&m.id).await?);
        }
        let objections = remarks.iter().filter(|r| r.kind == "异议").count();
        let bodies = self.bodies_in(&p.record.community).await?;
        let member = !bodies.is_empty();
        let resident = bodies.contains(&Body::Residents);
        let committee = bodies.contains(&Body::Committee);
        let me = self.actor.user_id().unwrap_or_default();
        let mut allowed = Allowed {
            comment: member,
            money: committee,
            end_notice: member || self.oversees(&p.record.community),
            withdraw: me == p.record.proposer && matches!(p.stage, Stage::Gathering { .. } | Stage::Working { .. }),
            ..Allowed::default()
        };
        if resident && matches!(p.stage, Stage::Gathering { .. }) {
            allowed.support = !self.app.store.has_supported(id, me).await?;
        }
        // While a notice runs residents may object; once it has run its
        // time, and only then, it may be ended.
        let now = self.app.now();
        let notice = match p.stage {
            Stage::Noticed { notice, .. } => Some(notice),
            _ => None,
        };
        allowed.object = member && notice.is_some_and(|n| n.is_running(now));
        allowed.end_notice &= notice.is_some_and(|n| n.allows_next_step(now).is_ok());
        let working = matches!(p.stage, Stage::Working { .. });
        if let Some(step) = p.current_step() {
            let acting = if step.body == Body::Residents { Body::Committee } else { step.body };
            if working && bodies.contains(&acting) {
                allowed.finish = Some(step.code.clone());
                allowed.artefacts = step
                    .artefacts
                    .iter()
                    .map(|a: &Artefact| (a.as_str().to_owned(), a.label_zh().to_owned()))
                    .collect();
            }
            allowed.budget = matches!(step.body, Body::Council | Body::Committee) && bodies.contains(&step.body);
            let convener = committee || (step.body != Body::Residents && bodies.contains(&step.body));
            allowed.convene = step.vote && convener && working;
            let voter = bodies.contains(&step.body);
            for m in records.iter().filter(|m| m.closed_at.is_none() && m.step_code == step.code) {
                // A member present (every resident in a poll) who has not voted yet.
                let present = step.body == Body::Residents || m.attendance.iter().any(|u| u == me);
                let voted = if step.secret_poll() {
                    self.app.store.poll_voters(&m.id).await?.iter().any(|u| u == me)
                } else {
                    self.app.store.votes(&m.id).await?.iter().any(|v| v.user_id == me)
                };
                if voter && present && !voted {
                    allowed.vote.push(m.id.clone());
                }
                if convener {
                    allowed.close.push(m.id.clone());
                }
            }
        }
        for (kind, body) in
            [("milestone", Body::Committee), ("survey", Body::Party), ("supervision", Body::Supervisory)]
        {
            if bodies.contains(&body) {
                allowed.notes.push(kind.to_owned());
            }
        }
        let community_name = self.community_name(&code).await?;
        Ok(ProposalScreen { community_name, proposal, remarks, meetings, objections, allowed })
    }
}
