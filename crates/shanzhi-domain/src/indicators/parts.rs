//! The figures kept ready: each matter's contributions computed once from
//! its whole record ([`parts_of`]) and stored, so that a figure is a sum over
//! stored parts instead of a read of every timeline. The same engine makes
//! both: a part is what [`super::compute`] would attribute, before the period,
//! the as-of instant, the unit and k are applied. Summing the parts with
//!
//! - `at` in the period `[start, end)`,
//! - `known_at < as_of` (and `at < as_of`),
//! - the matter's line, place or the part's department as the unit,
//! - `numerator + k × numerator_k`,
//!
//! gives exactly what `compute` gives for place and department units: a
//! deadline still ahead is a part dated at that deadline, which `as_of`
//! leaves out until the time has passed it; any new entry recomputes the
//! matter's parts. A part held by a grid keeps that grid: by grid workers,
//! the sums by holder grid go to the grid's workers on the last day counted
//! (what `compute` does with [`super::Params::workers`]).

use super::Measure;
use super::engine::contributions;
use super::record::{Holder, Places, TimelineRow};
use super::{Key, UnitKind};
use crate::Line;
use crate::grid::GridCode;
use crate::instant::Micros;
use crate::people::DepartmentCode;

/// One stored contribution.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub key: Key,
    /// The instant that puts it in a period.
    pub at: Micros,
    /// From when it holds (after `at` only for 办结率's numerator).
    pub known_at: Micros,
    pub numerator: f64,
    /// The numerator weighed by k (基本满意).
    pub numerator_k: f64,
    pub denominator: f64,
    /// The department it goes to when units are departments.
    pub department: Option<DepartmentCode>,
    /// The grid whose workers it goes to when units are grid workers.
    pub grid: Option<GridCode>,
}

/// A matter's parts with what places them.
#[derive(Debug, Clone, PartialEq)]
pub struct MatterParts {
    pub line: Line,
    pub places: Places,
    pub parts: Vec<Part>,
}

/// The parts of one matter's whole record (rows in timeline order).
pub fn parts_of(rows: &[TimelineRow]) -> Option<MatterParts> {
    let first = rows.first()?;
    let all: Vec<&TimelineRow> = rows.iter().collect();
    let mut parts = Vec::new();
    contributions(&all, Micros::new(i64::MAX), &mut |c| {
        let (department, grid) = match c.holder {
            Some(Holder::Department(d)) => (Some(d.clone()), None),
            Some(Holder::Grid(g)) => (None, Some(g.clone())),
            _ => (None, None),
        };
        // The roll-ups' sums rest on this: a count has no denominator, only
        // 满意率 a k-weighted numerator, and no part is all zeros (so a key
        // with parts has a sum that is not zero).
        debug_assert!(c.key.definition().measure == Measure::Rate || c.denominator == 0.0, "{:?}", c.key);
        debug_assert!(c.key.weighted_by_k() || c.numerator_k == 0.0, "{:?}", c.key);
        debug_assert!(c.numerator != 0.0 || c.numerator_k != 0.0 || c.denominator != 0.0, "{:?}", c.key);
        parts.push(Part {
            key: c.key,
            at: c.at,
            known_at: c.known_at,
            numerator: c.numerator,
            numerator_k: c.numerator_k,
            denominator: c.denominator,
            department,
            grid,
        });
    });
    Some(MatterParts { line: first.line, places: first.places.clone(), parts })
}

/// The unit a part goes to, by `by` (none: it does not count there); by
/// grid workers, the grid whose workers it goes to.
pub fn unit_of(by: UnitKind, places: &Places, part: &Part) -> Option<String> {
    match by {
        UnitKind::District => Some(places.district.significant().to_owned()),
        UnitKind::Town => Some(places.town.significant().to_owned()),
        UnitKind::Community => Some(places.community.significant().to_owned()),
        UnitKind::Grid => Some(places.grid.to_string()),
        UnitKind::Department => part.department.as_ref().map(ToString::to_string),
        UnitKind::Worker => part.grid.as_ref().map(ToString::to_string),
    }
}
