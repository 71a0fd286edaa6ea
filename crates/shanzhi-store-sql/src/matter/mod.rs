mod attachments;
mod filters;
mod group;
mod rows;
mod search;
mod timelines;
mod write;

use std::collections::{BTreeMap, HashMap, HashSet};

use async_trait::async_trait;
use shanzhi_domain::matter::LngLat;
use shanzhi_domain::{Assignee, Channel, DepartmentCode, Matter, MatterEvent, MatterId, MatterState, Micros};
use shanzhi_store::{
    Created, GroupedNotice, MatterOrder, MatterPoint, MatterQuery, MatterStore, NewMatter, NewNotification,
    StoreResult, SweepUpdate, WarningCount,
};
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};
use sqlx::QueryBuilder;

use filters::{ScopePart, order_by, push_filters, push_part_filters, scope_parts};
use rows::{
    EVENT_COLUMNS, EVENT_INSERT_COLUMNS, EventRow, INSERT_EVENT, INSERT_MATTER, MATTER_COLUMNS, MATTER_INSERT_COLUMNS,
    MatterRow, NumberedEventRow, assignee_parts, clock_json, corrupt, push_event, push_matter, status_json,
};
pub(crate) use write::{insert_new_matter, take_numbers};

pub use group::{GroupCommit, GroupReceiver, run_group_commit};
pub(crate) use search::backfill_batch;

use crate::fragments::push_list;
use crate::{SqlStore, map_err, notify, tlog};

/// Append `event` to `matter`'s timeline and store the record as it is
/// after it, in the caller's transaction (with its transparency-log leaf
/// and the notices it causes).
#[sql_bounds]
pub(crate) async fn append_event<DB>(
    conn: &mut DB::Connection,
    matter: &Matter,
    event: &MatterEvent,
    notices: &[NewNotification],
) -> StoreResult<()> {
    // The notices first: an event refused below takes them back with it.
    notify::insert_notices::<DB>(&mut *conn, notices).await?;
    let mut q = QueryBuilder::<DB>::new(INSERT_EVENT);
    q.push_values([event], |mut v, e| push_event(&mut v, &matter.id, e));
    q.build().execute(&mut *conn).await.map_err(map_err)?;
    let (kind, code) = assignee_parts(&matter.status);
    let mut q = QueryBuilder::<DB>::new("UPDATE matters SET state = ");
    q.push_bind(matter.status.state.as_str().to_owned());
    q.push(", level = ").push_bind(matter.status.level.as_str().to_owned());
    q.push(", assignee_kind = ").push_bind(kind).push(", assignee_code = ").push_bind(code);
    q.push(", status_json = ").push_bind(status_json(&matter.status));
    q.push(", updated_at = ").push_bind(matter.updated_at.get());
    q.push(", deadline_at = ").push_bind(matter.deadline_at().map(Micros::get));
    q.push(", clock_json = ").push_bind(clock_json(matter));
    q.push(", warning = ").push_bind(matter.warning().as_str().to_owned());
    q.push(", next_alarm_at = ").push_bind(matter.next_alarm_at().map(Micros::get));
    q.push(", event_count = ").push_bind(event.seq);
    q.push(", last_hash = ").push_bind(event.hash.clone());
    q.push(" WHERE id = ").push_bind(matter.id.as_str().to_owned());
    q.build().execute(&mut *conn).await.map_err(map_err)?;
    tlog::append_events::<DB>(conn, [(&matter.id, event)]).await?;
    Ok(())
}

#[derive(SqlRow)]
struct PointRow {
    id: String,
    number: String,
    lng: Option<f64>,
    lat: Option<f64>,
    reported_at: i64,
}

#[derive(SqlRow)]
struct StateCount {
    state: String,
    n: i64,
}

#[derive(SqlRow)]
struct WarningRow {
    warning: String,
    state: String,
    level: String,
    assignee_kind: Option<String>,
    assignee_code: Option<String>,
    n: i64,
}

#[derive(SqlRow)]
struct IdRow {
    id: String,
}

/// A batch's grouped notices, each with the numbers of its matters that
/// were new; those with none are left out.
fn fill_grouped(grouped: &[GroupedNotice], out: &[Created]) -> Vec<NewNotification> {
    grouped
        .iter()
        .filter_map(|g| {
            let new: Vec<&str> = g
                .matters
                .iter()
                .filter_map(|i| match out.get(*i) {
                    Some(Created::New { number }) => Some(number.as_str()),
                    _ => None,
                })
                .collect();
            g.filled(&new)
        })
        .collect()
}

fn matters_of(rows: Vec<MatterRow>) -> StoreResult<Vec<Matter>> {
    rows.into_iter().map(Matter::try_from).collect()
}

#[sql_bounds]
#[async_trait]
impl<DB> MatterStore for SqlStore<DB> {
    async fn create_matter(&self, new: &NewMatter) -> StoreResult<Created> {
        if let Some(group) = &self.group {
            return group.submit(new.clone()).await;
        }
        let (_writer, mut tx) = self.begin_write().await?;
        let key = new.idempotency_key.as_deref();
        let created =
            insert_new_matter::<DB>(&mut tx, &new.matter, key, &new.number_prefix, &new.first, &new.notices).await?;
        search::index_created::<DB>(&mut tx, [(&new.matter, &created)]).await?;
        if matches!(created, Created::New { .. }) {
            tlog::append_events::<DB>(&mut tx, [(&new.matter.id, &new.first)]).await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(created)
    }

    async fn create_matters(&self, batch: &[NewMatter], grouped: &[GroupedNotice]) -> StoreResult<Vec<Created>> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut out = Vec::with_capacity(batch.len());
        // The log's leaves go last, in one append: the head is the last lock taken.
        let mut logged: Vec<(&MatterId, &MatterEvent)> = Vec::with_capacity(batch.len());
        for n in batch {
            let key = n.idempotency_key.as_deref();
            match insert_new_matter::<DB>(&mut tx, &n.matter, key, &n.number_prefix, &n.first, &n.notices).await {
                Ok(created) => {
                    if matches!(created, Created::New { .. }) {
                        logged.push((&n.matter.id, &n.first));
                    }
                    out.push(created);
                }
                Err(e) => {
                    // At once: a dropped transaction would hold its locks until
                    // the connection is next used.
                    let _ = tx.rollback().await;
                    return Err(e);
                }
            }
        }
        search::index_created::<DB>(&mut tx, batch.iter().map(|n| &n.matter).zip(&out)).await?;
        notify::insert_notices::<DB>(&mut tx, &fill_grouped(grouped, &out)).await?;
        tlog::append_events::<DB>(&mut tx, logged).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(out)
    }

    async fn matters_by_external_refs(&self, channel: Channel, refs: &[String]) -> StoreResult<Vec<Matter>> {
        let mut out = Vec::new();
        for chunk in refs.chunks(DB::CHUNK_ROWS) {
            let mut q = QueryBuilder::<DB>::new(format!("SELECT {MATTER_COLUMNS} FROM matters WHERE channel = "));
            q.push_bind(channel.as_str().to_owned()).push(" AND external_ref IN ");
            push_list(&mut q, chunk.iter().cloned());
            out.extend(matters_of(q.build_query_as::<MatterRow>().fetch_all(self.pool()).await.map_err(map_err)?)?);
        }
        Ok(out)
    }

    async fn matter_by_reporter_key(&self, key_hash: &str) -> StoreResult<Option<Matter>> {
        self.fetch_by_key::<MatterRow, _>(
            format!("SELECT {MATTER_COLUMNS} FROM matters WHERE reporter_key_hash = "),
            key_hash,
        )
        .await
    }

    async fn append_matter_event(
        &self,
        matter: &Matter,
        event: &MatterEvent,
        notices: &[NewNotification],
    ) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        append_event::<DB>(&mut tx, matter, event, notices).await?;
        tx.commit().await.map_err(map_err)
    }

    async fn mark_duplicates(&self, ids: &[MatterId], original: &str) -> StoreResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let _writer = self.writer().await;
        let mut tx = self.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
        for chunk in ids.chunks(DB::CHUNK_ROWS) {
            let mut q = QueryBuilder::<DB>::new("UPDATE matters SET duplicate_of = ");
            q.push_bind(original.to_owned()).push(" WHERE number <> ").push_bind(original.to_owned());
            q.push(" AND id IN ");
            push_list(&mut q, chunk.iter().map(|id| id.as_str().to_owned()));
            q.build().execute(&mut *tx).await.map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)
    }

    async fn matter(&self, id: &MatterId) -> StoreResult<Option<Matter>> {
        self.fetch_by_key::<MatterRow, _>(format!("SELECT {MATTER_COLUMNS} FROM matters WHERE id = "), id.as_str())
            .await
    }

    async fn matter_by_number(&self, number: &str) -> StoreResult<Option<Matter>> {
        self.fetch_by_key::<MatterRow, _>(format!("SELECT {MATTER_COLUMNS} FROM matters WHERE number = "), number).await
    }

    async fn matter_events(&self, id: &MatterId) -> StoreResult<Vec<MatterEvent>> {
        let mut q = QueryBuilder::<DB>::new(format!("SELECT {EVENT_COLUMNS} FROM matter_events WHERE matter_id = "));
        q.push_bind(id.as_str().to_owned()).push(" ORDER BY seq");
        self.fetch_records::<EventRow, _>(&mut q).await
    }

    async fn matter_events_of(&self, ids: &[MatterId]) -> StoreResult<Vec<(MatterId, MatterEvent)>> {
        let mut by_matter: HashMap<String, Vec<MatterEvent>> = HashMap::new();
        for chunk in ids.chunks(DB::CHUNK_ROWS) {
            for (matter, event) in timelines::events_of(self.pool(), chunk).await? {
                by_matter.entry(matter).or_default().push(event);
            }
        }
        for events in by_matter.values_mut() {
            events.sort_unstable_by_key(|e| e.seq);
        }
        let mut out = Vec::new();
        for id in ids {
            for e in by_matter.remove(id.as_str()).unwrap_or_default() {
                out.push((id.clone(), e));
            }
        }
        Ok(out)
    }

    async fn matters(&self, query: &MatterQuery) -> StoreResult<Vec<Matter>> {
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
        let postings = match &query.text {
            Some(t) => search::plan(self.pool(), t, search::Purpose::Page, limit).await?,
            None => None,
        };
        let mut found: Vec<Matter> = Vec::new();
        for part in &parts {
            for query in &colours {
                let mut q = QueryBuilder::<DB>::new(format!("SELECT {MATTER_COLUMNS}"));
                search::push_from(&mut q, postings.as_ref());
                push_part_filters(&mut q, part.as_ref(), query);
                search::push_join(&mut q, postings.as_ref());
                q.push(order_by(query.order));
                q.push(" LIMIT ").push_bind(i64::try_from(limit).unwrap_or(100));
                found.extend(matters_of(
                    q.build_query_as::<MatterRow>().fetch_all(self.pool()).await.map_err(map_err)?,
                )?);
            }
        }
        if parts.len() * colours.len() > 1 {
            let order = query.order;
            match order {
                MatterOrder::Newest => found.sort_by(|a, b| (b.reported_at, &b.id).cmp(&(a.reported_at, &a.id))),
                MatterOrder::DueFirst => found.sort_by(|a, b| (order.key(a), &a.id).cmp(&(order.key(b), &b.id))),
            }
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
        let rows = q.build_query_as::<PointRow>().fetch_all(self.pool()).await.map_err(map_err)?;
        let mut points = rows
            .into_iter()
            .map(|r| {
                let point = MatterPoint {
                    id: MatterId::parse(&r.id).map_err(corrupt)?,
                    number: r.number,
                    location: r.lng.zip(r.lat).map(|(lng, lat)| LngLat { lng, lat }),
                };
                Ok((r.reported_at, point))
            })
            .collect::<StoreResult<Vec<_>>>()?;
        points.sort_by(|(a, p), (b, q)| (b, &q.id).cmp(&(a, &p.id)));
        Ok(points.into_iter().take(query.limit.max(1)).map(|(_, p)| p).collect())
    }

    async fn matter_updates(
        &self,
        query: &MatterQuery,
        from: Micros,
        to: Micros,
        offset: usize,
    ) -> StoreResult<Vec<(String, MatterEvent)>> {
        let cols: Vec<String> = EVENT_COLUMNS.split(", ").map(|c| format!("e.{c}")).collect();
        let mut q = QueryBuilder::<DB>::new(format!(
            "SELECT {}, m.number FROM matter_events e JOIN matters m ON m.id = e.matter_id",
            cols.join(", ")
        ));
        push_filters(&mut q, query);
        q.push(" AND e.at >= ").push_bind(from.get()).push(" AND e.at < ").push_bind(to.get());
        q.push(" ORDER BY e.at, e.matter_id, e.seq LIMIT ").push_bind(i64::try_from(query.limit.max(1)).unwrap_or(100));
        q.push(" OFFSET ").push_bind(i64::try_from(offset).unwrap_or(0));
        self.fetch_records::<NumberedEventRow, _>(&mut q).await
    }

    async fn reserve_numbers(&self, prefix: &str, count: i64) -> StoreResult<i64> {
        let _writer = self.writer().await;
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        take_numbers::<DB>(&mut conn, prefix, count).await
    }

    async fn count_matters(&self, query: &MatterQuery) -> StoreResult<BTreeMap<MatterState, u64>> {
        let postings = match &query.text {
            Some(t) => search::plan(self.pool(), t, search::Purpose::Count, 1).await?,
            None => None,
        };
        let mut q = QueryBuilder::<DB>::new("SELECT state, COUNT(*) AS n");
        search::push_from(&mut q, postings.as_ref());
        push_filters(&mut q, query);
        search::push_join(&mut q, postings.as_ref());
        q.push(" GROUP BY state");
        let mut out = BTreeMap::new();
        for row in q.build_query_as::<StateCount>().fetch_all(self.pool()).await.map_err(map_err)? {
            out.insert(row.state.parse().map_err(corrupt)?, u64::try_from(row.n).unwrap_or(0));
        }
        Ok(out)
    }

    async fn due_matter_ids(&self, now: Micros, limit: usize) -> StoreResult<Vec<MatterId>> {
        let mut q = QueryBuilder::<DB>::new("SELECT id FROM matters WHERE next_alarm_at <= ");
        q.push_bind(now.get());
        q.push(" ORDER BY next_alarm_at LIMIT ").push_bind(i64::try_from(limit.max(1)).unwrap_or(500));
        let rows = q.build_query_as::<IdRow>().fetch_all(self.pool()).await.map_err(map_err)?;
        rows.into_iter().map(|r| MatterId::parse(&r.id).map_err(corrupt)).collect()
    }

    async fn matters_by_ids(&self, ids: &[MatterId]) -> StoreResult<Vec<Matter>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(DB::CHUNK_ROWS) {
            let mut q = QueryBuilder::<DB>::new(format!("SELECT {MATTER_COLUMNS} FROM matters WHERE id IN "));
            push_list(&mut q, chunk.iter().map(|id| id.as_str().to_owned()));
            out.extend(matters_of(q.build_query_as::<MatterRow>().fetch_all(self.pool()).await.map_err(map_err)?)?);
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    async fn apply_sweep(&self, updates: &[SweepUpdate]) -> StoreResult<Vec<MatterId>> {
        let (_writer, mut tx) = self.begin_write().await?;
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
                v.push_bind(m.id.as_str().to_owned())
                    .push_bind(u.read_event_count)
                    .push_bind(clock_json(m))
                    .push_bind(m.warning().as_str().to_owned())
                    .push_bind(m.next_alarm_at().map(Micros::get))
                    .push_bind(m.deadline_at().map(Micros::get))
                    .push_bind(e.map(|_| status_json(&m.status)))
                    .push_bind(e.map(|_| m.updated_at.get()))
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
            for r in q.build_query_as::<IdRow>().fetch_all(&mut *tx).await.map_err(map_err)? {
                written.insert(r.id);
            }
        }
        let events: Vec<(&MatterId, &MatterEvent)> = updates
            .iter()
            .filter(|u| written.contains(u.matter.id.as_str()))
            .filter_map(|u| u.event.as_ref().map(|e| (&u.matter.id, e)))
            .collect();
        for chunk in events.chunks(DB::CHUNK_ROWS / EVENT_INSERT_COLUMNS + 1) {
            let mut q = QueryBuilder::<DB>::new(INSERT_EVENT);
            q.push_values(chunk, |mut v, (id, e)| push_event(&mut v, id, e));
            q.build().execute(&mut *tx).await.map_err(map_err)?;
        }
        // Only the written matters' notices: a skipped one's event never was.
        let notices: Vec<NewNotification> = updates
            .iter()
            .filter(|u| written.contains(u.matter.id.as_str()))
            .flat_map(|u| u.notices.iter().cloned())
            .collect();
        notify::insert_notices::<DB>(&mut tx, &notices).await?;
        tlog::append_events::<DB>(&mut tx, events.iter().copied()).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(updates.iter().filter(|u| written.contains(u.matter.id.as_str())).map(|u| u.matter.id.clone()).collect())
    }

    async fn warning_counts(&self, query: &MatterQuery) -> StoreResult<Vec<WarningCount>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT warning, state, level, assignee_kind, assignee_code, COUNT(*) AS n FROM matters",
        );
        push_filters(&mut q, query);
        q.push(" AND warning <> 'none' GROUP BY warning, state, level, assignee_kind, assignee_code");
        let mut out = Vec::new();
        for r in q.build_query_as::<WarningRow>().fetch_all(self.pool()).await.map_err(map_err)? {
            let assignee = match (r.assignee_kind.as_deref(), r.assignee_code) {
                (Some("department"), Some(code)) => {
                    Some(Assignee::Department(DepartmentCode::parse(&code).map_err(corrupt)?))
                }
                (Some("community"), _) => Some(Assignee::Community),
                _ => None,
            };
            out.push(WarningCount {
                warning: r.warning.parse().map_err(corrupt)?,
                state: r.state.parse().map_err(corrupt)?,
                level: serde_json::from_value(serde_json::Value::String(r.level)).map_err(corrupt)?,
                assignee,
                count: u64::try_from(r.n).unwrap_or(0),
            });
        }
        Ok(out)
    }

    async fn insert_matters_bulk(&self, matters: &[(Matter, Vec<MatterEvent>)]) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        // Rows per statement stay under every engine's bind limit.
        for chunk in matters.chunks(DB::CHUNK_ROWS / MATTER_INSERT_COLUMNS + 1) {
            let mut q = QueryBuilder::<DB>::new(INSERT_MATTER);
            q.push_values(chunk, |mut v, (m, _)| push_matter(&mut v, m, None));
            q.build().execute(&mut *tx).await.map_err(map_err)?;
        }
        let events: Vec<(&MatterId, &MatterEvent)> =
            matters.iter().flat_map(|(m, es)| es.iter().map(move |e| (&m.id, e))).collect();
        for chunk in events.chunks(DB::CHUNK_ROWS / EVENT_INSERT_COLUMNS + 1) {
            let mut q = QueryBuilder::<DB>::new(INSERT_EVENT);
            q.push_values(chunk, |mut v, (id, e)| push_event(&mut v, id, e));
            q.build().execute(&mut *tx).await.map_err(map_err)?;
        }
        write::raise_counters::<DB>(&mut tx, matters.iter().map(|(m, _)| m.number.as_str())).await?;
        search::index_new::<DB>(&mut tx, matters.iter().map(|(m, _)| m)).await?;
        tlog::append_events::<DB>(&mut tx, events.iter().copied()).await?;
        tx.commit().await.map_err(map_err)
    }
}
