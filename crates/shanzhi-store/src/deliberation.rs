//! 以事聚人、聚人成事 storage: a community's own work methods, the members
//! of its bodies with their terms, proposals with their support, comments,
//! steps, notices and objections, notes, and meetings with attendance and
//! each member's vote (one hash chain over all votes). The rules (who may,
//! what comes next) are the domain's and the application's: the store
//! keeps what they decided, each change in one transaction.

use async_trait::async_trait;
use shanzhi_domain::Micros;
use shanzhi_domain::deliberation::{Body, Choice, Origin};

use crate::StoreResult;

/// A saved version of a community's own method (JSON `WorkMethod`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMethod {
    pub community: String,
    pub code: String,
    pub version: i64,
    pub body: String,
    pub saved_at: Micros,
    pub saved_by: String,
}

/// A member of a community's body for a term (`valid_to` exclusive; days as ISO text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRecord {
    pub community: String,
    pub body: Body,
    pub user_id: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
}

/// A proposal as stored. `method` and `stage` are JSON of the domain's
/// `WorkMethod` and `Stage`; `status` is the stage's kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalRecord {
    pub id: String,
    pub community: String,
    pub title: String,
    pub body: String,
    pub origin: Origin,
    pub matter_id: Option<String>,
    pub proposer: String,
    pub method_code: String,
    pub method: String,
    pub support_needed: u32,
    pub supporters: u32,
    pub stage: String,
    pub status: String,
    pub version: i64,
    pub created_at: Micros,
    pub updated_at: Micros,
}

/// Which proposals to list: a community or a subtree (a division code
/// prefix), or those raised from one matter; newest first.
#[derive(Debug, Clone, Default)]
pub struct ProposalQuery {
    /// Significant digits of a division: its subtree.
    pub within: Option<String>,
    pub matter_id: Option<String>,
    pub status: Option<String>,
    pub limit: usize,
}

/// A step done, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepDone {
    pub step_index: u32,
    pub step_code: String,
    pub done_by: String,
    pub done_at: Micros,
    /// JSON list of artefact codes.
    pub artefacts: String,
    /// `done`, or `rejected` by a vote.
    pub outcome: String,
    pub meeting_id: Option<String>,
}

/// A public notice of a step, `[start, end)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeRecord {
    pub proposal_id: String,
    pub step_code: String,
    pub start: Micros,
    pub end: Micros,
}

/// A change of a proposal's stage, applied only if the proposal is still at
/// `expected_version`; with it, the step done and the notice it starts.
#[derive(Debug, Clone)]
pub struct StageChange {
    pub proposal_id: String,
    pub expected_version: i64,
    pub stage: String,
    pub status: String,
    pub at: Micros,
    pub step: Option<StepDone>,
    pub notice: Option<NoticeRecord>,
}

/// A comment, an objection or a note: who wrote what when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remark {
    pub seq: i64,
    pub author: String,
    pub at: Micros,
    pub body: String,
}

/// A milestone, an acceptance survey or a supervisory note on a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteRecord {
    pub proposal_id: String,
    /// `milestone`, `survey` or `supervision`.
    pub kind: String,
    pub step_code: String,
    pub percent: Option<u8>,
    pub remark: Remark,
    /// Photos (attachment ids; milestones and the survey), at most 6.
    pub images: Vec<String>,
}

/// A meeting (or a poll) on a step of a proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingRecord {
    pub id: String,
    pub proposal_id: String,
    pub step_code: String,
    pub held_at: Micros,
    pub agenda: String,
    pub minutes: Option<String>,
    /// JSON `VoteRule`.
    pub vote_rule: String,
    /// Members of the body on the day.
    pub members: u32,
    /// User ids of the members present.
    pub attendance: Vec<String>,
    pub closed_at: Option<Micros>,
    /// JSON `Tally`, once closed.
    pub tally: Option<String>,
}

/// A vote as recorded, with its place in the chain. A secret ballot keeps
/// no voter and no time: its `user_id` is empty and its `at` zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteRecord {
    pub seq: i64,
    pub meeting_id: String,
    pub user_id: String,
    pub choice: Choice,
    pub at: Micros,
    pub prev_hash: String,
    pub hash: String,
}

#[async_trait]
pub trait DeliberationStore {
    /// Save a new version of a community's method; its version number.
    async fn save_work_method(&self, community: &str, code: &str, body: &str, saved_by: &str) -> StoreResult<i64>;
    /// The latest version of each of a community's methods, by code.
    async fn work_methods(&self, community: &str) -> StoreResult<Vec<StoredMethod>>;

    /// Add a member for a term (`Constraint` if the same term exists).
    async fn add_member(&self, member: &MemberRecord) -> StoreResult<()>;
    /// The members of a community's bodies (one body, or all) whose term
    /// covers `day` (ISO).
    async fn members(&self, community: &str, body: Option<Body>, day: &str) -> StoreResult<Vec<MemberRecord>>;
    /// A person's memberships whose term covers `day`.
    async fn memberships(&self, user_id: &str, day: &str) -> StoreResult<Vec<MemberRecord>>;

    async fn create_proposal(&self, proposal: &ProposalRecord) -> StoreResult<()>;
    async fn proposal(&self, id: &str) -> StoreResult<Option<ProposalRecord>>;
    async fn proposals(&self, query: &ProposalQuery) -> StoreResult<Vec<ProposalRecord>>;
    /// A resident supports a proposal: the support and the new stage
    /// together, if the proposal is still at `expected_version`
    /// (`Constraint` on a second support or a changed proposal).
    async fn support_proposal(&self, user_id: &str, change: &StageChange) -> StoreResult<()>;
    /// Who supported a proposal, in order.
    async fn supporters(&self, proposal_id: &str) -> StoreResult<Vec<(String, Micros)>>;
    /// Has `user_id` supported the proposal? (One row read, not the list.)
    async fn has_supported(&self, proposal_id: &str, user_id: &str) -> StoreResult<bool>;
    /// Move a proposal on (`Constraint` if it changed meanwhile).
    async fn change_stage(&self, change: &StageChange) -> StoreResult<()>;
    async fn proposal_steps(&self, proposal_id: &str) -> StoreResult<Vec<StepDone>>;
    async fn notices(&self, proposal_id: &str) -> StoreResult<Vec<NoticeRecord>>;

    async fn add_comment(&self, proposal_id: &str, author: &str, at: Micros, body: &str) -> StoreResult<i64>;
    async fn comments(&self, proposal_id: &str) -> StoreResult<Vec<Remark>>;
    /// An objection to the notice of `step_code` (`Constraint` if there is no such notice).
    async fn add_objection(
        &self,
        proposal_id: &str,
        step_code: &str,
        author: &str,
        at: Micros,
        body: &str,
    ) -> StoreResult<i64>;
    /// The objections to a proposal's notices, as (step, remark).
    async fn objections(&self, proposal_id: &str) -> StoreResult<Vec<(String, Remark)>>;
    async fn add_note(&self, note: &NoteRecord) -> StoreResult<i64>;
    async fn notes(&self, proposal_id: &str) -> StoreResult<Vec<NoteRecord>>;

    /// A meeting with its attendance.
    async fn create_meeting(&self, meeting: &MeetingRecord) -> StoreResult<()>;
    async fn meeting(&self, id: &str) -> StoreResult<Option<MeetingRecord>>;
    async fn meetings(&self, proposal_id: &str) -> StoreResult<Vec<MeetingRecord>>;
    /// Record a vote at the end of the chain (`Constraint` if the member
    /// voted already, or the meeting is closed or unknown).
    async fn cast_vote(&self, meeting_id: &str, user_id: &str, choice: Choice, at: Micros) -> StoreResult<VoteRecord>;
    /// A secret ballot at the end of the chain: the voter in `poll_voters`,
    /// the choice in `poll_ballots` with neither voter nor time, both in one
    /// transaction (`Constraint` if the voter took part already, or the
    /// meeting is closed or unknown).
    async fn cast_secret_ballot(
        &self,
        meeting_id: &str,
        user_id: &str,
        choice: Choice,
        at: Micros,
    ) -> StoreResult<VoteRecord>;
    /// Who took part in a secret poll, by user id (not in the order they voted).
    async fn poll_voters(&self, meeting_id: &str) -> StoreResult<Vec<String>>;
    /// A meeting's votes (or secret ballots), in chain order.
    async fn votes(&self, meeting_id: &str) -> StoreResult<Vec<VoteRecord>>;
    /// Every vote and secret ballot after `after_seq`, in chain order (for verification).
    async fn vote_chain(&self, after_seq: i64, limit: usize) -> StoreResult<Vec<VoteRecord>>;
    /// Close an open meeting with its tally (`Constraint` if closed already).
    async fn close_meeting(&self, id: &str, at: Micros, tally: &str) -> StoreResult<()>;
}
