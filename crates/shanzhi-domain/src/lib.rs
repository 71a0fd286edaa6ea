//! Pure domain types and rules of Shanzhi (善治). No IO, no async: everything here
//! can be tested with plain values, and every other crate speaks these types.

pub mod access;
pub mod attribute;
pub mod audit;
pub mod calendar;
pub mod callback;
pub mod case;
pub mod category;
pub mod classify;
mod code;
pub mod deliberation;
pub mod digest;
pub mod division;
pub mod grid;
pub mod hotspot;
pub mod indicators;
pub mod instant;
pub mod mac;
pub mod matter;
pub mod notify;
pub mod patrol;
pub mod people;
pub mod ranking;
pub mod register;
pub mod search;
pub mod similar;
pub mod task;
pub mod text;
pub mod timing;
pub mod tlog;
pub mod volunteer;

pub use access::{Action, Grant, Place, Role, Scope, Term};
pub use attribute::{Answer, Attribute, Datatype};
pub use category::{Category, CategoryCode, DutyItem, DutyLevel, DutyList, Line};
pub use division::{CodeSystem, Division, DivisionCode, DivisionCodeError, DivisionLevel, DivisionName};
pub use grid::{GridCode, GridInfo, GridKind, Validity};
pub use instant::Micros;
pub use matter::{
    ActingRole, Assignee, Channel, Command, CommandKind, EventKind, Level, Matter, MatterEvent, MatterId, MatterState,
    PartnerUpdate, Rating, Status,
};
pub use people::{DepartmentCode, Phone, UserKind, Username, WorkPhone};
pub use timing::{Stage, StageClock, Thresholds, Timing, Warning};
