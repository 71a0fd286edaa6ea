//! What a batch 派遣 from the desk may name: departments by name, the duty
//! list's one suggested where the rows share a category.

use shanzhi_domain::{Assignee, CommandKind, DivisionLevel, Scope};

use super::MatterView;
use crate::AppResult;
use crate::access::Scoped;
use crate::grids::today;

/// The departments a batch dispatch offers, and the suggested one.
#[derive(Debug, Clone, Default)]
pub struct DispatchChoices {
    /// (code, name), by code: those of the caller's districts and the city's.
    pub departments: Vec<(String, String)>,
    /// The duty list's department for the rows, when they share a category
    /// and it names one of `departments`.
    pub suggested: Option<String>,
}

impl Scoped<'_> {
    /// The departments this caller may dispatch to from the desk: those of
    /// every district their dispatching grants reach, and the city's.
    pub async fn dispatch_departments(&self) -> AppResult<Vec<(String, String)>> {
        let day = today();
        let roles = CommandKind::Dispatch.roles();
        let mut prefixes: Vec<String> = Vec::new();
        for g in self.actor.grants.iter().filter(|g| g.term.contains(day) && roles.contains(&g.role)) {
            let Some(Scope::Division(d)) = &g.scope else { continue };
            let code = d.as_str();
            if d.level() < DivisionLevel::City {
                continue;
            }
            // A district's departments are `510104-…`; a city-wide grant
            // reaches all of the city's (`5101…`).
            let own =
                if d.level() == DivisionLevel::City { d.significant().to_owned() } else { format!("{}-", &code[..6]) };
            for p in [own, format!("{}00-", &code[..4])] {
                if !prefixes.contains(&p) {
                    prefixes.push(p);
                }
            }
        }
        let prefixes: Vec<&str> = prefixes.iter().map(String::as_str).collect();
        Ok(self.app.dictionary().await?.departments_under(&prefixes))
    }

    /// [`Self::dispatch_departments`] with the duty list's suggestion for
    /// `rows` (a page of the desk), when they share a category (the rows may
    /// lie in several communities, so history's per-place unit is not used).
    pub async fn dispatch_choices(&self, rows: &[&MatterView]) -> AppResult<DispatchChoices> {
        let departments = self.dispatch_departments().await?;
        let shared = rows.first().filter(|first| rows.iter().all(|r| r.category == first.category));
        let suggested = match shared {
            Some(first) => {
                match self.duty_suggestion(&self.visible_matter(&first.number).await?).await?.map(|s| s.assignee) {
                    Some(Assignee::Department(d)) => Some(d.to_string()),
                    _ => None,
                }
            }
            None => None,
        };
        let suggested = suggested.filter(|s| departments.iter().any(|(c, _)| c == s));
        Ok(DispatchChoices { departments, suggested })
    }
}
