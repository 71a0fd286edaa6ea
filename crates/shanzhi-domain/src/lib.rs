//! Pure domain types and rules of Shanzhi (善治). No IO, no async: everything here
//! can be tested with plain values, and every other crate speaks these types.

pub mod division;
pub mod grid;
pub mod text;

pub use division::{CodeSystem, Division, DivisionCode, DivisionCodeError, DivisionLevel, DivisionName};
pub use grid::{GridCode, GridInfo, GridKind, Validity};
