//! Meetings with their attendance, and the votes: one hash chain over all
//! votes (`vote_hash`), numbered by the `meeting_vote` counter so appends
//! take turns; a member votes once, in an open meeting only.

use std::collections::HashMap;

use shanzhi_domain::Micros;
use shanzhi_domain::deliberation::{Choice, VOTE_GENESIS, ballot_hash, vote_hash};
use shanzhi_store::{MeetingRecord, StoreError, StoreResult, VoteRecord};
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};
use sqlx::{QueryBuilder, Row};

use crate::fragments::push_list;
use crate::{SqlStore, map_err};

#[derive(SqlRow)]
struct MeetingRow {
    id: String,
    proposal_id: String,
    step_code: String,
    held_at: i64,
    agenda: String,
    minutes: Option<String>,
    vote_rule: String,
    members: i64,
    closed_at: Option<i64>,
    tally: Option<String>,
}

#[derive(SqlRow)]
pub(super) struct VoteRow {
    seq: i64,
    meeting_id: String,
    user_id: String,
    choice: String,
    at: i64,
    prev_hash: String,
    hash: String,
}

/// The one chain: members' votes and secret ballots (no voter, no time).
pub(super) const VOTE_SELECT: &str = "SELECT seq, meeting_id, user_id, choice, at, prev_hash, hash FROM (\
     SELECT seq, meeting_id, user_id, choice, at, prev_hash, hash FROM meeting_votes UNION ALL \
     SELECT seq, meeting_id, '' AS user_id, choice, CAST(0 AS BIGINT) AS at, prev_hash, hash FROM poll_ballots\
     ) AS chain";

/// The links of the chain, for the next one's previous hash.
const LINKS: &str = "(SELECT seq, hash FROM meeting_votes UNION ALL SELECT seq, hash FROM poll_ballots) AS links";

impl TryFrom<VoteRow> for VoteRecord {
    type Error = StoreError;
    fn try_from(r: VoteRow) -> StoreResult<VoteRecord> {
        Ok(VoteRecord {
            seq: r.seq,
            meeting_id: r.meeting_id,
            user_id: r.user_id,
            choice: r.choice.parse().map_err(StoreError::corrupt)?,
            at: r.at.into(),
            prev_hash: r.prev_hash,
            hash: r.hash,
        })
    }
}

#[sql_bounds]
pub(super) async fn create<DB>(store: &SqlStore<DB>, m: &MeetingRecord) -> StoreResult<()> {
    let _writer = store.writer().await;
    let mut tx = store.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
    let mut q = QueryBuilder::<DB>::new(
        "INSERT INTO meetings (id, proposal_id, step_code, held_at, agenda, minutes, vote_rule, members, closed_at, \
         tally) ",
    );
    q.push_values([m], |mut v, m| {
        v.push_bind(m.id.clone())
            .push_bind(m.proposal_id.clone())
            .push_bind(m.step_code.clone())
            .push_bind(m.held_at.get())
            .push_bind(m.agenda.clone())
            .push_bind(m.minutes.clone())
            .push_bind(m.vote_rule.clone())
            .push_bind(i64::from(m.members))
            .push_bind(m.closed_at.map(Micros::get))
            .push_bind(m.tally.clone());
    });
    q.build().execute(&mut *tx).await.map_err(map_err)?;
    for chunk in m.attendance.chunks(DB::CHUNK_ROWS) {
        let mut q = QueryBuilder::<DB>::new("INSERT INTO meeting_attendance (meeting_id, user_id) ");
        q.push_values(chunk, |mut v, user| {
            v.push_bind(m.id.clone()).push_bind(user.clone());
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
    }
    tx.commit().await.map_err(map_err)
}

#[sql_bounds]
pub(super) async fn read<DB>(
    store: &SqlStore<DB>,
    id: Option<&str>,
    proposal_id: Option<&str>,
) -> StoreResult<Vec<MeetingRecord>> {
    let mut q = QueryBuilder::<DB>::new(
        "SELECT id, proposal_id, step_code, held_at, agenda, minutes, vote_rule, members, closed_at, tally \
         FROM meetings WHERE 1 = 1",
    );
    if let Some(id) = id {
        q.push(" AND id = ").push_bind(id.to_owned());
    }
    if let Some(p) = proposal_id {
        q.push(" AND proposal_id = ").push_bind(p.to_owned());
    }
    q.push(" ORDER BY held_at, id LIMIT 1000");
    let rows = q.build_query_as::<MeetingRow>().fetch_all(store.pool()).await.map_err(map_err)?;
    let mut meetings = Vec::with_capacity(rows.len());
    for r in rows {
        meetings.push(MeetingRecord {
            id: r.id,
            proposal_id: r.proposal_id,
            step_code: r.step_code,
            held_at: r.held_at.into(),
            agenda: r.agenda,
            minutes: r.minutes,
            vote_rule: r.vote_rule,
            members: u32::try_from(r.members).map_err(StoreError::corrupt)?,
            attendance: Vec::new(),
            closed_at: r.closed_at.map(Micros::new),
            tally: r.tally,
        });
    }
    let by_id: HashMap<String, usize> = meetings.iter().enumerate().map(|(i, m)| (m.id.clone(), i)).collect();
    let ids: Vec<String> = meetings.iter().map(|m| m.id.clone()).collect();
    for chunk in ids.chunks(DB::CHUNK_ROWS) {
        let mut q = QueryBuilder::<DB>::new("SELECT meeting_id, user_id FROM meeting_attendance WHERE meeting_id IN ");
        push_list(&mut q, chunk.iter().cloned());
        q.push(" ORDER BY meeting_id, user_id");
        for row in q.build().fetch_all(store.pool()).await.map_err(map_err)? {
            let meeting: String = row.try_get(0usize).map_err(map_err)?;
            if let Some(&i) = by_id.get(&meeting) {
                meetings[i].attendance.push(row.try_get(1usize).map_err(map_err)?);
            }
        }
    }
    Ok(meetings)
}

/// Fails (`Constraint`) unless the meeting exists and is open.
#[sql_bounds]
async fn require_open<DB>(conn: &mut DB::Connection, meeting_id: &str) -> StoreResult<()> {
    let mut q = QueryBuilder::<DB>::new("SELECT closed_at FROM meetings WHERE id = ");
    q.push_bind(meeting_id.to_owned());
    let row = q.build().fetch_optional(&mut *conn).await.map_err(map_err)?;
    match row.map(|r| r.try_get::<Option<i64>, _>(0usize)).transpose().map_err(map_err)? {
        None => Err(StoreError::Constraint(format!("meeting {meeting_id} does not exist"))),
        Some(Some(_)) => Err(StoreError::Constraint(format!("meeting {meeting_id} is closed"))),
        Some(None) => Ok(()),
    }
}

/// Append a vote (an open one, `secret` false) or a secret ballot to the
/// chain; a secret ballot's voter goes to `poll_voters` in the same
/// transaction, and the ballot keeps neither voter nor time.
#[sql_bounds]
pub(super) async fn cast<DB>(
    store: &SqlStore<DB>,
    meeting_id: &str,
    user_id: &str,
    choice: Choice,
    at: Micros,
    secret: bool,
) -> StoreResult<VoteRecord> {
    let _writer = store.writer().await;
    let mut tx = store.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
    require_open::<DB>(&mut tx, meeting_id).await?;
    if secret {
        let mut q = QueryBuilder::<DB>::new("INSERT INTO poll_voters (meeting_id, user_id, at) ");
        q.push_values([()], |mut v, ()| {
            v.push_bind(meeting_id.to_owned()).push_bind(user_id.to_owned()).push_bind(at.get());
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
    }
    let (seq, prev_hash) = crate::next_link::<DB>(&mut tx, "meeting_vote", LINKS, VOTE_GENESIS).await?;
    let (user_id, at, hash) = if secret {
        (String::new(), Micros::new(0), ballot_hash(&prev_hash, seq, meeting_id, choice))
    } else {
        (user_id.to_owned(), at, vote_hash(&prev_hash, seq, at, meeting_id, user_id, choice))
    };
    let vote = VoteRecord { seq, meeting_id: meeting_id.to_owned(), user_id, choice, at, prev_hash, hash };
    let mut q = QueryBuilder::<DB>::new(if secret {
        "INSERT INTO poll_ballots (seq, meeting_id, choice, prev_hash, hash) "
    } else {
        "INSERT INTO meeting_votes (seq, meeting_id, user_id, choice, at, prev_hash, hash) "
    });
    q.push_values([&vote], |mut v, r| {
        v.push_bind(r.seq).push_bind(r.meeting_id.clone());
        if !secret {
            v.push_bind(r.user_id.clone());
        }
        v.push_bind(r.choice.as_str().to_owned());
        if !secret {
            v.push_bind(r.at.get());
        }
        v.push_bind(r.prev_hash.clone()).push_bind(r.hash.clone());
    });
    q.build().execute(&mut *tx).await.map_err(map_err)?;
    tx.commit().await.map_err(map_err)?;
    Ok(vote)
}

#[sql_bounds]
pub(super) async fn close<DB>(store: &SqlStore<DB>, id: &str, at: Micros, tally: &str) -> StoreResult<()> {
    let mut q = QueryBuilder::<DB>::new("UPDATE meetings SET closed_at = ");
    q.push_bind(at.get()).push(", tally = ").push_bind(tally.to_owned());
    q.push(" WHERE id = ").push_bind(id.to_owned()).push(" AND closed_at IS NULL RETURNING id");
    match q.build().fetch_optional(store.pool()).await.map_err(map_err)? {
        Some(_) => Ok(()),
        None => Err(StoreError::Constraint(format!("meeting {id} is closed or does not exist"))),
    }
}
