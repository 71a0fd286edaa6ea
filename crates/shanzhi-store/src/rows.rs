//! Helpers for backends: turn stored text back into domain values, so that a
//! corrupt row is reported the same way on every engine.

use shanzhi_domain::{CodeSystem, Division, DivisionCode, DivisionLevel, DivisionName};

use crate::{StoreError, StoreResult};

pub fn division(code_system: &str, code: &str, name: &str) -> StoreResult<Division> {
    Ok(Division {
        code_system: code_system.parse().map_err(StoreError::corrupt)?,
        code: DivisionCode::parse(code).map_err(|e| StoreError::corrupt(format!("{code}: {e}")))?,
        name: DivisionName::parse(name).map_err(StoreError::corrupt)?,
    })
}

pub fn level(text: &str) -> StoreResult<DivisionLevel> {
    text.parse().map_err(StoreError::corrupt)
}

/// Rows of a batch that are new, and rows whose name changed, given the names
/// already stored for the batch's codes. New rows come parents first.
pub fn split_upsert<'a>(
    batch: &'a [Division],
    stored_name: impl Fn(CodeSystem, &DivisionCode) -> Option<&'a str>,
) -> (Vec<&'a Division>, Vec<&'a Division>, u64) {
    let mut new = Vec::new();
    let mut renamed = Vec::new();
    let mut unchanged = 0;
    for d in batch {
        match stored_name(d.code_system, &d.code) {
            None => new.push(d),
            Some(name) if name != d.name.as_str() => renamed.push(d),
            Some(_) => unchanged += 1,
        }
    }
    new.sort_by(|a, b| (a.level(), &a.code).cmp(&(b.level(), &b.code)));
    (new, renamed, unchanged)
}
