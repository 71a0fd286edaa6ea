use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use shanzhi_domain::{Assignee, Category, CategoryCode, DutyItem, DutyLevel, DutyList, GridCode, MatterState, Status};
use shanzhi_store::{
    AttachmentRecord, AuditEntry, Created, MatterEvent, MatterQuery, MatterRecord, MatterStore, StoreError, StoreResult,
};
use sqlx::{Pool, QueryBuilder, Row};

use crate::{Dialect, SqlStore, audit, map_err, now_micros};

const MATTER_COLUMNS: &str = "id, number, channel, external_ref, category_code, category_version, line, severity, \
    description, address, lng, lat, grid_code, general_grid, reporter_user_id, reporter_name, reporter_phone, \
    duplicate_of, status_json, reported_at, updated_at, deadline_at, event_count, last_hash";

const EVENT_COLUMNS: &str = "seq, at, actor, role, command, body, from_state, to_state, attachments, prev_hash, hash";

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::corrupt(what)
}

fn assignee_parts(status: &Status) -> (Option<String>, Option<String>) {
    match &status.assignee {
        Some(Assignee::Department(d)) => (Some("department".to_owned()), Some(d.as_str().to_owned())),
        Some(Assignee::Community) => (Some("community".to_owned()), None),
        None => (None, None),
    }
}

fn status_json(status: &Status) -> String {
    serde_json::to_string(status).expect("a status serialises")
}

macro_rules! get {
    ($row:expr, $i:expr) => {
        $row.try_get($i as usize).map_err(map_err)?
    };
}

fn matter_from_row<R: Row>(r: &R) -> StoreResult<MatterRecord>
where
    usize: sqlx::ColumnIndex<R>,
    for<'q> String: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> Option<String>: sqlx::Decode<'q, R::Database>,
    for<'q> i64: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> Option<i64>: sqlx::Decode<'q, R::Database>,
    for<'q> Option<f64>: sqlx::Decode<'q, R::Database>,
    f64: sqlx::Type<R::Database>,
{
    let category: String = get!(r, 4);
    let grid: String = get!(r, 12);
    let general: Option<String> = get!(r, 13);
    let status: String = get!(r, 18);
    Ok(MatterRecord {
        id: get!(r, 0),
        number: get!(r, 1),
        channel: get!(r, 2),
        external_ref: get!(r, 3),
        category: CategoryCode::parse(&category).map_err(corrupt)?,
        category_version: get!(r, 5),
        line: get!(r, 6),
        severity: get!(r, 7),
        description: get!(r, 8),
        address: get!(r, 9),
        lng: get!(r, 10),
        lat: get!(r, 11),
        grid: GridCode::parse(&grid).map_err(corrupt)?,
        general_grid: general.as_deref().map(GridCode::parse).transpose().map_err(corrupt)?,
        reporter_user_id: get!(r, 14),
        reporter_name: get!(r, 15),
        reporter_phone: get!(r, 16),
        duplicate_of: get!(r, 17),
        status: serde_json::from_str(&status).map_err(corrupt)?,
        reported_at: get!(r, 19),
        updated_at: get!(r, 20),
        deadline_at: get!(r, 21),
        event_count: get!(r, 22),
        last_hash: get!(r, 23),
    })
}

fn event_from_row<R: Row>(r: &R) -> StoreResult<MatterEvent>
where
    usize: sqlx::ColumnIndex<R>,
    for<'q> String: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> Option<String>: sqlx::Decode<'q, R::Database>,
    for<'q> i64: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
{
    let from: Option<String> = get!(r, 6);
    let to: String = get!(r, 7);
    let attachments: String = get!(r, 8);
    Ok(MatterEvent {
        seq: get!(r, 0),
        at: get!(r, 1),
        actor: get!(r, 2),
        role: get!(r, 3),
        command: get!(r, 4),
        body: get!(r, 5),
        from_state: from.as_deref().map(str::parse).transpose().map_err(corrupt)?,
        to_state: to.parse().map_err(corrupt)?,
        attachments: attachments.split(',').filter(|a| !a.is_empty()).map(str::to_owned).collect(),
        prev_hash: get!(r, 9),
        hash: get!(r, 10),
    })
}

fn push_matter<DB: Dialect>(
    v: &mut sqlx::query_builder::Separated<'_, DB, &'static str>,
    m: &MatterRecord,
    key: Option<&str>,
) where
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<String>: sqlx::Encode<'q, DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<i64>: sqlx::Encode<'q, DB>,
    for<'q> Option<f64>: sqlx::Encode<'q, DB>,
    for<'q> f64: sqlx::Type<DB>,
{
    let (assignee_kind, assignee_code) = assignee_parts(&m.status);
    v.push_bind(m.id.clone())
        .push_bind(m.number.clone())
        .push_bind(key.map(str::to_owned))
        .push_bind(m.channel.clone())
        .push_bind(m.external_ref.clone())
        .push_bind(m.category.as_str().to_owned())
        .push_bind(m.category_version)
        .push_bind(m.line.clone())
        .push_bind(m.severity.clone())
        .push_bind(m.description.clone())
        .push_bind(m.address.clone())
        .push_bind(m.lng)
        .push_bind(m.lat)
        .push_bind(m.grid.as_str().to_owned())
        .push_bind(m.general_grid.as_ref().map(|g| g.as_str().to_owned()))
        .push_bind(m.grid.community().as_str().to_owned())
        .push_bind(m.reporter_user_id.clone())
        .push_bind(m.reporter_name.clone())
        .push_bind(m.reporter_phone.clone())
        .push_bind(m.duplicate_of.clone())
        .push_bind(m.status.state.as_str().to_owned())
        .push_bind(m.status.level.as_str().to_owned())
        .push_bind(assignee_kind)
        .push_bind(assignee_code)
        .push_bind(status_json(&m.status))
        .push_bind(m.reported_at)
        .push_bind(m.updated_at)
        .push_bind(m.deadline_at)
        .push_bind(m.event_count)
        .push_bind(m.last_hash.clone());
}

const INSERT_MATTER: &str = "INSERT INTO matters (id, number, idempotency_key, channel, external_ref, category_code, \
    category_version, line, severity, description, address, lng, lat, grid_code, general_grid, community_code, \
    reporter_user_id, reporter_name, reporter_phone, duplicate_of, state, level, assignee_kind, assignee_code, \
    status_json, reported_at, updated_at, deadline_at, event_count, last_hash) ";

const INSERT_EVENT: &str = "INSERT INTO matter_events (matter_id, seq, at, actor, role, command, body, from_state, \
    to_state, attachments, prev_hash, hash) ";

fn push_event<DB: Dialect>(
    v: &mut sqlx::query_builder::Separated<'_, DB, &'static str>,
    matter_id: &str,
    e: &MatterEvent,
) where
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<String>: sqlx::Encode<'q, DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    v.push_bind(matter_id.to_owned())
        .push_bind(e.seq)
        .push_bind(e.at)
        .push_bind(e.actor.clone())
        .push_bind(e.role.clone())
        .push_bind(e.command.clone())
        .push_bind(e.body.clone())
        .push_bind(e.from_state.map(|s| s.as_str().to_owned()))
        .push_bind(e.to_state.as_str().to_owned())
        .push_bind(e.attachments.join(","))
        .push_bind(e.prev_hash.clone())
        .push_bind(e.hash.clone());
}

fn like_pattern(text: &str) -> String {
    let escaped: String =
        text.chars().flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] }).collect();
    format!("%{escaped}%")
}

fn push_filters<DB: Dialect>(q: &mut QueryBuilder<DB>, query: &MatterQuery)
where
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> f64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    q.push(" WHERE 1 = 1");
    let s = &query.scope;
    if !s.everything {
        // The caller's scope, as a disjunction; an empty scope sees nothing.
        q.push(" AND (1 = 0");
        for d in &s.divisions {
            let (lo, hi) = d.descendant_bounds();
            q.push(" OR (community_code >= ").push_bind(lo).push(" AND community_code <= ").push_bind(hi).push(")");
        }
        for g in &s.grids {
            q.push(" OR grid_code = ").push_bind(g.as_str().to_owned());
            q.push(" OR general_grid = ").push_bind(g.as_str().to_owned());
        }
        for d in &s.departments {
            q.push(" OR assignee_code = ").push_bind(d.clone());
        }
        if let Some(r) = &s.reporter {
            q.push(" OR reporter_user_id = ").push_bind(r.clone());
        }
        q.push(")");
    }
    if !query.states.is_empty() {
        q.push(" AND state IN (");
        let mut list = q.separated(", ");
        for st in &query.states {
            list.push_bind(st.as_str().to_owned());
        }
        q.push(")");
    }
    if let Some(c) = &query.category {
        q.push(" AND category_code = ").push_bind(c.as_str().to_owned());
    }
    if let Some(l) = &query.line {
        q.push(" AND (line = ").push_bind(l.clone()).push(" OR line = 'both')");
    }
    if let Some(w) = &query.within {
        let (lo, hi) = w.descendant_bounds();
        q.push(" AND community_code >= ").push_bind(lo).push(" AND community_code <= ").push_bind(hi);
    }
    if let Some(g) = &query.grid {
        q.push(" AND (grid_code = ").push_bind(g.as_str().to_owned());
        q.push(" OR general_grid = ").push_bind(g.as_str().to_owned()).push(")");
    }
    if let Some(d) = &query.department {
        q.push(" AND assignee_code = ").push_bind(d.clone());
    }
    if let Some(c) = &query.channel {
        q.push(" AND channel = ").push_bind(c.clone());
    }
    if let Some(from) = query.from {
        q.push(" AND reported_at >= ").push_bind(from);
    }
    if let Some(to) = query.to {
        q.push(" AND reported_at < ").push_bind(to);
    }
    if let Some(t) = &query.text {
        q.push(" AND description LIKE ").push_bind(like_pattern(t)).push(" ESCAPE '\\'");
    }
    if let Some([x0, y0, x1, y1]) = query.bbox {
        q.push(" AND lng >= ").push_bind(x0).push(" AND lng <= ").push_bind(x1);
        q.push(" AND lat >= ").push_bind(y0).push(" AND lat <= ").push_bind(y1);
    }
}

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
        let mut tx = self.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
        if let Some(key) = idempotency_key {
            let mut q = QueryBuilder::<DB>::new("SELECT id FROM matters WHERE idempotency_key = ");
            q.push_bind(key.to_owned());
            if let Some(row) = q.build().fetch_optional(&mut *tx).await.map_err(map_err)? {
                return Ok(Created::Existing { id: get!(row, 0) });
            }
        }
        if let Some(external) = &matter.external_ref {
            let mut q = QueryBuilder::<DB>::new("SELECT id FROM matters WHERE channel = ");
            q.push_bind(matter.channel.clone()).push(" AND external_ref = ").push_bind(external.clone());
            if let Some(row) = q.build().fetch_optional(&mut *tx).await.map_err(map_err)? {
                return Ok(Created::Existing { id: get!(row, 0) });
            }
        }
        let counter = format!("matter:{number_prefix}");
        let mut q = QueryBuilder::<DB>::new("INSERT INTO counters (name, value) VALUES (");
        q.push_bind(counter.clone()).push(", 1) ON CONFLICT (name) DO UPDATE SET value = counters.value + 1");
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        let mut q = QueryBuilder::<DB>::new("SELECT value FROM counters WHERE name = ");
        q.push_bind(counter);
        let seq: i64 = get!(q.build().fetch_one(&mut *tx).await.map_err(map_err)?, 0);
        let number = format!("{number_prefix}-{seq:06}");
        let mut record = matter.clone();
        record.number = number.clone();
        let mut q = QueryBuilder::<DB>::new(INSERT_MATTER);
        q.push_values([&record], |mut v, m| push_matter(&mut v, m, idempotency_key));
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        let mut q = QueryBuilder::<DB>::new(INSERT_EVENT);
        q.push_values([first], |mut v, e| push_event(&mut v, &record.id, e));
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(Created::New { number })
    }

    async fn append_matter_event(&self, matter: &MatterRecord, event: &MatterEvent) -> StoreResult<()> {
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
        q.push(", deadline_at = ").push_bind(matter.deadline_at);
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
        let mut q = QueryBuilder::<DB>::new(format!("SELECT {MATTER_COLUMNS} FROM matters"));
        push_filters(&mut q, query);
        if let Some((at, id)) = &query.after {
            q.push(" AND (reported_at < ").push_bind(*at);
            q.push(" OR (reported_at = ").push_bind(*at).push(" AND id < ").push_bind(id.clone()).push("))");
        }
        q.push(" ORDER BY reported_at DESC, id DESC LIMIT ")
            .push_bind(i64::try_from(query.limit.max(1)).unwrap_or(100));
        let rows = q.build().fetch_all(self.pool()).await.map_err(map_err)?;
        rows.iter().map(matter_from_row).collect()
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

    async fn insert_matters_bulk(&self, matters: &[(MatterRecord, Vec<MatterEvent>)]) -> StoreResult<()> {
        let mut tx = self.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
        // Rows per statement stay under every engine's bind limit (30 columns).
        for chunk in matters.chunks(DB::CHUNK_ROWS / 30 + 1) {
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

    async fn categories(&self) -> StoreResult<Vec<(Category, i64)>> {
        let rows =
            QueryBuilder::<DB>::new("SELECT body, version FROM categories WHERE superseded_at IS NULL ORDER BY code")
                .build()
                .fetch_all(self.pool())
                .await
                .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                let body: String = get!(r, 0);
                Ok((serde_json::from_str(&body).map_err(corrupt)?, get!(r, 1)))
            })
            .collect()
    }

    async fn category(&self, code: &CategoryCode, version: Option<i64>) -> StoreResult<Option<(Category, i64)>> {
        let mut q = QueryBuilder::<DB>::new("SELECT body, version FROM categories WHERE code = ");
        q.push_bind(code.as_str().to_owned());
        match version {
            Some(v) => q.push(" AND version = ").push_bind(v),
            None => q.push(" AND superseded_at IS NULL"),
        };
        let Some(r) = q.build().fetch_optional(self.pool()).await.map_err(map_err)? else { return Ok(None) };
        let body: String = get!(r, 0);
        Ok(Some((serde_json::from_str(&body).map_err(corrupt)?, get!(r, 1))))
    }

    async fn put_category(&self, c: &Category, audit_entry: &AuditEntry) -> StoreResult<i64> {
        let now = now_micros();
        let mut tx = self.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
        let mut q = QueryBuilder::<DB>::new("SELECT COALESCE(MAX(version), 0) FROM categories WHERE code = ");
        q.push_bind(c.code.as_str().to_owned());
        let last: i64 = get!(q.build().fetch_one(&mut *tx).await.map_err(map_err)?, 0);
        let mut q = QueryBuilder::<DB>::new("UPDATE categories SET superseded_at = ");
        q.push_bind(now).push(" WHERE superseded_at IS NULL AND code = ").push_bind(c.code.as_str().to_owned());
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        let version = last + 1;
        let body = serde_json::to_string(c).map_err(corrupt)?;
        let mut q = QueryBuilder::<DB>::new(
            "INSERT INTO categories (code, version, name, parent_code, kind, line, body, created_at) ",
        );
        q.push_values([c], |mut v, c| {
            let kind =
                serde_json::to_value(c.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            let line =
                serde_json::to_value(c.line).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            v.push_bind(c.code.as_str().to_owned())
                .push_bind(version)
                .push_bind(c.name.clone())
                .push_bind(c.parent.as_ref().map(|p| p.as_str().to_owned()))
                .push_bind(kind)
                .push_bind(line)
                .push_bind(body.clone())
                .push_bind(now);
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        audit::append::<DB>(&mut tx, audit_entry).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(version)
    }

    async fn duties(&self, category: Option<&CategoryCode>) -> StoreResult<Vec<DutyItem>> {
        let mut q = QueryBuilder::<DB>::new("SELECT category_code, level, list, lead, co, note FROM duties");
        if let Some(c) = category {
            q.push(" WHERE category_code = ").push_bind(c.as_str().to_owned());
        }
        q.push(" ORDER BY category_code, level");
        let rows = q.build().fetch_all(self.pool()).await.map_err(map_err)?;
        rows.iter().map(duty_from_row).collect()
    }

    async fn duty(&self, category: &CategoryCode, level: DutyLevel) -> StoreResult<Option<DutyItem>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT category_code, level, list, lead, co, note FROM duties WHERE category_code = ",
        );
        q.push_bind(category.as_str().to_owned()).push(" AND level = ").push_bind(enum_text(&level));
        q.build().fetch_optional(self.pool()).await.map_err(map_err)?.as_ref().map(duty_from_row).transpose()
    }

    async fn put_duty(&self, d: &DutyItem, audit_entry: &AuditEntry) -> StoreResult<()> {
        let mut tx = self.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
        let mut q = QueryBuilder::<DB>::new("DELETE FROM duties WHERE category_code = ");
        q.push_bind(d.category.as_str().to_owned()).push(" AND level = ").push_bind(enum_text(&d.level));
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        let mut q = QueryBuilder::<DB>::new("INSERT INTO duties (category_code, level, list, lead, co, note) ");
        q.push_values([d], |mut v, d| {
            v.push_bind(d.category.as_str().to_owned())
                .push_bind(enum_text(&d.level))
                .push_bind(enum_text(&d.list))
                .push_bind(d.lead.clone())
                .push_bind(d.co.join(","))
                .push_bind(d.note.clone());
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        audit::append::<DB>(&mut tx, audit_entry).await?;
        tx.commit().await.map_err(map_err)
    }
}

/// The serde name of a unit enum (`town`, `negative` …).
fn enum_text<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn duty_from_row<R: Row>(r: &R) -> StoreResult<DutyItem>
where
    usize: sqlx::ColumnIndex<R>,
    for<'q> String: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> Option<String>: sqlx::Decode<'q, R::Database>,
{
    let category: String = get!(r, 0);
    let level: String = get!(r, 1);
    let list: String = get!(r, 2);
    let co: String = get!(r, 4);
    let parse = |s: &str| serde_json::Value::String(s.to_owned());
    Ok(DutyItem {
        category: CategoryCode::parse(&category).map_err(corrupt)?,
        level: serde_json::from_value::<DutyLevel>(parse(&level)).map_err(corrupt)?,
        list: serde_json::from_value::<DutyList>(parse(&list)).map_err(corrupt)?,
        lead: get!(r, 3),
        co: co.split(',').filter(|c| !c.is_empty()).map(str::to_owned).collect(),
        note: get!(r, 5),
    })
}
