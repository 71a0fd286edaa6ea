//! The fund's negative and priority lists (负面清单 / 优先清单): the city's
//! ship in code and always apply; a community adds its own (those who
//! administer it). A proposal or a commitment that hits the negative list
//! is refused naming the item; one that hits the priority list is marked
//! 优先.

use serde::Serialize;
use shanzhi_domain::deliberation::FundLists;
use shanzhi_domain::deliberation::fund_list::{self, ListItem};

use super::community_code;
use crate::access::Scoped;
use crate::{AppError, AppResult};

/// The lists of a community: the city's, its own, and both in force.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FundListsView {
    pub community: String,
    /// 全市清单（始终适用） / the city's lists, always in force.
    pub city: FundLists,
    /// 本社区增补 / the community's own items.
    pub own: FundLists,
    /// The version of the community's own lists (0: none saved).
    pub version: i64,
}

impl FundListsView {
    /// The city's items, then the community's own.
    pub fn in_force(&self) -> FundLists {
        FundLists::in_force(&self.own)
    }
}

/// A proposal's text as the lists read it.
pub(crate) fn proposal_text(title: &str, body: &str) -> String {
    format!("{title}\n{body}")
}

impl Scoped<'_> {
    /// The lists of a community (public: they are the fund's rules).
    pub async fn fund_lists(&self, community: &str) -> AppResult<FundListsView> {
        let code = community_code(community)?;
        let stored = self.app.store.fund_lists(code.as_str()).await?;
        let (own, version) = match stored {
            Some(s) => (serde_json::from_str(&s.body).map_err(|e| AppError::internal(e.to_string()))?, s.version),
            None => (FundLists::default(), 0),
        };
        Ok(FundListsView { community: code.as_str().to_owned(), city: fund_list::city(), own, version })
    }

    /// A community replaces its own items (those who administer it); the
    /// city's stay. Checked whole: every problem said at once.
    pub async fn set_fund_lists(&self, community: &str, own: &FundLists) -> AppResult<FundListsView> {
        let code = community_code(community)?;
        self.administers(code.as_str())?;
        if let Err(errors) = own.validate() {
            return Err(AppError::invalid("invalid_fund_lists", super::all_of(&errors)));
        }
        let body = serde_json::to_string(own).map_err(|e| AppError::internal(e.to_string()))?;
        self.app.store.save_fund_lists(code.as_str(), &body, self.app.now_micros(), &self.actor.name).await?;
        self.fund_lists(code.as_str()).await
    }

    /// Refused if `text` hits the negative list in force in `community`.
    pub(crate) async fn check_negative_list(&self, community: &str, text: &str) -> AppResult<()> {
        let lists = self.fund_lists(community).await?.in_force();
        match lists.forbidden(text) {
            Some(item) => Err(AppError::invalid("fund_negative_list", FundLists::refusal(item))),
            None => Ok(()),
        }
    }

    /// The priority item `text` hits in `community`, by name.
    pub(crate) async fn priority_item(&self, community: &str, text: &str) -> AppResult<Option<String>> {
        let lists = self.fund_lists(community).await?.in_force();
        Ok(lists.priority_of(text).map(|i: &ListItem| i.name.clone()))
    }
}
