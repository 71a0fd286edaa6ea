//! A community's public face beyond its proposals (issue 19): each of its
//! grids with the 网格员 on duty and their public contact — the name and
//! the work phone they opted into (工作电话), never the private mobile —
//! and the 善治成都 articles about it. Public: no sign-in needed.

use serde::Serialize;
use shanzhi_domain::{DivisionCode, DivisionLevel, GridKind};
use shanzhi_store::ArticleQuery;

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
        // Codes, names, kinds and workers only: no geometry is read.
        let grids = self.app.store.community_grid_contacts(community, self.day(), MAX_GRIDS * 10).await?;
        Ok(grids
            .into_iter()
            .filter(|g| matches!(g.kind, GridKind::General | GridKind::Dedicated) || !g.workers.is_empty())
            .take(MAX_GRIDS)
            .map(|g| {
                let mut workers: Vec<PublicContact> = Vec::with_capacity(g.workers.len());
                for w in g.workers {
                    let c = PublicContact { name: w.name, work_phone: w.work_phone.map(|p| p.as_str().to_owned()) };
                    if !workers.contains(&c) {
                        workers.push(c);
                    }
                }
                GridContacts { code: g.code.as_str().to_owned(), name: g.name, workers }
            })
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
