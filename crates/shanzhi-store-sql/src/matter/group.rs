//! Group commit for new matters: reports that arrive while a commit is under
//! way are written together in the next transaction, and each is answered
//! only after that transaction is durable. One fsync and a handful of
//! statements then carry many reports; if anything in a group is refused, the
//! group is rolled back and each report retried alone, so only the culprit
//! fails.

use std::collections::HashMap;

use shanzhi_domain::{Matter, MatterEvent, MatterId};
use shanzhi_store::{Created, NewMatter, StoreError, StoreResult};
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};
use sqlx::QueryBuilder;
use tokio::sync::{mpsc, oneshot};

use super::rows::{
    EVENT_INSERT_COLUMNS, INSERT_EVENT, INSERT_MATTER, MATTER_INSERT_COLUMNS, corrupt, push_event, push_matter,
};
use super::{insert_new_matter, take_numbers};
use crate::fragments::push_list;
use crate::{Dialect, SqlStore, map_err, tlog};

#[derive(SqlRow)]
struct KeyRow {
    idempotency_key: String,
    id: String,
}

#[derive(SqlRow)]
struct RefRow {
    channel: String,
    external_ref: String,
    id: String,
}

/// Most reports in one transaction.
const MAX_GROUP: usize = 128;

#[derive(Debug)]
struct Job {
    new: NewMatter,
    reply: oneshot::Sender<StoreResult<Created>>,
}

/// The queue to the group writer.
#[derive(Debug, Clone)]
pub struct GroupCommit(mpsc::Sender<Job>);

impl GroupCommit {
    pub(crate) async fn submit(&self, new: NewMatter) -> StoreResult<Created> {
        let (reply, answer) = oneshot::channel();
        let job = Job { new, reply };
        let gone = || StoreError::Unavailable("the matter writer has stopped".to_owned());
        self.0.send(job).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}

impl<DB: Dialect> SqlStore<DB> {
    /// Route new matters through a group writer; returns the store and the
    /// queue's far end for [`run_group_commit`].
    pub fn with_group_commit(mut self) -> (Self, GroupReceiver) {
        let (tx, rx) = mpsc::channel(4 * MAX_GROUP);
        self.group = Some(GroupCommit(tx));
        (self, GroupReceiver(rx))
    }
}

/// The receiving end of the group writer's queue.
#[derive(Debug)]
pub struct GroupReceiver(mpsc::Receiver<Job>);

/// The group writer: runs until every store handle is dropped.
#[sql_bounds]
pub async fn run_group_commit<DB>(store: SqlStore<DB>, mut queue: GroupReceiver) {
    // The writer's own handle must not keep its queue open.
    let store = SqlStore { group: None, ..store };
    while let Some(job) = queue.0.recv().await {
        let mut jobs = vec![job];
        while jobs.len() < MAX_GROUP {
            match queue.0.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let (news, replies): (Vec<NewMatter>, Vec<_>) = jobs.into_iter().map(|j| (j.new, j.reply)).unzip();
        match write_group(&store, &news).await {
            Ok(outcomes) => {
                for (reply, outcome) in replies.into_iter().zip(outcomes) {
                    let _ = reply.send(outcome);
                }
            }
            Err(e) => {
                for reply in replies {
                    let _ = reply.send(Err(e.clone()));
                }
            }
        }
    }
}

#[sql_bounds]
async fn write_group<DB>(store: &SqlStore<DB>, jobs: &[NewMatter]) -> StoreResult<Vec<StoreResult<Created>>> {
    let _writer = store.writer().await;
    if jobs.len() > 1 {
        let mut tx = store.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
        if let Ok(outcomes) = write_together::<DB>(&mut tx, jobs).await {
            tx.commit().await.map_err(map_err)?;
            return Ok(outcomes);
        }
        // Something in the group was refused: roll back, and give each its own
        // transaction so only the culprit fails.
        drop(tx);
    }
    let mut outcomes = Vec::with_capacity(jobs.len());
    for job in jobs {
        let mut tx = store.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
        let inserted = async {
            let created = insert_new_matter::<DB>(
                &mut tx,
                &job.matter,
                job.idempotency_key.as_deref(),
                &job.number_prefix,
                &job.first,
                &job.notices,
            )
            .await?;
            super::search::index_created::<DB>(&mut tx, [(&job.matter, &created)]).await?;
            if matches!(created, Created::New { .. }) {
                tlog::append_events::<DB>(&mut tx, [(&job.matter.id, &job.first)]).await?;
            }
            Ok::<_, StoreError>(created)
        }
        .await;
        match inserted {
            Ok(created) => {
                tx.commit().await.map_err(map_err)?;
                outcomes.push(Ok(created));
            }
            Err(e) => outcomes.push(Err(e)),
        }
    }
    Ok(outcomes)
}

/// The whole group in a handful of statements: look up repeated keys and
/// order numbers at once, take each prefix's numbers in one counter update,
/// insert the matters and their first events as multi-row statements.
#[sql_bounds]
async fn write_together<DB>(conn: &mut DB::Connection, jobs: &[NewMatter]) -> StoreResult<Vec<StoreResult<Created>>> {
    // Earlier matters with the same idempotency key or external order number.
    let mut by_key: HashMap<String, MatterId> = HashMap::new();
    let keys: Vec<&String> = jobs.iter().filter_map(|j| j.idempotency_key.as_ref()).collect();
    if !keys.is_empty() {
        let mut q = QueryBuilder::<DB>::new("SELECT idempotency_key, id FROM matters WHERE idempotency_key IN ");
        push_list(&mut q, keys.iter().map(|k| (*k).clone()));
        for row in q.build_query_as::<KeyRow>().fetch_all(&mut *conn).await.map_err(map_err)? {
            by_key.insert(row.idempotency_key, MatterId::parse(&row.id).map_err(corrupt)?);
        }
    }
    let mut by_ref: HashMap<(String, String), MatterId> = HashMap::new();
    let refs: Vec<&String> = jobs.iter().filter_map(|j| j.matter.external_ref.as_ref()).collect();
    if !refs.is_empty() {
        let mut q = QueryBuilder::<DB>::new("SELECT channel, external_ref, id FROM matters WHERE external_ref IN ");
        push_list(&mut q, refs.iter().map(|r| (*r).clone()));
        for row in q.build_query_as::<RefRow>().fetch_all(&mut *conn).await.map_err(map_err)? {
            by_ref.insert((row.channel, row.external_ref), MatterId::parse(&row.id).map_err(corrupt)?);
        }
    }
    // Which are new; a repeat within the group points at its first.
    let mut outcomes: Vec<Option<Created>> = Vec::with_capacity(jobs.len());
    let mut per_prefix: HashMap<&str, i64> = HashMap::new();
    for j in jobs {
        let seen = j.idempotency_key.as_ref().and_then(|k| by_key.get(k)).or_else(|| {
            j.matter.external_ref.as_ref().and_then(|r| by_ref.get(&(j.matter.channel.as_str().to_owned(), r.clone())))
        });
        if let Some(id) = seen {
            outcomes.push(Some(Created::Existing { id: id.clone() }));
            continue;
        }
        if let Some(k) = &j.idempotency_key {
            by_key.insert(k.clone(), j.matter.id.clone());
        }
        if let Some(r) = &j.matter.external_ref {
            by_ref.insert((j.matter.channel.as_str().to_owned(), r.clone()), j.matter.id.clone());
        }
        *per_prefix.entry(j.number_prefix.as_str()).or_default() += 1;
        outcomes.push(None);
    }
    // Numbers: each prefix's counter moves once, by the group's count.
    let mut next: HashMap<&str, i64> = HashMap::new();
    for (prefix, n) in &per_prefix {
        next.insert(prefix, take_numbers::<DB>(conn, prefix, *n).await?);
    }
    let mut new_rows: Vec<(Matter, Option<&str>, &MatterEvent)> = Vec::new();
    let mut notices = Vec::new();
    for (j, outcome) in jobs.iter().zip(outcomes.iter_mut()) {
        if outcome.is_some() {
            continue;
        }
        let seq = next.get_mut(j.number_prefix.as_str()).expect("counted above");
        let number = format!("{}-{:06}", j.number_prefix, *seq);
        *seq += 1;
        let mut record = j.matter.clone();
        record.number = number.clone();
        new_rows.push((record, j.idempotency_key.as_deref(), &j.first));
        notices.extend(j.notices.iter().map(|n| n.numbered(&number)));
        *outcome = Some(Created::New { number });
    }
    for chunk in new_rows.chunks(DB::CHUNK_ROWS / MATTER_INSERT_COLUMNS + 1) {
        let mut q = QueryBuilder::<DB>::new(INSERT_MATTER);
        q.push_values(chunk, |mut v, (m, key, _)| push_matter(&mut v, m, *key));
        q.build().execute(&mut *conn).await.map_err(map_err)?;
    }
    for chunk in new_rows.chunks(DB::CHUNK_ROWS / EVENT_INSERT_COLUMNS + 1) {
        let mut q = QueryBuilder::<DB>::new(INSERT_EVENT);
        q.push_values(chunk, |mut v, (m, _, e)| push_event(&mut v, &m.id, e));
        q.build().execute(&mut *conn).await.map_err(map_err)?;
    }
    crate::notify::insert_notices::<DB>(conn, &notices).await?;
    super::search::index_new::<DB>(conn, new_rows.iter().map(|(m, _, _)| m)).await?;
    tlog::append_events::<DB>(conn, new_rows.iter().map(|(m, _, e)| (&m.id, *e))).await?;
    Ok(outcomes.into_iter().map(|o| Ok(o.expect("every job decided"))).collect())
}
