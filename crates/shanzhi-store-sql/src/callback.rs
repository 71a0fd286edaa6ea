//! 满意度回访: call-back tasks, and the closures of hotline orders in
//! transparency-log order (the results export's cursor).

use async_trait::async_trait;
use shanzhi_domain::callback::{CallbackState, CallbackTask};
use shanzhi_domain::{DivisionCode, Matter, MatterEvent, Micros};
use shanzhi_store::{CallbackQuery, CallbackStore, HotlineClosure, NewNotification, StoreError, StoreResult};
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};
use sqlx::QueryBuilder;

use crate::fragments::{push_between, push_list};
use crate::matter::append_event;
use crate::{SqlStore, map_err};

const TASK_COLUMNS: &str =
    "id, matter_id, number, community_code, close_seq, created_at, state, attempts, last_attempt_at";

#[derive(SqlRow)]
struct TaskRow {
    id: String,
    matter_id: String,
    number: String,
    community_code: String,
    close_seq: i64,
    created_at: i64,
    state: String,
    attempts: i64,
    last_attempt_at: Option<i64>,
}

impl TryFrom<TaskRow> for CallbackTask {
    type Error = StoreError;
    fn try_from(r: TaskRow) -> StoreResult<CallbackTask> {
        Ok(CallbackTask {
            id: r.id,
            matter_id: r.matter_id,
            number: r.number,
            community: DivisionCode::parse(&r.community_code).map_err(StoreError::corrupt)?,
            close_seq: r.close_seq,
            created_at: Micros::new(r.created_at),
            state: r.state.parse::<CallbackState>().map_err(|e| StoreError::corrupt(e.en))?,
            attempts: u32::try_from(r.attempts).map_err(StoreError::corrupt)?,
            last_attempt_at: r.last_attempt_at.map(Micros::new),
        })
    }
}

#[derive(SqlRow)]
struct IdRow {
    #[allow(dead_code)]
    id: String,
}

#[derive(SqlRow)]
struct ClosureRow {
    idx: i64,
    matter_id: String,
    external_ref: String,
    seq: i64,
}

/// `(column within one of these divisions)`, or nothing for everywhere.
#[sql_bounds]
fn push_within<DB>(q: &mut QueryBuilder<DB>, column: &str, within: Option<&[DivisionCode]>) {
    let Some(divisions) = within else { return };
    q.push(" AND (");
    if divisions.is_empty() {
        q.push("1 = 0");
    }
    for (i, d) in divisions.iter().enumerate() {
        if i > 0 {
            q.push(" OR ");
        }
        q.push("(");
        let (lo, hi) = d.descendant_bounds();
        push_between(q, column, lo, hi);
        q.push(")");
    }
    q.push(")");
}

#[sql_bounds]
#[async_trait]
impl<DB> CallbackStore for SqlStore<DB> {
    async fn append_matter_event_with_task(
        &self,
        matter: &Matter,
        event: &MatterEvent,
        notices: &[NewNotification],
        task: Option<&CallbackTask>,
    ) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        append_event::<DB>(&mut tx, matter, event, notices).await?;
        if let Some(t) = task {
            let mut q = QueryBuilder::<DB>::new(format!("INSERT INTO callback_tasks ({TASK_COLUMNS}) "));
            q.push_values([t], |mut v, t| {
                v.push_bind(t.id.clone())
                    .push_bind(t.matter_id.clone())
                    .push_bind(t.number.clone())
                    .push_bind(t.community.as_str().to_owned())
                    .push_bind(t.close_seq)
                    .push_bind(t.created_at.get())
                    .push_bind(t.state.as_str().to_owned())
                    .push_bind(i64::from(t.attempts))
                    .push_bind(t.last_attempt_at.map(Micros::get));
            });
            q.build().execute(&mut *tx).await.map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)
    }

    async fn callback_task(&self, id: &str) -> StoreResult<Option<CallbackTask>> {
        self.fetch_by_key::<TaskRow, _>(format!("SELECT {TASK_COLUMNS} FROM callback_tasks WHERE id = "), id).await
    }

    async fn callback_tasks(&self, query: &CallbackQuery) -> StoreResult<Vec<CallbackTask>> {
        let mut q = QueryBuilder::<DB>::new(format!("SELECT {TASK_COLUMNS} FROM callback_tasks WHERE 1 = 1"));
        if !query.states.is_empty() {
            q.push(" AND state IN ");
            push_list(&mut q, query.states.iter().map(|s| s.as_str().to_owned()));
        }
        push_within(&mut q, "community_code", query.within.as_deref());
        if let Some((at, id)) = &query.after {
            q.push(" AND (created_at > ").push_bind(at.get());
            q.push(" OR (created_at = ").push_bind(at.get()).push(" AND id > ").push_bind(id.clone()).push("))");
        }
        q.push(" ORDER BY created_at, id LIMIT ").push_bind(i64::try_from(query.limit).unwrap_or(i64::MAX));
        self.fetch_records::<TaskRow, _>(&mut q).await
    }

    async fn record_callback(
        &self,
        task: &CallbackTask,
        attempts_before: u32,
        event: Option<(&Matter, &MatterEvent)>,
    ) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q = QueryBuilder::<DB>::new("UPDATE callback_tasks SET state = ");
        q.push_bind(task.state.as_str().to_owned());
        q.push(", attempts = ").push_bind(i64::from(task.attempts));
        q.push(", last_attempt_at = ").push_bind(task.last_attempt_at.map(Micros::get));
        q.push(" WHERE id = ").push_bind(task.id.clone());
        q.push(" AND state = 'open' AND attempts = ").push_bind(i64::from(attempts_before));
        q.push(" RETURNING id");
        let done = q.build_query_as::<IdRow>().fetch_optional(&mut *tx).await.map_err(map_err)?;
        if done.is_none() {
            return Err(StoreError::Constraint(format!("call-back {} changed meanwhile", task.id)));
        }
        if let Some((matter, event)) = event {
            append_event::<DB>(&mut tx, matter, event, &[]).await?;
        }
        tx.commit().await.map_err(map_err)
    }

    async fn hotline_closures(
        &self,
        after: i64,
        within: Option<&[DivisionCode]>,
        limit: usize,
    ) -> StoreResult<Vec<HotlineClosure>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT l.idx AS idx, e.matter_id AS matter_id, m.external_ref AS external_ref, e.seq AS seq \
             FROM tlog_leaves l \
             JOIN matter_events e ON e.matter_id = l.record_key AND e.seq = l.record_seq \
             JOIN matters m ON m.id = e.matter_id \
             WHERE l.kind = 'matter_event' AND l.idx > ",
        );
        q.push_bind(after);
        q.push(" AND m.channel = 'hotline' AND m.external_ref IS NOT NULL");
        q.push(" AND e.to_state IN ('closed', 'rejected') AND e.from_state IS NOT NULL AND e.from_state <> e.to_state");
        push_within(&mut q, "m.community_code", within);
        q.push(" ORDER BY l.idx LIMIT ").push_bind(i64::try_from(limit).unwrap_or(i64::MAX));
        let rows = q.build_query_as::<ClosureRow>().fetch_all(self.pool()).await.map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| HotlineClosure {
                cursor: r.idx,
                matter_id: r.matter_id,
                external_ref: r.external_ref,
                close_seq: r.seq,
            })
            .collect())
    }
}
