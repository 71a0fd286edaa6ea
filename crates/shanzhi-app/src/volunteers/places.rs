//! The communities a caller may publish volunteer activities in, by name:
//! the activity form offers these instead of asking for a 12-digit code.

use std::collections::BTreeSet;

use serde::Serialize;
use shanzhi_domain::volunteer::OrgKind;
use shanzhi_domain::{CodeSystem, DivisionCode, DivisionLevel, Role, Scope};

use crate::AppResult;
use crate::access::Scoped;

/// Most communities the activity form offers (a district's worth).
pub const MAX_ACTIVITY_COMMUNITIES: usize = 300;

/// A community offered on the activity form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommunityChoice {
    pub code: String,
    pub name: String,
    /// Its street (街道/镇), telling apart two communities of one name.
    pub town: String,
}

impl Scoped<'_> {
    /// The communities the caller may publish activities in: those their
    /// community-worker or administrator grants cover today (a grant over a
    /// street or a district offers its communities) and those of their
    /// organisations; in code order, at most [`MAX_ACTIVITY_COMMUNITIES`].
    pub async fn activity_communities(&self) -> AppResult<Vec<CommunityChoice>> {
        let day = self.day();
        let mut found: BTreeSet<DivisionCode> = BTreeSet::new();
        for org in self.my_volunteer_orgs().await? {
            if org.kind != OrgKind::Shop
                && let Ok(code) = DivisionCode::parse(&org.community)
            {
                found.insert(code);
            }
        }
        // Depth first, in code order, so that a wide scope reaches its first
        // communities in a few reads and the walk stops at the bound.
        let mut stack: Vec<DivisionCode> = self
            .actor
            .grants
            .iter()
            .filter(|g| matches!(g.role, Role::CommunityWorker | Role::Admin) && g.term.contains(day))
            .filter_map(|g| match &g.scope {
                Some(Scope::Division(d)) => Some(d.clone()),
                _ => None,
            })
            .collect();
        stack.sort_unstable_by(|a, b| b.cmp(a));
        while let Some(d) = stack.pop() {
            if found.len() >= MAX_ACTIVITY_COMMUNITIES {
                break;
            }
            if d.level() == DivisionLevel::Community {
                found.insert(d);
                continue;
            }
            let children = self.app.store.child_divisions(CodeSystem::Nbs2023, Some(&d)).await?;
            stack.extend(children.into_iter().rev().map(|c| c.code));
        }
        let codes: Vec<DivisionCode> = found.into_iter().take(MAX_ACTIVITY_COMMUNITIES).collect();
        let mut lookup: Vec<DivisionCode> =
            codes.iter().flat_map(|c| [c.clone()].into_iter().chain(c.parent())).collect();
        lookup.sort();
        lookup.dedup();
        let names = self.app.division_names(&lookup).await?;
        Ok(codes
            .iter()
            .filter_map(|c| {
                let name = names.get(c)?.clone();
                let town = c.parent().and_then(|t| names.get(&t).cloned()).unwrap_or_default();
                Some(CommunityChoice { code: c.as_str().to_owned(), name, town })
            })
            .collect())
    }
}
