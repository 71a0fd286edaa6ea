mod group;
mod rows;

use std::collections::{BTreeMap, HashMap, HashSet};

use async_trait::async_trait;
use shanzhi_domain::MatterState;
use shanzhi_store::{
    AttachmentRecord, Created, MatterEvent, MatterPoint, MatterQuery, MatterRecord, MatterStore, NewMatter,
    StoreResult, SweepUpdate, WarningCount,
};
use sqlx::{Pool, QueryBuilder, Row};

use rows::{
    EVENT_COLUMNS, INSERT_EVENT, INSERT_MATTER, MATTER_COLUMNS, MATTER_INSERT_COLUMNS, ScopePart, assignee_parts,
    event_from_row, matter_from_row, push_event, push_filters, push_matter, push_part_filters, scope_parts,
    status_json,
};
pub(crate) use rows::{corrupt, get};

pub use group::{GroupCommit, GroupReceiver, run_group_commit};

use crate::{Dialect, SqlStore, map_err};
#[async_trait]
impl<DB> MatterStore for SqlStore<DB>
where
    DB: Dialect,
    for<'c> &'c Pool<DB>: sqlx::Executor<'c, Database = DB>,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    DB::Arguments: sqlx::IntoArguments<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<String>: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB>,
    for<'q> f64: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<f64>: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB>,
    for<'q> Vec<u8>: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
{
    async fn create_matter(
        &self,
        matter: &MatterRecord,
        idempotency_key: Option<&str>,
        number_prefix: &str,
        first: &MatterEvent,
    ) -> StoreResult<Created> {
        if let Some(group) = &self.group {
            return group.submit(matter, idempotency_key, number_prefix, first).await;
        }
        let _writer = self.writer().await;
        let mut tx = self.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
        let created = insert_new_matter::<DB>(&mut tx, matter, idempotency_key, number_prefix, first).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(created)
    }

    async fn create_matters(&self, batch: &[NewMatter]) -> StoreResult<Vec<Created>> {
        let _writer = self.writer().await;
        let mut tx = self.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
        let mut out = Vec::with_capacity(batch.len());
        for n in batch {
            let key = n.idempotency_key.as_deref();
            match insert_new_matter::<DB>(&mut tx, &n.matter, key, &n.number_prefix, &n.first).await {
                Ok(created) => out.push(created),
                Err(e) => {
                    // At once: a dropped transaction would hold its locks until
                    // the connection is next used.
                    let _ = tx.rollback().await;
                    return Err(e);
                }
            }
        }
        tx.commit().await.map_err(map_err)?;
        Ok(out)
    }

    async fn matters_by_external_refs(&self, channel: &str, refs: &[String]) -> StoreResult<Vec<MatterRecord>> {
        let mut out = Vec::new();
        for chunk in refs.chunks(DB::CHUNK_ROWS) {
            let mut q = QueryBuilder::<DB>::new(format!("SELECT {MATTER_COLUMNS} FROM matters WHERE channel = "));
            q.push_bind(channel.to_owned()).push(" AND external_ref IN (");
            let mut list = q.separated(", ");
            for r in chunk {
                list.push_bind(r.clone());
            }
            q.push(")");
            for r in q.build().fetch_all(self.pool()).await.map_err(map_err)? {
                out.push(matter_from_row(&r)?);
            }
        }
        Ok(out)
    }

    async fn matter_by_reporter_key(&self, key_hash: &str) -> StoreResult<Option<MatterRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!("SELECT {MATTER_COLUMNS} FROM matters WHERE reporter_key_hash = "));
        q.push_bind(key_hash.to_owned());
        q.build().fetch_optional(self.pool()).await.map_err(map_err)?.as_ref().map(matter_from_row).transpose()
    }

    async fn append_matter_event(&self, matter: &MatterRecord, event: &MatterEvent) -> StoreResult<()> {
        let _writer = self.writer().await;
        let mut tx = self.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
        let mut q = QueryBuilder::<DB>::new(INSERT_EVENT);
        q.push_values([event], |mut v, e| push_event(&mut v, &matter.id, e));
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        let (kind, code) = assignee_parts(&matter.status);
        let mut q = QueryBuilder::<DB>::new("UPDATE matters SET state = ");
        q.push_bind(matter.status.state.as_str().to_owned());
        q.push(", level = ").push_bind(matter.status.level.as_str().to_owned());
        q.push(", assignee_kind = ").push_bind(kind).push(", assignee_code = ").push_bind(code);
        q.push(", status_json = ").push_bind(status_json(&matter.status));
        q.push(", updated_at = ").push_bind(matter.updated_at);
        q.push(", deadline_at = ").push_bind(matter.deadline_at());
        q.push(", clock_json = ").push_bind(clock_json(matter));
        q.push(", warning = ").push_bind(matter.warning().as_str().to_owned());
        q.push(", next_alarm_at = ").push_bind(matter.next_alarm_at());
        q.push(", event_count = ").push_bind(event.seq);
        q.push(", last_hash = ").push_bind(event.hash.clone());
        q.push(" WHERE id = ").push_bind(matter.id.clone());
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }

    async fn matter(&self, id: &str) -> StoreResult<Option<MatterRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!("SELECT {MATTER_COLUMNS} FROM matters WHERE id = "));
        q.push_bind(id.to_owned());
        q.build().fetch_optional(self.pool()).await.map_err(map_err)?.as_ref().map(matter_from_row).transpose()
    }

    async fn matter_by_number(&self, number: &str) -> StoreResult<Option<MatterRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!("SELECT {MATTER_COLUMNS} FROM matters WHERE number = "));
        q.push_bind(number.to_owned());
        q.build().fetch_optional(self.pool()).await.map_err(map_err)?.as_ref().map(matter_from_row).transpose()
    }

    async fn matter_events(&self, id: &str) -> StoreResult<Vec<MatterEvent>> {
        let mut q = QueryBuilder::<DB>::new(format!("SELECT {EVENT_COLUMNS} FROM matter_events WHERE matter_id = "));
        q.push_bind(id.to_owned()).push(" ORDER BY seq");
        let rows = q.build().fetch_all(self.pool()).await.map_err(map_err)?;
        rows.iter().map(event_from_row).collect()
    }

    async fn matters(&self, query: &MatterQuery) -> StoreResult<Vec<MatterRecord>> {
        let limit = query.limit.max(1);
        // Each part of the scope, and each warning colour asked for, along its
        // own index newest first; then the newest `limit` of their union. A
        // colour has its own index: the few yellow matters of a city are not
        // found by walking the city's index past everything else.
        let parts: Vec<Option<ScopePart>> =
            if query.scope.everything { vec![None] } else { scope_parts(&query.scope).into_iter().map(Some).collect() };
        let colours: Vec<MatterQuery> = if query.warnings.len() > 1 {
            query.warnings.iter().map(|w| MatterQuery { warnings: vec![*w], ..query.clone() }).collect()
        } else {
            vec![query.clone()]
        };
        let mut found: Vec<MatterRecord> = Vec::new();
        for part in &parts {
            for query in &colours {
                let mut q = QueryBuilder::<DB>::new(format!("SELECT {MATTER_COLUMNS} FROM matters"));
                push_part_filters(&mut q, part.as_ref(), query);
                q.push(" ORDER BY reported_at DESC, id DESC LIMIT ").push_bind(i64::try_from(limit).unwrap_or(100));
                let rows = q.build().fetch_all(self.pool()).await.map_err(map_err)?;
                for r in &rows {
                    found.push(matter_from_row(r)?);
                }
            }
        }
        if parts.len() * colours.len() > 1 {
            found.sort_by(|a, b| (b.reported_at, &b.id).cmp(&(a.reported_at, &a.id)));
            found.dedup_by(|a, b| a.id == b.id);
            found.truncate(limit);
        }
        Ok(found)
    }

    async fn matter_points(&self, query: &MatterQuery) -> StoreResult<Vec<MatterPoint>> {
        // No ORDER BY: with one, the planner may walk the time index over
        // every recent matter instead of the few in the cells asked for.
        // Sorted here; the cap bounds a corner with thousands of reports.
        let mut q = QueryBuilder::<DB>::new("SELECT id, number, lng, lat, reported_at FROM matters");
        push_filters(&mut q, query);
        q.push(" LIMIT ").push_bind(i64::try_from(query.limit.max(1).saturating_mul(25)).unwrap_or(500));
        let rows = q.build().fetch_all(self.pool()).await.map_err(map_err)?;
        let mut points = rows
            .iter()
            .map(|r| {
                let at: i64 = get!(r, 4);
                Ok((at, MatterPoint { id: get!(r, 0), number: get!(r, 1), lng: get!(r, 2), lat: get!(r, 3) }))
            })
            .collect::<StoreResult<Vec<_>>>()?;
        points.sort_by(|(a, p), (b, q)| (b, &q.id).cmp(&(a, &p.id)));
        Ok(points.into_iter().take(query.limit.max(1)).map(|(_, p)| p).collect())
    }

    async fn matter_updates(
        &self,
        query: &MatterQuery,
        from: i64,
        to: i64,
        offset: usize,
    ) -> StoreResult<Vec<(String, MatterEvent)>> {
        let cols: Vec<String> = EVENT_COLUMNS.split(", ").map(|c| format!("e.{c}")).collect();
        let mut q = QueryBuilder::<DB>::new(format!(
            "SELECT {}, m.number FROM matter_events e JOIN matters m ON m.id = e.matter_id",
            cols.join(", ")
        ));
        push_filters(&mut q, query);
        q.push(" AND e.at >= ").push_bind(from).push(" AND e.at < ").push_bind(to);
        q.push(" ORDER BY e.at, e.matter_id, e.seq LIMIT ").push_bind(i64::try_from(query.limit.max(1)).unwrap_or(100));
        q.push(" OFFSET ").push_bind(i64::try_from(offset).unwrap_or(0));
        let rows = q.build().fetch_all(self.pool()).await.map_err(map_err)?;
        rows.iter().map(|r| Ok((get!(r, 11), event_from_row(r)?))).collect()
    }

    async fn reserve_numbers(&self, prefix: &str, count: i64) -> StoreResult<i64> {
        let _writer = self.writer().await;
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        take_numbers::<DB>(&mut conn, prefix, count).await
    }

    async fn count_matters(&self, query: &MatterQuery) -> StoreResult<BTreeMap<MatterState, u64>> {
        let mut q = QueryBuilder::<DB>::new("SELECT state, COUNT(*) FROM matters");
        push_filters(&mut q, query);
        q.push(" GROUP BY state");
        let mut out = BTreeMap::new();
        for row in q.build().fetch_all(self.pool()).await.map_err(map_err)? {
            let state: String = get!(row, 0);
            let n: i64 = get!(row, 1);
            out.insert(state.parse().map_err(corrupt)?, u64::try_from(n).unwrap_or(0));
        }
        Ok(out)
    }

    async fn due_matter_ids(&self, now: i64, limit: usize) -> StoreResult<Vec<String>> {
        let mut q = QueryBuilder::<DB>::new("SELECT id FROM matters WHERE next_alarm_at <= ");
        q.push_bind(now).push(" ORDER BY next_alarm_at LIMIT ").push_bind(i64::try_from(limit.max(1)).unwrap_or(500));
        let rows = q.build().fetch_all(self.pool()).await.map_err(map_err)?;
        rows.iter().map(|r| Ok(get!(r, 0))).collect()
    }

    async fn matters_by_ids(&self, ids: &[String]) -> StoreResult<Vec<MatterRecord>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(DB::CHUNK_ROWS) {
            let mut q = QueryBuilder::<DB>::new(format!("SELECT {MATTER_COLUMNS} FROM matters WHERE id IN ("));
            let mut list = q.separated(", ");
            for id in chunk {
                list.push_bind(id.clone());
            }
            q.push(")");
            for r in q.build().fetch_all(self.pool()).await.map_err(map_err)? {
                out.push(matter_from_row(&r)?);
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    async fn apply_sweep(&self, updates: &[SweepUpdate]) -> StoreResult<Vec<String>> {
        let _writer = self.writer().await;
        let mut tx = self.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
        let mut written = HashSet::new();
        // One statement per chunk: a backlog of overdue matters is written at
        // the speed of the pages it touches, not of round trips. A matter is
        // written only if its event count is still the one read (a command or
        // another sweeper got there first otherwise: it is theirs).
        for chunk in updates.chunks(DB::CHUNK_ROWS / 10 + 1) {
            let mut q = QueryBuilder::<DB>::new(
                "WITH v (id, read_count, clock_json, warning, next_alarm_at, deadline_at, status_json, updated_at, \
                 event_count, last_hash) AS (",
            );
            q.push_values(chunk, |mut v, u| {
                let m = &u.matter;
                let e = u.event.as_ref();
                v.push_bind(m.id.clone())
                    .push_bind(u.read_event_count)
                    .push_bind(clock_json(m))
                    .push_bind(m.warning().as_str().to_owned())
                    .push_bind(m.next_alarm_at())
                    .push_bind(m.deadline_at())
                    .push_bind(e.map(|_| status_json(&m.status)))
                    .push_bind(e.map(|_| m.updated_at))
                    .push_bind(e.map(|e| e.seq))
                    .push_bind(e.map(|e| e.hash.clone()));
            });
            q.push(
                ") UPDATE matters SET clock_json = v.clock_json, warning = v.warning, \
                 next_alarm_at = v.next_alarm_at, deadline_at = v.deadline_at, \
                 status_json = COALESCE(v.status_json, matters.status_json), \
                 updated_at = COALESCE(v.updated_at, matters.updated_at), \
                 event_count = COALESCE(v.event_count, matters.event_count), \
                 last_hash = COALESCE(v.last_hash, matters.last_hash) \
                 FROM v WHERE matters.id = v.id AND matters.event_count = v.read_count RETURNING matters.id",
            );
            for r in q.build().fetch_all(&mut *tx).await.map_err(map_err)? {
                let id: String = get!(r, 0);
                written.insert(id);
            }
        }
        let events: Vec<(&str, &MatterEvent)> = updates
            .iter()
            .filter(|u| written.contains(&u.matter.id))
            .filter_map(|u| u.event.as_ref().map(|e| (u.matter.id.as_str(), e)))
            .collect();
        for chunk in events.chunks(DB::CHUNK_ROWS / 12 + 1) {
            let mut q = QueryBuilder::<DB>::new(INSERT_EVENT);
            q.push_values(chunk, |mut v, (id, e)| push_event(&mut v, id, e));
            q.build().execute(&mut *tx).await.map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(updates.iter().filter(|u| written.contains(&u.matter.id)).map(|u| u.matter.id.clone()).collect())
    }

    async fn warning_counts(&self, query: &MatterQuery) -> StoreResult<Vec<WarningCount>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT warning, state, level, assignee_kind, assignee_code, COUNT(*) FROM matters",
        );
        push_filters(&mut q, query);
        q.push(" AND warning <> 'none' GROUP BY warning, state, level, assignee_kind, assignee_code");
        let mut out = Vec::new();
        for r in q.build().fetch_all(self.pool()).await.map_err(map_err)? {
            let warning: String = get!(r, 0);
            let state: String = get!(r, 1);
            let n: i64 = get!(r, 5);
            out.push(WarningCount {
                warning: warning.parse().map_err(corrupt)?,
                state: state.parse().map_err(corrupt)?,
                level: get!(r, 2),
                assignee_kind: get!(r, 3),
                assignee_code: get!(r, 4),
                count: u64::try_from(n).unwrap_or(0),
            });
        }
        Ok(out)
    }

    async fn insert_matters_bulk(&self, matters: &[(MatterRecord, Vec<MatterEvent>)]) -> StoreResult<()> {
        let _writer = self.writer().await;
        let mut tx = self.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
        // Rows per statement stay under every engine's bind limit.
        for chunk in matters.chunks(DB::CHUNK_ROWS / MATTER_INSERT_COLUMNS + 1) {
            let mut q = QueryBuilder::<DB>::new(INSERT_MATTER);
            q.push_values(chunk, |mut v, (m, _)| push_matter(&mut v, m, None));
            q.build().execute(&mut *tx).await.map_err(map_err)?;
        }
        let events: Vec<(&str, &MatterEvent)> =
            matters.iter().flat_map(|(m, es)| es.iter().map(move |e| (m.id.as_str(), e))).collect();
        for chunk in events.chunks(DB::CHUNK_ROWS / 12 + 1) {
            let mut q = QueryBuilder::<DB>::new(INSERT_EVENT);
            q.push_values(chunk, |mut v, (id, e)| push_event(&mut v, id, e));
            q.build().execute(&mut *tx).await.map_err(map_err)?;
        }
        // Keep the number counters ahead of every number written here.
        let mut highest: HashMap<String, i64> = HashMap::new();
        for (m, _) in matters {
            if let Some((prefix, seq)) = m.number.rsplit_once('-')
                && let Ok(seq) = seq.parse::<i64>()
            {
                let e = highest.entry(format!("matter:{prefix}")).or_insert(0);
                *e = (*e).max(seq);
            }
        }
        for (name, value) in highest {
            let mut q = QueryBuilder::<DB>::new("INSERT INTO counters (name, value) VALUES (");
            q.push_bind(name).push(", ").push_bind(value);
            q.push(") ON CONFLICT (name) DO UPDATE SET value = CASE WHEN counters.value > excluded.value THEN counters.value ELSE excluded.value END");
            q.build().execute(&mut *tx).await.map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)
    }

    async fn put_attachment(&self, a: &AttachmentRecord, data: &[u8]) -> StoreResult<()> {
        let mut q = QueryBuilder::<DB>::new(
            "INSERT INTO attachments (id, matter_id, uploaded_by, content_type, size, sha256, data, created_at) ",
        );
        q.push_values([a], |mut v, a| {
            v.push_bind(a.id.clone())
                .push_bind(a.matter_id.clone())
                .push_bind(a.uploaded_by.clone())
                .push_bind(a.content_type.clone())
                .push_bind(a.size)
                .push_bind(a.sha256.clone())
                .push_bind(data.to_vec())
                .push_bind(a.created_at);
        });
        q.build().execute(self.pool()).await.map_err(map_err)?;
        Ok(())
    }

    async fn attachment_ids(&self, matter_ids: &[String]) -> StoreResult<Vec<(String, String)>> {
        let mut out = Vec::new();
        for chunk in matter_ids.chunks(DB::CHUNK_ROWS) {
            let mut q = QueryBuilder::<DB>::new("SELECT matter_id, id FROM attachments WHERE matter_id IN (");
            let mut list = q.separated(", ");
            for id in chunk {
                list.push_bind(id.clone());
            }
            q.push(") ORDER BY created_at, id");
            for r in q.build().fetch_all(self.pool()).await.map_err(map_err)? {
                out.push((get!(r, 0), get!(r, 1)));
            }
        }
        Ok(out)
    }

    async fn attachment(&self, id: &str) -> StoreResult<Option<(AttachmentRecord, Vec<u8>)>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT id, matter_id, uploaded_by, content_type, size, sha256, created_at, data FROM attachments WHERE id = ",
        );
        q.push_bind(id.to_owned());
        let Some(r) = q.build().fetch_optional(self.pool()).await.map_err(map_err)? else { return Ok(None) };
        Ok(Some((
            AttachmentRecord {
                id: get!(r, 0),
                matter_id: get!(r, 1),
                uploaded_by: get!(r, 2),
                content_type: get!(r, 3),
                size: get!(r, 4),
                sha256: get!(r, 5),
                created_at: get!(r, 6),
            },
            get!(r, 7),
        )))
    }

    async fn bind_attachments(&self, ids: &[String], matter_id: &str, uploaded_by: &str) -> StoreResult<usize> {
        if ids.is_empty() {
            return Ok(0);
        }
        let _writer = self.writer().await;
        let mut tx = self.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
        let mut count =
            QueryBuilder::<DB>::new("SELECT COUNT(*) FROM attachments WHERE matter_id IS NULL AND uploaded_by = ");
        count.push_bind(uploaded_by.to_owned()).push(" AND id IN (");
        let mut list = count.separated(", ");
        for id in ids {
            list.push_bind(id.clone());
        }
        count.push(")");
        let n: i64 = get!(count.build().fetch_one(&mut *tx).await.map_err(map_err)?, 0);
        let mut q = QueryBuilder::<DB>::new("UPDATE attachments SET matter_id = ");
        q.push_bind(matter_id.to_owned())
            .push(" WHERE matter_id IS NULL AND uploaded_by = ")
            .push_bind(uploaded_by.to_owned());
        q.push(" AND id IN (");
        let mut list = q.separated(", ");
        for id in ids {
            list.push_bind(id.clone());
        }
        q.push(")");
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(usize::try_from(n).unwrap_or(0))
    }
}

fn clock_json(m: &MatterRecord) -> Option<String> {
    m.clock.as_ref().map(|c| serde_json::to_string(c).expect("a clock serialises"))
}

/// Number and insert a new matter with its first event, inside the caller's
/// transaction.
/// Take `count` consecutive numbers of `prefix` (one counter update, in the
/// caller's transaction); returns the first.
pub(crate) async fn take_numbers<DB>(conn: &mut DB::Connection, prefix: &str, count: i64) -> StoreResult<i64>
where
    DB: Dialect,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    DB::Arguments: sqlx::IntoArguments<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
{
    let mut q = QueryBuilder::<DB>::new("INSERT INTO counters (name, value) VALUES (");
    q.push_bind(format!("matter:{prefix}")).push(", ").push_bind(count);
    q.push(") ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value RETURNING value");
    let top: i64 = get!(q.build().fetch_one(&mut *conn).await.map_err(map_err)?, 0);
    Ok(top - count + 1)
}

pub(crate) async fn insert_new_matter<DB>(
    conn: &mut DB::Connection,
    matter: &MatterRecord,
    idempotency_key: Option<&str>,
    number_prefix: &str,
    first: &MatterEvent,
) -> StoreResult<Created>
where
    DB: Dialect,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    DB::Arguments: sqlx::IntoArguments<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<String>: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB>,
    for<'q> f64: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<f64>: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
{
    if let Some(key) = idempotency_key {
        let mut q = QueryBuilder::<DB>::new("SELECT id FROM matters WHERE idempotency_key = ");
        q.push_bind(key.to_owned());
        if let Some(row) = q.build().fetch_optional(&mut *conn).await.map_err(map_err)? {
            return Ok(Created::Existing { id: get!(row, 0) });
        }
    }
    if let Some(external) = &matter.external_ref {
        let mut q = QueryBuilder::<DB>::new("SELECT id FROM matters WHERE channel = ");
        q.push_bind(matter.channel.clone()).push(" AND external_ref = ").push_bind(external.clone());
        if let Some(row) = q.build().fetch_optional(&mut *conn).await.map_err(map_err)? {
            return Ok(Created::Existing { id: get!(row, 0) });
        }
    }
    let seq = take_numbers::<DB>(conn, number_prefix, 1).await?;
    let number = format!("{number_prefix}-{seq:06}");
    let mut record = matter.clone();
    record.number = number.clone();
    let mut q = QueryBuilder::<DB>::new(INSERT_MATTER);
    q.push_values([&record], |mut v, m| push_matter(&mut v, m, idempotency_key));
    q.build().execute(&mut *conn).await.map_err(map_err)?;
    let mut q = QueryBuilder::<DB>::new(INSERT_EVENT);
    q.push_values([first], |mut v, e| push_event(&mut v, &record.id, e));
    q.build().execute(&mut *conn).await.map_err(map_err)?;
    Ok(Created::New { number })
}
