//! A community's public face beyond its proposals (issue 19): each of its
//! grids with the 网格员 on duty and their public contact — the name and
//! the work phone they opted into (工作电话), never the private mobile —
//! and the 善治成都 articles about it. Public: no sign-in needed.

use std::collections::BTreeMap;

use serde::Serialize;
use shanzhi_domain::{DivisionCode, DivisionLevel, GridKind, Role, Scope};
use shanzhi_store::{ArticleQuery, GridQuery};

use crate::AppResult;
use crate::access::Scoped;
use crate::cases::CaseView;

/// Most grids one community page lists.
pub const MAX_GRIDS: usize = 100;
/// Most articles one community page lists.
pub const MAX_CASES: usize = 10;

/// A grid worker as the public sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicContact {
    pub name: String,
    /// The public work phone, if they gave one.
    pub work_phone: Option<String>,
}

/// One grid of the community and who serves it.
#[derive(Debug, Clone, Serialize)]
pub struct GridContacts {
    pub code: String,
    pub name: String,
    pub workers: Vec<PublicContact>,
}

impl Scoped<'_> {
    /// The community's current general and dedicated grids, and any other
    /// grid with a worker (in code order, at most [`MAX_GRIDS`]), each with
    /// the grid workers assigned to it today. Micro-grids without a worker
    /// of their own are left out: a resident looks for their grid's worker.
    pub async fn community_contacts(&self, community: &DivisionCode) -> AppResult<Vec<GridContacts>> {
        let day = self.day();
        let query =
            GridQuery { communities: vec![community.clone()], limit: Some(MAX_GRIDS * 10), ..GridQuery::as_of(day) };
        let mut grids: Vec<(GridKind, GridContacts)> = self
            .app
            .store
            .grids(&query)
            .await?
            .into_iter()
            .map(|g| {
                let contacts =
                    GridContacts { code: g.info.code.as_str().to_owned(), name: g.info.name, workers: Vec::new() };
                (g.info.kind, contacts)
            })
            .collect();
        grids.sort_by(|a, b| a.1.code.cmp(&b.1.code));
        let mut people: BTreeMap<String, Option<PublicContact>> = BTreeMap::new();
        for a in self.app.store.assignments_within(community, day).await? {
            let (Role::GridWorker, Some(Scope::Grid(code))) = (a.role, &a.scope) else { continue };
            let Some((_, grid)) = grids.iter_mut().find(|(_, g)| g.code == code.as_str()) else { continue };
            if !people.contains_key(&a.user_id) {
                if people.len() >= MAX_GRIDS * 4 {
                    continue;
                }
                let user = self.app.store.user_by_id(&a.user_id).await?.filter(|u| !u.disabled);
                let contact = user.map(|u| PublicContact {
                    name: u.display_name,
                    work_phone: u.work_phone.map(|p| p.as_str().to_owned()),
                });
                people.insert(a.user_id.clone(), contact);
            }
            if let Some(Some(c)) = people.get(&a.user_id)
                && !grid.workers.contains(c)
            {
                grid.workers.push(c.clone());
            }
        }
        Ok(grids
            .into_iter()
            .filter(|(kind, g)| matches!(kind, GridKind::General | GridKind::Dedicated) || !g.workers.is_empty())
            .map(|(_, g)| g)
            .take(MAX_GRIDS)
            .collect())
    }

    /// Published articles about the community, its town or its district
    /// (their places name one of them), newest first, at most [`MAX_CASES`].
    pub async fn community_cases(&self, community: &DivisionCode) -> AppResult<Vec<CaseView>> {
        let mut places: Vec<String> = community
            .ancestors()
            .into_iter()
            .filter(|d| d.level() >= DivisionLevel::District)
            .map(|d| d.as_str().to_owned())
            .collect();
        places.push(community.as_str().to_owned());
        let query = ArticleQuery {
            state: Some(shanzhi_domain::case::ArticleState::Published.as_str().to_owned()),
            places,
            limit: MAX_CASES,
            ..Default::default()
        };
        let records = self.app.store.articles(&query).await?;
        self.views(records, false).await
    }
}
