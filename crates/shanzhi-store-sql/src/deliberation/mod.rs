//! 以事聚人、聚人成事 (migration 0015): methods, members, proposals and
//! what is written on them; meetings and votes in `meeting`.

mod meeting;

use async_trait::async_trait;
use shanzhi_domain::Micros;
use shanzhi_domain::deliberation::{Body, Choice};
use shanzhi_store::{
    DeliberationStore, MeetingRecord, MemberRecord, NoteRecord, NoticeRecord, ProposalQuery, ProposalRecord, Remark,
    StageChange, StepDone, StoreError, StoreResult, StoredMethod, VoteRecord,
};
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};
use sqlx::QueryBuilder;

use crate::{SqlStore, map_err};

#[derive(SqlRow)]
struct MethodRow {
    community_code: String,
    code: String,
    version: i64,
    body: String,
    saved_at: i64,
    saved_by: String,
}

impl From<MethodRow> for StoredMethod {
    fn from(r: MethodRow) -> StoredMethod {
        StoredMethod {
            community: r.community_code,
            code: r.code,
            version: r.version,
            body: r.body,
            saved_at: r.saved_at.into(),
            saved_by: r.saved_by,
        }
    }
}

#[derive(SqlRow)]
struct MemberRow {
    community_code: String,
    body: String,
    user_id: String,
    valid_from: String,
    valid_to: Option<String>,
}

impl TryFrom<MemberRow> for MemberRecord {
    type Error = StoreError;
    fn try_from(r: MemberRow) -> StoreResult<MemberRecord> {
        Ok(MemberRecord {
            community: r.community_code,
            body: r.body.parse().map_err(StoreError::corrupt)?,
            user_id: r.user_id,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
        })
    }
}

#[derive(SqlRow)]
struct ProposalRow {
    id: String,
    community_code: String,
    title: String,
    body: String,
    origin: String,
    matter_id: Option<String>,
    proposer: String,
    method_code: String,
    method: String,
    support_needed: i64,
    supporters: i64,
    stage: String,
    status: String,
    version: i64,
    created_at: i64,
    updated_at: i64,
}

const PROPOSAL_COLUMNS: &str = "id, community_code, title, body, origin, matter_id, proposer, method_code, method, \
     support_needed, supporters, stage, status, version, created_at, updated_at";

fn count(n: i64) -> StoreResult<u32> {
    u32::try_from(n).map_err(StoreError::corrupt)
}

impl TryFrom<ProposalRow> for ProposalRecord {
    type Error = StoreError;
    fn try_from(r: ProposalRow) -> StoreResult<ProposalRecord> {
        Ok(ProposalRecord {
            id: r.id,
            community: r.community_code,
            title: r.title,
            body: r.body,
            origin: r.origin.parse().map_err(StoreError::corrupt)?,
            matter_id: r.matter_id,
            proposer: r.proposer,
            method_code: r.method_code,
            method: r.method,
            support_needed: count(r.support_needed)?,
            supporters: count(r.supporters)?,
            stage: r.stage,
            status: r.status,
            version: r.version,
            created_at: r.created_at.into(),
            updated_at: r.updated_at.into(),
        })
    }
}

#[derive(SqlRow)]
struct StepRow {
    step_index: i64,
    step_code: String,
    done_by: String,
    done_at: i64,
    artefacts: String,
    outcome: String,
    meeting_id: Option<String>,
}

impl TryFrom<StepRow> for StepDone {
    type Error = StoreError;
    fn try_from(r: StepRow) -> StoreResult<StepDone> {
        Ok(StepDone {
            step_index: count(r.step_index)?,
            step_code: r.step_code,
            done_by: r.done_by,
            done_at: r.done_at.into(),
            artefacts: r.artefacts,
            outcome: r.outcome,
            meeting_id: r.meeting_id,
        })
    }
}

#[derive(SqlRow)]
struct NoticeRow {
    proposal_id: String,
    step_code: String,
    start_at: i64,
    end_at: i64,
}

impl From<NoticeRow> for NoticeRecord {
    fn from(r: NoticeRow) -> NoticeRecord {
        NoticeRecord {
            proposal_id: r.proposal_id,
            step_code: r.step_code,
            start: r.start_at.into(),
            end: r.end_at.into(),
        }
    }
}

#[derive(SqlRow)]
struct RemarkRow {
    seq: i64,
    author: String,
    at: i64,
    body: String,
}

impl From<RemarkRow> for Remark {
    fn from(r: RemarkRow) -> Remark {
        Remark { seq: r.seq, author: r.author, at: r.at.into(), body: r.body }
    }
}

#[derive(SqlRow)]
struct ObjectionRow {
    step_code: String,
    #[sql_row(flatten)]
    remark: RemarkRow,
}

impl From<ObjectionRow> for (String, Remark) {
    fn from(r: ObjectionRow) -> (String, Remark) {
        (r.step_code, r.remark.into())
    }
}

#[derive(SqlRow)]
struct NoteRow {
    proposal_id: String,
    kind: String,
    step_code: String,
    percent: Option<i64>,
    #[sql_row(flatten)]
    remark: RemarkRow,
    images: String,
}

impl TryFrom<NoteRow> for NoteRecord {
    type Error = StoreError;
    fn try_from(r: NoteRow) -> StoreResult<NoteRecord> {
        Ok(NoteRecord {
            proposal_id: r.proposal_id,
            kind: r.kind,
            step_code: r.step_code,
            percent: r.percent.map(u8::try_from).transpose().map_err(StoreError::corrupt)?,
            remark: r.remark.into(),
            images: serde_json::from_str(&r.images).map_err(StoreError::corrupt)?,
        })
    }
}

fn changed(id: &str) -> StoreError {
    StoreError::Constraint(format!("proposal {id} changed meanwhile or does not exist"))
}

/// Apply a stage change in the caller's transaction: the proposal moves on
/// only from `expected_version`; the step and notice are written with it.
#[sql_bounds]
async fn apply_change<DB>(conn: &mut DB::Connection, c: &StageChange, supported: bool) -> StoreResult<()> {
    let mut q = QueryBuilder::<DB>::new("UPDATE proposals SET stage = ");
    q.push_bind(c.stage.clone()).push(", status = ").push_bind(c.status.clone());
    q.push(", updated_at = ").push_bind(c.at.get()).push(", version = version + 1");
    if supported {
        q.push(", supporters = supporters + 1");
    }
    q.push(" WHERE id = ").push_bind(c.proposal_id.clone()).push(" AND version = ").push_bind(c.expected_version);
    q.push(" RETURNING id");
    if q.build().fetch_optional(&mut *conn).await.map_err(map_err)?.is_none() {
        return Err(changed(&c.proposal_id));
    }
    if let Some(s) = &c.step {
        let mut q = QueryBuilder::<DB>::new(
            "INSERT INTO proposal_steps (proposal_id, step_index, step_code, done_by, done_at, artefacts, outcome, \
             meeting_id) ",
        );
        q.push_values([s], |mut v, s| {
            v.push_bind(c.proposal_id.clone())
                .push_bind(i64::from(s.step_index))
                .push_bind(s.step_code.clone())
                .push_bind(s.done_by.clone())
                .push_bind(s.done_at.get())
                .push_bind(s.artefacts.clone())
                .push_bind(s.outcome.clone())
                .push_bind(s.meeting_id.clone());
        });
        q.build().execute(&mut *conn).await.map_err(map_err)?;
    }
    if let Some(n) = &c.notice {
        let mut q = QueryBuilder::<DB>::new("INSERT INTO proposal_notices (proposal_id, step_code, start_at, end_at) ");
        q.push_values([n], |mut v, n| {
            v.push_bind(n.proposal_id.clone())
                .push_bind(n.step_code.clone())
                .push_bind(n.start.get())
                .push_bind(n.end.get());
        });
        q.build().execute(&mut *conn).await.map_err(map_err)?;
    }
    Ok(())
}

/// A value of an extra column of a remark.
enum Bind {
    Text(String),
    Number(Option<i64>),
}

#[sql_bounds]
impl<DB> SqlStore<DB> {
    /// Insert a remark numbered after the proposal's others in `table`.
    async fn add_remark(
        &self,
        table: &str,
        extra: &[(&str, Bind)],
        proposal_id: &str,
        remark: (&str, Micros, &str),
    ) -> StoreResult<i64> {
        let _writer = self.writer().await;
        let mut tx = self.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
        let seq = crate::next_number::<DB>(&mut tx, table, "seq", "proposal_id", proposal_id).await?;
        let names: Vec<&str> = extra.iter().map(|(n, _)| *n).collect();
        let mut q = QueryBuilder::<DB>::new(format!(
            "INSERT INTO {table} (proposal_id, seq, author, at, body{}{}) ",
            if names.is_empty() { "" } else { ", " },
            names.join(", ")
        ));
        q.push_values([()], |mut v, ()| {
            v.push_bind(proposal_id.to_owned())
                .push_bind(seq)
                .push_bind(remark.0.to_owned())
                .push_bind(remark.1.get())
                .push_bind(remark.2.to_owned());
            for (_, value) in extra {
                match value {
                    Bind::Text(t) => v.push_bind(t.clone()),
                    Bind::Number(n) => v.push_bind(*n),
                };
            }
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(seq)
    }
}

#[sql_bounds]
#[async_trait]
impl<DB> DeliberationStore for SqlStore<DB> {
    async fn save_work_method(&self, community: &str, code: &str, body: &str, saved_by: &str) -> StoreResult<i64> {
        let _writer = self.writer().await;
        let mut tx = self.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
        let key = format!("{community}/{code}");
        let version =
            crate::next_number::<DB>(&mut tx, "work_methods", "version", "community_code || '/' || code", &key).await?;
        let mut q = QueryBuilder::<DB>::new(
            "INSERT INTO work_methods (community_code, code, version, body, saved_at, saved_by) ",
        );
        q.push_values([()], |mut v, ()| {
            v.push_bind(community.to_owned())
                .push_bind(code.to_owned())
                .push_bind(version)
                .push_bind(body.to_owned())
                .push_bind(Micros::now().get())
                .push_bind(saved_by.to_owned());
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(version)
    }

    async fn work_methods(&self, community: &str) -> StoreResult<Vec<StoredMethod>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT community_code, code, version, body, saved_at, saved_by FROM work_methods w WHERE community_code = ",
        );
        q.push_bind(community.to_owned());
        q.push(
            " AND version = (SELECT MAX(version) FROM work_methods x WHERE x.community_code = w.community_code \
             AND x.code = w.code) ORDER BY code LIMIT 1000",
        );
        self.fetch_records::<MethodRow, _>(&mut q).await
    }

    async fn add_member(&self, m: &MemberRecord) -> StoreResult<()> {
        let mut q = QueryBuilder::<DB>::new(
            "INSERT INTO community_members (community_code, body, user_id, valid_from, valid_to) ",
        );
        q.push_values([m], |mut v, m| {
            v.push_bind(m.community.clone())
                .push_bind(m.body.as_str().to_owned())
                .push_bind(m.user_id.clone())
                .push_bind(m.valid_from.clone())
                .push_bind(m.valid_to.clone());
        });
        q.build().execute(self.pool()).await.map_err(map_err)?;
        Ok(())
    }

    async fn members(&self, community: &str, body: Option<Body>, day: &str) -> StoreResult<Vec<MemberRecord>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT community_code, body, user_id, valid_from, valid_to FROM community_members WHERE community_code = ",
        );
        q.push_bind(community.to_owned());
        if let Some(b) = body {
            q.push(" AND body = ").push_bind(b.as_str().to_owned());
        }
        q.push(" AND valid_from <= ").push_bind(day.to_owned());
        q.push(" AND (valid_to IS NULL OR valid_to > ").push_bind(day.to_owned()).push(")");
        q.push(" ORDER BY body, user_id LIMIT 100000");
        self.fetch_records::<MemberRow, _>(&mut q).await
    }

    async fn memberships(&self, user_id: &str, day: &str) -> StoreResult<Vec<MemberRecord>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT community_code, body, user_id, valid_from, valid_to FROM community_members WHERE user_id = ",
        );
        q.push_bind(user_id.to_owned());
        q.push(" AND valid_from <= ").push_bind(day.to_owned());
        q.push(" AND (valid_to IS NULL OR valid_to > ").push_bind(day.to_owned()).push(")");
        q.push(" ORDER BY community_code, body LIMIT 1000");
        self.fetch_records::<MemberRow, _>(&mut q).await
    }

    async fn create_proposal(&self, p: &ProposalRecord) -> StoreResult<()> {
        let mut q = QueryBuilder::<DB>::new(format!("INSERT INTO proposals ({PROPOSAL_COLUMNS}) "));
        q.push_values([p], |mut v, p| {
            v.push_bind(p.id.clone())
                .push_bind(p.community.clone())
                .push_bind(p.title.clone())
                .push_bind(p.body.clone())
                .push_bind(p.origin.as_str().to_owned())
                .push_bind(p.matter_id.clone())
                .push_bind(p.proposer.clone())
                .push_bind(p.method_code.clone())
                .push_bind(p.method.clone())
                .push_bind(i64::from(p.support_needed))
                .push_bind(i64::from(p.supporters))
                .push_bind(p.stage.clone())
                .push_bind(p.status.clone())
                .push_bind(p.version)
                .push_bind(p.created_at.get())
                .push_bind(p.updated_at.get());
        });
        q.build().execute(self.pool()).await.map_err(map_err)?;
        Ok(())
    }

    async fn proposal(&self, id: &str) -> StoreResult<Option<ProposalRecord>> {
        self.fetch_by_key::<ProposalRow, _>(format!("SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE id = "), id).await
    }

    async fn proposals(&self, query: &ProposalQuery) -> StoreResult<Vec<ProposalRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!("SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE 1 = 1"));
        if let Some(within) = &query.within {
            q.push(" AND ");
            crate::fragments::push_between(
                &mut q,
                "community_code",
                format!("{within:0<12}"),
                format!("{within:9<12}"),
            );
        }
        if let Some(m) = &query.matter_id {
            q.push(" AND matter_id = ").push_bind(m.clone());
        }
        if let Some(s) = &query.status {
            q.push(" AND status = ").push_bind(s.clone());
        }
        q.push(" ORDER BY created_at DESC, id LIMIT ");
        q.push_bind(i64::try_from(query.limit.clamp(1, 1000)).unwrap_or(100));
        self.fetch_records::<ProposalRow, _>(&mut q).await
    }

    async fn support_proposal(&self, user_id: &str, change: &StageChange) -> StoreResult<()> {
        let _writer = self.writer().await;
        let mut tx = self.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
        let mut q = QueryBuilder::<DB>::new("INSERT INTO proposal_supports (proposal_id, user_id, at) ");
        q.push_values([()], |mut v, ()| {
            v.push_bind(change.proposal_id.clone()).push_bind(user_id.to_owned()).push_bind(change.at.get());
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        apply_change::<DB>(&mut tx, change, true).await?;
        tx.commit().await.map_err(map_err)
    }

    async fn supporters(&self, proposal_id: &str) -> StoreResult<Vec<(String, Micros)>> {
        use sqlx::Row;
        let mut q = QueryBuilder::<DB>::new("SELECT user_id, at FROM proposal_supports WHERE proposal_id = ");
        q.push_bind(proposal_id.to_owned()).push(" ORDER BY at, user_id LIMIT 100000");
        let rows = q.build().fetch_all(self.pool()).await.map_err(map_err)?;
        rows.iter()
            .map(|r| Ok((r.try_get(0usize).map_err(map_err)?, Micros::new(r.try_get(1usize).map_err(map_err)?))))
            .collect()
    }

    async fn has_supported(&self, proposal_id: &str, user_id: &str) -> StoreResult<bool> {
        let mut q = QueryBuilder::<DB>::new("SELECT 1 FROM proposal_supports WHERE proposal_id = ");
        q.push_bind(proposal_id.to_owned()).push(" AND user_id = ").push_bind(user_id.to_owned()).push(" LIMIT 1");
        Ok(q.build().fetch_optional(self.pool()).await.map_err(map_err)?.is_some())
    }

    async fn change_stage(&self, change: &StageChange) -> StoreResult<()> {
        let _writer = self.writer().await;
        let mut tx = self.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
        apply_change::<DB>(&mut tx, change, false).await?;
        tx.commit().await.map_err(map_err)
    }

    async fn proposal_steps(&self, proposal_id: &str) -> StoreResult<Vec<StepDone>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT step_index, step_code, done_by, done_at, artefacts, outcome, meeting_id FROM proposal_steps \
             WHERE proposal_id = ",
        );
        q.push_bind(proposal_id.to_owned()).push(" ORDER BY step_index LIMIT 1000");
        self.fetch_records::<StepRow, _>(&mut q).await
    }

    async fn notices(&self, proposal_id: &str) -> StoreResult<Vec<NoticeRecord>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT proposal_id, step_code, start_at, end_at FROM proposal_notices WHERE proposal_id = ",
        );
        q.push_bind(proposal_id.to_owned()).push(" ORDER BY start_at LIMIT 1000");
        self.fetch_records::<NoticeRow, _>(&mut q).await
    }

    async fn add_comment(&self, proposal_id: &str, author: &str, at: Micros, body: &str) -> StoreResult<i64> {
        self.add_remark("proposal_comments", &[], proposal_id, (author, at, body)).await
    }

    async fn comments(&self, proposal_id: &str) -> StoreResult<Vec<Remark>> {
        let mut q = QueryBuilder::<DB>::new("SELECT seq, author, at, body FROM proposal_comments WHERE proposal_id = ");
        q.push_bind(proposal_id.to_owned()).push(" ORDER BY seq LIMIT 10000");
        self.fetch_records::<RemarkRow, _>(&mut q).await
    }

    async fn add_objection(
        &self,
        proposal_id: &str,
        step_code: &str,
        author: &str,
        at: Micros,
        body: &str,
    ) -> StoreResult<i64> {
        let extra = [("step_code", Bind::Text(step_code.to_owned()))];
        self.add_remark("notice_objections", &extra, proposal_id, (author, at, body)).await
    }

    async fn objections(&self, proposal_id: &str) -> StoreResult<Vec<(String, Remark)>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT step_code, seq, author, at, body FROM notice_objections WHERE proposal_id = ",
        );
        q.push_bind(proposal_id.to_owned()).push(" ORDER BY seq LIMIT 10000");
        self.fetch_records::<ObjectionRow, _>(&mut q).await
    }

    async fn add_note(&self, n: &NoteRecord) -> StoreResult<i64> {
        let extra = [
            ("kind", Bind::Text(n.kind.clone())),
            ("step_code", Bind::Text(n.step_code.clone())),
            ("percent", Bind::Number(n.percent.map(i64::from))),
            ("images", Bind::Text(serde_json::to_string(&n.images).map_err(StoreError::corrupt)?)),
        ];
        let r = &n.remark;
        self.add_remark("proposal_notes", &extra, &n.proposal_id, (&r.author, r.at, &r.body)).await
    }

    async fn notes(&self, proposal_id: &str) -> StoreResult<Vec<NoteRecord>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT proposal_id, kind, step_code, percent, seq, author, at, body, images FROM proposal_notes \
             WHERE proposal_id = ",
        );
        q.push_bind(proposal_id.to_owned()).push(" ORDER BY seq LIMIT 10000");
        self.fetch_records::<NoteRow, _>(&mut q).await
    }

    async fn create_meeting(&self, m: &MeetingRecord) -> StoreResult<()> {
        meeting::create(self, m).await
    }

    async fn meeting(&self, id: &str) -> StoreResult<Option<MeetingRecord>> {
        Ok(meeting::read(self, Some(id), None).await?.pop())
    }

    async fn meetings(&self, proposal_id: &str) -> StoreResult<Vec<MeetingRecord>> {
        meeting::read(self, None, Some(proposal_id)).await
    }

    async fn cast_vote(&self, meeting_id: &str, user_id: &str, choice: Choice, at: Micros) -> StoreResult<VoteRecord> {
        meeting::cast(self, meeting_id, user_id, choice, at, false).await
    }

    async fn cast_secret_ballot(
        &self,
        meeting_id: &str,
        user_id: &str,
        choice: Choice,
        at: Micros,
    ) -> StoreResult<VoteRecord> {
        meeting::cast(self, meeting_id, user_id, choice, at, true).await
    }

    async fn poll_voters(&self, meeting_id: &str) -> StoreResult<Vec<String>> {
        use sqlx::Row;
        let mut q = QueryBuilder::<DB>::new("SELECT user_id FROM poll_voters WHERE meeting_id = ");
        q.push_bind(meeting_id.to_owned()).push(" ORDER BY user_id LIMIT 100000");
        let rows = q.build().fetch_all(self.pool()).await.map_err(map_err)?;
        rows.iter().map(|r| r.try_get(0usize).map_err(map_err)).collect()
    }

    async fn votes(&self, meeting_id: &str) -> StoreResult<Vec<VoteRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!("{} WHERE meeting_id = ", meeting::VOTE_SELECT));
        q.push_bind(meeting_id.to_owned()).push(" ORDER BY seq LIMIT 100000");
        self.fetch_records::<meeting::VoteRow, _>(&mut q).await
    }

    async fn vote_chain(&self, after_seq: i64, limit: usize) -> StoreResult<Vec<VoteRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!("{} WHERE seq > ", meeting::VOTE_SELECT));
        q.push_bind(after_seq).push(" ORDER BY seq LIMIT ");
        q.push_bind(i64::try_from(limit.clamp(1, 100_000)).unwrap_or(1000));
        self.fetch_records::<meeting::VoteRow, _>(&mut q).await
    }

    async fn close_meeting(&self, id: &str, at: Micros, tally: &str) -> StoreResult<()> {
        meeting::close(self, id, at, tally).await
    }
}
