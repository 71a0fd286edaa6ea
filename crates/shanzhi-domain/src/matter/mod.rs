//! 事件 — the matter and its lifecycle (数字城管 seven-stage loop, DESIGN.md
//! §2): the states, the commands, the status a timeline adds up to, the
//! hash-chained timeline, and the record that carries them.

mod command;
mod record;
mod state;
mod status;
mod timeline;

pub use command::{Assignee, Command, CommandKind, Overdue, PartnerUpdate, Rating};
pub use record::{Channel, LngLat, Matter, MatterId, Reporter, TimelineProblem, report_level};
pub use state::{Level, MatterState};
pub use status::{Refusal, Status, holder_of};
pub use timeline::{ActingRole, ClockMark, EventKind, MATTER_GENESIS, MatterEvent, check_chain};
