//! The dictionary as intake reads it: current categories, duty lists and
//! department names, loaded once and swapped whole. Every write through this
//! application drops it; servers re-read it with the grid poll, so an edit
//! made on another server is seen within `grid_refresh_secs`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use arc_swap::ArcSwapOption;
use shanzhi_domain::{Category, CategoryCode, DivisionCode, DutyItem, DutyLevel};

use crate::{App, AppResult};

#[derive(Debug, Default)]
pub(crate) struct Dictionary {
    /// Current version of each category, by code.
    pub categories: Vec<(Category, i64)>,
    by_code: HashMap<CategoryCode, usize>,
    /// Codes that have sub-classes (a report needs a leaf).
    parents: HashSet<CategoryCode>,
    duties: HashMap<(CategoryCode, DutyLevel), DutyItem>,
    departments: HashMap<String, String>,
}

impl Dictionary {
    pub fn category(&self, code: &CategoryCode) -> Option<&(Category, i64)> {
        self.by_code.get(code).map(|i| &self.categories[*i])
    }

    pub fn is_parent(&self, code: &CategoryCode) -> bool {
        self.parents.contains(code)
    }

    pub fn duty(&self, code: &CategoryCode, level: DutyLevel) -> Option<&DutyItem> {
        self.duties.get(&(code.clone(), level))
    }

    pub fn department_name(&self, code: &str) -> Option<&str> {
        self.departments.get(code).map(String::as_str)
    }

    /// (code, name) of the departments whose code starts with one of
    /// `prefixes`, by code.
    pub fn departments_under(&self, prefixes: &[&str]) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .departments
            .iter()
            .filter(|(code, _)| prefixes.iter().any(|p| code.starts_with(p)))
            .map(|(c, n)| (c.clone(), n.clone()))
            .collect();
        out.sort();
        out
    }
}

#[derive(Debug, Default)]
pub(crate) struct DictionaryHolder(ArcSwapOption<Dictionary>);

impl App {
    /// A department's name by its code (`510104-chengguan` → 锦江区城管局),
    /// for pages that must not show the code.
    pub async fn department_name(&self, code: &str) -> AppResult<Option<String>> {
        Ok(self.dictionary().await?.department_name(code).map(str::to_owned))
    }

    pub(crate) async fn dictionary(&self) -> AppResult<Arc<Dictionary>> {
        if let Some(d) = self.dictionary.0.load_full() {
            return Ok(d);
        }
        self.reload_dictionary().await?;
        Ok(self.dictionary.0.load_full().unwrap_or_default())
    }

    /// Forget the cached dictionary (after a write).
    pub(crate) fn invalidate_dictionary(&self) {
        self.dictionary.0.store(None);
    }

    /// Read categories, duties and departments from the store again.
    pub async fn reload_dictionary(&self) -> AppResult<()> {
        let categories = self.store.categories().await?;
        let by_code = categories.iter().enumerate().map(|(i, (c, _))| (c.code.clone(), i)).collect();
        let parents = categories.iter().filter_map(|(c, _)| c.parent.clone()).collect();
        let duties = self.store.duties(None).await?.into_iter().map(|d| ((d.category.clone(), d.level), d)).collect();
        let root = DivisionCode::parse("51").expect("Sichuan's code");
        let departments = self
            .store
            .departments_within(&root)
            .await?
            .into_iter()
            .map(|d| (d.code.as_str().to_owned(), d.name))
            .collect();
        let dictionary = Dictionary { categories, by_code, parents, duties, departments };
        self.dictionary.0.store(Some(Arc::new(dictionary)));
        Ok(())
    }
}
