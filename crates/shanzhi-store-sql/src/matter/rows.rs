//! Rows of the matter tables: columns, decoding, binding, filters.

use shanzhi_domain::{Assignee, CategoryCode, DivisionCode, DivisionLevel, GridCode, Status, Warning};
use shanzhi_store::{MatterEvent, MatterQuery, MatterRecord, MatterScope, StoreError, StoreResult};
use sqlx::{QueryBuilder, Row};

use crate::Dialect;

pub(crate) const MATTER_COLUMNS: &str = "id, number, channel, external_ref, category_code, category_version, line, severity, \
    description, address, lng, lat, grid_code, general_grid, reporter_user_id, reporter_name, reporter_phone, \
    duplicate_of, status_json, reported_at, updated_at, clock_json, event_count, last_hash, reporter_key_hash, \
    request_hash";

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
        reporter_key_hash: get!(r, 24),
        request_hash: get!(r, 25),
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
        .push_bind(format!("{}00000000", &m.grid.community().as_str()[..4]))
        .push_bind(format!("{}000000", &m.grid.community().as_str()[..6]))
        .push_bind(format!("{}000", &m.grid.community().as_str()[..9]))
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
        .push_bind(m.last_hash.clone())
        .push_bind(m.reporter_key_hash.clone())
        .push_bind(m.request_hash.clone());
}

pub(crate) const INSERT_MATTER: &str = "INSERT INTO matters (id, number, idempotency_key, channel, external_ref, category_code, \
    category_version, line, severity, description, address, lng, lat, grid_code, general_grid, community_code, \
    city_code, district_code, town_code, \
    reporter_user_id, reporter_name, reporter_phone, duplicate_of, state, level, assignee_kind, assignee_code, \
    status_json, reported_at, updated_at, deadline_at, clock_json, warning, next_alarm_at, cell, event_count, last_hash, \
    reporter_key_hash, request_hash) ";

/// Columns of [`INSERT_MATTER`]: rows per statement stay under the bind limit.
pub(crate) const MATTER_INSERT_COLUMNS: usize = 39;

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

/// One way a scope reaches matters; a scope is the union of its parts, and
/// lists read each part along its own time-ordered index.
#[derive(Debug, Clone)]
pub(crate) enum ScopePart {
    Division(DivisionCode),
    Grid(String),
    Department(String),
    Reporter(String),
    Public,
}

pub(crate) fn scope_parts(scope: &MatterScope) -> Vec<ScopePart> {
    let mut parts: Vec<ScopePart> = scope.divisions.iter().cloned().map(ScopePart::Division).collect();
    parts.extend(scope.grids.iter().map(|g| ScopePart::Grid(g.as_str().to_owned())));
    parts.extend(scope.departments.iter().cloned().map(ScopePart::Department));
    parts.extend(scope.reporter.iter().cloned().map(ScopePart::Reporter));
    if scope.public {
        parts.push(ScopePart::Public);
    }
    parts
}

/// Matters within a division: by the column of its level, so the index of
/// that level serves it.
fn push_division<DB: Dialect>(q: &mut QueryBuilder<DB>, d: &DivisionCode)
where
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let code = d.as_str().to_owned();
    match d.level() {
        DivisionLevel::City => q.push("city_code = ").push_bind(code),
        DivisionLevel::District => q.push("district_code = ").push_bind(code),
        DivisionLevel::Town => q.push("town_code = ").push_bind(code),
        DivisionLevel::Community => q.push("community_code = ").push_bind(code),
        // Province-wide lists are rare: a range, without an index of their own.
        DivisionLevel::Province => {
            let (lo, hi) = d.descendant_bounds();
            q.push("community_code >= ").push_bind(lo).push(" AND community_code <= ").push_bind(hi)
        }
    };
}

fn push_part<DB: Dialect>(q: &mut QueryBuilder<DB>, part: &ScopePart)
where
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    match part {
        ScopePart::Division(d) => push_division(q, d),
        ScopePart::Grid(g) => {
            q.push("(grid_code = ").push_bind(g.clone()).push(" OR general_grid = ").push_bind(g.clone()).push(")");
        }
        ScopePart::Department(d) => {
            q.push("assignee_code = ").push_bind(d.clone());
        }
        ScopePart::Reporter(r) => {
            q.push("reporter_user_id = ").push_bind(r.clone());
        }
        ScopePart::Public => {
            q.push("line = 'development'");
        }
    }
}

/// `WHERE` with the caller's whole scope (a disjunction of its parts; an
/// empty scope sees nothing) and the query's filters: for counts.
pub(crate) fn push_filters<DB: Dialect>(q: &mut QueryBuilder<DB>, query: &MatterQuery)
where
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> f64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    q.push(" WHERE ");
    if query.scope.everything {
        q.push("1 = 1");
    } else {
        let parts = scope_parts(&query.scope);
        if parts.is_empty() {
            q.push("1 = 0");
        } else {
            q.push("(");
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    q.push(" OR ");
                }
                q.push("(");
                push_part(q, part);
                q.push(")");
            }
            q.push(")");
        }
    }
    push_query_filters(q, query);
}

/// `WHERE` with one part of the scope (or none: everything) and the filters:
/// for one time-ordered read of a list.
pub(crate) fn push_part_filters<DB: Dialect>(q: &mut QueryBuilder<DB>, part: Option<&ScopePart>, query: &MatterQuery)
where
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> f64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    q.push(" WHERE ");
    match part {
        Some(p) => push_part(q, p),
        None => {
            q.push("1 = 1");
        }
    }
    push_query_filters(q, query);
}

fn push_query_filters<DB: Dialect>(q: &mut QueryBuilder<DB>, query: &MatterQuery)
where
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> f64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    if !query.states.is_empty() {
        q.push(" AND state IN (");
        let mut list = q.separated(", ");
        for st in &query.states {
            list.push_bind(st.as_str().to_owned());
        }
        q.push(")");
    }
    if !query.categories.is_empty() {
        q.push(" AND category_code IN (");
        let mut list = q.separated(", ");
        for c in &query.categories {
            list.push_bind(c.as_str().to_owned());
        }
        q.push(")");
    }
    if let Some(l) = &query.line {
        q.push(" AND (line = ").push_bind(l.clone()).push(" OR line = 'both')");
    }
    if let Some(w) = &query.within {
        q.push(" AND ");
        push_division(q, w);
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
    if !query.numbers.is_empty() {
        q.push(" AND number IN (");
        let mut list = q.separated(", ");
        for n in &query.numbers {
            list.push_bind(n.clone());
        }
        q.push(")");
    }
    if let Some(after) = query.updated_after {
        q.push(" AND updated_at > ").push_bind(after);
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
        // Spelled out so that SQLite may use the partial index on colours: it
        // does not infer `<> 'none'` from `IN ('yellow')`.
        if !query.warnings.contains(&Warning::None) {
            q.push(" AND warning <> 'none'");
        }
    }
    if let Some([x0, y0, x1, y1]) = query.bbox {
        q.push(" AND lng >= ").push_bind(x0).push(" AND lng <= ").push_bind(x1);
        q.push(" AND lat >= ").push_bind(y0).push(" AND lat <= ").push_bind(y1);
    }
    // Keyset: row-value comparison, which both engines read as an index range.
    if let Some((at, id)) = &query.after {
        q.push(" AND (reported_at, id) < (").push_bind(*at).push(", ").push_bind(id.clone()).push(")");
    }
}
