//! [`MatterFilter`]: what a list, a count or a warning summary may ask for,
//! as interfaces give it (typed, already parsed). The caller's scope is added
//! here, never taken from the filter.

use shanzhi_domain::{
    CategoryCode, Channel, DepartmentCode, DivisionCode, GridCode, Line, MatterState, Micros, Phone, Warning,
};
use shanzhi_store::{MatterOrder, MatterQuery};

use crate::{AppError, AppResult};

/// The longest search text.
pub const MAX_TEXT_CHARS: usize = 100;
/// The default and the largest page of a list.
pub const DEFAULT_PAGE: usize = 50;
pub const MAX_PAGE: usize = 200;

/// Filters on matters; empty lists and `None` mean "any".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MatterFilter {
    pub states: Vec<MatterState>,
    pub categories: Vec<CategoryCode>,
    pub line: Option<Line>,
    /// Under this division.
    pub within: Option<DivisionCode>,
    pub grid: Option<GridCode>,
    /// Held by this department.
    pub department: Option<DepartmentCode>,
    pub channel: Option<Channel>,
    /// Reported in `[from, to)`.
    pub from: Option<Micros>,
    pub to: Option<Micros>,
    /// Words in the description, address or number.
    pub text: Option<String>,
    /// The reporter's phone number: answered only where the caller may see
    /// numbers unmasked (`Scoped::matter_query`); `query` leaves it out.
    pub phone: Option<Phone>,
    pub warnings: Vec<Warning>,
    /// Only overdue (red) matters, or only those on time.
    pub overdue: Option<bool>,
    /// Page size (lists only): 1–200, 50 by default.
    pub limit: Option<usize>,
    /// Newest first, or soonest deadline first (lists only).
    pub order: MatterOrder,
}

impl MatterFilter {
    /// The store's query for these filters (the scope is the caller's to set).
    pub(crate) fn query(&self) -> AppResult<MatterQuery> {
        let mut warnings = self.warnings.clone();
        match self.overdue {
            Some(true) if warnings.is_empty() => warnings.push(Warning::Red),
            Some(true) => warnings.retain(|w| *w == Warning::Red),
            Some(false) => {
                if warnings.is_empty() {
                    warnings = vec![Warning::None, Warning::Yellow, Warning::Orange];
                }
                warnings.retain(|w| *w != Warning::Red);
            }
            None => {}
        }
        if (!self.warnings.is_empty() || self.overdue.is_some()) && warnings.is_empty() {
            return Err(AppError::bad_request(
                "contradictory_filters",
                "warning 与 overdue 条件相互矛盾",
                "the warning and overdue filters contradict each other",
            ));
        }
        let text = self.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
        if text.is_some_and(|t| t.chars().count() > MAX_TEXT_CHARS) {
            return Err(AppError::bad_request(
                "invalid_text",
                format!("搜索词不超过 {MAX_TEXT_CHARS} 字"),
                format!("the search text has at most {MAX_TEXT_CHARS} characters"),
            ));
        }
        Ok(MatterQuery {
            states: self.states.clone(),
            categories: self.categories.clone(),
            line: self.line,
            within: self.within.clone(),
            grid: self.grid.clone(),
            department: self.department.clone(),
            channel: self.channel,
            from: self.from,
            to: self.to,
            text: text.map(str::to_owned),
            warnings,
            limit: self.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE),
            order: self.order,
            ..MatterQuery::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overdue_narrows_the_colours_and_contradictions_are_refused() {
        let red = MatterFilter { overdue: Some(true), ..MatterFilter::default() };
        assert_eq!(red.query().expect("red").warnings, [Warning::Red]);
        let on_time = MatterFilter { overdue: Some(false), ..MatterFilter::default() };
        assert_eq!(on_time.query().expect("on time").warnings, [Warning::None, Warning::Yellow, Warning::Orange]);
        let both = MatterFilter { warnings: vec![Warning::Yellow], overdue: Some(true), ..MatterFilter::default() };
        assert!(matches!(both.query(), Err(AppError::BadRequest { code: "contradictory_filters", .. })));
        let long = MatterFilter { text: Some("字".repeat(101)), ..MatterFilter::default() };
        assert!(matches!(long.query(), Err(AppError::BadRequest { code: "invalid_text", .. })));
        let page = MatterFilter { limit: Some(10_000), ..MatterFilter::default() };
        assert_eq!(page.query().expect("page").limit, MAX_PAGE);
    }
}
