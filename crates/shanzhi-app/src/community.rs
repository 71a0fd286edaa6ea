//! A community's public face beyond its proposals (issue 19): each of its
//! grids with the 网格员 on duty and their public contact — the name and
//! the work phone they opted into (工作电话), never the private mobile —
//! and the 善治成都 articles about it. Public: no sign-in needed.

use std::collections::BTreeMap;

use serde::Serialize;
use shanzhi_domain::{DivisionCode, DivisionLevel, Role, Scope};
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
    /// The community's current grids (in code order, at most
    /// [`MAX_GRIDS`]), each with the grid workers assigned to it today.
    pub async fn community_contacts(&self, community: &DivisionCode) -> AppResult<Vec<GridContacts>> {
        let day = self.day();
        let query =
            GridQuery { communities: vec![community.clone()], limit: Some(MAX_GRIDS), ..GridQuery::as_of(day) };
        let mut grids: Vec<GridContacts> = self
            .app
            .store
            .grids(&query)
            .await?
            .into_iter()
            .map(|g| GridContacts { code: g.info.code.as_str().to_owned(), name: g.info.name, workers: Vec::new() })
            .collect();
        grids.sort_by(|a, b| a.code.cmp(&b.code));
        let mut people: BTreeMap<String, Option<PublicContact>> = BTreeMap::new();
        for a in self.app.store.assignments_within(community, day).await? {
            let (Role::GridWorker, Some(Scope::Grid(code))) = (a.role, &a.scope) else { continue };
            let Some(grid) = grids.iter_mut().find(|g| g.code == code.as_str()) else { continue };
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
        Ok(grids)
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
