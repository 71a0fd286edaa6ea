//! The record export: one row per timeline entry, with the facts of its
//! matter and what held after the entry (the holder, the stage clock). Every
//! indicator is defined on these rows alone, so anyone with the export can
//! recompute every figure (docs/timeline-export.md).

use std::fmt::Write as _;

use crate::division::DivisionCode;
use crate::grid::GridCode;
use crate::instant::Micros;
use crate::matter::{
    ActingRole, Assignee, Channel, Command, EventKind, Level, Matter, MatterEvent, MatterState, Rating, Status,
    report_level,
};
use crate::people::DepartmentCode;
use crate::timing::Stage;
use crate::{CategoryCode, Line};

/// The export's columns, in order (a fixed interface).
pub const COLUMNS: [&str; 22] = [
    "number",
    "matter_id",
    "seq",
    "at",
    "command",
    "actor_role",
    "from_state",
    "to_state",
    "category",
    "line",
    "channel",
    "district",
    "town",
    "community",
    "grid",
    "holder_kind",
    "holder_code",
    "stage",
    "deadline_at",
    "rating",
    "passed",
    "contacted",
];

/// Who holds a matter: a department, a division's office (community, town,
/// district) or a grid's worker.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Holder {
    Department(DepartmentCode),
    Division(DivisionCode),
    Grid(GridCode),
}

impl Holder {
    pub fn kind(&self) -> &'static str {
        match self {
            Holder::Department(_) => "department",
            Holder::Division(_) => "division",
            Holder::Grid(_) => "grid",
        }
    }

    /// The code as the export writes it (a division by its significant digits).
    pub fn code(&self) -> &str {
        match self {
            Holder::Department(d) => d.as_str(),
            Holder::Division(d) => d.significant(),
            Holder::Grid(g) => g.as_str(),
        }
    }

    /// Who holds a matter of these places in `status`: the unit it waits on.
    pub fn of(status: &Status, places: &Places) -> Option<Holder> {
        use MatterState::*;
        match (status.state, &status.assignee) {
            (Reported | Filed, _) => Some(match status.level {
                Level::Grid => Holder::Grid(places.worker_grid.clone()),
                Level::Community => Holder::Division(places.community.clone()),
                Level::Town => Holder::Division(places.town.clone()),
                Level::District => Holder::Division(places.district.clone()),
            }),
            (Dispatched | InProgress | Parked, Some(Assignee::Department(d))) => Some(Holder::Department(d.clone())),
            (Dispatched | InProgress | Parked, _) => Some(Holder::Division(places.community.clone())),
            // The grid worker verifies on site.
            (Responded, _) => Some(Holder::Grid(places.worker_grid.clone())),
            _ => None,
        }
    }
}

/// Where a matter is: its grid and the divisions above it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Places {
    pub district: DivisionCode,
    pub town: DivisionCode,
    pub community: DivisionCode,
    pub grid: GridCode,
    /// The general grid whose worker looks after it (the grid itself when it is one).
    pub worker_grid: GridCode,
}

impl Places {
    pub fn of(m: &Matter) -> Places {
        let community = m.grid.community();
        let up = |digits: usize| {
            let code = &community.significant()[..digits];
            DivisionCode::parse(code).unwrap_or_else(|_| community.clone())
        };
        Places {
            district: up(6),
            town: up(9),
            community: community.clone(),
            grid: m.grid.clone(),
            worker_grid: m.general_grid.clone().unwrap_or_else(|| m.grid.clone()),
        }
    }
}

/// One row of the record export.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineRow {
    pub number: String,
    pub matter_id: String,
    pub seq: i64,
    pub at: Micros,
    pub command: EventKind,
    pub actor_role: ActingRole,
    pub from_state: Option<MatterState>,
    pub to_state: MatterState,
    pub category: CategoryCode,
    pub line: Line,
    pub channel: Channel,
    pub places: Places,
    /// Who holds the matter after this entry.
    pub holder: Option<Holder>,
    /// The stage clock in force after this entry.
    pub stage: Option<Stage>,
    pub deadline_at: Option<Micros>,
    /// On `rate` entries; on `callback` entries, the reporter's satisfaction.
    pub rating: Option<Rating>,
    /// On `verify` entries; on `callback` entries, solved (是否解决).
    pub passed: Option<bool>,
    /// On `callback` entries: did the handling unit contact the reporter (是否联系).
    pub contacted: Option<bool>,
}

/// What an entry adds beside its status: the rating, verification and
/// callback answers it carries.
type Answers = (Option<Rating>, Option<bool>, Option<bool>);

/// Replay one entry onto `status` (the status after the entries before it;
/// `None` once the timeline stops replaying), giving what it carries.
fn replay(status: &mut Option<Status>, e: &MatterEvent) -> Answers {
    let command = e.command();
    *status = match (&e.kind, &*status, &command) {
        (EventKind::Report, _, _) => Some(Status::reported(report_level(&e.body))),
        (_, Some(s), Some(c)) => s.apply(c).ok(),
        _ => None,
    };
    match &command {
        Some(Command::Rate { rating, .. }) => (Some(*rating), None, None),
        Some(Command::Verify { passed, .. }) => (None, Some(*passed), None),
        Some(Command::Callback { answers: Some(a), .. }) => (Some(a.satisfaction), Some(a.solved), Some(a.contacted)),
        _ => (None, None, None),
    }
}

/// The rows of one matter's timeline, oldest first. The holder after each
/// entry comes from replaying the commands (a timeline that does not replay
/// gives no holder from where it breaks).
pub fn rows_of(m: &Matter, events: &[MatterEvent]) -> Vec<TimelineRow> {
    let places = Places::of(m);
    let mut status: Option<Status> = None;
    let mut out = Vec::with_capacity(events.len());
    for e in events {
        let (rating, passed, contacted) = replay(&mut status, e);
        out.push(TimelineRow {
            number: m.number.clone(),
            matter_id: m.id.to_string(),
            seq: e.seq,
            at: e.at,
            command: e.kind,
            actor_role: e.role,
            from_state: e.from_state,
            to_state: e.to_state,
            category: m.category.clone(),
            line: m.line,
            channel: m.channel,
            places: places.clone(),
            holder: status.as_ref().and_then(|s| Holder::of(s, &places)),
            stage: e.mark.stage,
            deadline_at: e.mark.deadline,
            rating,
            passed,
            contacted,
        });
    }
    out
}

/// One matter's rows written straight onto `out` as CSV lines, byte for byte
/// what [`rows_of`] and [`TimelineRow::write_csv`] give, without a row value
/// per entry: the cells of the matter are written once and copied. The
/// number of rows written.
pub fn write_rows_csv(m: &Matter, events: &[MatterEvent], out: &mut String) -> usize {
    let places = Places::of(m);
    let mut head = String::with_capacity(64);
    field(&mut head, &m.number);
    head.push(',');
    field(&mut head, m.id.as_str());
    let middle = matter_cells(&m.category, m.line, m.channel, &places);
    let mut status: Option<Status> = None;
    for e in events {
        let answers = replay(&mut status, e);
        let holder = status.as_ref().and_then(|s| Holder::of(s, &places));
        write_line(out, &head, e, &middle, holder.as_ref(), answers);
    }
    events.len()
}

/// The cells of a row that are its matter's (category to grid), with the
/// commas around them.
fn matter_cells(category: &CategoryCode, line: Line, channel: Channel, places: &Places) -> String {
    let mut out = String::with_capacity(80);
    out.push(',');
    field(&mut out, category.as_str());
    for word in [
        line.as_str(),
        channel.as_str(),
        places.district.significant(),
        places.town.significant(),
        places.community.significant(),
        places.grid.as_str(),
    ] {
        out.push(',');
        out.push_str(word);
    }
    out.push(',');
    out
}

/// The fields of an entry a line needs.
trait Entry {
    fn seq(&self) -> i64;
    fn at(&self) -> Micros;
    fn words(&self) -> [&'static str; 4];
    fn clock(&self) -> (Option<Stage>, Option<Micros>);
}

impl Entry for MatterEvent {
    fn seq(&self) -> i64 {
        self.seq
    }
    fn at(&self) -> Micros {
        self.at
    }
    fn words(&self) -> [&'static str; 4] {
        [self.kind.as_str(), self.role.as_str(), self.from_state.map_or("", |s| s.as_str()), self.to_state.as_str()]
    }
    fn clock(&self) -> (Option<Stage>, Option<Micros>) {
        (self.mark.stage, self.mark.deadline)
    }
}

impl Entry for TimelineRow {
    fn seq(&self) -> i64 {
        self.seq
    }
    fn at(&self) -> Micros {
        self.at
    }
    fn words(&self) -> [&'static str; 4] {
        [
            self.command.as_str(),
            self.actor_role.as_str(),
            self.from_state.map_or("", |s| s.as_str()),
            self.to_state.as_str(),
        ]
    }
    fn clock(&self) -> (Option<Stage>, Option<Micros>) {
        (self.stage, self.deadline_at)
    }
}

/// One CSV line (with its line break), columns as [`COLUMNS`]: `head` is
/// the number and id, `middle` the matter's cells ([`matter_cells`]).
fn write_line(
    out: &mut String,
    head: &str,
    e: &impl Entry,
    middle: &str,
    holder: Option<&Holder>,
    (rating, passed, contacted): Answers,
) {
    out.push_str(head);
    let _ = write!(out, ",{},", e.seq());
    write_time(out, e.at());
    for word in e.words() {
        out.push(',');
        out.push_str(word);
    }
    out.push_str(middle);
    out.push_str(holder.map_or("", |h| h.kind()));
    out.push(',');
    if let Some(h) = holder {
        field(out, h.code());
    }
    let (stage, deadline) = e.clock();
    out.push(',');
    out.push_str(stage.map_or("", |s| s.as_str()));
    out.push(',');
    if let Some(d) = deadline {
        write_time(out, d);
    }
    out.push(',');
    out.push_str(rating.map_or("", |r| r.as_str()));
    for flag in [passed, contacted] {
        out.push(',');
        out.push_str(match flag {
            Some(true) => "true",
            Some(false) => "false",
            None => "",
        });
    }
    out.push('\n');
}

/// An instant as the export writes it: RFC 3339 in China's offset, with the
/// microseconds when there are any (the figures compare to the microsecond).
pub fn export_time(at: Micros) -> String {
    let mut out = String::with_capacity(32);
    write_time(&mut out, at);
    out
}

/// [`export_time`] onto `out` (no allocation: the export writes millions).
fn write_time(out: &mut String, at: Micros) {
    let t = at.timestamp().to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(8))).datetime();
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    let micros = at.get().rem_euclid(1_000_000);
    if micros != 0 {
        let _ = write!(out, ".{micros:06}");
    }
    out.push_str("+08:00");
}

/// A CSV field: quoted when it holds a comma, quote or line break.
fn field(out: &mut String, text: &str) {
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

impl TimelineRow {
    /// The row as one CSV line (with its line break), columns as [`COLUMNS`].
    /// Cells that are codes, words or numbers need no quoting; only the
    /// matter number and ids are passed through [`field`].
    pub fn write_csv(&self, out: &mut String) {
        let mut head = String::with_capacity(64);
        field(&mut head, &self.number);
        head.push(',');
        field(&mut head, &self.matter_id);
        let middle = matter_cells(&self.category, self.line, self.channel, &self.places);
        write_line(out, &head, self, &middle, self.holder.as_ref(), (self.rating, self.passed, self.contacted));
    }
}

/// The header line.
pub fn csv_header() -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", COLUMNS.join(","));
    s
}
