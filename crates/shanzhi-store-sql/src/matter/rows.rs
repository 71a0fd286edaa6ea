//! Rows of the matter tables: the columns, their decoding into the domain's
//! matter and timeline entry (read by column name), and binding for writes.

use shanzhi_domain::grid::cell_of;
use shanzhi_domain::matter::ClockMark;
use shanzhi_domain::matter::{LngLat, Reporter};
use shanzhi_domain::{Assignee, CategoryCode, GridCode, Matter, MatterEvent, MatterId, Micros, Phone, Status};
use shanzhi_store::{StoreError, StoreResult};
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};

pub(crate) const MATTER_COLUMNS: &str = "id, number, channel, external_ref, category_code, category_version, line, severity, \
    description, address, lng, lat, grid_code, general_grid, reporter_user_id, reporter_name, reporter_phone, \
    duplicate_of, status_json, reported_at, updated_at, clock_json, event_count, last_hash, reporter_key_hash, \
    request_hash";

pub(crate) const EVENT_COLUMNS: &str = "matter_id, seq, at, actor, role, command, body, from_state, to_state, attachments, prev_hash, hash, stage, deadline_at";

pub(crate) const INSERT_MATTER: &str = "INSERT INTO matters (id, number, idempotency_key, channel, external_ref, category_code, \
    category_version, line, severity, description, address, lng, lat, grid_code, general_grid, community_code, \
    city_code, district_code, town_code, \
    reporter_user_id, reporter_name, reporter_phone, duplicate_of, state, level, assignee_kind, assignee_code, \
    status_json, reported_at, updated_at, deadline_at, clock_json, warning, next_alarm_at, cell, event_count, last_hash, \
    reporter_key_hash, request_hash) ";

/// Columns of [`INSERT_MATTER`]: rows per statement stay under the bind limit.
pub(crate) const MATTER_INSERT_COLUMNS: usize = 39;

pub(crate) const INSERT_EVENT: &str = "INSERT INTO matter_events (matter_id, seq, at, actor, role, command, body, from_state, \
    to_state, attachments, prev_hash, hash, stage, deadline_at) ";

/// Columns of [`INSERT_EVENT`].
pub(crate) const EVENT_INSERT_COLUMNS: usize = 14;

pub(crate) fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::corrupt(what)
}

/// The two columns an assignee is kept in (for lists by department).
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

pub(crate) fn clock_json(m: &Matter) -> Option<String> {
    m.clock.as_ref().map(|c| serde_json::to_string(c).expect("a clock serialises"))
}

/// A matter row as stored.
#[derive(SqlRow)]
pub(crate) struct MatterRow {
    id: String,
    number: String,
    channel: String,
    external_ref: Option<String>,
    category_code: String,
    category_version: i64,
    line: String,
    severity: String,
    description: String,
    address: Option<String>,
    lng: Option<f64>,
    lat: Option<f64>,
    grid_code: String,
    general_grid: Option<String>,
    reporter_user_id: Option<String>,
    reporter_name: Option<String>,
    reporter_phone: Option<String>,
    duplicate_of: Option<String>,
    status_json: String,
    reported_at: i64,
    updated_at: i64,
    clock_json: Option<String>,
    event_count: i64,
    last_hash: String,
    reporter_key_hash: Option<String>,
    request_hash: Option<String>,
}

impl TryFrom<MatterRow> for Matter {
    type Error = StoreError;
    fn try_from(r: MatterRow) -> StoreResult<Matter> {
        Ok(Matter {
            id: MatterId::parse(&r.id).map_err(corrupt)?,
            number: r.number,
            channel: r.channel.parse().map_err(corrupt)?,
            category: CategoryCode::parse(&r.category_code).map_err(corrupt)?,
            category_version: r.category_version,
            line: r.line.parse().map_err(corrupt)?,
            severity: r.severity.parse().map_err(corrupt)?,
            description: r.description,
            address: r.address,
            location: r.lng.zip(r.lat).map(|(lng, lat)| LngLat { lng, lat }),
            grid: GridCode::parse(&r.grid_code).map_err(corrupt)?,
            general_grid: r.general_grid.as_deref().map(GridCode::parse).transpose().map_err(corrupt)?,
            reporter: Reporter {
                user_id: r.reporter_user_id,
                name: r.reporter_name,
                phone: r.reporter_phone.as_deref().map(Phone::parse).transpose().map_err(corrupt)?,
            },
            external_ref: r.external_ref,
            duplicate_of: r.duplicate_of,
            status: serde_json::from_str(&r.status_json).map_err(corrupt)?,
            reported_at: r.reported_at.into(),
            updated_at: r.updated_at.into(),
            clock: r.clock_json.as_deref().map(serde_json::from_str).transpose().map_err(corrupt)?,
            event_count: r.event_count,
            last_hash: r.last_hash,
            reporter_key_hash: r.reporter_key_hash,
            request_hash: r.request_hash,
        })
    }
}

/// A timeline row as stored.
#[derive(SqlRow)]
pub(crate) struct EventRow {
    pub(crate) matter_id: String,
    seq: i64,
    at: i64,
    actor: String,
    role: String,
    command: String,
    body: String,
    from_state: Option<String>,
    to_state: String,
    attachments: String,
    prev_hash: String,
    hash: String,
    stage: Option<String>,
    deadline_at: Option<i64>,
}

/// How many columns [`EVENT_COLUMNS`] names.
pub(crate) const EVENT_CELLS: usize = 14;

impl EventRow {
    /// A row from its cells as text, in [`EVENT_COLUMNS`]' order (empty: NULL);
    /// `None` if a number is not one.
    pub(crate) fn of_cells(cells: [&str; EVENT_CELLS]) -> Option<EventRow> {
        let [
            matter_id,
            seq,
            at,
            actor,
            role,
            command,
            body,
            from_state,
            to_state,
            attachments,
            prev_hash,
            hash,
            stage,
            deadline_at,
        ] = cells;
        let text = |c: &str| (!c.is_empty()).then(|| c.to_owned());
        Some(EventRow {
            matter_id: matter_id.to_owned(),
            seq: seq.parse().ok()?,
            at: at.parse().ok()?,
            actor: actor.to_owned(),
            role: role.to_owned(),
            command: command.to_owned(),
            body: body.to_owned(),
            from_state: text(from_state),
            to_state: to_state.to_owned(),
            attachments: attachments.to_owned(),
            prev_hash: prev_hash.to_owned(),
            hash: hash.to_owned(),
            stage: text(stage),
            deadline_at: if deadline_at.is_empty() { None } else { Some(deadline_at.parse().ok()?) },
        })
    }
}

impl TryFrom<EventRow> for MatterEvent {
    type Error = StoreError;
    fn try_from(r: EventRow) -> StoreResult<MatterEvent> {
        Ok(MatterEvent {
            seq: r.seq,
            at: r.at.into(),
            actor: r.actor,
            role: r.role.parse().map_err(corrupt)?,
            kind: r.command.parse().map_err(corrupt)?,
            body: r.body,
            from_state: r.from_state.as_deref().map(str::parse).transpose().map_err(corrupt)?,
            to_state: r.to_state.parse().map_err(corrupt)?,
            attachments: r.attachments.split(',').filter(|a| !a.is_empty()).map(str::to_owned).collect(),
            prev_hash: r.prev_hash,
            hash: r.hash,
            mark: ClockMark {
                stage: r.stage.as_deref().map(str::parse).transpose().map_err(corrupt)?,
                deadline: r.deadline_at.map(Micros::from),
            },
        })
    }
}

/// A timeline row with its matter's number (the updates feed).
#[derive(SqlRow)]
pub(crate) struct NumberedEventRow {
    number: String,
    #[sql_row(flatten)]
    event: EventRow,
}

impl TryFrom<NumberedEventRow> for (String, MatterEvent) {
    type Error = StoreError;
    fn try_from(r: NumberedEventRow) -> StoreResult<(String, MatterEvent)> {
        Ok((r.number, r.event.try_into()?))
    }
}

/// Bind a matter's columns in [`INSERT_MATTER`] order.
#[sql_bounds]
pub(crate) fn push_matter<DB>(
    v: &mut sqlx::query_builder::Separated<'_, DB, &'static str>,
    m: &Matter,
    key: Option<&str>,
) {
    let (assignee_kind, assignee_code) = assignee_parts(&m.status);
    let community = m.grid.community();
    let c = community.as_str();
    v.push_bind(m.id.as_str().to_owned())
        .push_bind(m.number.clone())
        .push_bind(key.map(str::to_owned))
        .push_bind(m.channel.as_str().to_owned())
        .push_bind(m.external_ref.clone())
        .push_bind(m.category.as_str().to_owned())
        .push_bind(m.category_version)
        .push_bind(m.line.as_str().to_owned())
        .push_bind(m.severity.as_str().to_owned())
        .push_bind(m.description.clone())
        .push_bind(m.address.clone())
        .push_bind(m.location.map(|p| p.lng))
        .push_bind(m.location.map(|p| p.lat))
        .push_bind(m.grid.as_str().to_owned())
        .push_bind(m.general_grid.as_ref().map(|g| g.as_str().to_owned()))
        .push_bind(c.to_owned())
        .push_bind(format!("{}00000000", &c[..4]))
        .push_bind(format!("{}000000", &c[..6]))
        .push_bind(format!("{}000", &c[..9]))
        .push_bind(m.reporter.user_id.clone())
        .push_bind(m.reporter.name.clone())
        .push_bind(m.reporter.phone.as_ref().map(|p| p.reveal().to_owned()))
        .push_bind(m.duplicate_of.clone())
        .push_bind(m.status.state.as_str().to_owned())
        .push_bind(m.status.level.as_str().to_owned())
        .push_bind(assignee_kind)
        .push_bind(assignee_code)
        .push_bind(status_json(&m.status))
        .push_bind(m.reported_at.get())
        .push_bind(m.updated_at.get())
        .push_bind(m.deadline_at().map(Micros::get))
        .push_bind(clock_json(m))
        .push_bind(m.warning().as_str().to_owned())
        .push_bind(m.next_alarm_at().map(Micros::get))
        .push_bind(m.location.map(|p| cell_of(p.lng, p.lat)))
        .push_bind(m.event_count)
        .push_bind(m.last_hash.clone())
        .push_bind(m.reporter_key_hash.clone())
        .push_bind(m.request_hash.clone());
}

/// Bind a timeline entry's columns in [`INSERT_EVENT`] order.
#[sql_bounds]
pub(crate) fn push_event<DB>(
    v: &mut sqlx::query_builder::Separated<'_, DB, &'static str>,
    matter_id: &MatterId,
    e: &MatterEvent,
) {
    v.push_bind(matter_id.as_str().to_owned())
        .push_bind(e.seq)
        .push_bind(e.at.get())
        .push_bind(e.actor.clone())
        .push_bind(e.role.as_str().to_owned())
        .push_bind(e.kind.as_str().to_owned())
        .push_bind(e.body.clone())
        .push_bind(e.from_state.map(|s| s.as_str().to_owned()))
        .push_bind(e.to_state.as_str().to_owned())
        .push_bind(e.attachments.join(","))
        .push_bind(e.prev_hash.clone())
        .push_bind(e.hash.clone())
        .push_bind(e.mark.stage.map(|s| s.as_str().to_owned()))
        .push_bind(e.mark.deadline.map(Micros::get));
}
