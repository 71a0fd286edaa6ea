//! Rows of the matter tables: columns, decoding, binding, filters.

use shanzhi_domain::{Assignee, CategoryCode, GridCode, Status};
use shanzhi_store::{MatterEvent, MatterQuery, MatterRecord, StoreError, StoreResult};
use sqlx::{QueryBuilder, Row};

use crate::Dialect;

pub(crate) const MATTER_COLUMNS: &str = "id, number, channel, external_ref, category_code, category_version, line, severity, \
    description, address, lng, lat, grid_code, general_grid, reporter_user_id, reporter_name, reporter_phone, \
    duplicate_of, status_json, reported_at, updated_at, clock_json, event_count, last_hash";

pub(crate) const EVENT_COLUMNS: &str =
    "seq, at, actor, role, command, body, from_state, to_state, attachments, prev_hash, hash";

pub(crate) fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::corrupt(what)
}

pub(crate) fn assignee_parts(status: &Status) -> (Option<String>, Option<String>) {
    match &status.assignee {
        Some(Assignee::Department(d)) => (Some("department".to_owned()), Some(d.as_str().to_owned())),
        Some(Assignee::Community) => (Some("community".to_owned()), None),
        None => (None, None),
    }
}

pub(crate) fn status_json(status: &Status) -> String {
    serde_json::to_string(status).expect("a status serialises")
}

macro_rules! get {
    ($row:expr, $i:expr) => {
        $row.try_get($i as usize).map_err($crate::map_err)?
    };
}
pub(crate) use get;

pub(crate) fn matter_from_row<R: Row>(r: &R) -> StoreResult<MatterRecord>
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
    let clock: Option<String> = get!(r, 21);
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
        clock: clock.as_deref().map(serde_json::from_str).transpose().map_err(corrupt)?,
        event_count: get!(r, 22),
        last_hash: get!(r, 23),
    })
}

pub(crate) fn event_from_row<R: Row>(r: &R) -> StoreResult<MatterEvent>
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

pub(crate) fn push_matter<DB: Dialect>(
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
        .push_bind(m.deadline_at())
        .push_bind(m.clock.as_ref().map(|c| serde_json::to_string(c).expect("a clock serialises")))
        .push_bind(m.warning().as_str().to_owned())
        .push_bind(m.next_alarm_at())
        .push_bind(m.lng.zip(m.lat).map(|(x, y)| shanzhi_store::cell_of(x, y)))
        .push_bind(m.event_count)
        .push_bind(m.last_hash.clone());
}

pub(crate) const INSERT_MATTER: &str = "INSERT INTO matters (id, number, idempotency_key, channel, external_ref, category_code, \
    category_version, line, severity, description, address, lng, lat, grid_code, general_grid, community_code, \
    reporter_user_id, reporter_name, reporter_phone, duplicate_of, state, level, assignee_kind, assignee_code, \
    status_json, reported_at, updated_at, deadline_at, clock_json, warning, next_alarm_at, cell, event_count, last_hash) ";

pub(crate) const INSERT_EVENT: &str = "INSERT INTO matter_events (matter_id, seq, at, actor, role, command, body, from_state, \
    to_state, attachments, prev_hash, hash) ";

pub(crate) fn push_event<DB: Dialect>(
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

pub(crate) fn push_filters<DB: Dialect>(q: &mut QueryBuilder<DB>, query: &MatterQuery)
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
    if let Some((x, y)) = query.near {
        q.push(" AND cell IN (");
        let mut list = q.separated(", ");
        for c in shanzhi_store::cells_around(x, y) {
            list.push_bind(c);
        }
        q.push(")");
    }
    if !query.warnings.is_empty() {
        q.push(" AND warning IN (");
        let mut list = q.separated(", ");
        for w in &query.warnings {
            list.push_bind(w.as_str().to_owned());
        }
        q.push(")");
    }
    if let Some([x0, y0, x1, y1]) = query.bbox {
        q.push(" AND lng >= ").push_bind(x0).push(" AND lng <= ").push_bind(x1);
        q.push(" AND lat >= ").push_bind(y0).push(" AND lat <= ").push_bind(y1);
    }
}
