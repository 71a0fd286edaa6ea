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

/// The rows of one matter's timeline, oldest first. The holder after each
/// entry comes from replaying the commands (a timeline that does not replay
/// gives no holder from where it breaks).
pub fn rows_of(m: &Matter, events: &[MatterEvent]) -> Vec<TimelineRow> {
    let places = Places::of(m);
    let mut status: Option<Status> = None;
    let mut out = Vec::with_capacity(events.len());
    for e in events {
        let command = e.command();
        status = match (&e.kind, &status, &command) {
            (EventKind::Report, _, _) => Some(Status::reported(report_level(&e.body))),
            (_, Some(s), Some(c)) => s.apply(c).ok(),
            _ => None,
        };
        let (rating, passed, contacted) = match &command {
            Some(Command::Rate { rating, .. }) => (Some(*rating), None, None),
            Some(Command::Verify { passed, .. }) => (None, Some(*passed), None),
            Some(Command::Callback { answers: Some(a), .. }) => {
                (Some(a.satisfaction), Some(a.solved), Some(a.contacted))
            }
            _ => (None, None, None),
        };
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
        let holder = self.holder.as_ref();
        field(out, &self.number);
        out.push(',');
        field(out, &self.matter_id);
        let _ = write!(out, ",{},", self.seq);
        write_time(out, self.at);
        for word in [
            self.command.as_str(),
            self.actor_role.as_str(),
            self.from_state.map_or("", |s| s.as_str()),
            self.to_state.as_str(),
        ] {
            out.push(',');
            out.push_str(word);
        }
        out.push(',');
        field(out, self.category.as_str());
        for word in [
            self.line.as_str(),
            self.channel.as_str(),
            self.places.district.significant(),
            self.places.town.significant(),
            self.places.community.significant(),
            self.places.grid.as_str(),
            holder.map_or("", |h| h.kind()),
        ] {
            out.push(',');
            out.push_str(word);
        }
        out.push(',');
        if let Some(h) = holder {
            field(out, h.code());
        }
        out.push(',');
        out.push_str(self.stage.map_or("", |s| s.as_str()));
        out.push(',');
        if let Some(d) = self.deadline_at {
            write_time(out, d);
        }
        out.push(',');
        out.push_str(self.rating.map_or("", |r| r.as_str()));
        for flag in [self.passed, self.contacted] {
            out.push(',');
            out.push_str(match flag {
                Some(true) => "true",
                Some(false) => "false",
                None => "",
            });
        }
        out.push('\n');
    }
}

/// The header line.
pub fn csv_header() -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", COLUMNS.join(","));
    s
}
